// The Prometheus text exposition of the worker's metrics (observability/):
// names, label escaping, histogram buckets, and the families the worker
// declares.
#include <catch2/catch.hpp>

#include <sstream>

#include "config/worker_config.hpp"
#include "config/yaml_doc.hpp"
#include "observability/metrics.hpp"
#include "observability/telemetry.hpp"
#include "temp_file.hpp"

using namespace vsink::obs;

namespace {

std::vector<std::string> lines_of(const std::string &text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace

TEST_CASE("metrics: counters and gauges render with HELP, TYPE and escaped label values", "[metrics]") {
    Registry r;
    r.counter("vsink_things_total", "Things seen, by topic\nand a back\\slash", {"topic"});
    r.gauge("vsink_level", "A level");
    r.add("vsink_things_total", {"b"}, 2);
    r.add("vsink_things_total", {"a\"quoted\" back\\slash\nnewline"}, 1);
    r.add("vsink_things_total", {"b"}, 3);
    r.set("vsink_level", {}, 0.25);
    const auto lines = lines_of(r.render());
    const std::vector<std::string> expected{
        "# HELP vsink_things_total Things seen, by topic\\nand a back\\\\slash",
        "# TYPE vsink_things_total counter",
        "vsink_things_total{topic=\"a\\\"quoted\\\" back\\\\slash\\nnewline\"} 1",
        "vsink_things_total{topic=\"b\"} 5",
        "# HELP vsink_level A level",
        "# TYPE vsink_level gauge",
        "vsink_level 0.25",
    };
    CHECK(lines == expected);
    CHECK(r.total("vsink_things_total") == 6);
    CHECK(r.value("vsink_things_total", {"b"}) == 5);
    CHECK(r.value("vsink_things_total", {"none"}) == 0);
}

TEST_CASE("metrics: histogram buckets are cumulative and end with +Inf, _sum and _count", "[metrics]") {
    Registry r;
    r.histogram("vsink_batch_records", "Records per batch", {1, 10, 100}, {"topic"});
    for (double v : {1.0, 5.0, 10.0, 50.0, 1000.0}) r.observe("vsink_batch_records", {"t"}, v);
    const auto lines = lines_of(r.render());
    const std::vector<std::string> expected{
        "# HELP vsink_batch_records Records per batch",
        "# TYPE vsink_batch_records histogram",
        "vsink_batch_records_bucket{topic=\"t\",le=\"1\"} 1",    // 1 (le is inclusive)
        "vsink_batch_records_bucket{topic=\"t\",le=\"10\"} 3",   // + 5, 10
        "vsink_batch_records_bucket{topic=\"t\",le=\"100\"} 4",  // + 50
        "vsink_batch_records_bucket{topic=\"t\",le=\"+Inf\"} 5", // + 1000
        "vsink_batch_records_sum{topic=\"t\"} 1066",
        "vsink_batch_records_count{topic=\"t\"} 5",
    };
    CHECK(lines == expected);
}

TEST_CASE("metrics: fractional bucket bounds and values print exactly", "[metrics]") {
    Registry r;
    r.histogram("vsink_transaction_duration_seconds", "Seconds", {0.005, 0.25, 2.5});
    r.observe("vsink_transaction_duration_seconds", {}, 0.1);
    const std::string text = r.render();
    CHECK(text.find("vsink_transaction_duration_seconds_bucket{le=\"0.005\"} 0\n") != std::string::npos);
    CHECK(text.find("vsink_transaction_duration_seconds_bucket{le=\"0.25\"} 1\n") != std::string::npos);
    CHECK(text.find("vsink_transaction_duration_seconds_bucket{le=\"2.5\"} 1\n") != std::string::npos);
    CHECK(text.find("vsink_transaction_duration_seconds_bucket{le=\"+Inf\"} 1\n") != std::string::npos);
    CHECK(text.find("vsink_transaction_duration_seconds_sum 0.1\n") != std::string::npos);
    CHECK(format_value(1.0 / 0.0) == "+Inf");
    CHECK(format_value(-1.0 / 0.0) == "-Inf");
    CHECK(format_value(0.0 / 0.0) == "NaN");
    CHECK(format_value(123456789012.0) == "123456789012");
}

TEST_CASE("metrics: names, label names and types are checked when declared and used", "[metrics]") {
    Registry r;
    CHECK_THROWS_AS(r.counter("vsink_things", "a counter must end in _total"), std::invalid_argument);
    CHECK_THROWS_AS(r.gauge("vsink_level_total", "only counters end in _total"), std::invalid_argument);
    CHECK_THROWS_AS(r.gauge("9lives", "bad name"), std::invalid_argument);
    CHECK_THROWS_AS(r.gauge("vsink-level", "bad name"), std::invalid_argument);
    CHECK_THROWS_AS(r.gauge("vsink_level", "bad label", {"a-b"}), std::invalid_argument);
    CHECK_THROWS_AS(r.gauge("vsink_level", "reserved label", {"le"}), std::invalid_argument);
    CHECK_THROWS_AS(r.histogram("vsink_h", "buckets must increase", {1, 1}), std::invalid_argument);
    r.gauge("vsink_level", "ok", {"a"});
    CHECK_THROWS_AS(r.gauge("vsink_level", "twice"), std::invalid_argument);
    CHECK_THROWS_AS(r.set("vsink_level", {}, 1), std::invalid_argument);          // one label value needed
    CHECK_THROWS_AS(r.observe("vsink_level", {"x"}, 1), std::invalid_argument);   // not a histogram
    CHECK_THROWS_AS(r.set("vsink_unknown", {}, 1), std::invalid_argument);
    r.counter("vsink_c_total", "ok");
    CHECK_THROWS_AS(r.add("vsink_c_total", {}, -1), std::invalid_argument);       // counters only go up
    r.set("vsink_level", {"x"}, 3);
    r.clear("vsink_level");
    CHECK(r.render().find("vsink_level{") == std::string::npos);
}

TEST_CASE("metrics: the worker's families, build info, process metrics and readiness reasons", "[metrics]") {
    Telemetry t("group-1", "127.0.0.1:3306/vibe", "vibe 1.2.3");
    const std::string text = t.render_metrics();
    for (const char *family :
         {"vsink_build_info", "vsink_up", "vsink_ready", "vsink_records_consumed_total", "vsink_records_applied_total",
          "vsink_dead_letters_total", "vsink_tolerated_anomalies_total", "vsink_rows_written_total",
          "vsink_retries_total", "vsink_batch_records", "vsink_transaction_duration_seconds", "vsink_consumer_lag",
          "vsink_parked_rows", "vsink_parked_oldest_age_seconds", "process_resident_memory_bytes",
          "process_cpu_seconds_total"}) {
        INFO(family);
        CHECK(text.find(std::string("# TYPE ") + family + " ") != std::string::npos);
    }
    CHECK(text.find(std::string("vsink_build_info{version=\"") + vsink_version() + "\",") != std::string::npos);
    CHECK(text.find("vsink_up 1\n") != std::string::npos);
    CHECK(text.find("vsink_ready 0\n") != std::string::npos);
    CHECK(process_rss_bytes() > 1024 * 1024);
    CHECK(text.find("process_resident_memory_bytes 0\n") == std::string::npos);

    std::string why;
    CHECK_FALSE(t.ready(&why));
    CHECK(why == "starting; database 127.0.0.1:3306/vibe unreachable: not connected yet; no partitions assigned");
    t.set_state(WorkerState::Running);
    t.set_database(true);
    t.set_assignment({{"orders", 0, 5, 7, 0}});
    CHECK(t.ready(&why));
    t.retried("deadlock", "database transaction failed: deadlock");
    CHECK_FALSE(t.ready(&why));
    CHECK(why == "retrying: database transaction failed: deadlock");
    t.recovered();
    t.set_database(false, "Lost connection");
    CHECK_FALSE(t.ready(&why));
    CHECK(why == "database 127.0.0.1:3306/vibe unreachable: Lost connection");
    const std::string after = t.render_metrics();
    CHECK(after.find("vsink_consumer_lag{topic=\"orders\",partition=\"0\"} 2\n") != std::string::npos);
    CHECK(after.find("vsink_retries_total{class=\"deadlock\"} 1\n") != std::string::npos);
    CHECK(after.find("vsink_database_up 0\n") != std::string::npos);
}

TEST_CASE("worker config: worker.http takes listen and port (0 off, auto any free port), 127.0.0.1:9780 by default",
          "[metrics][config]") {
    const auto load = [](const std::string &http) {
        TempFile f("worker.yaml", "worker:\n  group_id: g\n  plugin: p.so\n  mappings: [a.yaml]\n" + http +
                                      "database: {url: 'mysql://h:1/d', user: u}\nkafka: {bootstrap.servers: x}\n");
        return vsink::load_worker_config(f.str());
    };
    const vsink::WorkerConfig d = load("");
    CHECK(d.http.listen == "127.0.0.1");
    CHECK(d.http.port == 9780);
    const vsink::WorkerConfig c = load("  http: {listen: 0.0.0.0, port: 9100}\n");
    CHECK(c.http.listen == "0.0.0.0");
    CHECK(c.http.port == 9100);
    CHECK(load("  http: {port: 0}\n").http.port == 0);
    CHECK(load("  http: {port: auto}\n").http.port == vsink::HttpConfig::kAnyPort);
    CHECK_THROWS_WITH(load("  http: {port: 70000}\n"), Catch::Contains(":5:") && Catch::Contains("port"));
    CHECK_THROWS_WITH(load("  http: {prot: 1}\n"), Catch::Contains("unknown key 'prot' in worker.http"));
}
