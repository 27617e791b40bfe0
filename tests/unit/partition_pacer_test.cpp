// PartitionPacer: which partitions are paused and resumed, from record
// timestamps and partition ends alone (no Kafka).
#include <catch2/catch.hpp>

#include <algorithm>

#include "worker/partition_pacer.hpp"

using namespace vsink;
using namespace std::chrono_literals;

namespace {
const TopicPartition kOrders{"t.orders", 0};
const TopicPartition kRefunds{"t.refunds", 0};
const TopicPartition kEvents{"t.events", 0};

bool has(const std::vector<TopicPartition> &v, const TopicPartition &tp) {
    return std::find(v.begin(), v.end(), tp) != v.end();
}
}  // namespace

TEST_CASE("a partition too far ahead in time is paused until the one behind catches up", "[pacer]") {
    PartitionPacer p(500ms);
    const auto t0 = PartitionPacer::Clock::now();
    p.record(kOrders, 10'000, t0);
    p.record(kRefunds, 10'400, t0);
    CHECK(p.decide(t0).empty());  // within the lead

    p.record(kRefunds, 10'600, t0);
    auto d = p.decide(t0);
    REQUIRE(d.pause.size() == 1);
    CHECK(d.pause[0] == kRefunds);
    CHECK(d.resume.empty());
    CHECK(d.floor == kOrders);
    CHECK(d.floor_timestamp_ms == 10'000);
    CHECK(p.lead_ms(kRefunds, d) == 600);
    p.applied(d);
    CHECK(p.is_paused(kRefunds));
    CHECK(p.paused() == 1);

    // Behind by more than half the lead: still paused (no flapping).
    p.record(kOrders, 10'300, t0 + 10ms);
    CHECK(p.decide(t0 + 10ms).empty());
    // Within half the lead: resumed.
    p.record(kOrders, 10'350, t0 + 20ms);
    d = p.decide(t0 + 20ms);
    CHECK(d.pause.empty());
    REQUIRE(d.resume.size() == 1);
    CHECK(d.resume[0] == kRefunds);
    p.applied(d);
    CHECK_FALSE(p.is_paused(kRefunds));
}

TEST_CASE("a partition at its end or silent holds nobody back", "[pacer]") {
    PartitionPacer p(500ms, 1000ms);
    const auto t0 = PartitionPacer::Clock::now();
    p.record(kEvents, 1'000, t0);
    p.record(kOrders, 5'000, t0);
    p.record(kRefunds, 5'100, t0);
    auto d = p.decide(t0);
    CHECK(has(d.pause, kOrders));
    CHECK(has(d.pause, kRefunds));
    p.applied(d);

    SECTION("at its end") {
        p.at_end(kEvents);
        d = p.decide(t0);
        CHECK(d.pause.empty());
        CHECK(has(d.resume, kOrders));
        CHECK(has(d.resume, kRefunds));
        CHECK(d.floor == kOrders);  // paused itself, and the furthest behind
    }
    SECTION("silent past the idle limit (its broker may be gone)") {
        CHECK(p.decide(t0 + 900ms).resume.empty());
        d = p.decide(t0 + 1100ms);
        CHECK(has(d.resume, kOrders));
        CHECK(has(d.resume, kRefunds));
    }
    SECTION("a record after its end makes it count again") {
        p.at_end(kEvents);
        p.applied(p.decide(t0));
        CHECK(p.paused() == 0);
        p.record(kEvents, 1'200, t0 + 5ms);
        d = p.decide(t0 + 5ms);
        CHECK(has(d.pause, kOrders));
        CHECK(has(d.pause, kRefunds));
    }
}

TEST_CASE("after a resume the next floor is the furthest behind of the rest", "[pacer]") {
    PartitionPacer p(500ms);
    const auto t0 = PartitionPacer::Clock::now();
    p.record(kEvents, 1'000, t0);
    p.record(kOrders, 1'400, t0);
    p.record(kRefunds, 3'000, t0);
    auto d = p.decide(t0);
    CHECK(d.pause == std::vector<TopicPartition>{kRefunds});
    p.applied(d);
    p.at_end(kEvents);
    // Orders is the floor now: refunds is still 1,600 ms ahead of it.
    d = p.decide(t0);
    CHECK(d.empty());
    CHECK(d.floor == kOrders);
    p.record(kOrders, 2'800, t0);
    d = p.decide(t0);
    CHECK(d.resume == std::vector<TopicPartition>{kRefunds});
}

TEST_CASE("records without a timestamp, a reset and max_lead 0", "[pacer]") {
    const auto t0 = PartitionPacer::Clock::now();
    SECTION("no timestamp: the partition is neither a floor nor paused") {
        PartitionPacer p(500ms);
        p.record(kOrders, -1, t0);
        p.record(kRefunds, 9'000, t0);
        CHECK(p.decide(t0).empty());
    }
    SECTION("reset returns what was paused and forgets every partition") {
        PartitionPacer p(500ms);
        p.record(kOrders, 1'000, t0);
        p.record(kRefunds, 9'000, t0);
        p.applied(p.decide(t0));
        CHECK(p.reset() == std::vector<TopicPartition>{kRefunds});
        CHECK(p.paused() == 0);
        CHECK(p.decide(t0).empty());
    }
    SECTION("off") {
        PartitionPacer p(0ms);
        CHECK_FALSE(p.enabled());
        p.record(kOrders, 1'000, t0);
        p.record(kRefunds, 900'000, t0);
        CHECK(p.decide(t0).empty());
    }
}

TEST_CASE("a partition the others overtook by many records holds nobody back", "[pacer]") {
    // Paused at its end, a partition is not reported at its end again: it
    // must not hold the others back for ever.
    PartitionPacer p(500ms, 1000ms, 10);
    const auto t0 = PartitionPacer::Clock::now();
    p.record(kEvents, 1'000, t0);
    p.record(kRefunds, 9'000, t0);
    p.applied(p.decide(t0));
    REQUIRE(p.is_paused(kRefunds));
    for (int i = 0; i < 9; ++i) p.record(kOrders, 1'000 + i, t0);
    CHECK(p.decide(t0).floor == kEvents);
    p.record(kOrders, 8'800, t0);
    const auto d = p.decide(t0);
    CHECK(d.floor == kOrders);
    CHECK(d.resume == std::vector<TopicPartition>{kRefunds});
}

TEST_CASE("right after an assignment, partitions that answered wait for the silent ones", "[pacer]") {
    PartitionPacer p(500ms, 1000ms);
    const auto t0 = PartitionPacer::Clock::now();
    p.assigned({kEvents, kOrders, kRefunds}, t0);
    CHECK(p.record(kRefunds, 9'000, t0));
    CHECK_FALSE(p.record(kRefunds, 9'001, t0));
    auto d = p.decide(t0);
    CHECK(d.pause == std::vector<TopicPartition>{kRefunds});
    CHECK(d.floor_timestamp_ms == -1);
    p.applied(d);
    CHECK(p.record(kOrders, 1'000, t0 + 1ms));
    d = p.decide(t0 + 1ms);
    CHECK(d.pause == std::vector<TopicPartition>{kOrders});
    p.applied(d);
    SECTION("the last one answers with its end: the others go on, in time order") {
        CHECK(p.at_end(kEvents));
        d = p.decide(t0 + 2ms);
        CHECK(d.floor == kOrders);
        CHECK(d.resume == std::vector<TopicPartition>{kOrders});
        CHECK(d.pause.empty());
    }
    SECTION("it stays silent: after the idle limit nobody waits for it") {
        d = p.decide(t0 + 1001ms);
        CHECK(d.resume == std::vector<TopicPartition>{kOrders});  // refunds is 8 s ahead of it
        p.applied(d);
        // Nothing but refunds left: it goes on.
        p.at_end(kOrders);
        CHECK(p.decide(t0 + 1002ms).resume == std::vector<TopicPartition>{kRefunds});
    }
}

TEST_CASE("a batch waits for the partitions that have not answered, within the idle limit", "[pacer]") {
    PartitionPacer p(500ms, 1000ms);
    const auto t0 = PartitionPacer::Clock::now();
    CHECK_FALSE(p.awaiting_first_answers(t0));  // nothing assigned
    p.assigned({kEvents, kOrders}, t0);
    CHECK(p.awaiting_first_answers(t0));
    p.record(kOrders, 5'000, t0);
    CHECK(p.awaiting_first_answers(t0 + 10ms));
    CHECK_FALSE(p.awaiting_first_answers(t0 + 1000ms));
    p.at_end(kEvents);
    CHECK_FALSE(p.awaiting_first_answers(t0 + 10ms));
    CHECK_FALSE(PartitionPacer(0ms).awaiting_first_answers(t0));
}
