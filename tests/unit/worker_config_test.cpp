#include <catch2/catch.hpp>

#include <cstdlib>

#include "config/worker_config.hpp"
#include "config/yaml_doc.hpp"
#include "log/redact.hpp"
#include "temp_file.hpp"

using namespace vsink;

namespace {
const char *kGood = R"(worker:
  group_id: g1
  plugin: plugins/libvsink-vibe.so
  mappings: [m/tables.yaml, /abs/orders.yaml]
  batch: {max_records: 50, max_wait_ms: 20}
database:
  url: mysql://db.local:3307/vibe
  user: vsink
  password: ${env:VSINK_UNIT_SECRET}
kafka:
  bootstrap.servers: 127.0.0.1:9092
  sasl.password: ${env:VSINK_UNIT_SECRET}
log: {level: debug, format: json}
)";
}

TEST_CASE("worker config: a full file loads into typed settings", "[config]") {
    setenv("VSINK_UNIT_SECRET", "s3cret", 1);
    TempFile f("worker.yaml", kGood);
    const WorkerConfig c = load_worker_config(f.str());
    CHECK(c.group_id == "g1");
    CHECK(c.plugin_path == (f.dir / "plugins/libvsink-vibe.so").string());
    REQUIRE(c.mapping_paths.size() == 2);
    CHECK(c.mapping_paths[0] == (f.dir / "m/tables.yaml").string());
    CHECK(c.mapping_paths[1] == "/abs/orders.yaml");
    CHECK(c.batch.max_records == 50);
    CHECK(c.batch.max_wait_ms == 20);
    CHECK(c.batch.min_interval_ms == 10);  // the default
    CHECK(c.pacing.max_lead_ms == 0);      // the default: off
    CHECK(c.database.host == "db.local");
    CHECK(c.database.port == 3307);
    CHECK(c.database.name == "vibe");
    CHECK(c.database.user == "vsink");
    CHECK(c.database.password == "s3cret");
    CHECK(c.kafka.at("bootstrap.servers") == "127.0.0.1:9092");
    CHECK(c.kafka.at("sasl.password") == "s3cret");
    CHECK(WorkerConfig::is_secret_kafka_key("sasl.password"));
    CHECK(c.log.level == "debug");
    CHECK(c.log.format == "json");
}

TEST_CASE("worker config: an unknown key is refused with file and line", "[config]") {
    TempFile f("worker.yaml", "worker:\n  group_id: g\n  plugin: p.so\n  mappings: [a.yaml]\n  bacth: {}\n"
                              "database: {url: 'mysql://h:1/d', user: u}\nkafka: {bootstrap.servers: x}\n");
    try {
        load_worker_config(f.str());
        FAIL("no error");
    } catch (const ConfigError &e) {
        const std::string m = e.what();
        CHECK_THAT(m, Catch::Contains(f.str() + ":5:"));
        CHECK_THAT(m, Catch::Contains("unknown key 'bacth' in worker"));
    }
}

TEST_CASE("worker config: errors name what is wrong", "[config]") {
    auto error_of = [](const std::string &text) {
        TempFile f("w.yaml", text);
        try {
            load_worker_config(f.str());
        } catch (const ConfigError &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const std::string base = "worker: {group_id: g, plugin: p.so, mappings: [a.yaml]}\n";
    CHECK_THAT(error_of(base + "database: {url: 'mysql://h:1', user: u}\nkafka: {bootstrap.servers: x}\n"),
               Catch::Contains("must name the database"));
    CHECK_THAT(error_of(base + "database: {url: 'mysql://h:1/d', user: u}\nkafka: {client.id: x}\n"),
               Catch::Contains("missing bootstrap.servers"));
    CHECK_THAT(error_of(base + "database: {url: 'mysql://h:1/d', user: u}\nkafka: {bootstrap.servers: x, group.id: y}\n"),
               Catch::Contains("managed by the worker"));
    CHECK_THAT(error_of(base + "database: {url: 'mysql://h:1/d', user: u, password: '${env:VSINK_UNSET_VAR_X}'}\n"
                               "kafka: {bootstrap.servers: x}\n"),
               Catch::Contains("environment variable VSINK_UNSET_VAR_X is not set"));
    CHECK_THAT(error_of("worker: {group_id: g, plugin: p.so, mappings: []}\n"), Catch::Contains("non-empty list"));
    CHECK_THAT(error_of(base + "database: {url: 'mysql://h:1/d', user: u}\nkafka: {bootstrap.servers: x}\nlog: {level: loud}\n"),
               Catch::Contains("log.level must be one of"));
    CHECK_THAT(error_of("worker: [\n"), Catch::Contains("invalid YAML"));
}

TEST_CASE("worker config: pacing.max_lead_ms is read, 0 turns it off, a negative value is refused", "[config]") {
    const std::string rest = "database: {url: 'mysql://h:1/d', user: u}\nkafka: {bootstrap.servers: x}\n";
    auto load = [&](const std::string &pacing) {
        TempFile f("w.yaml", "worker: {group_id: g, plugin: p.so, mappings: [a.yaml], pacing: " + pacing + "}\n" + rest);
        return load_worker_config(f.str());
    };
    CHECK(load("{max_lead_ms: 2000}").pacing.max_lead_ms == 2000);
    CHECK(load("{max_lead_ms: 0}").pacing.max_lead_ms == 0);
    CHECK_THROWS_AS(load("{max_lead_ms: -1}"), ConfigError);
    CHECK_THROWS_WITH(load("{max_lead: 5}"), Catch::Contains("unknown key 'max_lead' in worker.pacing"));
}

TEST_CASE("worker config: a secret read from a file never keeps its newline", "[config]") {
    TempFile secret("pw", "from-file\n");
    TempFile f("w.yaml", "worker: {group_id: g, plugin: p.so, mappings: [a.yaml]}\n"
                         "database: {url: 'mysql://h:1/d', user: u, password: '${file:" + secret.str() + "}'}\n"
                         "kafka: {bootstrap.servers: x}\n");
    CHECK(load_worker_config(f.str()).database.password == "from-file");
}

TEST_CASE("worker config: database.tls takes a CA, an optional client pair, and verifies by default", "[config]") {
    TempFile ca("ca.crt", "-----BEGIN CERTIFICATE-----\n");
    const std::string head = "worker: {group_id: g, plugin: p.so, mappings: [m.yaml]}\n"
                             "database:\n  url: mysql://127.0.0.1:3306/vibe\n  user: u\n";
    const std::string tail = "kafka: {bootstrap.servers: 127.0.0.1:9092}\n";
    {
        TempFile f("worker.yaml", head + "  tls: {ca: " + ca.str() + "}\n" + tail);
        const WorkerConfig c = load_worker_config(f.str());
        CHECK(c.database.tls.enabled);
        CHECK(c.database.tls.ca == ca.str());
        CHECK(c.database.tls.verify);
        CHECK(c.database.tls.cert.empty());
    }
    {
        TempFile f("worker.yaml", head + tail);
        CHECK_FALSE(load_worker_config(f.str()).database.tls.enabled);
    }
    auto error_of = [&](const std::string &tls) {
        TempFile f("worker.yaml", head + tls + tail);
        try {
            load_worker_config(f.str());
        } catch (const ConfigError &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK_THAT(error_of("  tls: {verify: true}\n"), Catch::Contains("worker.yaml:5") && Catch::Contains("'ca'"));
    CHECK_THAT(error_of("  tls: {ca: /nonexistent/ca.crt}\n"),
               Catch::Contains("worker.yaml:5") && Catch::Contains("cannot read /nonexistent/ca.crt"));
    CHECK_THAT(error_of("  tls: {ca: " + ca.str() + ", cert: " + ca.str() + "}\n"),
               Catch::Contains("needs both 'cert' and 'key'"));
    CHECK_THAT(error_of("  tls: {ca: " + ca.str() + ", verify: maybe}\n"), Catch::Contains("true or false"));
    CHECK_THAT(error_of("  tls: {ca: " + ca.str() + ", cipher: x}\n"), Catch::Contains("cipher"));
}

TEST_CASE("worker config: passwords are registered as secrets, so no log line can print them", "[config]") {
    setenv("VSINK_UNIT_SECRET", "s3cret-registered", 1);
    TempFile f("worker.yaml", kGood);
    std::string text = kGood;
    text.replace(text.find("${env:VSINK_UNIT_SECRET}"), 24, "literal-db-pass");
    TempFile g("worker2.yaml", text);
    load_worker_config(f.str());
    load_worker_config(g.str());
    CHECK(redact("a s3cret-registered b literal-db-pass c") == "a **Hidden** b **Hidden** c");
}

TEST_CASE("worker config: credentials in database.url are refused without printing the password", "[config]") {
    TempFile f("worker.yaml", "worker: {group_id: g, plugin: p.so, mappings: [m.yaml]}\n"
                              "database:\n  url: mysql://vsink:hunter2-pass@127.0.0.1:3306/vibe\n  user: u\n"
                              "kafka: {bootstrap.servers: 127.0.0.1:9092}\n");
    try {
        load_worker_config(f.str());
        FAIL("accepted a URL with a password");
    } catch (const ConfigError &e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("worker.yaml:3") && Catch::Contains("must not hold credentials") &&
                             Catch::Contains("mysql://vsink:**Hidden**@127.0.0.1:3306/vibe"));
        CHECK(what.find("hunter2-pass") == std::string::npos);
    }
}

TEST_CASE("worker config: an incremental rebalance protocol is refused with its line (C5)", "[config]") {
    auto error_of = [](const std::string &kafka_line) {
        TempFile f("worker.yaml", "worker: {group_id: g, plugin: p.so, mappings: [m.yaml]}\n"
                                  "database: {url: mysql://127.0.0.1:3306/vibe, user: u}\n"
                                  "kafka:\n  bootstrap.servers: 127.0.0.1:9092\n" + kafka_line + "\n");
        try {
            load_worker_config(f.str());
        } catch (const ConfigError &e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK_THAT(error_of("  partition.assignment.strategy: cooperative-sticky"),
               Catch::Contains("worker.yaml:5") && Catch::Contains("cooperative-sticky (incremental rebalancing) is "
                                                                   "not supported"));
    CHECK_THAT(error_of("  group.protocol: consumer"), Catch::Contains("worker.yaml:5"));
    CHECK(error_of("  partition.assignment.strategy: range,roundrobin") == "accepted");
    CHECK(error_of("  group.protocol: classic") == "accepted");
}

namespace {
std::string config_error(const std::string &text, const std::string &name = "w.yaml") {
    TempFile f(name, text);
    try {
        load_worker_config(f.str());
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST_CASE("worker config: references expand in every scalar, numbers and booleans included", "[config][expand]") {
    setenv("VSINK_T_GROUP", "group-from-env", 1);
    setenv("VSINK_T_MAX", "77", 1);
    setenv("VSINK_T_VERIFY", "false", 1);
    setenv("VSINK_T_PORT", "3317", 1);
    setenv("VSINK_T_LEVEL", "warn", 1);
    unsetenv("VSINK_T_UNSET");
    TempFile f("worker.yaml", "worker:\n"
                              "  group_id: ${env:VSINK_T_GROUP}\n"
                              "  plugin: ${env:VSINK_T_UNSET:-lib}/p.so\n"
                              "  mappings:\n    - ${env:VSINK_T_UNSET:-m}.yaml\n"
                              "  batch:\n    max_records: ${env:VSINK_T_MAX}\n    max_wait_ms: ${env:VSINK_T_UNSET:-45}\n"
                              "database:\n"
                              "  url: mysql://db:${env:VSINK_T_PORT}/vibe\n"
                              "  user: ${env:VSINK_T_UNSET:-}plain\n"
                              "  tls:\n    verify: ${env:VSINK_T_VERIFY}\n"
                              "kafka:\n"
                              "  bootstrap.servers: ${env:VSINK_T_UNSET:-127.0.0.1:9092}\n"
                              "  session.timeout.ms: ${env:VSINK_T_UNSET:-12000}\n"
                              "log: {level: '${env:VSINK_T_LEVEL}'}\n");
    const WorkerConfig c = load_worker_config(f.str());
    CHECK(c.group_id == "group-from-env");
    CHECK(c.plugin_path == (f.dir / "lib/p.so").string());
    REQUIRE(c.mapping_paths.size() == 1);
    CHECK(c.mapping_paths[0] == (f.dir / "m.yaml").string());
    CHECK(c.batch.max_records == 77);
    CHECK(c.batch.max_wait_ms == 45);
    CHECK(c.database.port == 3317);
    CHECK(c.database.user == "plain");
    CHECK(c.database.tls.enabled);
    CHECK_FALSE(c.database.tls.verify);
    CHECK(c.kafka.at("bootstrap.servers") == "127.0.0.1:9092");
    CHECK(c.kafka.at("session.timeout.ms") == "12000");
    CHECK(c.log.level == "warn");
    // The errors that follow an expansion still see its result.
    setenv("VSINK_T_MAX", "0", 1);
    CHECK_THAT(config_error("worker:\n  group_id: g\n  plugin: p.so\n  mappings: [a.yaml]\n  batch:\n"
                            "    max_records: ${env:VSINK_T_MAX}\ndatabase: {url: 'mysql://h:1/d', user: u}\n"
                            "kafka: {bootstrap.servers: x}\n"),
               Catch::Contains("w.yaml:6: max_records must be between 1 and"));
}

TEST_CASE("worker config: an unset variable without default names the variable, file and line", "[config][expand]") {
    unsetenv("VSINK_T_UNSET");
    const std::string e = config_error("worker:\n  group_id: g\n  plugin: p.so\n  mappings: [a.yaml]\n"
                                       "database: {url: 'mysql://h:1/d', user: u}\nkafka:\n  bootstrap.servers: x\n"
                                       "  client.id: ${env:VSINK_T_UNSET}\n");
    CHECK_THAT(e, Catch::Contains("w.yaml:8: environment variable VSINK_T_UNSET is not set"));
    // Set but empty, no default: empty; set but empty with a default: the default.
    setenv("VSINK_T_EMPTY", "", 1);
    TempFile f("w.yaml", "worker: {group_id: 'g${env:VSINK_T_EMPTY}', plugin: p.so, mappings: [a.yaml]}\n"
                         "database: {url: 'mysql://h:1/d', user: '${env:VSINK_T_EMPTY:-dflt}'}\n"
                         "kafka: {bootstrap.servers: x}\n");
    const WorkerConfig c = load_worker_config(f.str());
    CHECK(c.group_id == "g");
    CHECK(c.database.user == "dflt");
}

TEST_CASE("worker config: file references are relative to the config and trim one newline", "[config][expand]") {
    TempFile f("w.yaml", "worker: {group_id: '${file:group.txt}', plugin: p.so, mappings: [a.yaml]}\n"
                         "database: {url: 'mysql://h:1/d', user: u, password: '${file:secrets/db}'}\n"
                         "kafka: {bootstrap.servers: x}\n");
    std::filesystem::create_directories(f.dir / "secrets");
    std::ofstream(f.dir / "group.txt") << "g-from-file\n\n";
    std::ofstream(f.dir / "secrets/db") << "pw-from-file\n";
    const WorkerConfig c = load_worker_config(f.str());
    CHECK(c.group_id == "g-from-file\n");  // one newline trimmed, not two
    CHECK(c.database.password == "pw-from-file");
    std::filesystem::remove(f.dir / "secrets/db");
    try {
        load_worker_config(f.str());
        FAIL("a missing file was accepted");
    } catch (const ConfigError &e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains(f.str() + ":2: cannot read the file of ${file:secrets/db}"));
    }
}

TEST_CASE("worker config: nested and unknown references are errors with their line", "[config][expand]") {
    setenv("VSINK_T_GROUP", "x", 1);
    const std::string tail = "database: {url: 'mysql://h:1/d', user: u}\nkafka: {bootstrap.servers: x}\n";
    CHECK_THAT(config_error("worker: {group_id: '${env:${env:VSINK_T_GROUP}}', plugin: p.so, mappings: [a.yaml]}\n" + tail),
               Catch::Contains("w.yaml:1: nested references") && Catch::Contains("not supported"));
    CHECK_THAT(config_error("worker:\n  group_id: '${vault:x}'\n  plugin: p.so\n  mappings: [a.yaml]\n" + tail),
               Catch::Contains("w.yaml:2: unknown reference"));
    CHECK_THAT(config_error("worker:\n  group_id: '${env:X'\n  plugin: p.so\n  mappings: [a.yaml]\n" + tail),
               Catch::Contains("w.yaml:2: unterminated"));
}

TEST_CASE("worker config: a secret's value is in no error message", "[config][expand]") {
    setenv("VSINK_T_SECRET", "Very-Secret-Value", 1);
    const std::string e = config_error("worker: {group_id: g, plugin: p.so, mappings: [a.yaml]}\n"
                                       "database: {url: 'mysql://h:1/d', user: u}\n"
                                       "kafka: {bootstrap.servers: x, sasl.password: '${env:VSINK_T_SECRET}', "
                                       "ssl.key.password: '${env:VSINK_T_SECRET}', security.protocol: NOPE}\n");
    CHECK_THAT(e, Catch::Contains("w.yaml:3") && Catch::Contains("kafka.security.protocol"));
    CHECK(e.find("Very-Secret-Value") == std::string::npos);
}

TEST_CASE("worker config: a duplicate key is an error with file, line and column", "[config][duplicate]") {
    const std::string tail = "database: {url: 'mysql://h:1/d', user: u}\nkafka: {bootstrap.servers: x}\n";
    CHECK_THAT(config_error("worker:\n  group_id: a\n  plugin: p.so\n  group_id: b\n  mappings: [a.yaml]\n" + tail),
               Catch::Contains("w.yaml:4:3: duplicate key 'worker.group_id' (first given at line 2)"));
    CHECK_THAT(config_error("worker: {group_id: g, plugin: p.so, mappings: [a.yaml]}\n" + tail +
                            "kafka: {bootstrap.servers: y}\n"),
               Catch::Contains("w.yaml:4:1: duplicate key 'kafka' (first given at line 3)"));
    CHECK_THAT(config_error("worker: {group_id: g, plugin: p.so, mappings: [a.yaml]}\n"
                            "database: {url: 'mysql://h:1/d', user: u}\n"
                            "kafka:\n  bootstrap.servers: x\n  client.id: a\n  client.id: b\n"),
               Catch::Contains("w.yaml:6:3: duplicate key 'kafka.client.id'"));
}

TEST_CASE("worker config: a misspelt kafka key is named with its line", "[config]") {
    const std::string e = config_error("worker: {group_id: g, plugin: p.so, mappings: [a.yaml]}\n"
                                       "database: {url: 'mysql://h:1/d', user: u}\n"
                                       "kafka:\n  bootstrap.servers: x\n  sesion.timeout.ms: 1000\n");
    CHECK_THAT(e, Catch::Contains("w.yaml:5: kafka.sesion.timeout.ms") &&
                      Catch::Contains("No such configuration property"));
    CHECK_THAT(config_error("worker: {group_id: g, plugin: p.so, mappings: [a.yaml]}\n"
                            "database: {url: 'mysql://h:1/d', user: u}\n"
                            "kafka:\n  bootstrap.servers: x\n  session.timeout.ms: soon\n"),
               Catch::Contains("w.yaml:5: kafka.session.timeout.ms"));
}

TEST_CASE("worker config: a value of the wrong shape is a config error with its line", "[config]") {
    CHECK_THAT(config_error("worker:\n  group_id: g\n  plugin: p.so\n  mappings:\n    - {a: b}\n"
                            "database: {url: 'mysql://h:1/d', user: u}\nkafka: {bootstrap.servers: x}\n"),
               Catch::Contains("w.yaml:5: "));
    CHECK_THAT(config_error("worker:\n  group_id: g\n  plugin: p.so\n  mappings: [a.yaml]\n  topics:\n    - [x]\n"
                            "database: {url: 'mysql://h:1/d', user: u}\nkafka: {bootstrap.servers: x}\n"),
               Catch::Contains("w.yaml:6: "));
}
