// Pacing (worker.pacing): a backlog of the orders topology produced over
// time — record timestamps a second apart, as a ticketing system writes them
// during a day — is applied in time order when the sink starts behind: a
// refund comes after its order even though the refunds topic is a tenth of
// the orders topic, so children do not park. With pacing off, the same
// backlog parks refunds: the test tells the two apart.
#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <regex>

#include "orders_backlog.hpp"

using namespace vsink::test;

namespace {

// The generator's data set, each record one second after the previous one,
// the first a day ago.
vsink::datagen::OrdersGenerator produce_over_a_day(SinkFixture &f) {
    vsink::datagen::OrdersOptions o;
    o.organizers = 3;
    o.events = 10;
    o.orders = 1500;
    o.refund_every = 10;
    o.topic_prefix = f.topic("ticketland.orders.");
    vsink::datagen::OrdersGenerator gen(o);
    const int64_t day_ago = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count() - 24 * 3600 * 1000;
    vsink::datagen::GeneratedRecord r;
    int64_t n = 0;
    while (gen.next(r)) {
        f.produce_raw(r.topic.substr(f.topic("").size()), r.key, r.value, r.headers, -1, day_ago + 1000 * n);
        ++n;
    }
    f.flush();
    return gen;
}

// "parked=N" of the sink's last progress line (rows parked since it started).
long parked_rows(const std::string &log) {
    const size_t line = log.rfind("progress: ");
    REQUIRE(line != std::string::npos);
    std::smatch m;
    const std::string last = log.substr(line, log.find('\n', line) - line);
    REQUIRE(std::regex_search(last, m, std::regex(" parked=(\\d+) ")));
    return std::stol(m[1]);
}

long drain(SinkOptions so) {
    SinkFixture f(so);
    const auto gen = produce_over_a_day(f);
    f.start_sink();
    REQUIRE(f.wait_caught_up(120000));
    f.stop_sink();
    check_orders_landed(f, gen.expected());
    return parked_rows(f.sink().log());
}

}  // namespace

TEST_CASE("pacing: a day's backlog is applied in time order, refunds after their orders", "[integration][pacing]") {
    SinkOptions so;
    so.partitions = 3;  // 12 partitions over the four topics
    so.max_records = 200;
    so.max_wait_ms = 100;

    // At most each partition's first record runs ahead before the worker
    // knows where the others stand (one refund: its row, its tickets' rows
    // and their statuses, at most 1 + 2 * 4).
    const long paced = drain(so);
    CHECK(paced <= 3 * 9);

    so.worker_extra = "  pacing: {max_lead_ms: 0}\n";
    const long unpaced = drain(so);
    std::cout << "pacing: rows parked in a drain of 1,664 records over a day: " << paced << " paced, " << unpaced
              << " with pacing off" << std::endl;
    CHECK(unpaced > 10 * std::max(paced, 10L));
}
