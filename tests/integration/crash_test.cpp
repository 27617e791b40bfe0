// Robustness: kill -9 the sink at random moments while it drains 20,000
// orders with refunds, restart it each time; afterwards the database holds
// exactly the expected rows and every ticket has the right status.
#include <catch2/catch.hpp>

#include <csignal>
#include <random>
#include <thread>

#include <vsink/test/wait_until.hpp>

#include "orders_backlog.hpp"

using namespace vsink::test;
using vsink::datagen::OrdersGenerator;
using vsink::datagen::OrdersOptions;

TEST_CASE("crash: kill -9 during a 20,000-order drain loses nothing and doubles nothing", "[robustness][crash]") {
    SinkOptions so;
    so.partitions = 3;
    so.max_records = 100;  // many small transactions: more moments to die in
    so.max_wait_ms = 50;
    SinkFixture f(so);

    OrdersOptions go;
    go.orders = 20000;
    go.events = 20;
    go.organizers = 4;
    go.refund_every = 10;
    go.seed = 7;
    const OrdersGenerator gen = produce_orders_backlog(f, go);
    const auto &exp = gen.expected();

    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> pause_ms(20, 600);
    int kills_mid_drain = 0;
    const std::string applied_sql = kAppliedRecordsSql;
    const std::string total = std::to_string(exp.total_records());
    for (int round = 0; round < 10 && kills_mid_drain < 6; ++round) {
        const std::string before = f.scalar(applied_sql);
        if (before == total) break;  // drained: no moment left to die in
        f.start_sink();
        // Wait until this run has committed something, then die at a random moment.
        const bool progressed = wait_until(60000, [&] { return f.scalar(applied_sql) != before; });
        INFO(f.sink().log());
        REQUIRE(progressed);
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
        const std::string at_kill = f.scalar(applied_sql);
        f.sink().kill(SIGKILL);
        auto st = f.sink().wait(10000);
        REQUIRE(st);
        if (at_kill != total) ++kills_mid_drain;
        UNSCOPED_INFO("round " << round << ": killed with " << at_kill << " of " << total << " records applied");
    }
    CHECK(kills_mid_drain >= 5);

    f.start_sink();
    REQUIRE(f.wait_caught_up(300000));
    check_orders_landed(f, exp);
    f.stop_sink();
    WARN("crash test: " << kills_mid_drain << " kill -9 mid-drain, " << exp.total_records() << " records, "
                        << exp.tickets << " tickets (" << exp.tickets_refunded << " refunded)");
}
