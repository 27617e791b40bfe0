#include "observability/telemetry.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>

#include <librdkafka/rdkafkacpp.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "log/redact.hpp"

#ifndef VSINK_VERSION
#define VSINK_VERSION "0.0.0"
#endif

namespace vsink::obs {

const char *state_name(WorkerState s) {
    switch (s) {
    case WorkerState::Starting: return "starting";
    case WorkerState::Running: return "running";
    case WorkerState::Retrying: return "retrying";
    case WorkerState::Stopping: return "stopping";
    }
    return "unknown";
}

namespace {

std::string iso_utc(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

double unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

double process_rss_bytes() {
    std::ifstream f("/proc/self/statm");
    long long size = 0, resident = 0;
    if (!(f >> size >> resident)) return 0;
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double process_cpu_seconds() {
    std::ifstream f("/proc/self/stat");
    std::string line;
    if (!std::getline(f, line)) return 0;
    // The command name (field 2) may hold spaces: fields are counted after its ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream in(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    // Field 3 (state) is the first here; utime and stime are fields 14 and 15.
    for (int i = 3; i <= 13 && (in >> field); ++i) {
    }
    if (!(in >> utime >> stime)) return 0;
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double process_open_fds() {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return 0;
    double n = 0;
    while (const dirent *e = readdir(d))
        if (e->d_name[0] != '.') ++n;
    closedir(d);
    return n - 1;  // the directory stream's own
}

const char *vsink_version() { return VSINK_VERSION; }

Telemetry::Telemetry(std::string group, std::string database, std::string plugin, std::chrono::seconds stale_after)
    : version_(vsink_version()),
      group_(std::move(group)),
      database_name_(std::move(database)),
      plugin_(std::move(plugin)),
      stale_after_(stale_after) {
    Registry &m = metrics_;
    m.gauge("vsink_build_info", "The sinkhost version, the librdkafka it runs with and the plugin (always 1)",
            {"version", "librdkafka", "plugin"});
    m.gauge("vsink_up", "1 while the consumer loop is alive (its heartbeat is recent), else 0");
    m.gauge("vsink_ready", "1 when partitions are assigned, the broker and the database are reachable and no retry is "
                           "under way (as /readyz), else 0");
    m.gauge("vsink_kafka_up", "1 while a broker of bootstrap.servers answers, else 0");
    m.gauge("vsink_database_up", "1 while the database answers, else 0");
    m.counter("vsink_records_consumed_total", "Records read from Kafka and handed to a transaction (a record re-read "
                                              "after an abandoned batch counts again)",
              {"topic"});
    m.counter("vsink_records_applied_total",
              "Records of committed transactions applied to the database (their rows written or parked)", {"topic"});
    m.counter("vsink_dead_letters_total",
              "Records and parked rows sent to the dead-letter queue, by the topic they were read from, stage and class",
              {"topic", "stage", "class"});
    m.counter("vsink_tolerated_anomalies_total",
              "Fields the plugin read leniently (stored as NULL or a default), in committed transactions",
              {"topic", "kind"});
    m.counter("vsink_rows_written_total", "Rows upserted or updated, by table", {"table"});
    m.counter("vsink_rows_parked_total", "Rows parked to wait for their parent");
    m.counter("vsink_rows_unparked_total", "Parked rows applied once their parent came");
    m.counter("vsink_batches_committed_total", "Batches of records committed");
    m.counter("vsink_batches_fenced_total",
              "Batches not written because their partitions' stored offsets moved under this worker");
    m.counter("vsink_retries_total", "Transient failures retried, by class", {"class"});
    m.histogram("vsink_batch_records", "Records per committed batch",
                {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000});
    m.histogram("vsink_transaction_duration_seconds",
                "Time from a batch's first transaction attempt to its commit, retries included",
                {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120});
    m.gauge("vsink_last_commit_timestamp_seconds", "When the last transaction committed (Unix time)");
    m.gauge("vsink_assigned_partitions", "Partitions assigned to this worker");
    m.gauge("vsink_partition_stored_offset", "The next offset stored in the database for an assigned partition",
            {"topic", "partition"});
    m.gauge("vsink_partition_high_watermark", "The end offset of an assigned partition, as last fetched",
            {"topic", "partition"});
    m.gauge("vsink_consumer_lag", "Records of an assigned partition not yet applied (high watermark - stored offset)",
            {"topic", "partition"});
    m.gauge("vsink_parked_rows", "Rows waiting in sink_parked for their parent, by entity and parent table",
            {"entity", "parent_table"});
    m.gauge("vsink_parked_oldest_age_seconds", "Age of the oldest row waiting in sink_parked, by entity and parent table",
            {"entity", "parent_table"});
    m.gauge("process_resident_memory_bytes", "Resident memory size in bytes");
    m.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds");
    m.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds");
    m.gauge("process_open_fds", "Number of open file descriptors");

    m.set("vsink_build_info", {version_, RdKafka::version_str(), plugin_}, 1);
    m.set("process_start_time_seconds", {}, unix_seconds(started_wall_));
    m.set("vsink_kafka_up", {}, 1);
    m.set("vsink_database_up", {}, 0);
    m.set("vsink_assigned_partitions", {}, 0);
}

void Telemetry::set_state(WorkerState s) {
    std::lock_guard<std::mutex> lock(mutex_);
    state_ = s;
}

void Telemetry::retried(const std::string &cls, const std::string &reason) {
    metrics_.add("vsink_retries_total", {cls}, 1);
    heartbeat();
    std::lock_guard<std::mutex> lock(mutex_);
    if (state_ != WorkerState::Stopping) state_ = WorkerState::Retrying;
    retry_reason_ = redact(reason);
    last_error_ = retry_reason_;
    last_error_at_ = std::chrono::system_clock::now();
}

void Telemetry::recovered() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (state_ == WorkerState::Retrying) state_ = WorkerState::Running;
    retry_reason_.clear();
}

void Telemetry::set_assignment(std::vector<PartitionState> partitions) {
    metrics_.clear("vsink_partition_stored_offset");
    metrics_.clear("vsink_partition_high_watermark");
    metrics_.clear("vsink_consumer_lag");
    for (const auto &p : partitions) {
        const std::vector<std::string> l{p.topic, std::to_string(p.partition)};
        if (p.stored_offset) metrics_.set("vsink_partition_stored_offset", l, static_cast<double>(*p.stored_offset));
        if (p.high_watermark) metrics_.set("vsink_partition_high_watermark", l, static_cast<double>(*p.high_watermark));
        if (auto lag = p.lag()) metrics_.set("vsink_consumer_lag", l, static_cast<double>(*lag));
    }
    metrics_.set("vsink_assigned_partitions", {}, static_cast<double>(partitions.size()));
    std::lock_guard<std::mutex> lock(mutex_);
    if (!partitions.empty()) assigned_once_ = true;
    assignment_ = std::move(partitions);
}

void Telemetry::set_kafka(bool reachable, const std::string &reason) {
    metrics_.set("vsink_kafka_up", {}, reachable ? 1 : 0);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!reachable && kafka_probe_.ok) {
        last_error_ = redact(reason);
        last_error_at_ = std::chrono::system_clock::now();
    }
    kafka_probe_ = {reachable, reachable ? std::string() : redact(reason)};
}

void Telemetry::set_database(bool reachable, const std::string &reason) {
    metrics_.set("vsink_database_up", {}, reachable ? 1 : 0);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!reachable && db_probe_.ok) {
        last_error_ = redact(reason);
        last_error_at_ = std::chrono::system_clock::now();
    }
    db_probe_ = {reachable, reachable ? std::string() : redact(reason)};
}

void Telemetry::set_parked(const std::vector<ParkedGroup> &groups) {
    metrics_.clear("vsink_parked_rows");
    metrics_.clear("vsink_parked_oldest_age_seconds");
    for (const auto &g : groups) {
        metrics_.set("vsink_parked_rows", {g.entity, g.parent_table}, static_cast<double>(g.rows));
        metrics_.set("vsink_parked_oldest_age_seconds", {g.entity, g.parent_table}, static_cast<double>(g.oldest_age_s));
    }
    std::lock_guard<std::mutex> lock(mutex_);
    parked_ = groups;
    parked_known_ = true;
}

void Telemetry::note_error(const std::string &message) {
    std::lock_guard<std::mutex> lock(mutex_);
    last_error_ = redact(message);
    last_error_at_ = std::chrono::system_clock::now();
}

bool Telemetry::healthy(std::string *why) const {
    const auto beat = Clock::time_point(Clock::duration(heartbeat_ns_.load(std::memory_order_relaxed)));
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - beat);
    if (age <= stale_after_) return true;
    if (why)
        *why = "the consumer loop has not run for " + std::to_string(age.count()) + " s (limit " +
               std::to_string(stale_after_.count()) + " s)";
    return false;
}

bool Telemetry::ready(std::string *why) const {
    std::vector<std::string> reasons;
    std::string h;
    if (!healthy(&h)) reasons.push_back(h);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (state_ == WorkerState::Starting) reasons.push_back("starting");
        if (state_ == WorkerState::Stopping) reasons.push_back("stopping");
        if (!db_probe_.ok) reasons.push_back("database " + database_name_ + " unreachable: " + db_probe_.reason);
        if (!kafka_probe_.ok) reasons.push_back(kafka_probe_.reason.empty() ? "kafka: no broker reachable" : kafka_probe_.reason);
        if (state_ == WorkerState::Retrying) reasons.push_back("retrying: " + retry_reason_);
        if (assignment_.empty() && state_ != WorkerState::Stopping) reasons.push_back("no partitions assigned");
    }
    if (reasons.empty()) return true;
    if (why) {
        why->clear();
        for (const auto &r : reasons) *why += (why->empty() ? "" : "; ") + r;
        std::replace(why->begin(), why->end(), '\n', ' ');
    }
    return false;
}

std::string Telemetry::render_metrics() {
    std::lock_guard<std::mutex> scrape(scrape_mutex_);
    metrics_.set("vsink_up", {}, healthy() ? 1 : 0);
    metrics_.set("vsink_ready", {}, ready() ? 1 : 0);
    metrics_.set("process_resident_memory_bytes", {}, process_rss_bytes());
    // A counter read from the kernel: set as the difference since the last scrape.
    const double cpu = process_cpu_seconds();
    const double was = metrics_.total("process_cpu_seconds_total");
    if (cpu > was) metrics_.add("process_cpu_seconds_total", {}, cpu - was);
    metrics_.set("process_open_fds", {}, process_open_fds());
    return metrics_.render();
}

std::string Telemetry::status_json() const {
    std::string not_ready;
    const bool is_ready = ready(&not_ready);
    std::string unhealthy;
    const bool is_healthy = healthy(&unhealthy);
    rapidjson::StringBuffer buf;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
    w.SetIndent(' ', 2);
    auto str = [&](const char *k, const std::string &v) {
        w.Key(k);
        w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
    };
    auto num = [&](const char *k, double v) {
        w.Key(k);
        if (v == static_cast<double>(static_cast<int64_t>(v))) w.Int64(static_cast<int64_t>(v));
        else w.Double(v);
    };
    auto opt = [&](const char *k, const std::optional<int64_t> &v) {
        w.Key(k);
        if (v) w.Int64(*v);
        else w.Null();
    };
    w.StartObject();
    str("version", version_);
    str("group", group_);
    str("plugin", plugin_);
    str("started_at", iso_utc(started_wall_));
    num("uptime_s", std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_).count());
    w.Key("healthy");
    w.Bool(is_healthy);
    if (!is_healthy) str("unhealthy_reason", unhealthy);
    w.Key("ready");
    w.Bool(is_ready);
    if (!is_ready) str("not_ready_reason", not_ready);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        str("state", state_name(state_));
        w.Key("kafka");
        w.StartObject();
        w.Key("reachable");
        w.Bool(kafka_probe_.ok);
        if (!kafka_probe_.ok) str("reason", kafka_probe_.reason);
        w.EndObject();
        w.Key("database");
        w.StartObject();
        str("name", database_name_);
        w.Key("reachable");
        w.Bool(db_probe_.ok);
        if (!db_probe_.ok) str("reason", db_probe_.reason);
        w.EndObject();
        w.Key("assignment");
        w.StartArray();
        int64_t lag_total = 0;
        bool lag_known = true;
        for (const auto &p : assignment_) {
            w.StartObject();
            str("topic", p.topic);
            num("partition", p.partition);
            opt("stored_offset", p.stored_offset);
            opt("high_watermark", p.high_watermark);
            opt("lag", p.lag());
            w.EndObject();
            if (auto l = p.lag()) lag_total += *l;
            else lag_known = false;
        }
        w.EndArray();
        opt("lag_total", lag_known ? std::optional<int64_t>(lag_total) : std::nullopt);
        w.Key("last_error");
        if (last_error_.empty()) {
            w.Null();
        } else {
            w.StartObject();
            str("message", last_error_);
            str("at", iso_utc(last_error_at_));
            w.EndObject();
        }
        w.Key("parked");
        if (!parked_known_) {
            w.Null();
        } else {
            int64_t rows = 0, oldest = 0;
            for (const auto &g : parked_) {
                rows += g.rows;
                oldest = std::max(oldest, g.oldest_age_s);
            }
            w.StartObject();
            num("rows", static_cast<double>(rows));
            num("oldest_age_s", static_cast<double>(oldest));
            w.Key("by_entity");
            w.StartArray();
            for (const auto &g : parked_) {
                w.StartObject();
                str("entity", g.entity);
                str("waiting_for", g.parent_table);
                num("rows", static_cast<double>(g.rows));
                num("oldest_age_s", static_cast<double>(g.oldest_age_s));
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        }
    }
    w.Key("counters");
    w.StartObject();
    num("records_consumed", metrics_.total("vsink_records_consumed_total"));
    num("records_applied", metrics_.total("vsink_records_applied_total"));
    num("dead_letters", metrics_.total("vsink_dead_letters_total"));
    num("tolerated_anomalies", metrics_.total("vsink_tolerated_anomalies_total"));
    num("rows_written", metrics_.total("vsink_rows_written_total"));
    num("rows_parked", metrics_.total("vsink_rows_parked_total"));
    num("rows_unparked", metrics_.total("vsink_rows_unparked_total"));
    num("batches_committed", metrics_.total("vsink_batches_committed_total"));
    num("batches_fenced", metrics_.total("vsink_batches_fenced_total"));
    num("retries", metrics_.total("vsink_retries_total"));
    w.EndObject();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

}  // namespace vsink::obs
