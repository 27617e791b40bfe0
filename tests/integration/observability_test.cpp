// Observability (issue 10, point 1) against the real servers: a worker's
// /metrics, /healthz, /readyz and /status while it runs, `sinkhost status`,
// and the same endpoints while MariaDB is stopped and after it is back.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "sink_fixture.hpp"

#include <vsink/test/unique_name.hpp>
#include <vsink/test/wait_until.hpp>

using namespace vsink::test;

namespace {

const char *kOrganizer1 = R"({"id":"org-1","name":"Организатор"})";
const char *kOrganizer2 = R"({"id":"org-2","name":"Two"})";
const char *kOrganizer3 = R"({"id":"org-3","name":"Three"})";
const char *kEvent1 = R"({"id":"evt-1","name":"One","category":"concert","organizer_id":"org-1","start_at":1740997200})";
const char *kEvent2 = R"({"id":"evt-2","name":"Two","category":"concert","organizer_id":"org-2","start_at":1740997200})";
// Its event never comes: the order is parked.
const char *kOrder = R"({"id":"ord-1","event_id":"evt-9","number":"N1","customer":{"email":"anna@example.com",)"
                     R"("phone":"+79001112233","name":"Анна Иванова"},"tickets":[]})";

// The fixture's worker config with its endpoints on any free port.
void serve_on_any_port(SinkFixture &f) {
    std::ifstream in(f.config_path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t at = text.find("worker:\n");
    REQUIRE(at != std::string::npos);
    text.insert(at + 8, "  http: {listen: 127.0.0.1, port: auto}\n");
    f.use_config(text, {}, f.group());
}

// The port the worker logged ("http: serving ... on http://127.0.0.1:PORT").
int served_port(SinkFixture &f) {
    int port = 0;
    const std::regex re("http: serving /metrics, /healthz, /readyz and /status on http://127\\.0\\.0\\.1:([0-9]+)");
    const bool ok = wait_until(30000, [&] {
        std::smatch m;
        const std::string log = f.sink().log();
        if (!std::regex_search(log, m, re)) return false;
        port = std::stoi(m[1].str());
        return true;
    });
    INFO(f.sink().log());
    REQUIRE(ok);
    return port;
}

struct Reply {
    int status = 0;  // 0: no answer
    std::string body;
};

Reply get(int port, const std::string &path) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(2, 0);
    c.set_read_timeout(5, 0);
    auto res = c.Get(path.c_str());
    if (!res) return {};
    return {res->status, res->body};
}

// One sample of /metrics: `series` as written (name and labels), e.g.
// vsink_records_consumed_total{topic="t"}; nullopt when absent.
std::optional<double> sample(const std::string &metrics, const std::string &series) {
    const std::string head = series + " ";
    size_t at = 0;
    while ((at = metrics.find(head, at)) != std::string::npos) {
        if (at == 0 || metrics[at - 1] == '\n') {
            const size_t end = metrics.find('\n', at);
            return std::stod(metrics.substr(at + head.size(), end - at - head.size()));
        }
        at += head.size();
    }
    return std::nullopt;
}

// `scripts/servers` for the instance the tests run against (as outage_test.cpp).
class Servers {
public:
    Servers(const ServerEnv &env, std::string log_dir) : log_dir_(std::move(log_dir)) {
        namespace fs = std::filesystem;
        if (env.run_dir.empty()) throw std::runtime_error("VSINK_RUN_DIR is not set: start the servers with scripts/servers");
        const fs::path run_dir = fs::path(env.run_dir).lexically_normal();
        const fs::path dir = run_dir.has_filename() ? run_dir : run_dir.parent_path();
        run_root_ = dir.parent_path().string();
        const char *name = std::getenv("VSINK_SERVERS_INSTANCE");
        instance_ = name && *name ? name : dir.filename().string();
        if (const char *s = std::getenv("VSINK_SERVERS_SCRIPT"); s && *s) script_ = s;
        else if (const char *src = std::getenv("VSINK_SOURCE_DIR"); src && *src) script_ = std::string(src) + "/scripts/servers";
        else throw std::runtime_error("neither VSINK_SERVERS_SCRIPT nor VSINK_SOURCE_DIR is set");
    }
    bool run(const std::string &verb, std::string &log) {
        std::vector<std::string> argv{"bash", "-c", "exec \"$0\" \"$@\" >/dev/null", script_, verb, instance_, "--only",
                                      "mariadb"};
        Process p(argv, {{"VSINK_RUN_ROOT", run_root_}}, log_dir_ + "/" + unique_name("servers-" + verb) + ".log");
        const auto st = p.wait(120000);
        log = p.log();
        return st && st->success();
    }

private:
    std::string log_dir_, run_root_, instance_, script_;
};

// MariaDB stopped for the scope of this object (started again even when a
// REQUIRE fails, so that the tests after this one find it).
class MariaDbDown {
public:
    explicit MariaDbDown(Servers &s) : s_(s) {
        std::string log;
        down_ = true;
        INFO(log);
        REQUIRE(s_.run("stop", log));
    }
    void end() {
        std::string log;
        const bool ok = s_.run("start", log);
        INFO(log);
        REQUIRE(ok);
        down_ = false;
    }
    ~MariaDbDown() {
        std::string log;
        if (down_) s_.run("start", log);
    }

private:
    Servers &s_;
    bool down_ = false;
};

}  // namespace

TEST_CASE("observability: metrics, health, readiness and status of a running worker, also while MariaDB is down",
          "[integration][observability]") {
    SinkFixture f(SinkOptions::of({"orders"}));
    serve_on_any_port(f);
    const std::string organizers = f.topic("ticketland.orders.organizers");
    const std::string events = f.topic("ticketland.orders.events");
    const std::string orders = f.topic("ticketland.orders.orders");
    const std::string refunds = f.topic("ticketland.orders.refunds");
    f.produce("ticketland.orders.organizers", "org-1", kOrganizer1);
    f.produce("ticketland.orders.organizers", "org-2", kOrganizer2);
    f.produce("ticketland.orders.organizers", "org-x", R"({"id":"org-x","name":)");  // truncated: dead-lettered
    f.produce("ticketland.orders.organizers", "org-3", kOrganizer3);
    f.produce("ticketland.orders.events", "evt-1", kEvent1);
    f.produce("ticketland.orders.events", "evt-2", kEvent2);
    f.produce("ticketland.orders.orders", "ord-1", kOrder);
    f.flush();
    f.start_sink();
    const int port = served_port(f);
    REQUIRE(f.wait_caught_up());

    // Ready once its partitions are assigned.
    Reply ready;
    REQUIRE(wait_until(30000, [&] {
        ready = get(port, "/readyz");
        return ready.status == 200;
    }));
    CHECK(ready.body == "ready\n");
    const Reply health = get(port, "/healthz");
    CHECK(health.status == 200);
    CHECK(health.body == "ok\n");
    CHECK(get(port, "/nothing").status == 404);

    // The counters are those of what was produced and applied.
    // The assignment's offsets and lag are published every second.
    Reply metrics;
    const auto lag_zero = [&](const std::string &text) {
        for (const auto &t : {organizers, events, orders, refunds})
            if (sample(text, "vsink_consumer_lag{topic=\"" + t + "\",partition=\"0\"}") != 0.0) return false;
        return true;
    };
    REQUIRE(wait_until(10000, [&] {
        metrics = get(port, "/metrics");
        return metrics.status == 200 && lag_zero(metrics.body);
    }));
    INFO(metrics.body);
    const std::string &m = metrics.body;
    CHECK(sample(m, "vsink_records_consumed_total{topic=\"" + organizers + "\"}") == 4.0);
    CHECK(sample(m, "vsink_records_consumed_total{topic=\"" + events + "\"}") == 2.0);
    CHECK(sample(m, "vsink_records_consumed_total{topic=\"" + orders + "\"}") == 1.0);
    CHECK(sample(m, "vsink_records_applied_total{topic=\"" + organizers + "\"}") == 3.0);
    CHECK(sample(m, "vsink_records_applied_total{topic=\"" + events + "\"}") == 2.0);
    CHECK(sample(m, "vsink_records_applied_total{topic=\"" + orders + "\"}") == 1.0);
    CHECK(sample(m, "vsink_dead_letters_total{topic=\"" + organizers + "\",stage=\"decode\",class=\"malformed\"}") == 1.0);
    CHECK(sample(m, "vsink_rows_written_total{table=\"organizers\"}") == 3.0);
    CHECK(f.scalar("SELECT COUNT(*) FROM organizers") == "3");
    CHECK(sample(m, "vsink_rows_written_total{table=\"events\"}") == 2.0);
    CHECK(f.scalar("SELECT COUNT(*) FROM events") == "2");
    CHECK(sample(m, "vsink_rows_written_total{table=\"orders\"}") == std::nullopt);
    // Events may come before their organizers (other topics): parked, then
    // released; the order stays parked.
    CHECK(sample(m, "vsink_rows_parked_total").value_or(0) - sample(m, "vsink_rows_unparked_total").value_or(0) == 1.0);
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "1");
    // The batches' sizes add up to the records consumed.
    CHECK(sample(m, "vsink_batch_records_sum") == 7.0);
    CHECK(sample(m, "vsink_batch_records_count") == sample(m, "vsink_batches_committed_total"));
    CHECK(sample(m, "vsink_batch_records_bucket{le=\"+Inf\"}") == sample(m, "vsink_batch_records_count"));
    CHECK(sample(m, "vsink_transaction_duration_seconds_count") == sample(m, "vsink_batches_committed_total"));
    // The orders topology's four topics (refunds: none produced).
    CHECK(sample(m, "vsink_assigned_partitions") == 4.0);
    for (const auto &t : {organizers, events, orders}) {
        CHECK(sample(m, "vsink_partition_stored_offset{topic=\"" + t + "\",partition=\"0\"}") ==
              std::stod(f.scalar("SELECT next_offset FROM sink_offsets WHERE topic = '" + t + "'")));
    }
    CHECK(sample(m, "vsink_partition_high_watermark{topic=\"" + organizers + "\",partition=\"0\"}") == 4.0);
    CHECK(sample(m, "vsink_up") == 1.0);
    CHECK(sample(m, "vsink_ready") == 1.0);
    CHECK(sample(m, "vsink_database_up") == 1.0);
    CHECK(sample(m, "vsink_kafka_up") == 1.0);
    CHECK(sample(m, "process_resident_memory_bytes").value_or(0) > 1e6);
    CHECK(sample(m, "process_cpu_seconds_total").value_or(0) > 0);
    CHECK_THAT(m, Catch::Contains("# TYPE vsink_records_consumed_total counter\n") &&
                      Catch::Contains("# TYPE vsink_transaction_duration_seconds histogram\n") &&
                      Catch::Contains("vsink_build_info{version=\""));
    // Never a customer's data.
    CHECK_THAT(m, !Catch::Contains("anna") && !Catch::Contains("79001112233"));

    // /status: the assignment and its offsets are the database's.
    rapidjson::Document st;
    Reply status;
    REQUIRE(wait_until(10000, [&] {
        status = get(port, "/status");
        if (status.status != 200 || st.Parse(status.body.c_str()).HasParseError() || !st.IsObject()) return false;
        // The parked rows are summed when idle after the last commit.
        return st["parked"].IsObject() && st["parked"]["rows"].GetInt64() == 1;
    }));
    INFO(status.body);
    CHECK(std::string(st["group"].GetString()) == f.group());
    CHECK(std::string(st["state"].GetString()) == "running");
    CHECK(st["ready"].GetBool());
    CHECK(st["last_error"].IsNull());
    CHECK(st["parked"]["rows"].GetInt64() == 1);
    CHECK(st["counters"]["records_consumed"].GetInt64() == 7);
    CHECK(st["counters"]["records_applied"].GetInt64() == 6);
    CHECK(st["counters"]["dead_letters"].GetInt64() == 1);
    CHECK(st["lag_total"].GetInt64() == 0);
    const auto &assignment = st["assignment"];
    REQUIRE(assignment.IsArray());
    REQUIRE(assignment.Size() == 4);
    std::map<std::string, int64_t> produced{{organizers, 4}, {events, 2}, {orders, 1}, {refunds, 0}};
    for (const auto &p : assignment.GetArray()) {
        const std::string topic = p["topic"].GetString();
        INFO(topic);
        REQUIRE(produced.count(topic));
        CHECK(p["partition"].GetInt() == 0);
        const std::string stored = f.scalar("SELECT next_offset FROM sink_offsets WHERE group_id = '" + f.group() +
                                            "' AND topic = '" + topic + "' AND kafka_partition = 0");
        if (produced[topic] == 0) {
            CHECK(stored == "NO ROW");  // nothing committed for it yet
            CHECK(p["stored_offset"].IsNull());
        } else {
            CHECK(std::to_string(p["stored_offset"].GetInt64()) == stored);
            CHECK(p["stored_offset"].GetInt64() == produced[topic]);
        }
        CHECK(p["high_watermark"].GetInt64() == produced[topic]);
        CHECK(p["lag"].GetInt64() == 0);
    }

    // sinkhost status prints it; with no worker there it says so and exits 1.
    {
        auto [cst, out] = f.run_cli({"status", "--url", "http://127.0.0.1:" + std::to_string(port)});
        INFO(out);
        CHECK(cst.success());
        CHECK_THAT(out, Catch::Contains("\"group\": \"" + f.group() + "\"") && Catch::Contains("\"assignment\": ["));
    }
    {
        auto [cst, out] = f.run_cli({"status", "--url", "http://127.0.0.1:1"});
        INFO(out);
        CHECK(cst.code == 1);
        CHECK_THAT(out, Catch::Contains("sinkhost status: no worker answers at http://127.0.0.1:1"));
    }
    {
        // From the config: a port chosen at start is not in it.
        auto [cst, out] = f.run_cli({"status"});
        INFO(out);
        CHECK(cst.code == 2);
        CHECK_THAT(out, Catch::Contains("worker.http.port is auto: give --url"));
    }
    {
        // The same config with the port it bound: found from worker.http.
        std::ifstream in(f.config_path());
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const size_t at = text.find("port: auto");
        REQUIRE(at != std::string::npos);
        text.replace(at, 10, "port: " + std::to_string(port));
        f.use_config(text, {}, f.group());
        auto [cst, out] = f.run_cli({"status"});
        INFO(out);
        CHECK(cst.success());
        CHECK_THAT(out, Catch::Contains("\"group\": \"" + f.group() + "\"") && Catch::Contains("\"state\": \"running\""));
    }

    // MariaDB stopped: not ready, naming the database; alive; still scraped.
    struct DropDatabase {
        const SinkFixture &f;
        ~DropDatabase() {
            try {
                Database(f.env()).drop_database(f.database());
            } catch (...) {
            }
        }
    } drop{f};
    Servers servers(f.env(), std::filesystem::path(f.config_path()).parent_path().string());
    {
        MariaDbDown down(servers);
        Reply not_ready;
        const bool turned = wait_until(30000, [&] {
            not_ready = get(port, "/readyz");
            return not_ready.status == 503;
        });
        INFO(not_ready.body << "\n" << f.sink().log());
        REQUIRE(turned);
        CHECK_THAT(not_ready.body, Catch::StartsWith("database " + f.env().db_host + ":" +
                                                     std::to_string(f.env().db_port) + "/" + f.database() +
                                                     " unreachable: "));
        CHECK(std::count(not_ready.body.begin(), not_ready.body.end(), '\n') == 1);  // one line
        CHECK(get(port, "/healthz").status == 200);
        const Reply during = get(port, "/metrics");
        CHECK(during.status == 200);
        CHECK(sample(during.body, "vsink_database_up") == 0.0);
        CHECK(sample(during.body, "vsink_ready") == 0.0);
        CHECK(sample(during.body, "vsink_up") == 1.0);
        rapidjson::Document d;
        const Reply st_down = get(port, "/status");
        REQUIRE(st_down.status == 200);
        REQUIRE_FALSE(d.Parse(st_down.body.c_str()).HasParseError());
        INFO(st_down.body);
        CHECK_FALSE(d["ready"].GetBool());
        CHECK_FALSE(d["database"]["reachable"].GetBool());
        CHECK(d["last_error"].IsObject());
        down.end();
    }
    // Back: ready again, and it goes on applying.
    Reply again;
    const bool back = wait_until(60000, [&] {
        again = get(port, "/readyz");
        return again.status == 200;
    });
    INFO(again.body << "\n" << f.sink().log());
    REQUIRE(back);
    f.produce("ticketland.orders.organizers", "org-4", R"({"id":"org-4","name":"Four"})");
    f.flush();
    double consumed = 0;
    REQUIRE(wait_until(30000, [&] {
        const Reply r = get(port, "/metrics");
        consumed = sample(r.body, "vsink_records_applied_total{topic=\"" + organizers + "\"}").value_or(0);
        return consumed == 4.0;
    }));
    Database db(f.env());
    db.use(f.database());
    CHECK(db.scalar("SELECT COUNT(*) FROM organizers").value_or("") == "4");
    f.stop_sink();
}
