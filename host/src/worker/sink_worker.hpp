// The consumer loop: poll a batch, convert its records through the plugin,
// write the entities and the partitions' next offsets in one database
// transaction, then commit the same offsets to Kafka. Resumes from the
// offsets stored in the database on every partition assignment.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/worker_config.hpp"
#include "mapping/mapping.hpp"
#include "persistence/database.hpp"
#include "persistence/entity_writer.hpp"
#include "persistence/offset_store.hpp"
#include "plugin/plugin_library.hpp"
#include "worker/backoff.hpp"
#include "worker/entity_collector.hpp"
#include "worker/kafka_watch.hpp"

namespace vsink {

// A condition the worker cannot go on with: the message says why.
struct FatalError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The Kafka cluster refused our credentials, or our TLS check of it failed:
// retrying cannot help, a person must fix the config (its own exit code).
struct KafkaAccessError : FatalError {
    using FatalError::FatalError;
};

struct RunOptions {
    // Exit (status 0) once every assigned partition is consumed up to its end.
    bool stop_at_end = false;
};

struct WorkerCounters {
    uint64_t records = 0;       // records read from Kafka and converted
    uint64_t skipped = 0;       // records the plugin refused (bad input)
    uint64_t rows = 0;          // rows upserted or updated
    uint64_t parked = 0;
    uint64_t unparked = 0;
    uint64_t batches = 0;
    uint64_t retries = 0;       // transient database failures retried
    // What the plugin read leniently, per (topic, kind), in committed batches
    // (refused records included).
    ToleratedCounts tolerated;
};

class SinkWorker : public RdKafka::RebalanceCb {
public:
    SinkWorker(WorkerConfig config, const Mapping &mapping, PluginInstance &plugin);
    ~SinkWorker() override;

    // Runs until stop() or a fatal error (thrown as FatalError).
    void run(const RunOptions &opts);
    // Async-signal-safe: asks the loop to finish its batch and leave the group.
    void stop() { stop_.store(true); }

    const WorkerCounters &counters() const { return counters_; }

    void rebalance_cb(RdKafka::KafkaConsumer *consumer, RdKafka::ErrorCode err,
                      std::vector<RdKafka::TopicPartition *> &partitions) override;

private:
    using Clock = std::chrono::steady_clock;

    void create_consumer();
    void connect_database();
    std::map<TopicPartition, int64_t> load_offsets_with_retry(const std::vector<TopicPartition> &tps);
    void process_batch();
    bool write_batch(const std::vector<std::vector<EntityRow>> &per_record, const std::vector<RecordOrigin> &origins,
                     const std::map<TopicPartition, int64_t> &next, WriteStats &stats);
    void resync();
    bool caught_up();
    void sleep_interruptible(int ms);
    void log_progress(bool force);
    // " waiting=N (oldest S s)": rows in the parking lot, for the progress line.
    std::string waiting_text();
    // Kafka's committed offsets are for lag tools only (the database holds the
    // truth), so they are sent at most once a second, and on revoke and stop.
    void commit_to_kafka(bool now);

    WorkerConfig cfg_;
    const Mapping &mapping_;
    PluginInstance &plugin_;
    Database db_;
    EntityWriter writer_;
    OffsetStore offsets_;
    EntityCollector collector_;
    KafkaWatch watch_;  // before consumer_: the consumer calls it until destroyed
    std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
    std::vector<std::unique_ptr<RdKafka::Message>> batch_;
    std::vector<TopicPartition> assignment_;
    // Where each assigned partition resumed (its offset stored in the
    // database), so that a partition with nothing left to read is known to be
    // at its end although its consumer position stays unset.
    std::map<TopicPartition, int64_t> resumed_at_;
    // Partitions to seek back after an abandoned batch: first offset not applied.
    std::map<TopicPartition, int64_t> rewind_;
    std::map<TopicPartition, int64_t> kafka_pending_;  // committed in the database, not yet to Kafka
    Clock::time_point last_kafka_commit_ = Clock::now();
    bool batch_invalidated_ = false;
    std::string fatal_;  // set in the rebalance callback, thrown by the loop
    std::atomic<bool> stop_{false};
    WorkerCounters counters_;
    Clock::time_point last_progress_ = Clock::now();
    WorkerCounters last_logged_;
};

}  // namespace vsink
