// `sinkhost check` against the real servers: it must fail (exit 1, one FAIL
// line naming the problem) whenever `run` could not work, tell an unreachable
// server from a refused login, and pass (exit 0) only when everything is there.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sink_fixture.hpp"

using namespace vsink::test;

namespace {

std::string read_text(const std::string &path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string replaced(std::string text, const std::string &from, const std::string &to) {
    const size_t at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("'" + from + "' is not in the text");
    return text.replace(at, from.size(), to);
}

std::vector<std::string> lines_starting(const std::string &out, const std::string &prefix) {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(prefix, 0) == 0) v.push_back(line);
    return v;
}

}  // namespace

TEST_CASE("check: everything in place passes with exit 0", "[integration][check]") {
    SinkFixture f;
    auto [st, out] = f.run_cli({"check"});
    INFO(out);
    CHECK(st.code == 0);
    CHECK(lines_starting(out, "FAIL").empty());
    CHECK(lines_starting(out, "WARN").empty());
    CHECK_THAT(out, Catch::Contains("ok   config ") && Catch::Contains("ok   plugin vibe") &&
                        Catch::Contains("ok   database " + f.env().db_host) &&
                        Catch::Contains("ok   database schema: 8 mapped table(s)") &&
                        Catch::Contains("ok   kafka: the 4 subscribed topic(s) exist") &&
                        Catch::Contains("ok   kafka: dead-letter queue topic " + f.dlq_topic() +
                                        " absent; the cluster accepts its creation"));
    CHECK_THAT(out, Catch::EndsWith("all checks passed\n"));
    // Once the dead-letter topic exists, check says so.
    f.admin().create_topic(f.dlq_topic(), 1);
    auto [st2, out2] = f.run_cli({"check"});
    INFO(out2);
    CHECK(st2.code == 0);
    CHECK_THAT(out2, Catch::Contains("ok   kafka: dead-letter queue topic " + f.dlq_topic() + " exists\n"));
}

TEST_CASE("check: no tables fails, naming each missing table", "[integration][check]") {
    SinkFixture f;
    f.db().exec("DROP TABLE refund_tickets, refunds, tickets, orders, ticket_sets, events, venues, organizers, "
                "sink_offsets, sink_parked");
    auto [st, out] = f.run_cli({"check"});
    INFO(out);
    CHECK(st.code == 1);
    const auto fails = lines_starting(out, "FAIL");
    CHECK(fails.size() == 10);
    CHECK_THAT(out, Catch::Contains("FAIL database " + f.database() + ": table orders is missing (`sinkhost schema "
                                    "--apply` does it: CREATE TABLE IF NOT EXISTS `orders` ("));
    CHECK_THAT(out, Catch::Contains("FAIL database " + f.database() + ": host table sink_offsets is missing"));
    CHECK_THAT(out, Catch::Contains("10 problem(s), 0 warning(s): `sinkhost run` would not work\n"));
    // --apply makes it pass.
    auto [ap, aout] = f.run_cli({"schema", "--apply"});
    INFO(aout);
    CHECK(ap.code == 0);
    auto [again, out2] = f.run_cli({"check"});
    INFO(out2);
    CHECK(again.code == 0);
}

TEST_CASE("check: a mapped column missing from the database fails, naming table.column", "[integration][check]") {
    SinkFixture f;
    f.db().exec("ALTER TABLE orders DROP COLUMN channel");
    auto [st, out] = f.run_cli({"check"});
    INFO(out);
    CHECK(st.code == 1);
    const auto fails = lines_starting(out, "FAIL");
    REQUIRE(fails.size() == 1);
    CHECK(fails[0] == "FAIL database " + f.database() +
                          ": column orders.channel is missing (`sinkhost schema --apply` does it: ALTER TABLE `orders` "
                          "ADD COLUMN `channel` VARCHAR(128) AFTER `organizer_id`)");
    // A type that cannot hold the mapping's values fails too.
    f.run_cli({"schema", "--apply"});
    f.db().exec("ALTER TABLE tickets MODIFY COLUMN price_nominal VARCHAR(8)");
    auto [st2, out2] = f.run_cli({"check"});
    INFO(out2);
    CHECK(st2.code == 1);
    CHECK_THAT(out2, Catch::Contains("FAIL database " + f.database() +
                                     ": column tickets.price_nominal is varchar(8), the mapping says BIGINT: another "
                                     "kind of type"));
}

TEST_CASE("check: a missing index only warns", "[integration][check]") {
    SinkFixture f;
    f.db().exec("ALTER TABLE tickets DROP INDEX by_order");
    auto [st, out] = f.run_cli({"check"});
    INFO(out);
    CHECK(st.code == 0);
    CHECK(lines_starting(out, "FAIL").empty());
    CHECK(lines_starting(out, "WARN") ==
          std::vector<std::string>{"WARN database " + f.database() +
                                   ": index tickets.by_order (system, order_id) is missing (`sinkhost schema --apply` "
                                   "does it: ALTER TABLE `tickets` ADD INDEX `by_order` (`system`, `order_id`))"});
    CHECK_THAT(out, Catch::EndsWith("all checks passed, 1 warning(s)\n"));
}

TEST_CASE("check: a subscribed topic missing from the cluster fails, naming it", "[integration][check]") {
    SinkFixture f;
    const std::string gone = f.topic("ticketland.orders.refunds");
    f.admin().delete_topic(gone);
    auto [st, out] = f.run_cli({"check"});
    INFO(out);
    CHECK(st.code == 1);
    CHECK(lines_starting(out, "FAIL") == std::vector<std::string>{"FAIL kafka: topic " + gone + " does not exist"
                                                                  " (mapped in the mappings; the worker would wait "
                                                                  "for it)"});
}

TEST_CASE("check: a wrong database password is a refused login, not an unreachable server", "[integration][check]") {
    SinkFixture f;
    f.use_config(replaced(read_text(f.config_path()), "password: ${env:VSINK_DB_PASSWORD}", "password: not-it"), {},
                 f.group());
    auto [st, out] = f.run_cli({"check"});
    INFO(out);
    CHECK(st.code == 1);
    const auto fails = lines_starting(out, "FAIL");
    REQUIRE(fails.size() == 1);
    CHECK_THAT(fails[0], Catch::StartsWith("FAIL database " + f.env().db_host + ":" + std::to_string(f.env().db_port) +
                                           "/" + f.database() + ": login refused for user '" + f.env().db_user + "'"));
    CHECK_THAT(fails[0], !Catch::Contains("cannot reach") && !Catch::Contains("not-it"));
    CHECK_THAT(out, Catch::Contains("ok   kafka "));  // the rest is still checked
}

TEST_CASE("check: a database port nobody listens on is unreachable", "[integration][check]") {
    SinkFixture f;
    const std::string cfg = read_text(f.config_path());
    const std::string url = "mysql://" + f.env().db_host + ":" + std::to_string(f.env().db_port) + "/";
    f.use_config(replaced(cfg, url, "mysql://127.0.0.1:1/"), {}, f.group());
    auto [st, out] = f.run_cli({"check"});
    INFO(out);
    CHECK(st.code == 1);
    const auto fails = lines_starting(out, "FAIL");
    REQUIRE(fails.size() == 1);
    CHECK_THAT(fails[0], Catch::StartsWith("FAIL database 127.0.0.1:1/" + f.database() + ": cannot reach 127.0.0.1:1"));
}

TEST_CASE("check: a Kafka port nobody listens on is unreachable, not a refused login", "[integration][check]") {
    SinkFixture f;
    f.use_config(replaced(read_text(f.config_path()), "bootstrap.servers: " + f.env().kafka_bootstrap,
                          "bootstrap.servers: 127.0.0.1:1"),
                 {}, f.group());
    auto [st, out] = f.run_cli({"check"});
    INFO(out);
    CHECK(st.code == 1);
    const auto fails = lines_starting(out, "FAIL");
    REQUIRE(fails.size() == 1);
    CHECK_THAT(fails[0], Catch::StartsWith("FAIL kafka 127.0.0.1:1: no broker reachable within 5 s"));
    CHECK_THAT(out, Catch::Contains("ok   database schema"));
}

TEST_CASE("run: exit codes as the README gives them, a refused login 4, a missing database 5",
          "[integration][check][exit-codes]") {
    SinkFixture f;
    const std::string cfg = read_text(f.config_path());
    auto run_exit = [&](const std::string &yaml) {
        f.use_config(yaml, {}, f.group());
        f.start_sink();
        const auto st = f.sink().wait(60000);
        INFO(f.sink().log());
        REQUIRE(st);
        return std::make_pair(st->code, f.sink().log());
    };
    const auto [login, login_log] = run_exit(replaced(cfg, "password: ${env:VSINK_DB_PASSWORD}", "password: not-it"));
    CHECK(login == 4);
    CHECK_THAT(login_log, Catch::Contains("Access denied"));
    const auto [nodb, nodb_log] = run_exit(replaced(cfg, "/" + f.database() + "\n", "/" + f.database() + "_gone\n"));
    CHECK(nodb == 5);
    CHECK_THAT(nodb_log, Catch::Contains("Unknown database"));
    // check says what it is.
    auto [st, out] = f.run_cli({"check"});
    INFO(out);
    CHECK(st.code == 1);
    CHECK_THAT(out, Catch::Contains("FAIL database " + f.env().db_host + ":" + std::to_string(f.env().db_port) + "/" +
                                    f.database() + "_gone: the server has no database " + f.database() + "_gone"));
}
