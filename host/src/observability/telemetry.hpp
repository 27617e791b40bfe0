// What the worker tells the outside about itself: the metrics (metrics.hpp,
// every family named in docs/metrics.md), its state, its assignment and lag,
// its last error, and the answers of /healthz, /readyz and /status.
//
// The consumer loop writes (once per batch, or every second or so when idle:
// heartbeat, assignment, reachability); the HTTP thread reads. Nothing here
// blocks the loop beyond a short mutex hold.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "observability/metrics.hpp"

namespace vsink::obs {

enum class WorkerState { Starting, Running, Retrying, Stopping };
const char *state_name(WorkerState s);

struct PartitionState {
    std::string topic;
    int32_t partition = 0;
    std::optional<int64_t> stored_offset;   // the next offset stored in the database
    std::optional<int64_t> high_watermark;  // librdkafka's cached end of the partition
    std::optional<int64_t> low_watermark;   // and its start
    // What is left to apply: from the stored offset, or with none stored yet
    // from the partition's start (auto.offset.reset earliest, the default).
    std::optional<int64_t> lag() const {
        const std::optional<int64_t> from = stored_offset ? stored_offset : low_watermark;
        if (!from || !high_watermark) return std::nullopt;
        return std::max<int64_t>(0, *high_watermark - *from);
    }
};

struct ParkedGroup {
    std::string entity, parent_table;
    int64_t rows = 0;
    int64_t oldest_age_s = 0;
};

struct Probe {
    bool ok = false;
    std::string reason;  // when not ok
};

class Telemetry {
public:
    using Clock = std::chrono::steady_clock;

    // `database` names it in reasons ("127.0.0.1:3306/vibe"); `stale_after`:
    // a loop heartbeat older than this makes /healthz answer 503.
    Telemetry(std::string group, std::string database, std::string plugin,
              std::chrono::seconds stale_after = std::chrono::seconds(60));

    Registry &metrics() { return metrics_; }

    // --- written by the consumer loop ---
    void heartbeat() { heartbeat_ns_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed); }
    void set_state(WorkerState s);
    // A retried failure: counted by class, the worker is "retrying" until
    // recovered() (and not ready meanwhile).
    void retried(const std::string &cls, const std::string &reason);
    void recovered();
    void set_assignment(std::vector<PartitionState> partitions);
    void set_kafka(bool reachable, const std::string &reason = {});
    void set_database(bool reachable, const std::string &reason = {});
    void set_parked(const std::vector<ParkedGroup> &groups);
    // The last error said to the operator (redacted here again).
    void note_error(const std::string &message);

    // --- read by the HTTP thread ---
    // 200 while the loop heartbeat is recent.
    bool healthy(std::string *why = nullptr) const;
    // Partitions assigned, broker and database reachable, not retrying;
    // else every reason, "; "-separated, on one line.
    bool ready(std::string *why = nullptr) const;
    // /metrics: the registry, with the up/ready gauges and the process's
    // RSS and CPU read now.
    std::string render_metrics();
    // /status: indented JSON.
    std::string status_json() const;

private:
    Registry metrics_;
    const std::string version_, group_, database_name_, plugin_;
    const std::chrono::seconds stale_after_;
    const Clock::time_point started_ = Clock::now();
    const std::chrono::system_clock::time_point started_wall_ = std::chrono::system_clock::now();
    std::atomic<Clock::rep> heartbeat_ns_{Clock::now().time_since_epoch().count()};

    std::mutex scrape_mutex_;  // one scrape at a time reads the process counters
    mutable std::mutex mutex_;
    WorkerState state_ = WorkerState::Starting;
    std::string retry_reason_;
    std::vector<PartitionState> assignment_;
    bool assigned_once_ = false;
    Probe kafka_probe_{true, {}};
    Probe db_probe_{false, "not connected yet"};
    std::vector<ParkedGroup> parked_;
    bool parked_known_ = false;
    std::string last_error_;
    std::chrono::system_clock::time_point last_error_at_{};
};

// The process's resident memory (bytes) and CPU time (user + system, s),
// from /proc/self; 0 when unreadable.
double process_rss_bytes();
// sinkhost's version (the project's, set by CMake).
const char *vsink_version();
double process_cpu_seconds();
double process_open_fds();

}  // namespace vsink::obs
