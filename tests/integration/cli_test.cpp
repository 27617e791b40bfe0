// The sinkhost commands an operator runs against the real servers.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include "sink_fixture.hpp"

using namespace vsink::test;

TEST_CASE("cli: schema prints the DDL, --apply is idempotent", "[integration][cli]") {
    SinkFixture f;  // has applied the schema once already
    auto [printed, ddl] = f.run_cli({"schema"});
    REQUIRE(printed.success());
    for (const char *t : {"organizers", "venues", "events", "ticket_sets", "orders", "tickets", "refunds",
                          "refund_tickets", "sink_offsets", "sink_parked"})
        CHECK_THAT(ddl, Catch::Contains(std::string("CREATE TABLE IF NOT EXISTS `") + t + "`"));
    // Parents' tables come first.
    CHECK(ddl.find("`organizers`") < ddl.find("`events`"));
    CHECK(ddl.find("`events`") < ddl.find("`tickets`"));

    f.db().exec("INSERT INTO organizers (system, id, name) VALUES ('ticketland', 'keep-me', 'x')");
    auto [applied, out] = f.run_cli({"schema", "--apply"});
    INFO(out);
    REQUIRE(applied.success());
    CHECK_THAT(out, Catch::Contains("schema applied: 10 table(s)"));
    CHECK(f.scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()") == "10");
    CHECK(f.scalar("SELECT name FROM organizers WHERE id = 'keep-me'") == "x");
    CHECK(f.scalar("SELECT COLUMN_TYPE FROM information_schema.columns WHERE table_schema = DATABASE() AND "
                   "table_name = 'tickets' AND column_name = 'price_nominal'") == "bigint(20)");
}

TEST_CASE("cli: check passes on a good setup and names each problem on a bad one", "[integration][cli]") {
    SinkFixture f;
    auto [ok, out] = f.run_cli({"check"});
    INFO(out);
    CHECK(ok.success());
    CHECK_THAT(out, Catch::Contains("ok   plugin vibe") && Catch::Contains("ok   database") &&
                        Catch::Contains("ok   kafka") && Catch::Contains("all checks passed"));

    // The same config with a wrong password and an unreachable broker.
    std::ifstream in(f.config_path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text = std::regex_replace(text, std::regex("password: .*"), "password: wrong-password");
    text = std::regex_replace(text, std::regex("bootstrap.servers: .*"), "bootstrap.servers: 127.0.0.1:1");
    const std::string bad = f.config_path() + ".bad.yaml";
    std::ofstream(bad) << text;
    Process p({std::getenv("VSINK_SINKHOST"), "check", "--config", bad}, f.env().as_env(), bad + ".log");
    auto st = p.wait(60000);
    REQUIRE(st);
    const std::string log = p.log();
    INFO(log);
    CHECK(st->code == 1);
    CHECK_THAT(log, Catch::Contains("FAIL database") && Catch::Contains("Access denied"));
    CHECK_THAT(log, Catch::Contains("FAIL kafka 127.0.0.1:1: no broker reachable within 5 s"));
    CHECK_THAT(log, Catch::Contains("2 problem(s)"));
    CHECK(log.find("wrong-password") == std::string::npos);
}

TEST_CASE("cli: a plugin built for another ABI is refused naming the file and both versions", "[integration][cli]") {
    SinkFixture f;
    std::ifstream in(f.config_path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string wrong = std::string(VSINK_PLUGIN_FIXTURES) + "/libvsink-wrong-abi.so";
    text = std::regex_replace(text, std::regex("plugin: .*"), "plugin: " + wrong);
    const std::string cfg = f.config_path() + ".abi.yaml";
    std::ofstream(cfg) << text;
    Process p({std::getenv("VSINK_SINKHOST"), "run", "--config", cfg}, f.env().as_env(), cfg + ".log");
    auto st = p.wait(30000);
    REQUIRE(st);
    CHECK(st->code == 3);
    CHECK_THAT(p.log(), Catch::Contains(wrong) && Catch::Contains("built for ABI version 999") &&
                            Catch::Contains("this host speaks ABI version 3"));
}

TEST_CASE("cli: offsets shows and resets the stored offsets", "[integration][cli]") {
    SinkFixture f;
    f.produce("ticketland.orders.organizers", "org-1", R"({"id":"org-1","name":"A"})");
    f.produce("ticketland.orders.organizers", "org-2", R"({"id":"org-2","name":"B"})");
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    f.stop_sink();
    auto [shown, out] = f.run_cli({"offsets"});
    REQUIRE(shown.success());
    INFO(out);
    // topic, partition, stored (sink_offsets), end (Kafka), lag.
    CHECK(std::regex_search(out, std::regex(std::regex_replace(f.topic("ticketland.orders.organizers"),
                                                               std::regex(R"([.])"), R"(\.)") +
                                            " +0 +2 +2 +0\n")));

    // Reset to 1: the next run re-reads org-2 (an idempotent replay) and stores 2 again.
    auto [reset, rout] = f.run_cli({"offsets", "--reset", f.topic("ticketland.orders.organizers") + ":0", "--to", "1"});
    INFO(rout);
    REQUIRE(reset.success());
    CHECK_THAT(rout, Catch::Contains(f.topic("ticketland.orders.organizers") + "[0]: 2 -> 1"));
    CHECK(f.scalar("SELECT next_offset FROM sink_offsets") == "1");
    f.db().exec("UPDATE organizers SET name = 'changed' WHERE id = 'org-2'");
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT name FROM organizers WHERE id = 'org-2'") == "B");
    CHECK(f.scalar("SELECT name FROM organizers WHERE id = 'org-1'") == "A");
    f.stop_sink();
}

TEST_CASE("cli: run --stop-at-end exits 0 once every partition is drained", "[integration][cli]") {
    SinkFixture f;
    for (int i = 0; i < 50; ++i)
        f.produce("ticketland.orders.organizers", "org-" + std::to_string(i),
                  R"({"id":"org-)" + std::to_string(i) + R"(","name":"N"})");
    f.flush();
    Process p({std::getenv("VSINK_SINKHOST"), "run", "--stop-at-end", "--config", f.config_path()}, f.env().as_env(),
              f.config_path() + ".stop-at-end.log");
    auto st = p.wait(60000);
    INFO(p.log());
    REQUIRE(st);
    CHECK(st->success());
    CHECK_THAT(p.log(), Catch::Contains("caught up with the end of every assigned partition"));
    CHECK(f.scalar("SELECT COUNT(*) FROM organizers") == "50");
    CHECK(f.scalar("SELECT next_offset FROM sink_offsets") == "50");

    // B1 (issue 8): a second run on the drained group is assigned partitions
    // it has nothing to read from; it must still see that it is at the end.
    Process again({std::getenv("VSINK_SINKHOST"), "run", "--stop-at-end", "--config", f.config_path()},
                  f.env().as_env(), f.config_path() + ".stop-at-end-again.log");
    auto st2 = again.wait(30000);
    INFO(again.log());
    REQUIRE(st2);
    CHECK(st2->success());
    CHECK_THAT(again.log(), Catch::Contains("caught up with the end of every assigned partition"));
    CHECK(f.scalar("SELECT next_offset FROM sink_offsets") == "50");
}

TEST_CASE("cli: parked shows what waits for a parent, since when, and where each row came from", "[integration][cli]") {
    SinkFixture f;
    {
        auto [st, out] = f.run_cli({"parked"});
        CHECK(st.success());
        CHECK_THAT(out, Catch::Contains("no parked rows"));
    }
    f.produce("ticketland.orders.orders", "ord-1",
              R"({"id":"ord-1","event_id":"evt-9","customer":{"email":"wait@example.com","phone":"+79001234567"},
                  "tickets":[{"id":"tkt-1","barcode":"B","category":"Партер"},{"id":"tkt-2","barcode":"C","category":"Партер"}]})");
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    f.stop_sink();
    auto [st, out] = f.run_cli({"parked", "--list"});
    INFO(out);
    CHECK(st.success());
    CHECK_THAT(out, Catch::Matches("(.|\n)*order +events +1 +[0-9-]+ [0-9:]+ +[0-9]+s(.|\n)*"));
    CHECK_THAT(out, Catch::Matches("(.|\n)*order_ticket +events +2 (.|\n)*"));
    CHECK_THAT(out, Catch::Contains("3 parked row(s), the oldest waiting for "));
    CHECK_THAT(out, Catch::Contains("order waits for events ticketland/evt-9, from " +
                                    f.topic("ticketland.orders.orders") + "[0]@0, parked "));
    CHECK(out.find("wait@example.com") == std::string::npos);  // the payload is never printed
}

TEST_CASE("cli: a parked row whose entity left the mapping is logged and kept, the worker goes on (C3)",
          "[integration][cli][parking]") {
    SinkFixture f;
    f.produce("ticketland.orders.orders", "ord-1",
              R"({"id":"ord-1","event_id":"evt-1","customer":{"email":"c3@example.com","phone":"+79001230000"},"tickets":[]})");
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    f.stop_sink();
    REQUIRE(f.scalar("SELECT COUNT(*) FROM sink_parked WHERE entity = 'order'") == "1");
    // An operator renamed the entity in the mapping while the row waited.
    f.db().exec("UPDATE sink_parked SET entity = 'retired_order' WHERE entity = 'order'");

    f.produce("ticketland.orders.organizers", "org-1", R"({"id":"org-1","name":"Org"})");
    f.produce("ticketland.orders.events", "evt-1", R"({"id":"evt-1","name":"E","organizer_id":"org-1"})");
    f.produce("ticketland.orders.organizers", "org-2", R"({"id":"org-2","name":"After"})");
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    CHECK(f.sink().alive());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM events") == "evt-1");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id ORDER BY id) FROM organizers") == "org-1,org-2");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked WHERE entity = 'retired_order'") == "1");
    f.stop_sink();
    CHECK_THAT(f.sink().log(), Catch::Contains("cannot be applied, left in sink_parked: topic=" +
                                               f.topic("ticketland.orders.orders") + " partition=0 offset=0") &&
                                   Catch::Contains("its entity 'retired_order' is not in the mapping any more"));
}
