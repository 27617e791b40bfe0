// Several database connections writing at once (database.connections): each
// takes a share of a batch's partitions in a transaction of its own. A
// backlog whose refunds come before their orders (parked on one connection,
// released by another) must land exactly as the generator says, with every
// partition's stored offset at its end and nothing left parked.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <vsink/test/wait_until.hpp>

#include "orders_backlog.hpp"

using namespace vsink::test;
using vsink::datagen::OrdersOptions;

TEST_CASE("writer lanes: three connections over four partitions land a parked backlog exactly once",
          "[robustness][lanes]") {
    SinkOptions so;
    so.partitions = 4;
    so.max_records = 300;
    so.max_wait_ms = 50;
    SinkFixture f(so);
    std::ifstream in(f.config_path());
    std::stringstream text;
    text << in.rdbuf();
    std::string yaml = text.str();
    for (const auto &[from, to] : std::vector<std::pair<std::string, std::string>>{
             {"database:\n", "database:\n  connections: 3\n"}, {"log: {level: info}", "log: {level: debug}"}}) {
        REQUIRE(yaml.find(from) != std::string::npos);
        yaml.replace(yaml.find(from), from.size(), to);
    }
    f.use_config(yaml, {}, f.group());

    OrdersOptions go;
    go.orders = 2500;
    go.events = 12;
    go.organizers = 3;
    go.refund_every = 5;
    go.refunds_first = true;  // every refund waits in the lot for its order's tickets
    go.seed = 77;
    const auto gen = produce_orders_backlog(f, go);
    const auto &exp = gen.expected();

    f.start_sink();
    REQUIRE(f.wait_caught_up(120000));
    check_orders_landed(f, exp);
    // The worker holds its three connections (the fixture's own excluded).
    CHECK(f.scalar("SELECT COUNT(*) FROM information_schema.processlist WHERE db = " + Database::quote(f.database()) +
                   " AND id <> CONNECTION_ID()") == "3");
    f.stop_sink();
    const std::string log = f.sink().log();
    // Some batches were written over more than one connection at once.
    const bool split = log.find("on 2 connection(s)") != std::string::npos ||
                       log.find("on 3 connection(s)") != std::string::npos;
    CHECK(split);
    CHECK_THAT(log, Catch::Contains("parked") && Catch::Contains("sinkhost stopped cleanly"));
    WARN("writer lanes: " << exp.total_records() << " records, retries logged: "
                          << (log.find("retrying") != std::string::npos ? "yes" : "no"));
}
