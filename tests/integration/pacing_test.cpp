// Pacing (worker.pacing): a backlog of the orders topology produced over
// time — record timestamps a second apart, as a ticketing system writes them
// during a day — drained by a worker that starts behind, with pacing on and
// off: everything lands either way (row counts, statuses, refunded tickets,
// nothing left parked), and pacing does not make the drain crawl (records
// seconds apart on a dozen partitions are the case where pausing costs most).
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

// A counter of the sink's last progress line ("parked=N", "batches=N").
long progress_count(const std::string &log, const std::string &name) {
    const size_t line = log.rfind("progress: ");
    REQUIRE(line != std::string::npos);
    std::smatch m;
    const std::string last = log.substr(line, log.find('\n', line) - line);
    REQUIRE(std::regex_search(last, m, std::regex(" " + name + "=(\\d+) ")));
    return std::stol(m[1]);
}

struct Drain {
    long parked_rows, batches;
};

Drain drain(SinkOptions so) {
    SinkFixture f(so);
    const auto gen = produce_over_a_day(f);
    f.start_sink();
    REQUIRE(f.wait_caught_up(120000));
    f.stop_sink();
    check_orders_landed(f, gen.expected());
    return {progress_count(f.sink().log(), "parked"), progress_count(f.sink().log(), "batches")};
}

}  // namespace

TEST_CASE("pacing: a day's backlog lands whole with pacing on and off, without a crawl", "[integration][pacing]") {
    SinkOptions so;
    so.partitions = 3;  // 12 partitions over the four topics
    so.max_records = 200;
    so.max_wait_ms = 100;

    so.worker_extra = "  pacing: {max_lead_ms: 500}\n";
    const Drain paced = drain(so);
    so.worker_extra = "  pacing: {max_lead_ms: 0}\n";
    const Drain unpaced = drain(so);
    std::cout << "pacing: rows parked in a drain of 1,664 records over a day: " << paced.parked_rows << " paced ("
              << paced.batches << " batches), " << unpaced.parked_rows << " with pacing off (" << unpaced.batches
              << " batches)" << std::endl;
    // Parked rows are printed, not asserted: without pacing they depend on
    // which fetch answers first (386 to 5,411 in runs of this test), and the
    // worker decides every 100 records (a pause and its resume cost a fetch
    // round trip), so a partition let go may run that far ahead (292-303).
    // Not at the price of a crawl: deciding at every record once made this
    // drain take 1,077 one-record batches and 110 s.
    CHECK(paced.batches <= 4 * unpaced.batches);
}
