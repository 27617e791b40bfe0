// The production cluster's way in (issue 7): SASL_SSL with SCRAM-SHA-512 to a
// Kafka 4.x broker and TLS to the database, run with yaml/production.yaml
// itself, only its addresses and paths replaced. And what an operator reads
// when it goes wrong: a wrong password, a CA that did not sign the broker's
// or the database's certificate, a broker that cannot be reached.
#include <catch2/catch.hpp>

#include "sink_fixture.hpp"

#include <csignal>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <vsink/test/wait_until.hpp>

using namespace vsink::test;

namespace {

std::string required(const char *name) {
    const char *v = std::getenv(name);
    if (!v || !*v) throw std::runtime_error(std::string(name) + " is not set: run the tests through scripts/test");
    return v;
}

void replace_all(std::string &s, const std::string &from, const std::string &to) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
}

std::string random_password() {
    std::mt19937_64 rng(std::random_device{}());
    const char *alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string p = "Vs-";
    for (int i = 0; i < 20; ++i) p += alphabet[rng() % 57];
    return p;
}

// The database user of the production template, which may only connect over
// TLS (REQUIRE SSL): a session that works proves the connection is encrypted.
std::string create_tls_only_user(SinkFixture &f) {
    const std::string password = random_password();
    f.db().exec("CREATE USER IF NOT EXISTS 'vibe_sink'@'127.0.0.1' IDENTIFIED BY " + Database::quote(password) +
                " REQUIRE SSL");
    f.db().exec("ALTER USER 'vibe_sink'@'127.0.0.1' IDENTIFIED BY " + Database::quote(password) + " REQUIRE SSL");
    f.db().exec("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX ON `" + f.database() +
                "`.* TO 'vibe_sink'@'127.0.0.1'");
    return password;
}

struct Production {
    std::string yaml;
    std::vector<std::pair<std::string, std::string>> env;
};

// yaml/production.yaml with its addresses and paths pointed at this test's
// servers and files; the secrets come through the same environment variables
// as in production (/etc/vibe-sink/env).
Production production_config(SinkFixture &f, const std::string &db_password) {
    const ServerEnv &e = f.env();
    std::ifstream in(required("VSINK_SOURCE_DIR") + "/yaml/production.yaml");
    std::stringstream text;
    text << in.rdbuf();
    Production p;
    p.yaml = text.str();
    REQUIRE(p.yaml.find("security.protocol: SASL_SSL") != std::string::npos);
    REQUIRE(p.yaml.find("sasl.mechanisms: SCRAM-SHA-512") != std::string::npos);
    replace_all(p.yaml, "/usr/lib/vibe-sink/plugins/libvsink-vibe.so", required("VSINK_PLUGIN"));
    replace_all(p.yaml, "/etc/vibe-sink/mappings/vibe-tables.yaml",
                required("VSINK_SOURCE_DIR") + "/mappings/vibe-tables.yaml");
    replace_all(p.yaml, "/etc/vibe-sink/mappings/orders.yaml", f.mapping_file("orders"));
    replace_all(p.yaml, ":3306/vibe", ":" + std::to_string(e.db_port) + "/" + f.database());
    replace_all(p.yaml, "/etc/vibe-sink/kafka-ca.crt", required("VSINK_TLS_CA"));
    replace_all(p.yaml, "/etc/vibe-sink/mysql-ca.crt", required("VSINK_DB_TLS_CA"));
    p.env = {{"VIBE_DB_HOST", "127.0.0.1"},
             {"VIBE_DB_PASSWORD", db_password},
             {"VIBE_KAFKA_BOOTSTRAP", required("VSINK_KAFKA_SASL_BOOTSTRAP")},
             {"VIBE_KAFKA_USER", required("VSINK_KAFKA_SASL_USER")},
             {"VIBE_KAFKA_PASSWORD", required("VSINK_KAFKA_SASL_PASSWORD")}};
    return p;
}

void set_env(Production &p, const std::string &name, const std::string &value) {
    for (auto &kv : p.env)
        if (kv.first == name) kv.second = value;
}

// Runs the sink and waits for it to stop by itself; its exit status and log.
std::pair<ExitStatus, std::string> run_until_it_stops(SinkFixture &f, int deadline_ms = 60000) {
    f.start_sink();
    auto st = f.sink().wait(deadline_ms);
    if (!st) {
        f.sink().kill(SIGKILL);
        f.sink().wait(10000);
        FAIL("sinkhost kept running for " << deadline_ms << " ms:\n" << f.sink().log());
    }
    return {*st, f.sink().log()};
}

const char *kOrganizer = R"({"id":"org-1","name":"Организатор"})";
const char *kEvent = R"({"id":"evt-1","name":"Концерт","category":"concert","start_at":1767225600,"organizer_id":"org-1"})";
const char *kOrder = R"({"id":"ord-1","event_id":"evt-1","customer":{"email":"secure@example.com","phone":"+79005550011"},
  "tickets":[{"id":"tkt-1","barcode":"B1","category":"Партер","price_nominal":100000,"currency":"RUB"}]})";

}  // namespace

TEST_CASE("secure connection: the production template drains over SASL_SSL (SCRAM-SHA-512) and TLS to MariaDB",
          "[integration][secure]") {
    SinkFixture f;
    Production p = production_config(f, create_tls_only_user(f));
    f.use_config(p.yaml, p.env, "vibe-sink");
    f.produce("ticketland.orders.organizers", "org-1", kOrganizer);
    f.produce("ticketland.orders.events", "evt-1", kEvent);
    f.produce("ticketland.orders.orders", "ord-1", kOrder, "box-office");
    f.flush();

    auto [check, check_out] = f.run_cli({"check"});
    INFO(check_out);
    CHECK(check.success());
    CHECK_THAT(check_out, Catch::Contains("ok   kafka " + required("VSINK_KAFKA_SASL_BOOTSTRAP")) &&
                              Catch::Contains("ok   database 127.0.0.1"));

    f.start_sink();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT CONCAT_WS('|', system, id, event_id, channel, status, price_nominal) FROM tickets") ==
          "ticketland|tkt-1|evt-1|box-office|active|100000");
    CHECK(f.scalar("SELECT CONCAT_WS('|', system, id, name, status, category) FROM events") ==
          "ticketland|evt-1|Концерт|active|concert");
    f.stop_sink();

    // log.format: json: every line of the log is one JSON object.
    std::istringstream lines(f.sink().log());
    int n = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        ++n;
        INFO(line);
        CHECK(line.rfind("{\"ts\":\"", 0) == 0);
        CHECK(line.back() == '}');
    }
    CHECK(n > 3);
    CHECK(f.sink().log().find(required("VSINK_KAFKA_SASL_PASSWORD")) == std::string::npos);
}

TEST_CASE("secure connection: a wrong password stops the sink with one line naming the user and the mechanism",
          "[integration][secure]") {
    SinkFixture f;
    Production p = production_config(f, create_tls_only_user(f));
    const std::string wrong = "Wrong-" + random_password();
    set_env(p, "VIBE_KAFKA_PASSWORD", wrong);
    f.use_config(p.yaml, p.env, "vibe-sink-wrong-password");

    auto [st, log] = run_until_it_stops(f);
    INFO(log);
    CHECK(st.exited());
    CHECK(st.code == 6);  // README: Kafka refused the credentials or the TLS check
    const std::string user = required("VSINK_KAFKA_SASL_USER");
    CHECK_THAT(log, Catch::Contains("SASL authentication failed") && Catch::Contains("user '" + user + "'") &&
                        Catch::Contains("mechanism SCRAM-SHA-512"));
    CHECK(log.find(wrong) == std::string::npos);

    auto [check, out] = f.run_cli({"check"});
    CHECK_FALSE(check.success());
    CHECK_THAT(out, Catch::Contains("FAIL kafka: SASL authentication failed") && Catch::Contains("user '" + user + "'"));
    CHECK(out.find(wrong) == std::string::npos);
}

TEST_CASE("secure connection: a CA that did not sign the broker's certificate stops the sink with one line",
          "[integration][secure]") {
    SinkFixture f;
    Production p = production_config(f, create_tls_only_user(f));
    replace_all(p.yaml, "ssl.ca.location: " + required("VSINK_TLS_CA"), "ssl.ca.location: " + required("VSINK_TLS_WRONG_CA"));
    f.use_config(p.yaml, p.env, "vibe-sink-wrong-ca");

    auto [st, log] = run_until_it_stops(f);
    INFO(log);
    CHECK(st.code == 6);
    CHECK_THAT(log, Catch::Contains("TLS handshake with") &&
                        Catch::Contains("could not be verified with kafka.ssl.ca.location=" +
                                        required("VSINK_TLS_WRONG_CA")));
}

TEST_CASE("secure connection: a database CA that did not sign the server's certificate gives one clear line",
          "[integration][secure]") {
    SinkFixture f;
    Production p = production_config(f, create_tls_only_user(f));
    replace_all(p.yaml, "ca: " + required("VSINK_DB_TLS_CA"), "ca: " + required("VSINK_TLS_WRONG_CA"));
    f.use_config(p.yaml, p.env, "vibe-sink-wrong-db-ca");

    auto [st, log] = run_until_it_stops(f);
    INFO(log);
    CHECK(st.code == 4);
    CHECK_THAT(log, Catch::Contains("TLS handshake failed: the server's certificate could not be verified with "
                                    "database.tls.ca=" + required("VSINK_TLS_WRONG_CA")));
    auto [check, out] = f.run_cli({"check"});
    CHECK_FALSE(check.success());
    CHECK_THAT(out, Catch::Contains("FAIL database 127.0.0.1") && Catch::Contains("TLS handshake failed"));
}

TEST_CASE("secure connection: a broker that cannot be reached is said once, the sink keeps retrying and stops cleanly",
          "[integration][secure]") {
    SinkFixture f;
    Production p = production_config(f, create_tls_only_user(f));
    set_env(p, "VIBE_KAFKA_BOOTSTRAP", "127.0.0.1:1");  // nothing listens on port 1
    f.use_config(p.yaml, p.env, "vibe-sink-unreachable");
    f.start_sink();
    const std::string said = "no broker of 127.0.0.1:1 can be reached";
    REQUIRE(wait_until(20000, [&] { return f.sink().log().find(said) != std::string::npos; }));
    // It keeps retrying, and says it no more than once a minute.
    std::this_thread::sleep_for(std::chrono::seconds(4));
    const std::string log = f.sink().log();
    INFO(log);
    CHECK(f.sink().alive());
    CHECK(log.find(said) == log.rfind(said));
    CHECK(log.find("still no broker") == std::string::npos);
    f.stop_sink();
}
