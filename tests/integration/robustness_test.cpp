// Robustness: the database connection dies under the sink, and a second
// worker joins and leaves the group mid-drain. Both must end with exactly the
// expected rows, nothing doubled, nothing lost.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <vsink/test/wait_until.hpp>

#include "orders_backlog.hpp"

using namespace vsink::test;
using vsink::datagen::OrdersGenerator;
using vsink::datagen::OrdersOptions;

namespace {

OrdersGenerator produce_orders(SinkFixture &f, int orders, uint64_t seed) {
    OrdersOptions go;
    go.orders = orders;
    go.events = 12;
    go.organizers = 3;
    go.refund_every = 7;
    go.seed = seed;
    return produce_orders_backlog(f, go);
}

}  // namespace

TEST_CASE("robustness: killed database connections are retried, offsets never run ahead of rows",
          "[robustness][db-outage]") {
    SinkOptions so;
    so.partitions = 2;
    so.max_records = 200;
    so.max_wait_ms = 50;
    SinkFixture f(so);
    const auto gen = produce_orders(f, 6000, 11);
    const auto &exp = gen.expected();
    f.start_sink();

    // Kill the sink's connections ten times while it drains, each time after
    // it has committed something since the previous kill.
    const std::string sink_conns = "SELECT id FROM information_schema.processlist WHERE db = " +
                                   Database::quote(f.database()) + " AND id <> CONNECTION_ID()";
    const std::string applied_sql = kAppliedRecordsSql;
    const std::string total = std::to_string(exp.total_records());
    int kills = 0, kills_mid_drain = 0;
    std::string last = f.scalar(applied_sql);
    for (int round = 0; round < 10; ++round) {
        const bool progressed = wait_until(60000, [&] { return f.scalar(applied_sql) != last; });
        INFO(f.sink().log());
        REQUIRE(progressed);
        last = f.scalar(applied_sql);
        if (last == total) break;
        ++kills_mid_drain;
        for (const auto &row : f.rows(sink_conns)) {
            try {
                f.db().exec("KILL CONNECTION " + col(row, "id"));
                ++kills;
            } catch (const std::exception &) {
                // already gone
            }
        }
    }
    REQUIRE(f.wait_caught_up(120000));
    CHECK(kills_mid_drain >= 5);
    CHECK(kills >= 5);
    check_orders_landed(f, exp);
    f.stop_sink();
    CHECK_THAT(f.sink().log(), Catch::Contains("retrying"));
    WARN("db outage test: " << kills << " connections killed in " << kills_mid_drain << " rounds mid-drain, "
                             << exp.total_records() << " records");
}

TEST_CASE("robustness: two workers in one group share partitions, one leaves mid-drain", "[robustness][group]") {
    SinkOptions so;
    so.partitions = 4;
    so.max_records = 200;
    so.max_wait_ms = 50;
    SinkFixture f(so);
    const auto gen = produce_orders(f, 8000, 23);
    const auto &exp = gen.expected();

    f.start_sink();
    Process second({std::getenv("VSINK_SINKHOST"), "run", "--config", f.config_path()}, f.env().as_env(),
                   f.env().scratch_dir() + "/" + f.database() + "-second.log");
    const std::string applied_sql = kAppliedRecordsSql;
    // Let both work for a while, then the second leaves cleanly (SIGTERM) mid-drain.
    REQUIRE(wait_until(60000, [&] { return std::stoll(f.scalar(applied_sql)) > 0; }));
    REQUIRE(wait_until(60000, [&] { return second.log().find("assigned") != std::string::npos; }));
    // Both work: wait for some more progress after the second was assigned.
    const long long since = std::stoll(f.scalar(applied_sql));
    REQUIRE(wait_until(60000, [&] { return std::stoll(f.scalar(applied_sql)) >= since + 500; }));
    const std::string at_leave = f.scalar(applied_sql);
    CHECK(at_leave != std::to_string(exp.total_records()));
    second.kill(SIGTERM);
    auto st = second.wait(30000);
    INFO(second.log());
    REQUIRE(st);
    CHECK(st->success());
    CHECK_THAT(second.log(), Catch::Contains("leaving the consumer group"));

    REQUIRE(f.wait_caught_up(180000));
    check_orders_landed(f, exp);
    f.stop_sink();
    WARN("group test: second worker left at " << at_leave << " of " << exp.total_records() << " records");
}

TEST_CASE("robustness: with static membership a worker killed and restarted gets its partitions back at once",
          "[robustness][static-membership]") {
    SinkFixture f;
    // A production-like session timeout: without group.instance.id the
    // restarted worker would wait for the dead member's session to expire.
    std::ifstream in(f.config_path());
    std::stringstream text;
    text << in.rdbuf();
    std::string yaml = text.str();
    const std::string from = "session.timeout.ms: 6000";
    REQUIRE(yaml.find(from) != std::string::npos);
    yaml.replace(yaml.find(from), from.size(), "session.timeout.ms: 45000\n  group.instance.id: vsink-static-1");
    f.use_config(yaml, {}, f.group());
    f.produce("ticketland.orders.organizers", "org-1", R"({"id":"org-1","name":"Before"})");
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    f.sink().kill(SIGKILL);
    REQUIRE(f.sink().wait(10000));

    f.produce("ticketland.orders.organizers", "org-2", R"({"id":"org-2","name":"After"})");
    f.flush();
    const auto restarted = std::chrono::steady_clock::now();
    f.start_sink();
    // Well inside the 45 s session timeout.
    REQUIRE(f.wait_caught_up(15000));
    const auto took = std::chrono::steady_clock::now() - restarted;
    CHECK(took < std::chrono::seconds(15));
    CHECK(f.scalar("SELECT GROUP_CONCAT(id ORDER BY id) FROM organizers") == "org-1,org-2");
    f.stop_sink();
}
