// Robustness: kill -9 the sink at random moments while it drains 20,000
// orders with refunds, restart it each time; afterwards the database holds
// exactly the expected rows and every ticket has the right status.
#include <catch2/catch.hpp>

#include <csignal>
#include <random>
#include <set>
#include <thread>

#include <datagen/orders_generator.hpp>
#include <vsink/test/wait_until.hpp>

#include "sink_fixture.hpp"

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
    go.topic_prefix = f.topic("ticketland.orders.");
    go.orders = 20000;
    go.events = 20;
    go.organizers = 4;
    go.refund_every = 10;
    go.seed = 7;
    OrdersGenerator gen(go);
    const auto &exp = gen.expected();
    {
        vsink::datagen::GeneratedRecord r;
        size_t n = 0;
        while (gen.next(r)) {
            f.produce_raw(r.topic.substr(f.topic("").size()), r.key, r.value, r.headers);
            if (++n % 5000 == 0) f.flush();
        }
        f.flush();
    }

    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> pause_ms(20, 600);
    int kills_mid_drain = 0;
    const std::string applied_sql = "SELECT COALESCE(SUM(next_offset), 0) FROM sink_offsets";
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
    CHECK(f.scalar(applied_sql) == total);
    CHECK(f.scalar("SELECT COUNT(*) FROM organizers") == std::to_string(exp.organizers));
    CHECK(f.scalar("SELECT COUNT(*) FROM events") == std::to_string(exp.events));
    CHECK(f.scalar("SELECT COUNT(*) FROM venues") == std::to_string(exp.venues));
    CHECK(f.scalar("SELECT COUNT(*) FROM orders") == std::to_string(exp.orders));
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets") == std::to_string(exp.tickets));
    CHECK(f.scalar("SELECT COUNT(*) FROM refunds") == std::to_string(exp.refunds));
    CHECK(f.scalar("SELECT COUNT(*) FROM refund_tickets") == std::to_string(exp.refund_tickets));
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets WHERE status = 'refunded'") == std::to_string(exp.tickets_refunded));
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets WHERE status = 'active'") == std::to_string(exp.tickets_active));
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");
    // Every refunded ticket by id, not just the count.
    std::set<std::string> refunded;
    for (const auto &row : f.rows("SELECT id FROM tickets WHERE status = 'refunded'")) refunded.insert(col(row, "id"));
    std::set<std::string> expected_refunded(exp.refunded_ticket_ids.begin(), exp.refunded_ticket_ids.end());
    CHECK(refunded == expected_refunded);
    f.stop_sink();
    WARN("crash test: " << kills_mid_drain << " kill -9 mid-drain, " << exp.total_records() << " records, "
                        << exp.tickets << " tickets (" << exp.tickets_refunded << " refunded)");
}
