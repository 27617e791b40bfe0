// The worker's YAML configuration (yaml/*.yaml, /etc/vibe-sink/worker.yaml).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vsink {

// TLS to the database (database.tls). Present = required: the connection
// fails rather than falling back to plain text.
struct DatabaseTls {
    bool enabled = false;
    std::string ca;    // CA certificate(s) the server's certificate must chain to
    std::string cert;  // optional client certificate ...
    std::string key;   // ... and its private key
    bool verify = true;  // verify the server's certificate and host name
};

struct DatabaseConfig {
    std::string host = "127.0.0.1";
    int port = 3306;
    std::string socket;  // optional unix socket (used when set)
    std::string name;    // the database (schema)
    std::string user;
    std::string password;  // resolved secret: never log it
    int connect_timeout_ms = 5000;
    int read_timeout_ms = 30000;
    int write_timeout_ms = 30000;
    DatabaseTls tls;
};

struct BatchConfig {
    int max_records = 1000;
    int max_wait_ms = 200;
    // A batch closes as soon as the consumer holds no more records, but not
    // sooner than this after the previous batch was written (issue 9: at
    // 5,000 records/s, batches of 7 records meant 700 COMMITs a second).
    int min_interval_ms = 10;
};

struct RetryConfig {
    int initial_backoff_ms = 200;
    int max_backoff_ms = 10000;
};

// Where records the sink does not apply go (worker.errors.dead_letter_queue).
struct DeadLetterConfig {
    std::string topic;           // default: "<group_id>.dlq"
    int partitions = -1;         // when the worker creates it: -1 = the broker's default
    int replication_factor = -1; // likewise
    int timeout_ms = 30000;      // for the cluster to acknowledge a batch's letters (acks=all)
};

struct ErrorsConfig {
    // all: a record that cannot be applied goes to the dead-letter queue and
    // the pipeline goes on; none: the worker stops, its offset unmoved.
    bool tolerate_all = true;
    DeadLetterConfig dead_letter_queue;
};

struct ParkingConfig {
    // A child row waits this long for its parent, then goes to the
    // dead-letter queue (stage parked-expired).
    int64_t max_age_s = 7 * 24 * 3600;
};

// Behind on several partitions, a partition whose records are more than
// max_lead_ms ahead in time (record timestamps) of the furthest-behind one is
// paused until that one catches up, so that parents come before their
// children and fewer rows park (worker/partition_pacer.hpp). 0: off, the
// default until its decisions are proven on sparse timelines (issue 9 note).
struct PacingConfig {
    int max_lead_ms = 0;
};

// The worker's HTTP endpoints (worker.http): /metrics, /healthz, /readyz and
// /status (docs/metrics.md).
struct HttpConfig {
    static constexpr int kDefaultPort = 9780;
    static constexpr int kAnyPort = -1;  // port: auto, any free port (logged)
    std::string listen = "127.0.0.1";
    int port = kDefaultPort;  // 0: off
};

struct LogConfig {
    std::string level = "info";   // trace debug info warn error
    std::string format = "text";  // text | json
};

struct WorkerConfig {
    std::string path;  // the file it was read from
    std::string group_id;
    std::string plugin_path;
    std::vector<std::string> mapping_paths;
    std::vector<std::string> topics;  // optional: subset of the mapping's topics; empty = all
    BatchConfig batch;
    RetryConfig retry;
    ErrorsConfig errors;
    ParkingConfig parking;
    PacingConfig pacing;
    HttpConfig http;
    DatabaseConfig database;
    LogConfig log;
    std::map<std::string, std::string> kafka;  // passed through to librdkafka untouched

    // Names of kafka settings whose values must never be printed.
    static bool is_secret_kafka_key(const std::string &key);
};

// Loads and validates; throws ConfigError naming the file and line.
// Relative plugin and mapping paths are resolved against the config's folder.
WorkerConfig load_worker_config(const std::string &path);

}  // namespace vsink
