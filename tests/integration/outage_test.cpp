// Robustness (issue 8, point 9): a whole server goes away under a draining
// sink and comes back on its data. MariaDB is stopped for 10 s and restarted
// on its datadir; the Kafka broker is stopped for 10 s and restarted on its
// log directories (`scripts/servers stop|start NAME --only mariadb|kafka`).
// The sink must keep running through the outage, say so in its log, and end
// with exactly the expected rows: nothing lost, nothing doubled.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include <vsink/test/unique_name.hpp>
#include <vsink/test/wait_until.hpp>

#include "orders_backlog.hpp"

using namespace vsink::test;
using vsink::datagen::OrdersGenerator;
using vsink::datagen::OrdersOptions;

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kDown = std::chrono::seconds(10);

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// `scripts/servers` for the instance the tests run against. scripts/servers
// env names it (VSINK_SERVERS_INSTANCE, VSINK_SERVERS_SCRIPT); an env of an
// older script is read from VSINK_RUN_DIR (= $VSINK_RUN_ROOT/NAME).
class ServersScript {
public:
    // Its logs go to `log_dir`.
    ServersScript(const ServerEnv &env, std::string log_dir) : log_dir_(std::move(log_dir)) {
        namespace fs = std::filesystem;
        if (env.run_dir.empty())
            throw std::runtime_error("VSINK_RUN_DIR is not set: the outage tests need servers started by scripts/servers");
        const fs::path run_dir = fs::path(env.run_dir).lexically_normal();
        const fs::path dir = run_dir.has_filename() ? run_dir : run_dir.parent_path();
        run_root_ = dir.parent_path().string();
        const char *name = std::getenv("VSINK_SERVERS_INSTANCE");
        instance_ = name && *name ? name : dir.filename().string();
        if (const char *s = std::getenv("VSINK_SERVERS_SCRIPT"); s && *s) {
            script_ = s;
        } else if (const char *src = std::getenv("VSINK_SOURCE_DIR"); src && *src) {
            script_ = std::string(src) + "/scripts/servers";
        } else {
            throw std::runtime_error("neither VSINK_SERVERS_SCRIPT nor VSINK_SOURCE_DIR is set: run through scripts/test");
        }
    }

    // Runs `scripts/servers VERB NAME ARGS...` to completion (stdout, which
    // carries servers.env and its secrets, is dropped; progress on stderr is
    // kept in a log). Fails the test if it does not succeed in time.
    void run(const std::string &verb, const std::vector<std::string> &args) {
        std::string log;
        const bool ok = try_run(verb, args, log);
        std::string what = "scripts/servers " + verb + " " + instance_;
        for (const auto &a : args) what += " " + a;
        INFO(what << "\n" << log);
        REQUIRE(ok);
    }

    // The same without Catch (for destructors): true when it succeeded.
    bool try_run(const std::string &verb, const std::vector<std::string> &args, std::string &log) {
        std::vector<std::string> argv{"bash", "-c", "exec \"$0\" \"$@\" >/dev/null", script_, verb, instance_};
        argv.insert(argv.end(), args.begin(), args.end());
        Process p(argv, {{"VSINK_RUN_ROOT", run_root_}}, log_dir_ + "/" + unique_name("servers-" + verb) + ".log");
        const auto st = p.wait(120000);
        log = p.log();
        if (!st) log += "\n(still running after 120 s)";
        return st && st->success();
    }

private:
    std::string log_dir_, run_root_, instance_, script_;
};

// One server of the instance taken down and brought back. If the test ends
// while it is down (a failed REQUIRE), the destructor brings it back so that
// the tests after this one find their servers.
class Outage {
public:
    Outage(ServersScript &servers, std::string server) : servers_(servers), server_(std::move(server)) {}
    ~Outage() {
        if (!down_) return;
        try {
            std::string log;
            servers_.try_run("start", {"--only", server_}, log);
        } catch (...) {
        }
    }
    void begin() {
        down_ = true;  // also if the stop fails half-way
        servers_.run("stop", {"--only", server_});
    }
    void end() {
        servers_.run("start", {"--only", server_});
        down_ = false;
    }

private:
    ServersScript &servers_;
    std::string server_;
    bool down_ = false;
};

// A connection of its own to the test's database: the fixture's connection
// does not survive a restart of MariaDB.
std::unique_ptr<Database> connect_to(const SinkFixture &f) {
    auto db = std::make_unique<Database>(f.env());
    db->use(f.database());
    return db;
}

std::string scalar(Database &db, const std::string &sql) {
    const auto v = db.scalar(sql);
    return v ? *v : "NULL";
}

long long applied(Database &db) { return std::stoll(scalar(db, kAppliedRecordsSql)); }

std::set<std::string> ids(Database &db, const std::string &table) {
    std::set<std::string> out;
    for (const auto &row : db.query("SELECT id FROM " + table)) out.insert(col(row, "id"));
    return out;
}

// The backlog: orders with their events and organizers, every 7th order
// refunded whole.
OrdersOptions backlog_options(int orders, uint64_t seed) {
    OrdersOptions go;
    go.orders = orders;
    go.events = 12;
    go.organizers = 3;
    go.refund_every = 7;
    go.seed = seed;
    return go;
}

// Everything that must have landed, exactly: the stored offsets add up to every
// record produced, each table holds the generator's rows by id (not only by
// count), the refunded tickets are the expected ones, nothing is parked.
void check_landed(Database &db, const OrdersGenerator &gen) {
    const auto &exp = gen.expected();
    const auto &opt = gen.options();
    CHECK(scalar(db, kAppliedRecordsSql) == std::to_string(exp.total_records()));
    CHECK(scalar(db, "SELECT COUNT(*) FROM sink_parked") == "0");
    CHECK(scalar(db, "SELECT COUNT(*) FROM venues") == std::to_string(exp.venues));
    CHECK(scalar(db, "SELECT COUNT(*) FROM refund_tickets") == std::to_string(exp.refund_tickets));
    CHECK(scalar(db, "SELECT COUNT(*) FROM tickets WHERE status = 'active'") == std::to_string(exp.tickets_active));

    std::set<std::string> organizers, events, orders, tickets, refunds;
    for (int i = 1; i <= opt.organizers; ++i) organizers.insert(gen.organizer(i).key);
    for (int j = 1; j <= opt.events; ++j) events.insert(gen.event(j).key);
    for (int i = 1; i <= opt.orders; ++i) {
        orders.insert(gen.order(i).key);
        // Ticket ids as the generator writes them (its refunded ids, checked
        // below to be among these, keep this in step with it).
        for (int k = 1; k <= gen.ticket_count(i); ++k)
            tickets.insert("tkt-" + std::to_string(i) + "-" + std::to_string(k));
        if (gen.is_refunded(i)) refunds.insert(gen.refund(i).key);
    }
    const std::set<std::string> refunded(exp.refunded_ticket_ids.begin(), exp.refunded_ticket_ids.end());
    for (const auto &t : refunded) REQUIRE(tickets.count(t));
    REQUIRE(organizers.size() == exp.organizers);
    REQUIRE(events.size() == exp.events);
    REQUIRE(orders.size() == exp.orders);
    REQUIRE(tickets.size() == exp.tickets);
    REQUIRE(refunds.size() == exp.refunds);

    // Counts first (a short message when they differ), then the ids.
    CHECK(scalar(db, "SELECT COUNT(*) FROM organizers") == std::to_string(exp.organizers));
    CHECK(scalar(db, "SELECT COUNT(*) FROM events") == std::to_string(exp.events));
    CHECK(scalar(db, "SELECT COUNT(*) FROM orders") == std::to_string(exp.orders));
    CHECK(scalar(db, "SELECT COUNT(*) FROM tickets") == std::to_string(exp.tickets));
    CHECK(scalar(db, "SELECT COUNT(*) FROM refunds") == std::to_string(exp.refunds));
    CHECK(scalar(db, "SELECT COUNT(*) FROM tickets WHERE status = 'refunded'") == std::to_string(exp.tickets_refunded));
    CHECK(ids(db, "organizers") == organizers);
    CHECK(ids(db, "events") == events);
    CHECK(ids(db, "orders") == orders);
    CHECK(ids(db, "tickets") == tickets);
    CHECK(ids(db, "refunds") == refunds);
    std::set<std::string> got_refunded;
    for (const auto &row : db.query("SELECT id FROM tickets WHERE status = 'refunded'")) got_refunded.insert(col(row, "id"));
    CHECK(got_refunded == refunded);
}

// Keeps the server down for kDown from `since`, failing at once if the sink
// exits meanwhile (an outage must never stop it).
void stay_down(SinkFixture &f, Clock::time_point since) {
    while (Clock::now() - since < kDown) {
        if (!f.sink().alive()) {
            INFO(f.sink().log());
            FAIL("sinkhost exited during the outage: "
                 << (f.sink().status() ? f.sink().status()->describe() : std::string("?")));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

// Each partition's stored next offset is the end of that partition.
void check_offsets(Database &db, SinkFixture &f, const OrdersGenerator &gen) {
    for (const auto &topic : gen.topics()) {
        const auto ends = f.admin().end_offsets(topic);
        REQUIRE(!ends.empty());
        for (size_t p = 0; p < ends.size(); ++p) {
            const std::string stored = scalar(db, "SELECT COALESCE(MAX(next_offset), 0) FROM sink_offsets WHERE group_id = " +
                                                      Database::quote(f.group()) + " AND topic = " + Database::quote(topic) +
                                                      " AND kafka_partition = " + std::to_string(p));
            INFO(topic << "[" << p << "]");
            CHECK(stored == std::to_string(ends[p]));
        }
    }
}

// A wall-clock time as the sink's log lines begin: 2026-01-31T12:00:00.000Z
// (fixed width, so that such texts compare as the times do).
std::string iso_utc(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

// The time stamp of the log line holding position `pos` ("" for npos).
std::string line_time(const std::string &log, size_t pos) {
    if (pos == std::string::npos) return {};
    const size_t begin = log.rfind('\n', pos);
    return log.substr(begin == std::string::npos ? 0 : begin + 1, 24);
}

// The sink ran once: one subscription, never a second start.
void check_one_run(const std::string &log) {
    const size_t first = log.find("subscribed to");
    CHECK(first != std::string::npos);
    CHECK(first == log.rfind("subscribed to"));
}

// The value of `key=` in the last progress line, -1 if none.
long long last_progress(const std::string &log, const std::string &key) {
    const size_t line = log.rfind("progress: ");
    if (line == std::string::npos) return -1;
    const size_t at = log.find(" " + key + "=", line);
    if (at == std::string::npos || at > log.find('\n', line)) return -1;
    return std::stoll(log.substr(at + key.size() + 2));
}

// The database retries counted by the last progress line (`db_retries=`, or
// `retries=` in later versions of the line).
long long last_retries(const std::string &log) {
    const long long n = last_progress(log, "db_retries");
    return n >= 0 ? n : last_progress(log, "retries");
}

}  // namespace

TEST_CASE("outage: MariaDB stopped for 10 s mid-drain and restarted on its data, nothing lost or doubled",
          "[robustness][outage][mariadb]") {
    const auto t_case = Clock::now();
    SinkOptions so;
    so.partitions = 2;
    so.max_records = 200;
    so.max_wait_ms = 50;
    SinkFixture f(so);
    ServersScript servers(f.env(), std::filesystem::path(f.config_path()).parent_path().string());
    const OrdersGenerator gen = produce_orders_backlog(f, backlog_options(10000, 31));
    const auto &exp = gen.expected();
    const long long total = static_cast<long long>(exp.total_records());

    // The fixture's own connection dies with the server: after the restart
    // the test reads through a new one, and drops the database with it.
    struct DropDatabase {
        const SinkFixture &f;
        ~DropDatabase() {
            try {
                Database(f.env()).drop_database(f.database());
            } catch (...) {
            }
        }
    } drop{f};
    std::unique_ptr<Database> db;
    Outage outage(servers, "mariadb");  // destroyed first: the server is up for the cleanups

    f.start_sink();
    const auto t_sink = Clock::now();
    long long at_stop = 0;
    REQUIRE(wait_until(60000, [&] {
        at_stop = std::stoll(f.scalar(kAppliedRecordsSql));
        return at_stop >= total / 10;
    }, "a tenth of the backlog committed"));
    const double tenth_s = seconds_since(t_sink);

    const auto t_stop = Clock::now();
    const std::string stop_began = iso_utc(std::chrono::system_clock::now());
    outage.begin();
    const double stop_s = seconds_since(t_stop);
    INFO("applied when the stop began: " << at_stop << " of " << total);
    stay_down(f, t_stop);
    const auto t_start = Clock::now();
    const std::string start_began = iso_utc(std::chrono::system_clock::now());
    const double down_s = std::chrono::duration<double>(t_start - t_stop).count();
    outage.end();
    const double start_s = seconds_since(t_start);
    const std::string db_back = iso_utc(std::chrono::system_clock::now());

    db = connect_to(f);
    const long long at_restart = applied(*db);
    INFO("applied when MariaDB was back: " << at_restart << " of " << total);
    // The stop came mid-drain: there was work left to resume.
    REQUIRE(at_restart < total);
    REQUIRE(f.sink().alive());

    // Resumes: commits again, then drains everything, in the same process.
    const auto t_back = Clock::now();
    REQUIRE(wait_until(60000, [&] { return applied(*db) > at_restart; }, "a commit after the restart"));
    const double resume_s = seconds_since(t_back);
    long long now_applied = 0;
    const bool drained = wait_until(90000, [&] {
        now_applied = applied(*db);
        return now_applied >= total;
    }, "the whole backlog applied");
    INFO("applied: " << now_applied << " of " << total << "\nsinkhost log:\n" << f.sink().log());
    REQUIRE(drained);
    const double drain_s = seconds_since(t_back);
    REQUIRE(f.sink().alive());
    f.stop_sink();

    check_landed(*db, gen);
    check_offsets(*db, f, gen);

    // The log says the database went away, and the same process went on:
    // retries, then commits after them (its last progress line counts every
    // record once and the retries).
    const std::string log = f.sink().log();
    INFO(log);
    const std::string retrying = "database transaction failed, retrying";
    const size_t first_failed = log.find(retrying);
    const size_t failed = log.rfind(retrying);
    REQUIRE(failed != std::string::npos);
    // Failures only while the server was down (a retry that succeeds says nothing).
    CHECK(line_time(log, first_failed) >= stop_began);
    CHECK(line_time(log, failed) <= db_back);
    CHECK(log.find("progress: ", failed) != std::string::npos);
    CHECK(last_progress(log, "records") == total);
    CHECK(last_progress(log, "dead_lettered") <= 0);  // -1: a version without a dead-letter queue
    CHECK(last_retries(log) > 0);
    check_one_run(log);

    WARN("mariadb outage: " << total << " records; a tenth committed after " << tenth_s << " s; stop began at "
                            << at_stop << " applied (stop took " << stop_s << " s); down " << down_s
                            << " s; start --only mariadb took " << start_s << " s; " << at_restart
                            << " applied when back; first commit " << resume_s << " s after it, drained "
                            << drain_s << " s after it; database retries " << last_retries(log) << "; case "
                            << seconds_since(t_case) << " s. Wall clock: stop began " << stop_began
                            << ", first failed transaction " << line_time(log, first_failed) << ", start began "
                            << start_began << ", last failed retry " << line_time(log, failed)
                            << ", MariaDB serving " << db_back);
}

TEST_CASE("outage: the Kafka broker stopped for 10 s mid-drain and restarted on its log dirs, nothing lost or doubled",
          "[robustness][outage][kafka]") {
    const auto t_case = Clock::now();
    SinkOptions so;
    so.partitions = 2;
    so.max_records = 200;
    so.max_wait_ms = 50;
    SinkFixture f(so);
    ServersScript servers(f.env(), std::filesystem::path(f.config_path()).parent_path().string());

    // A small prefetch, so that mid-drain the sink still has to fetch from
    // the broker (by default librdkafka would hold the whole backlog in
    // memory within a second and the outage would only hit offset commits).
    {
        std::ifstream in(f.config_path());
        std::stringstream text;
        text << in.rdbuf();
        std::string yaml = text.str();
        const std::string from = "session.timeout.ms: 6000";
        REQUIRE(yaml.find(from) != std::string::npos);
        yaml.replace(yaml.find(from), from.size(),
                     from + "\n  queued.min.messages: 1000\n  queued.max.messages.kbytes: 1024\n"
                            "  fetch.message.max.bytes: 131072");
        f.use_config(yaml, {}, f.group());
    }
    const OrdersGenerator gen = produce_orders_backlog(f, backlog_options(6000, 37));
    const auto &exp = gen.expected();
    const long long total = static_cast<long long>(exp.total_records());
    Outage outage(servers, "kafka");

    f.start_sink();
    const auto t_sink = Clock::now();
    long long at_stop = 0;
    REQUIRE(wait_until(60000, [&] {
        at_stop = std::stoll(f.scalar(kAppliedRecordsSql));
        return at_stop >= total / 10;
    }, "a tenth of the backlog committed"));
    const double tenth_s = seconds_since(t_sink);

    const auto t_stop = Clock::now();
    const std::string stop_began = iso_utc(std::chrono::system_clock::now());
    outage.begin();
    const double stop_s = seconds_since(t_stop);
    const long long after_stop = std::stoll(f.scalar(kAppliedRecordsSql));
    stay_down(f, t_stop);
    const long long at_start = std::stoll(f.scalar(kAppliedRecordsSql));
    const auto t_start = Clock::now();
    const std::string start_began = iso_utc(std::chrono::system_clock::now());
    const double down_s = std::chrono::duration<double>(t_start - t_stop).count();
    outage.end();
    const double start_s = seconds_since(t_start);
    const std::string broker_back = iso_utc(std::chrono::system_clock::now());
    const long long at_restart = std::stoll(f.scalar(kAppliedRecordsSql));
    INFO("applied: " << at_stop << " when the stop began, " << after_stop << " when it returned, " << at_start
                     << " at the start, " << at_restart << " when the broker was back, of " << total);
    // Mid-drain: the sink could not finish on what it had fetched.
    REQUIRE(at_restart < total);
    REQUIRE(f.sink().alive());

    const auto t_back = Clock::now();
    {
        INFO(f.sink().log());
        REQUIRE(wait_until(60000, [&] { return std::stoll(f.scalar(kAppliedRecordsSql)) > at_restart; },
                           "a commit after the restart"));
    }
    const double resume_s = seconds_since(t_back);
    long long now_applied = 0;
    const bool drained = wait_until(90000, [&] {
        now_applied = std::stoll(f.scalar(kAppliedRecordsSql));
        return now_applied >= total;
    }, "the whole backlog applied");
    INFO("applied: " << now_applied << " of " << total << "\nsinkhost log:\n" << f.sink().log());
    REQUIRE(drained);
    const double drain_s = seconds_since(t_back);
    REQUIRE(f.sink().alive());
    f.stop_sink();

    check_landed(f.db(), gen);
    check_offsets(f.db(), f, gen);

    const std::string log = f.sink().log();
    INFO(log);
    // Unreachable: said once it lasted, while the broker was down.
    const size_t lost = log.find("kafka: no broker of ");
    REQUIRE(lost != std::string::npos);
    CHECK(line_time(log, lost) >= stop_began);
    CHECK(line_time(log, lost) < start_began);
    // Reachable again: the line the sink prints for it.
    const size_t again = log.find("kafka: brokers of ", lost);
    CHECK(again != std::string::npos);
    // Resumed: partitions assigned again, from the database's offsets, once
    // the broker was back (the group coordinator lives on the broker).
    const size_t resumed = log.find("resuming from the database's stored offsets", lost);
    REQUIRE(resumed != std::string::npos);
    CHECK(line_time(log, resumed) >= start_began);
    // Every record committed once (a batch dropped at a revocation is not counted).
    CHECK(last_progress(log, "records") == total);
    CHECK(last_progress(log, "dead_lettered") <= 0);
    check_one_run(log);
    // A consumer-group session timeout during the outage revokes the
    // partitions; that is no sign of life: "reachable again" is said only
    // once the broker is back.
    if (again != std::string::npos) CHECK(line_time(log, again) >= start_began);

    WARN("kafka outage: " << total << " records; a tenth committed after " << tenth_s << " s; stop began at "
                          << at_stop << " applied, " << after_stop << " when it returned (took " << stop_s
                          << " s), " << at_start << " at the start; down " << down_s
                          << " s; start --only kafka took " << start_s << " s; " << at_restart
                          << " applied when back; first commit " << resume_s << " s after it, drained " << drain_s
                          << " s after it; case " << seconds_since(t_case) << " s. Wall clock: stop began "
                          << stop_began << ", 'no broker' said " << line_time(log, lost) << ", 'reachable again' said "
                          << line_time(log, again) << ", start began " << start_began << ", broker serving "
                          << broker_back << ", partitions assigned again " << line_time(log, resumed));
}
