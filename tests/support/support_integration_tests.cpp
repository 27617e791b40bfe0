// vsink_testsupport against the real servers (run through scripts/test).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <librdkafka/rdkafka.h>
#include <mysql_driver.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>
#include <string>

#include "vsink/test/support.hpp"
#ifdef VSINK_HAVE_DATAGEN
#include "datagen/orders_generator.hpp"
#endif

using namespace vsink::test;

TEST_CASE("KafkaAdmin creates, finds and deletes topics", "[support][kafka]") {
    const ServerEnv env = ServerEnv::require();
    KafkaAdmin admin(env.kafka_bootstrap);
    const std::string topic = unique_name("it_support_admin");
    admin.create_topic(topic, 3);
    CHECK(admin.partition_count(topic) == 3);
    CHECK(admin.wait_for_topic(topic, 3, 1000));
    CHECK_THROWS_WITH(admin.create_topic(topic, 3), Catch::Contains("already exists"));
    CHECK_FALSE(admin.create_topic_if_missing(topic, 3));
    CHECK(admin.end_offsets(topic) == std::vector<int64_t>{0, 0, 0});
    CHECK(admin.committed_offsets(unique_name("it_group"), topic) ==
          std::vector<int64_t>{-1001, -1001, -1001});
    admin.delete_topic(topic);
    CHECK(wait_until(20000, [&] { return admin.partition_count(topic) < 0; }, "topic deleted"));
    admin.delete_topic(topic);  // deleting a missing topic is fine
    CHECK_FALSE(admin.wait_for_topic(unique_name("it_never_created"), 1, 300));
}

TEST_CASE("TestProducer and TestConsumer round-trip keys, values and headers",
          "[support][kafka]") {
    const ServerEnv env = ServerEnv::require();
    KafkaAdmin admin(env.kafka_bootstrap);
    const std::string topic = unique_name("it_support_rt");
    admin.create_topic(topic, 2);

    TestProducer producer(env.kafka_bootstrap);
    for (int i = 0; i < 8; ++i)
        producer.produce(topic, -1, "key-" + std::to_string(i), "{\"n\":" + std::to_string(i) + "}",
                         {{"content-type", "application/json"}, {"application-id", "ticketland"}});
    producer.produce(topic, 1, std::nullopt, std::nullopt, {{"kind", "tombstone"}});
    producer.produce(topic, 0, "утф-8", "значение", {});
    producer.flush(20000);
    CHECK(producer.deliveries().size() == 10);

    const auto ends = admin.end_offsets(topic);
    CHECK(std::accumulate(ends.begin(), ends.end(), int64_t{0}) == 10);

    TestConsumer consumer(env.kafka_bootstrap);
    consumer.assign(topic);
    const auto records = consumer.read(10, 20000);
    REQUIRE(records.size() == 10);
    std::set<std::string> keys;
    int tombstones = 0;
    for (const auto &r : records) {
        CHECK(r.topic == topic);
        if (r.key) keys.insert(*r.key);
        if (!r.value) {
            ++tombstones;
            CHECK(r.partition == 1);
            CHECK_FALSE(r.key);
            CHECK(r.header("kind") == std::optional<std::string>("tombstone"));
        } else if (r.key && r.key->rfind("key-", 0) == 0) {
            CHECK(r.header("content-type") == std::optional<std::string>("application/json"));
            CHECK(r.header("application-id") == std::optional<std::string>("ticketland"));
            CHECK(r.headers.size() == 2);
        }
    }
    CHECK(tombstones == 1);
    CHECK(keys.count("утф-8") == 1);
    CHECK(keys.size() == 9);
    // Nothing more arrives.
    CHECK(consumer.read(1, 300).empty());

    TestConsumer group_consumer(env.kafka_bootstrap);
    group_consumer.subscribe(topic);
    CHECK(group_consumer.read(10, 30000).size() == 10);
    admin.delete_topic(topic);
}

TEST_CASE("TestProducer::flush fails on a delivery error", "[support][kafka]") {
    const ServerEnv env = ServerEnv::require();
    KafkaAdmin admin(env.kafka_bootstrap);
    const std::string topic = unique_name("it_support_fail");
    admin.create_topic(topic, 1);
    TestProducer producer(env.kafka_bootstrap, {{"message.timeout.ms", "3000"}});
    // Partition 7 does not exist: refused at once or reported as failed.
    CHECK_THROWS([&] {
        producer.produce(topic, 7, "k", "v");
        producer.flush(10000);
    }());
    admin.delete_topic(topic);
}

TEST_CASE("TestConsumer::assign fails clearly on a missing topic", "[support][kafka]") {
    const ServerEnv env = ServerEnv::require();
    TestConsumer consumer(env.kafka_bootstrap);
    CHECK_THROWS_WITH(consumer.assign(unique_name("it_missing"), 500), Catch::Contains("not found"));
}

TEST_CASE("Database creates databases and reads rows with NULLs", "[support][db]") {
    const ServerEnv env = ServerEnv::require();
    Database db(env);
    const std::string name = unique_name("it_support_db");
    db.create_database(name);
    db.use(name);
    db.exec("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(64), price BIGINT NULL)");
    CHECK(db.exec("INSERT INTO t VALUES (1, " + Database::quote("Партер") + ", 150000), (2, " +
                  Database::quote("it's") + ", NULL)") == 2);
    const auto rows = db.query("SELECT id, name, price AS p FROM t ORDER BY id");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].at("id") == std::optional<std::string>("1"));
    CHECK(rows[0].at("name") == std::optional<std::string>("Партер"));
    CHECK(rows[0].at("p") == std::optional<std::string>("150000"));
    CHECK(rows[1].at("name") == std::optional<std::string>("it's"));
    CHECK_FALSE(rows[1].at("p"));
    CHECK(db.scalar_int("SELECT COUNT(*) FROM t") == 2);
    CHECK_FALSE(db.scalar("SELECT price FROM t WHERE id = 2"));
    CHECK_THROWS_WITH(db.scalar("SELECT price FROM t WHERE id = 3"), Catch::Contains("no row"));
    CHECK_THROWS_WITH(db.query("SELECT nope FROM t"), Catch::Contains("1054"));
    CHECK(db.exec("UPDATE t SET price = 1 WHERE id = 2") == 1);

    Database other(env, name);  // a second connection straight into the schema
    CHECK(other.scalar_int("SELECT SUM(price) FROM t") == 150001);
    db.drop_database(name);
    CHECK(db.scalar_int("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = " +
                        Database::quote(name)) == 0);
    db.drop_database(name);  // dropping a missing database is fine
}

#ifdef VSINK_HAVE_DATAGEN
TEST_CASE("The datagen records go through Kafka unchanged", "[support][kafka][datagen]") {
    const ServerEnv env = ServerEnv::require();
    vsink::datagen::OrdersOptions o;
    o.topic_prefix = unique_name("it_dg") + ".";
    o.orders = 40;
    vsink::datagen::OrdersGenerator gen(o);
    KafkaAdmin admin(env.kafka_bootstrap);
    for (const auto &t : gen.topics()) admin.create_topic(t, 2);
    TestProducer producer(env.kafka_bootstrap);
    const auto records = gen.all();
    for (const auto &r : records) producer.produce(r.topic, -1, r.key, r.value, r.headers);
    producer.flush();
    // The channel each record was produced with (organizers and events
    // `ticketland`, orders and refunds their order's channel).
    std::map<std::pair<std::string, std::string>, std::string> channel;
    for (const auto &r : records)
        for (const auto &[k, v] : r.headers)
            if (k == "application-id") channel[{r.topic, r.key}] = v;
    for (const auto &t : gen.topics()) {
        TestConsumer consumer(env.kafka_bootstrap);
        consumer.assign(t);
        const size_t want = gen.expected().records.at(t);
        const auto got = consumer.read(want, 20000);
        CHECK(got.size() == want);
        for (const auto &r : got) {
            CHECK(r.header("content-type") == std::optional<std::string>("application/json"));
            CHECK(r.header("schema-version") == std::optional<std::string>("1.0"));
            REQUIRE(r.key);
            CHECK(r.header("application-id") == std::optional<std::string>(channel.at({t, *r.key})));
        }
        admin.delete_topic(t);
    }
}
#endif

// ---------------------------------------------------------------------------------------
// TLS and SASL_SSL of the servers themselves (scripts/servers): what the sink's TLS and
// SCRAM settings are tested against.

namespace {

struct TlsOptions {
    std::string user, password, ca, cert, key;
};

// A Connector/C++ connection to the test MariaDB (libmariadb underneath, as for the
// sink), over TLS verifying the server's chain and host name when `ca` is set; throws
// sql::SQLException when the server or the handshake refuses.
std::unique_ptr<sql::Connection> connect_db(const ServerEnv &env, const TlsOptions &o) {
    sql::ConnectOptionsMap opts;
    opts["hostName"] = sql::SQLString("tcp://" + env.db_host + ":" + std::to_string(env.db_port));
    opts["userName"] = sql::SQLString(o.user);
    opts["password"] = sql::SQLString(o.password);
    opts["OPT_CONNECT_TIMEOUT"] = 10;
    if (!o.ca.empty()) {
        opts["sslCA"] = sql::SQLString(o.ca);
        opts["sslVerify"] = true;  // MYSQL_OPT_SSL_VERIFY_SERVER_CERT: chain and host name
    }
    if (!o.cert.empty()) opts["sslCert"] = sql::SQLString(o.cert);
    if (!o.key.empty()) opts["sslKey"] = sql::SQLString(o.key);
    return std::unique_ptr<sql::Connection>(sql::mysql::get_mysql_driver_instance()->connect(opts));
}

// The session's TLS cipher ("" on a plain connection).
std::string ssl_cipher(sql::Connection &conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'"));
    return rs->next() ? rs->getString(2).asStdString() : std::string();
}

// The MariaDB error code of connecting with `o` (0 when it connects) and its message.
std::pair<int, std::string> connect_error(const ServerEnv &env, const TlsOptions &o) {
    try {
        connect_db(env, o);
        return {0, ""};
    } catch (const sql::SQLException &e) {
        return {e.getErrorCode(), e.what()};
    }
}

struct ChildResult {
    ExitStatus status;
    std::string log;
};

ChildResult run_child(std::vector<std::string> argv, int timeout_ms) {
    Process p(std::move(argv));
    auto st = p.wait(timeout_ms);
    if (!st) {
        p.kill(SIGKILL);
        st = p.wait(5000);
    }
    ChildResult r{st.value_or(ExitStatus{}), p.log()};
    ::unlink(p.log_path().c_str());
    return r;
}

// `openssl s_client` against HOST:PORT, verifying the chain with `ca_file` and the IP
// address against the certificate's subjectAltName; stdin is /dev/null, so it ends
// after the handshake.
ChildResult s_client(const std::string &hostport, const std::string &ca_file) {
    const std::string ip = hostport.substr(0, hostport.rfind(':'));
    return run_child({"openssl", "s_client", "-connect", hostport, "-CAfile", ca_file, "-verify_ip",
                      ip, "-verify_return_error"},
                     20000);
}

// The classpath of the instance's running broker (its own Kafka jars), read from its
// command line: Kafka's Java client is the reference SCRAM implementation.
std::string broker_classpath(const ServerEnv &env) {
    std::ifstream pidf(env.run_dir + "/pids/kafka.pid");
    std::string pid;
    pidf >> pid;
    std::ifstream cmdf("/proc/" + pid + "/cmdline", std::ios::binary);
    std::stringstream raw;
    raw << cmdf.rdbuf();
    std::vector<std::string> argv;
    std::string arg;
    while (std::getline(raw, arg, '\0')) argv.push_back(arg);
    for (size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == "-cp" || argv[i] == "-classpath") return argv[i + 1];
    return {};
}

// Kafka's own TopicCommand --list through the SASL_SSL listener as the servers.env user.
ChildResult java_sasl_list(const ServerEnv &env, const std::string &classpath,
                           const std::string &password) {
    const std::string props = env.scratch_dir() + "/" + unique_name("sasl_client") + ".properties";
    {
        std::ofstream f(props);
        f << "security.protocol=SASL_SSL\n"
          << "sasl.mechanism=" << env.kafka_sasl_mechanism << "\n"
          << "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
          << "username=\"" << env.kafka_sasl_user << "\" password=\"" << password << "\";\n"
          << "ssl.truststore.type=PEM\nssl.truststore.location=" << env.tls_ca << "\n";
    }
    auto r = run_child({"java", "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                        "org.apache.kafka.tools.TopicCommand", "--bootstrap-server",
                        env.kafka_sasl_bootstrap, "--command-config", props, "--list"},
                       60000);
    ::unlink(props.c_str());
    return r;
}

}  // namespace

TEST_CASE("MariaDB offers TLS with a certificate of the instance CA, plain TCP still works",
          "[support][tls]") {
    const ServerEnv env = ServerEnv::require();
    CHECK(env.db_tls_ca == env.tls_ca);

    SECTION("the instance CA verifies the server's certificate for 127.0.0.1") {
        auto conn = connect_db(env, {env.db_user, env.db_password, env.db_tls_ca, "", ""});
        CHECK_FALSE(ssl_cipher(*conn).empty());
    }
    SECTION("an unrelated CA fails the handshake") {
        const auto [code, message] =
            connect_error(env, {env.db_user, env.db_password, env.tls_wrong_ca, "", ""});
        INFO(message);
        CHECK(code == 2026);  // CR_SSL_CONNECTION_ERROR
        CHECK_THAT(message, Catch::Contains("certificate"));
    }
    SECTION("plain connections stay plain and allowed") {
        Database db(env);
        const auto rows = db.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
        REQUIRE(rows.size() == 1);
        CHECK(rows[0].at("Value") == std::optional<std::string>(""));
        CHECK(db.scalar_int("SELECT @@require_secure_transport") == 0);
    }
    SECTION("the TLS-only user is refused in plain text and accepted over TLS") {
        CHECK(connect_error(env, {env.db_tls_user, env.db_tls_password, "", "", ""}).first == 1045);
        auto conn = connect_db(env, {env.db_tls_user, env.db_tls_password, env.db_tls_ca, "", ""});
        CHECK_FALSE(ssl_cipher(*conn).empty());
    }
    SECTION("the X509 user needs the client certificate that the instance CA signed") {
        CHECK(connect_error(env, {env.db_x509_user, env.db_x509_password, env.db_tls_ca, "", ""})
                  .first == 1045);
        auto conn = connect_db(env, {env.db_x509_user, env.db_x509_password, env.db_tls_ca,
                                     env.db_tls_client_cert, env.db_tls_client_key});
        CHECK_FALSE(ssl_cipher(*conn).empty());
    }
}

TEST_CASE("Kafka's SASL_SSL listener presents a certificate of the instance CA", "[support][tls]") {
    const ServerEnv env = ServerEnv::require();
    CHECK(env.kafka_sasl_bootstrap.rfind("127.0.0.1:", 0) == 0);
    CHECK(env.kafka_sasl_bootstrap != env.kafka_bootstrap);

    const ChildResult ok = s_client(env.kafka_sasl_bootstrap, env.tls_ca);
    INFO(ok.log);
    CHECK(ok.status.success());
    CHECK_THAT(ok.log, Catch::Contains("Verify return code: 0 (ok)"));

    const ChildResult wrong = s_client(env.kafka_sasl_bootstrap, env.tls_wrong_ca);
    INFO(wrong.log);
    CHECK_FALSE(wrong.status.success());
    CHECK_THAT(wrong.log, Catch::Contains("unable to get local issuer certificate"));
}

TEST_CASE("Kafka's SASL_SSL listener logs in the SCRAM user of servers.env (Java client)",
          "[support][tls][sasl]") {
    const ServerEnv env = ServerEnv::require();
    CHECK(env.kafka_sasl_mechanism == "SCRAM-SHA-512");
    const std::string classpath = broker_classpath(env);
    REQUIRE_FALSE(classpath.empty());

    KafkaAdmin admin(env.kafka_bootstrap);
    const std::string topic = unique_name("it_support_sasl");
    admin.create_topic(topic, 1);

    const ChildResult ok = java_sasl_list(env, classpath, env.kafka_sasl_password);
    INFO(ok.log);
    CHECK(ok.status.success());
    CHECK_THAT(ok.log, Catch::Contains(topic));

    const ChildResult bad = java_sasl_list(env, classpath, env.kafka_sasl_password + "x");
    INFO(bad.log);
    CHECK_FALSE(bad.status.success());
    CHECK_THAT(bad.log, Catch::Contains("invalid credentials with SASL mechanism SCRAM-SHA-512"));
    admin.delete_topic(topic);
}

TEST_CASE("Kafka's SASL_SSL listener logs in the SCRAM user through the build's librdkafka",
          "[support][tls][sasl]") {
    const ServerEnv env = ServerEnv::require();
    // librdkafka before 2.6.1 cannot log in to Kafka 4.x with SCRAM (librdkafka#4895).
    INFO("librdkafka " << rd_kafka_version_str());
    auto sasl = [&](const std::string &password, const std::string &ca) {
        return KafkaConfig{{"security.protocol", "SASL_SSL"},
                           {"sasl.mechanisms", env.kafka_sasl_mechanism},
                           {"sasl.username", env.kafka_sasl_user},
                           {"sasl.password", password},
                           {"ssl.ca.location", ca}};
    };
    KafkaAdmin admin(env.kafka_bootstrap);
    const std::string topic = unique_name("it_support_sasl_rd");
    admin.create_topic(topic, 2);

    KafkaAdmin ok(env.kafka_sasl_bootstrap, sasl(env.kafka_sasl_password, env.tls_ca));
    CHECK(ok.partition_count(topic, 15000) == 2);

    auto partitions_or_error = [&](KafkaConfig config) {
        config.emplace_back("log_level", "0");  // the expected failures, not on stderr
        try {
            KafkaAdmin client(env.kafka_sasl_bootstrap, config);
            return client.partition_count(topic, 3000);
        } catch (const std::exception &) {
            return -2;
        }
    };
    CHECK(partitions_or_error(sasl(env.kafka_sasl_password + "x", env.tls_ca)) < 0);
    CHECK(partitions_or_error(sasl(env.kafka_sasl_password, env.tls_wrong_ca)) < 0);
    admin.delete_topic(topic);
}
