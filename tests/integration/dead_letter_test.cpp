// The dead-letter queue and the rules around it, against the real broker and
// database: errors.tolerance none, parked rows that expire, a replay that
// never overwrites a newer row, fenced offsets, one parked row per key.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "sink_fixture.hpp"

#include <vsink/test/wait_until.hpp>

using namespace vsink::test;

namespace {

const char *kOrganizer = R"({"id":"org-1","name":"Организатор"})";
const char *kEvent1 = R"({"id":"evt-1","name":"One","category":"concert","organizer_id":"org-1","start_at":1740997200})";
const char *kEvent2 = R"({"id":"evt-2","name":"Two","category":"concert","organizer_id":"org-1","start_at":1740997200})";

std::string order(const std::string &id, const std::string &event, const std::string &number) {
    return R"({"id":")" + id + R"(","event_id":")" + event + R"(","number":")" + number +
           R"(","customer":{"email":"anna@example.com","phone":"+79001112233","name":"Анна Иванова"},"tickets":[]})";
}

// The fixture's worker config with `lines` added under `worker:`.
void use_worker_settings(SinkFixture &f, const std::string &lines) {
    std::ifstream in(f.config_path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t at = text.find("worker:\n");
    REQUIRE(at != std::string::npos);
    text.insert(at + 8, lines);
    f.use_config(text, {}, f.group());
}

}  // namespace

TEST_CASE("dlq: errors.tolerance none stops at the first bad record, offsets unmoved", "[integration][dlq]") {
    SinkFixture f;
    use_worker_settings(f, "  errors: {tolerance: none}\n");
    f.produce("ticketland.orders.organizers", "org-1", kOrganizer);
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    f.produce("ticketland.orders.organizers", "org-2", R"({"id":"org-2","name":)");  // truncated
    f.produce("ticketland.orders.organizers", "org-3", R"({"id":"org-3","name":"Three"})");
    f.flush();
    auto st = f.sink().wait(60000);
    INFO(f.sink().log());
    REQUIRE(st);
    CHECK(st->code == 4);
    const std::string log = f.sink().log();
    CHECK_THAT(log, Catch::Contains("stopping: cannot apply topic=" + f.topic("ticketland.orders.organizers") +
                                    " partition=0 offset=1 stage=decode class=malformed") &&
                        Catch::Contains("worker.errors.tolerance is none"));
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM organizers") == "org-1");
    CHECK(f.scalar("SELECT next_offset FROM sink_offsets") == "1");
    // Nothing was dead-lettered (the topic is made with the first letter).
    std::vector<ConsumedRecord> letters;
    try {
        letters = f.dead_letters(1, 3000);
    } catch (const std::exception &) {
    }
    CHECK(letters.empty());
}

TEST_CASE("dlq: a parked row past its age limit is dead-lettered, and a replay applies it without overwriting a "
          "newer row",
          "[integration][dlq][parking][replay]") {
    SinkFixture f;
    use_worker_settings(f, "  parking: {max_age_s: 2}\n");
    f.produce("ticketland.orders.organizers", "org-1", kOrganizer);
    f.produce("ticketland.orders.orders", "ord-1", order("ord-1", "evt-1", "v1"));  // evt-1 never comes in time
    f.produce("ticketland.orders.orders", "ord-2", order("ord-2", "evt-2", "v1"));
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "2");
    // With no traffic, the worker expires them on its own.
    REQUIRE(f.wait_scalar("SELECT COUNT(*) FROM sink_parked", "0", 30000));
    auto letters = f.dead_letters(2);
    REQUIRE(letters.size() == 2);
    for (const auto &l : letters) {
        CHECK(l.header("vsink.error.stage") == std::optional<std::string>("parked-expired"));
        CHECK(l.header("vsink.error.class") == std::optional<std::string>("parent_missing"));
        CHECK_THAT(l.header("vsink.error.message").value_or(""),
                   Catch::Contains("waited") && Catch::Contains("for its parent in events"));
        CHECK(l.header("vsink.error.topic") == std::optional<std::string>(f.topic("ticketland.orders.orders")));
        CHECK(l.header("content-type") == std::optional<std::string>("application/json"));
        CHECK(l.header("vsink.error.message").value_or("").find("anna@example.com") == std::string::npos);
    }
    CHECK(letters[0].key == std::optional<std::string>("ord-1"));
    CHECK(letters[0].value == std::optional<std::string>(order("ord-1", "evt-1", "v1")));
    CHECK(letters[0].header("vsink.error.offset") == std::optional<std::string>("0"));

    // The events arrive, and a newer ord-2 with them.
    f.produce("ticketland.orders.events", "evt-1", kEvent1);
    f.produce("ticketland.orders.events", "evt-2", kEvent2);
    f.produce("ticketland.orders.orders", "ord-2", order("ord-2", "evt-2", "v2"));
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', number ORDER BY id) FROM orders") == "ord-2:v2");
    f.stop_sink();

    // The replay brings ord-1 in; the old ord-2 never overwrites v2.
    auto [st, out] = f.run_cli({"dlq", "replay"});
    INFO(out);
    REQUIRE(st.success());
    CHECK_THAT(out, Catch::Contains("replayed 2 record(s) of " + f.dlq_topic() + ": 2 applied, 0 dead-lettered again"));
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', number, ':', event_id ORDER BY id) FROM orders") ==
          "ord-1:v1:evt-1,ord-2:v2:evt-2");
    // A second replay has nothing left to do.
    auto [again, out2] = f.run_cli({"dlq", "replay"});
    INFO(out2);
    REQUIRE(again.success());
    CHECK_THAT(out2, Catch::Contains("replayed 0 record(s)"));
}

TEST_CASE("dlq: a record the database refused is replayed once the column is widened", "[integration][dlq][replay]") {
    SinkFixture f;
    const std::string long_name(600, 'x');  // organizers.name is VARCHAR(512)
    f.produce("ticketland.orders.organizers", "org-1", R"({"id":"org-1","name":")" + long_name + R"("})");
    f.produce("ticketland.orders.organizers", "org-2", R"({"id":"org-2","name":"Two"})");
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    f.stop_sink();
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM organizers") == "org-2");
    REQUIRE(f.dead_letters(1).size() == 1);

    // Replayed before the fix: it goes back to the DLQ with its reason.
    auto [early, out1] = f.run_cli({"dlq", "replay"});
    INFO(out1);
    REQUIRE(early.success());
    CHECK_THAT(out1, Catch::Contains("replayed 1 record(s)") && Catch::Contains("0 applied, 1 dead-lettered again"));

    f.db().exec("ALTER TABLE `" + f.database() + "`.organizers MODIFY name VARCHAR(1024)");
    auto [fixed, out2] = f.run_cli({"dlq", "replay"});
    INFO(out2);
    REQUIRE(fixed.success());
    CHECK_THAT(out2, Catch::Contains("replayed 1 record(s)") && Catch::Contains("1 applied, 0 dead-lettered again"));
    CHECK(f.scalar("SELECT LENGTH(name) FROM organizers WHERE id = 'org-1'") == "600");
}

TEST_CASE("dlq: stored offsets moved under a running worker fence its batch, which it re-reads from them (C7)",
          "[integration][dlq][fence]") {
    SinkFixture f;
    f.produce("ticketland.orders.organizers", "org-1", R"({"id":"org-1","name":"One"})");
    f.produce("ticketland.orders.organizers", "org-2", R"({"id":"org-2","name":"Two"})");
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    // An operator (or another worker) moves the stored offset back to 0.
    f.db().exec("UPDATE `" + f.database() + "`.sink_offsets SET next_offset = 0");
    f.db().exec("UPDATE `" + f.database() + "`.organizers SET name = 'changed' WHERE id = 'org-1'");
    f.produce("ticketland.orders.organizers", "org-3", R"({"id":"org-3","name":"Three"})");
    f.flush();
    // The worker's next batch (org-3 at offset 2) is fenced; it resumes at 0
    // and applies 0..2 again: org-1 is rewritten from its record.
    REQUIRE(f.wait_scalar("SELECT name FROM organizers WHERE id = 'org-1'", "One", 30000));
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', name ORDER BY id) FROM organizers") == "org-1:One,org-2:Two,org-3:Three");
    CHECK(f.scalar("SELECT next_offset FROM sink_offsets") == "3");
    f.stop_sink();
    CHECK_THAT(f.sink().log(), Catch::Contains("the stored offsets moved under this worker") &&
                                   Catch::Contains("stored 0, expected 2") && Catch::Contains("fenced=1"));
}

TEST_CASE("dlq: one parked row per key, the latest, and a newer row written directly absorbs an older parked one (C1, C4)",
          "[integration][dlq][parking]") {
    SinkFixture f;
    f.produce("ticketland.orders.organizers", "org-1", kOrganizer);
    f.produce("ticketland.orders.events", "evt-2", kEvent2);
    f.produce("ticketland.orders.orders", "ord-1", order("ord-1", "evt-1", "v1"));
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    f.produce("ticketland.orders.orders", "ord-1", order("ord-1", "evt-1", "v2"));  // a later batch
    f.produce("ticketland.orders.orders", "ord-3", order("ord-3", "evt-1", "v1"));
    f.flush();
    REQUIRE(f.wait_caught_up());
    // ord-1 waits once (v2), ord-3 once.
    CHECK(f.scalar("SELECT GROUP_CONCAT(entity, ':', kafka_offset ORDER BY kafka_offset) FROM sink_parked") ==
          "order:1,order:2");

    // ord-3 moves to an event that exists: written directly, its parked older
    // copy is absorbed and can never be applied over it.
    f.produce("ticketland.orders.orders", "ord-3", order("ord-3", "evt-2", "v2"));
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(entity, ':', kafka_offset) FROM sink_parked") == "order:1");
    f.produce("ticketland.orders.events", "evt-1", kEvent1);
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', number, ':', event_id ORDER BY id) FROM orders") ==
          "ord-1:v2:evt-1,ord-3:v2:evt-2");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");
    f.stop_sink();
}
