// Robustness (issue 8, point 9): at least 20 `kill -9` while the sink drains
// at least 100,000 records of all three topologies (Ticketland orders and
// tickets topologies in JSON and Protobuf, Ticketscloud in Protobuf), compared
// in full with a clean run.
//
// The same topics are drained twice, by two consumer groups into two
// databases on the same MariaDB:
//   A  the clean run: one `sinkhost run --stop-at-end`, never disturbed;
//   B  the crash run: `sinkhost run` killed with SIGKILL 22 times, restarted
//      each time, then a last `run --stop-at-end`. The kill moments are random
//      (seeded; the seed is printed) and spread over the whole drain: the k-th
//      kill comes once the database holds a random share of the records and
//      that run has committed something, after a random pause; two in three
//      then also wait for the sink to be inside a write transaction. A kill
//      counts as landing inside a transaction when one with written rows was
//      open after the stored offsets were read and the offsets had not moved
//      when the process was gone (it never committed).
// Both workers read with max.partition.fetch.bytes 32 KiB, so every partition
// is read a little at a time and a parent deep in its topic comes after
// children near the head of theirs, and prefetch at most 2 MiB
// (queued.max.messages.kbytes): with librdkafka's default 64 MiB, a restarted
// worker queues whole partitions that resume from a stored offset before
// those still without one start (they wait for a Kafka offset lookup), parks
// tens of thousands of rows and unparks them slowly. B's worker has a static member id
// (group.instance.id), so a restarted worker gets its partitions back at once
// instead of after the killed one's session timeout.
// Then every mapped table is compared row by row and column by column (every
// column: the mapped tables hold no sink timestamp), sink_parked must be empty
// in both, and each group's stored offsets must add up to the records
// produced and match partition by partition (sink_offsets' group_id and
// updated_at differ by design and are not compared). The clean run is also checked against what the generator says
// must land (row counts, ticket statuses, the latest version of updated
// columns), so the two runs cannot agree on a wrong result.
//
// VSINK_CRASH_SEED=<n> replays a run's data set and kill schedule (the exact
// moments also depend on timing).
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>
#include <tuple>

#include <vsink/test/all_topologies_backlog.hpp>
#include <vsink/test/wait_until.hpp>

#include "sink_fixture.hpp"

using namespace vsink::test;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string required(const char *name) {
    const char *v = std::getenv(name);
    if (!v || !*v) throw std::runtime_error(std::string(name) + " is not set: run the tests through scripts/test");
    return v;
}

int64_t to_i64(const std::string &text) { return static_cast<int64_t>(std::stoll(text)); }

std::string q(const std::string &ident) { return Database::quote_ident(ident); }

// The fixture's worker config, pointed at another database and group, with
// extra librdkafka settings.
std::string worker_config(const std::string &fixture_config, const std::string &database_url, const std::string &group,
                          const std::map<std::string, std::string> &kafka_extra) {
    YAML::Node cfg = YAML::Clone(YAML::LoadFile(fixture_config));
    cfg["worker"]["group_id"] = group;
    cfg["database"]["url"] = database_url;
    for (const auto &[k, v] : kafka_extra) cfg["kafka"][k] = v;
    YAML::Emitter out;
    out << cfg;
    return std::string(out.c_str()) + "\n";
}

// The numbers of the last progress line of a sink log ("records=... parked=...").
std::string last_progress(const std::string &log) {
    const size_t at = log.rfind("progress: ");
    if (at == std::string::npos) return "(no progress line)";
    return log.substr(at, log.find('\n', at) - at);
}

struct TableDiff {
    std::string table;
    int64_t rows_a = 0, rows_b = 0, only_a = 0, only_b = 0, differing = 0;
    std::string checksum_a, checksum_b;
    std::vector<std::string> examples;  // key, column, A value, B value
};

// Every row of `table` in databases a and b: matched by primary key, every
// column compared byte for byte (NULL-safe).
TableDiff compare_table(Database &db, const std::string &a, const std::string &b, const std::string &table) {
    TableDiff d;
    d.table = table;
    std::vector<std::string> columns, key;
    for (const auto &row : db.query("SELECT column_name AS c FROM information_schema.columns WHERE table_schema = " +
                                    Database::quote(a) + " AND table_name = " + Database::quote(table) +
                                    " ORDER BY ordinal_position"))
        columns.push_back(col(row, "c"));
    for (const auto &row : db.query("SELECT column_name AS c FROM information_schema.key_column_usage WHERE table_schema = " +
                                    Database::quote(a) + " AND table_name = " + Database::quote(table) +
                                    " AND constraint_name = 'PRIMARY' ORDER BY ordinal_position"))
        key.push_back(col(row, "c"));
    if (columns.empty() || key.empty()) throw std::runtime_error("no columns or no primary key for table " + table);

    const std::string ta = q(a) + "." + q(table), tb = q(b) + "." + q(table);
    std::string on, same, key_list;
    for (const auto &k : key) {
        on += (on.empty() ? "" : " AND ") + ("x." + q(k) + " = y." + q(k));
        key_list += (key_list.empty() ? "" : ", ") + ("x." + q(k));
    }
    for (const auto &c : columns)
        same += (same.empty() ? "" : " AND ") + ("CAST(x." + q(c) + " AS BINARY) <=> CAST(y." + q(c) + " AS BINARY)");

    d.rows_a = db.scalar_int("SELECT COUNT(*) FROM " + ta);
    d.rows_b = db.scalar_int("SELECT COUNT(*) FROM " + tb);
    d.only_a = db.scalar_int("SELECT COUNT(*) FROM " + ta + " x LEFT JOIN " + tb + " y ON " + on + " WHERE y." + q(key[0]) +
                             " IS NULL");
    d.only_b = db.scalar_int("SELECT COUNT(*) FROM " + tb + " x LEFT JOIN " + ta + " y ON " + on + " WHERE y." + q(key[0]) +
                             " IS NULL");
    const std::string differ = " FROM " + ta + " x JOIN " + tb + " y ON " + on + " WHERE NOT (" + same + ")";
    d.differing = db.scalar_int("SELECT COUNT(*)" + differ);
    d.checksum_a = col(db.query("CHECKSUM TABLE " + ta).at(0), "Checksum");
    d.checksum_b = col(db.query("CHECKSUM TABLE " + tb).at(0), "Checksum");

    // What differs, precisely: up to 10 rows of each kind.
    std::string select_both;
    for (const auto &c : columns) select_both += ", x." + q(c) + " AS " + q("a." + c) + ", y." + q(c) + " AS " + q("b." + c);
    for (const auto &row : db.query("SELECT CONCAT_WS('|', " + key_list + ") AS k" + select_both + differ + " LIMIT 10")) {
        for (const auto &c : columns)
            if (col(row, "a." + c) != col(row, "b." + c) || (row.at("a." + c).has_value() != row.at("b." + c).has_value()))
                d.examples.push_back(table + " key " + col(row, "k") + ": column " + c + " clean=" + col(row, "a." + c) +
                                     " crash=" + col(row, "b." + c));
    }
    for (const auto &[from, to, label] : {std::tuple{ta, tb, "only in the clean run"}, std::tuple{tb, ta, "only in the crash run"}})
        for (const auto &row : db.query("SELECT CONCAT_WS('|', " + key_list + ") AS k FROM " + from + " x LEFT JOIN " + to +
                                        " y ON " + on + " WHERE y." + q(key[0]) + " IS NULL LIMIT 10"))
            d.examples.push_back(table + " key " + col(row, "k") + ": " + label);
    return d;
}

// Rows left in sink_parked, described (empty when none).
std::string parked_rows(Database &db, const std::string &schema) {
    std::ostringstream out;
    for (const auto &row : db.query("SELECT entity, parent_table, topic, kafka_partition, kafka_offset FROM " + q(schema) +
                                    ".sink_parked ORDER BY id LIMIT 20"))
        out << "  " << col(row, "entity") << " waiting for " << col(row, "parent_table") << " from " << col(row, "topic") << "["
            << col(row, "kafka_partition") << "]@" << col(row, "kafka_offset") << "\n";
    return out.str();
}

}  // namespace

TEST_CASE("crash, all topologies: 20 kill -9 during 100,000 records leave what a clean run leaves",
          "[robustness][crash-all]") {
    const auto test_started = Clock::now();
    uint64_t seed = 0;
    if (const char *s = std::getenv("VSINK_CRASH_SEED"); s && *s)
        seed = std::stoull(s);
    else
        seed = (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
    std::cout << "crash-all: seed " << seed << " (VSINK_CRASH_SEED=" << seed << " replays it)" << std::endl;
    INFO("seed " << seed << " (VSINK_CRASH_SEED=" << seed << " replays it)");

    SinkOptions so = SinkOptions::of({"orders", "tickets", "ticketscloud"});
    so.partitions = 2;
    so.max_records = 300;  // small transactions: most kills land inside one
    so.max_wait_ms = 50;
    SinkFixture f(so);

    // ---- The backlog: every topology and format, produced once.
    AllTopologiesOptions go;
    go.seed = seed;
    const AllTopologiesBacklog backlog(go);
    const size_t total = backlog.total();
    REQUIRE(total >= 100000);
    auto t0 = Clock::now();
    size_t n = 0;
    for (const BacklogRecord &r : backlog.records()) {
        f.produce_raw(r.topic, r.key, r.value, r.headers);
        if (++n % 10000 == 0) f.flush();
    }
    f.flush();
    const double produce_s = seconds_since(t0);
    std::ostringstream produced;
    for (const auto &[segment, count] : backlog.records_by_segment()) produced << "  " << segment << ": " << count << "\n";
    produced << "  per topic:";
    for (const auto &[topic, count] : backlog.records_by_topic()) produced << " " << topic << "=" << count;
    produced << "\n";
    std::cout << "crash-all: produced " << total << " records in " << produce_s << " s\n" << produced.str() << std::flush;
    INFO("records per topology/format:\n" << produced.str());
    // Every record reached its topic: the end offsets add up.
    size_t ends = 0;
    for (const auto &[topic, count] : backlog.records_by_topic()) {
        size_t topic_end = 0;
        for (int64_t e : f.admin().end_offsets(f.topic(topic))) topic_end += static_cast<size_t>(e);
        CHECK(topic_end == count);
        ends += topic_end;
    }
    REQUIRE(ends == total);

    // ---- Two worker configs: the same topics, two groups, two databases.
    const std::string db_a = f.database(), db_b = f.database() + "_crash";
    const std::string group_a = f.group(), group_b = f.group() + "-crash";
    f.db().create_database(db_b);
    struct DropB {
        SinkFixture &f;
        std::string name;
        ~DropB() {
            try {
                f.db().drop_database(name);
            } catch (...) {
            }
        }
    } drop_b{f, db_b};
    const std::string dir = std::filesystem::path(f.config_path()).parent_path().string();
    const std::string url = "mysql://" + f.env().db_host + ":" + std::to_string(f.env().db_port) + "/";
    const std::string cfg_a = dir + "/worker-clean.yaml", cfg_b = dir + "/worker-crash.yaml";
    const std::map<std::string, std::string> fetch = {{"max.partition.fetch.bytes", "32768"},
                                                      {"queued.max.messages.kbytes", "2048"}};
    std::map<std::string, std::string> fetch_static = fetch;
    fetch_static["group.instance.id"] = "crash-all-1";
    std::ofstream(cfg_a) << worker_config(f.config_path(), url + db_a, group_a, fetch);
    std::ofstream(cfg_b) << worker_config(f.config_path(), url + db_b, group_b, fetch_static);
    const std::string sinkhost = required("VSINK_SINKHOST");
    const auto env = f.env().as_env();
    {
        Process schema({sinkhost, "schema", "--apply", "--config", cfg_b}, env, dir + "/schema-crash.log");
        auto st = schema.wait(60000);
        INFO(schema.log());
        REQUIRE(st);
        REQUIRE(st->success());
    }
    auto applied = [&](const std::string &db) {
        return to_i64(f.scalar("SELECT COALESCE(SUM(next_offset), 0) FROM " + q(db) + ".sink_offsets"));
    };
    auto parked = [&](const std::string &db) { return to_i64(f.scalar("SELECT COUNT(*) FROM " + q(db) + ".sink_parked")); };
    const int64_t total_i = static_cast<int64_t>(total);

    // ---- A: the clean run.
    t0 = Clock::now();
    int64_t peak_parked_a = 0;
    std::string log_a;
    {
        Process clean({sinkhost, "run", "--stop-at-end", "--config", cfg_a}, env, dir + "/clean-run.log");
        std::optional<ExitStatus> st;
        while (!(st = clean.wait(200)) && seconds_since(t0) < 300) peak_parked_a = std::max(peak_parked_a, parked(db_a));
        log_a = clean.log();
        INFO("clean run log:\n" << log_a);
        REQUIRE(st);
        REQUIRE(st->success());
    }
    const double clean_s = seconds_since(t0);
    std::cout << "crash-all: clean run drained " << applied(db_a) << " records in " << clean_s << " s, peak parked rows "
              << peak_parked_a << "\n  " << last_progress(log_a) << std::endl;

    // ---- B: the crash run.
    std::mt19937_64 rng(seed);
    // Kill moments spread over the drain: the k-th kill comes once the
    // database holds at least its (random) share of the records and this run
    // has committed something, after a further random pause. Each run also
    // drains on between its target and its kill, more the faster the sink:
    // the shares end at half the records and the pauses are short (at 90%
    // and up to 400 ms, a faster sink drained everything after 19 kills),
    // so that 20 kills land mid-drain whatever its speed.
    const int kills_wanted = 22;
    std::vector<int64_t> kill_after(kills_wanted);
    std::uniform_int_distribution<int64_t> share(0, total_i / 2);
    for (auto &k : kill_after) k = share(rng);
    std::sort(kill_after.begin(), kill_after.end());
    std::uniform_int_distribution<int> pause_ms(0, 150);
    std::bernoulli_distribution trx_mode(2.0 / 3.0);
    int kills = 0, kills_mid_drain = 0, kills_in_write_trx = 0, runs = 0;
    int64_t peak_parked_b = 0;
    std::ostringstream kill_log;
    const std::string open_trx_sql =
        "SELECT COUNT(*) AS n, COALESCE(SUM(t.trx_rows_modified), 0) AS modified FROM information_schema.innodb_trx t "
        "JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id WHERE p.db = " +
        Database::quote(db_b);
    t0 = Clock::now();
    for (int round = 0; round < 80 && kills_mid_drain < kills_wanted; ++round) {
        const int64_t before = applied(db_b);
        if (before == total_i) break;  // drained: no moment left to die in
        ++runs;
        Process sink({sinkhost, "run", "--config", cfg_b}, env, dir + "/crash-run-" + std::to_string(runs) + ".log");
        const int64_t target = kill_after[static_cast<size_t>(std::min(kills_mid_drain, kills_wanted - 1))];
        const bool progressed = wait_until(120000, [&] {
            peak_parked_b = std::max(peak_parked_b, parked(db_b));
            const int64_t now = applied(db_b);
            return (now != before && now >= target) || !sink.alive();
        }, {}, 10);
        if (!progressed || !sink.alive())
            FAIL("crash run " << runs << " did not reach " << target << " records within 120 s or died on its own; its log:\n"
                              << sink.log());
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
        // Two kills in three wait (up to 3 s) for the sink to be inside a
        // write transaction; the others strike wherever it is. Either way:
        // the stored offsets, then the open transactions, then SIGKILL.
        const bool wait_for_trx = trx_mode(rng);
        int64_t at_kill = applied(db_b);
        Row trx = f.rows(open_trx_sql).at(0);
        for (const auto until = Clock::now() + std::chrono::seconds(3);
             wait_for_trx && col(trx, "modified") == "0" && Clock::now() < until && sink.alive();) {
            at_kill = applied(db_b);
            trx = f.rows(open_trx_sql).at(0);
        }
        sink.kill(SIGKILL);
        auto st = sink.wait(10000);
        REQUIRE(st);
        REQUIRE(st->signal == SIGKILL);
        ++kills;
        // A write transaction open after the offsets were read that had not
        // committed by the kill (the offsets did not move): it died inside it.
        const int64_t after_kill = applied(db_b);
        const bool mid = after_kill != total_i;
        if (mid) ++kills_mid_drain;
        const bool trx_open = col(trx, "modified") != "0";
        const bool died_inside = trx_open && after_kill == at_kill;
        if (died_inside) ++kills_in_write_trx;
        kill_log << "  kill " << kills << (wait_for_trx ? " (waited for a transaction)" : " (any moment)") << ": " << at_kill
                 << " of " << total << " records applied; "
                 << (died_inside ? "inside a write transaction of " + col(trx, "modified") + " rows, never committed"
                     : trx_open  ? "a write transaction was open but committed before the kill landed"
                                 : "no write transaction open")
                 << (mid ? "" : " (already drained)") << "\n";
    }
    std::cout << "crash-all: " << kills << " kill -9 (" << kills_mid_drain << " mid-drain, " << kills_in_write_trx
              << " inside a write transaction that never committed)\n" << kill_log.str() << std::flush;
    INFO("kills:\n" << kill_log.str());
    CHECK(kills_mid_drain >= 20);

    std::string log_b;
    {
        ++runs;
        Process last({sinkhost, "run", "--stop-at-end", "--config", cfg_b}, env, dir + "/crash-run-" + std::to_string(runs) + ".log");
        std::optional<ExitStatus> st;
        const auto last_started = Clock::now();
        while (!(st = last.wait(200)) && seconds_since(last_started) < 300) peak_parked_b = std::max(peak_parked_b, parked(db_b));
        log_b = last.log();
        INFO("last crash-run log:\n" << log_b);
        REQUIRE(st);
        REQUIRE(st->success());
    }
    const double crash_s = seconds_since(t0);
    std::cout << "crash-all: crash run: " << runs << " runs, " << crash_s << " s, peak parked rows " << peak_parked_b
              << "\n  last run " << last_progress(log_b) << std::endl;

    // ---- Compare A and B in full.
    t0 = Clock::now();
    std::ostringstream figures;
    figures << "seed " << seed << ", " << total << " records\n" << produced.str();
    const int64_t offsets_a = to_i64(f.scalar("SELECT COALESCE(SUM(next_offset), 0) FROM " + q(db_a) +
                                                  ".sink_offsets WHERE group_id = " + Database::quote(group_a)));
    const int64_t offsets_b = to_i64(f.scalar("SELECT COALESCE(SUM(next_offset), 0) FROM " + q(db_b) +
                                                  ".sink_offsets WHERE group_id = " + Database::quote(group_b)));
    figures << "stored offsets: clean group " << offsets_a << ", crash group " << offsets_b << " (records produced " << total
            << ")\n";
    CHECK(offsets_a == total_i);
    CHECK(offsets_b == total_i);
    // Partition by partition, too.
    CHECK(f.scalar("SELECT COUNT(*) FROM " + q(db_a) + ".sink_offsets x LEFT JOIN " + q(db_b) +
                   ".sink_offsets y ON x.topic = y.topic AND x.kafka_partition = y.kafka_partition AND x.next_offset = "
                   "y.next_offset WHERE y.topic IS NULL") == "0");
    const int64_t parked_a = parked(db_a), parked_b = parked(db_b);
    figures << "sink_parked: clean " << parked_a << " rows, crash " << parked_b << " rows\n";
    {
        INFO("parked in the clean run:\n" << parked_rows(f.db(), db_a) << "parked in the crash run:\n" << parked_rows(f.db(), db_b));
        CHECK(parked_a == 0);
        CHECK(parked_b == 0);
    }

    std::vector<std::string> tables;
    for (const auto &row : f.rows("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = " +
                                  Database::quote(db_a) + " AND table_name NOT LIKE 'sink\\_%' ORDER BY table_name"))
        tables.push_back(col(row, "t"));
    CHECK(tables.size() == 8);
    size_t rows_compared = 0;
    std::vector<std::string> differences;
    for (const auto &t : tables) {
        const TableDiff d = compare_table(f.db(), db_a, db_b, t);
        rows_compared += static_cast<size_t>(d.rows_a);
        figures << "  " << t << ": clean " << d.rows_a << " rows, crash " << d.rows_b << " rows, only clean " << d.only_a
                << ", only crash " << d.only_b << ", differing " << d.differing << ", checksum " << d.checksum_a
                << (d.checksum_a == d.checksum_b ? " (same)" : " vs " + d.checksum_b) << "\n";
        std::ostringstream examples;
        for (const auto &line : d.examples) examples << "  " << line << "\n";
        INFO("differences in " << t << ":\n" << examples.str());
        CHECK(d.rows_a == d.rows_b);
        CHECK(d.only_a == 0);
        CHECK(d.only_b == 0);
        CHECK(d.differing == 0);
        CHECK(d.checksum_a == d.checksum_b);
        differences.insert(differences.end(), d.examples.begin(), d.examples.end());
    }
    std::ostringstream diff_text;
    for (const auto &line : differences) diff_text << "  " << line << "\n";
    CHECK(differences.empty());

    // ---- The clean run holds what the generator says must land.
    std::ostringstream expected_text;
    size_t expected_mismatches = 0;
    for (const auto &[table_system, count] : backlog.expected_rows()) {
        const std::string table = table_system.substr(0, table_system.find('/'));
        const std::string system = table_system.substr(table_system.find('/') + 1);
        const std::string got =
            f.scalar("SELECT COUNT(*) FROM " + q(db_a) + "." + q(table) + " WHERE system = " + Database::quote(system));
        if (got != std::to_string(count)) {
            ++expected_mismatches;
            expected_text << "  " << table_system << ": " << got << " rows, expected " << count << "\n";
        }
    }
    for (const auto &[system_status, count] : backlog.expected_ticket_statuses()) {
        const std::string system = system_status.substr(0, system_status.find('/'));
        const std::string status = system_status.substr(system_status.find('/') + 1);
        const std::string got = f.scalar("SELECT COUNT(*) FROM " + q(db_a) + ".tickets WHERE system = " +
                                         Database::quote(system) + " AND status = " + Database::quote(status));
        figures << "  tickets " << system_status << ": " << got << " (expected " << count << ")\n";
        if (got != std::to_string(count)) {
            ++expected_mismatches;
            expected_text << "  tickets " << system_status << ": " << got << ", expected " << count << "\n";
        }
    }
    size_t values_checked = 0;
    for (const ExpectedColumn &ec : backlog.expected_columns()) {
        const std::string id_col = ec.table == "refund_tickets" ? "refund_id" : "id";
        std::map<std::string, std::optional<std::string>> got;
        for (const auto &row : f.rows("SELECT CONCAT(system, '|', " + q(id_col) + ") AS k, " + q(ec.column) + " AS v FROM " +
                                      q(db_a) + "." + q(ec.table)))
            got[col(row, "k")] = row.at("v");
        size_t bad = 0;
        for (const auto &[k, v] : ec.values) {
            ++values_checked;
            auto it = got.find(k);
            if (it != got.end() && it->second == v) continue;
            if (++bad <= 5)
                expected_text << "  " << ec.table << "." << ec.column << " of " << k << ": "
                              << (it == got.end() ? "no row" : it->second.value_or("NULL")) << ", expected "
                              << v.value_or("NULL") << "\n";
        }
        expected_mismatches += bad;
    }
    figures << "expected values checked in the clean run: " << values_checked << ", mismatches " << expected_mismatches << "\n";
    figures << "kills: " << kills << " (" << kills_mid_drain << " mid-drain, " << kills_in_write_trx
            << " inside a write transaction that never committed), crash-run runs " << runs << "\n";
    figures << "peak parked rows: clean " << peak_parked_a << ", crash " << peak_parked_b << "\n";
    figures << "times: produce " << produce_s << " s, clean run " << clean_s << " s, crash run " << crash_s << " s, compare "
            << seconds_since(t0) << " s, total " << seconds_since(test_started) << " s\n";
    figures << "rows compared: " << rows_compared << " in " << tables.size() << " tables\n";
    std::cout << "crash-all figures:\n" << figures.str() << std::flush;
    if (!differences.empty()) std::cout << "crash-all differences (clean vs crash):\n" << diff_text.str() << std::flush;
    if (expected_mismatches) std::cout << "crash-all: the clean run differs from the generator:\n" << expected_text.str() << std::flush;
    INFO("figures:\n" << figures.str());
    INFO("differences (clean vs crash):\n" << diff_text.str());
    INFO("clean run vs generator:\n" << expected_text.str());
    CHECK(expected_mismatches == 0);
    WARN("crash-all: " << kills_mid_drain << " kill -9 mid-drain, " << total << " records, " << rows_compared
                       << " rows compared, seed " << seed);
}
