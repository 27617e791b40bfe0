// The consumer loop: poll records into a batch, have the batch assembler turn
// them into entity rows (and dead letters), have the transaction writer write
// them with the partitions' next offsets in one database transaction, then
// commit the same offsets to Kafka. Resumes from the offsets stored in the
// database on every partition assignment, and after any batch that was not
// written (resync).
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/worker_config.hpp"
#include "mapping/mapping.hpp"
#include "observability/telemetry.hpp"
#include "persistence/database.hpp"
#include "persistence/entity_writer.hpp"
#include "persistence/offset_store.hpp"
#include "plugin/plugin_library.hpp"
#include "worker/batch_assembler.hpp"
#include "worker/dead_letter_queue.hpp"
#include "worker/kafka_watch.hpp"
#include "worker/partition_pacer.hpp"
#include "worker/transaction_writer.hpp"

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

// The database refuses the worker in a way no retry fixes (its own exit code).
struct DatabaseError : FatalError {
    using FatalError::FatalError;
};

struct RunOptions {
    // Exit (status 0) once every assigned partition is consumed up to its end.
    bool stop_at_end = false;
};

struct WorkerCounters {
    uint64_t records = 0;       // records read from Kafka, in committed batches
    uint64_t dead_lettered = 0; // records and parked rows sent to the dead-letter queue
    uint64_t rows = 0;          // rows upserted or updated
    uint64_t parked = 0;
    uint64_t unparked = 0;
    uint64_t batches = 0;
    uint64_t retries = 0;       // transient failures retried
    uint64_t fenced = 0;        // batches not written: their partitions' stored offsets had moved
    // What the plugin read leniently, per (topic, kind), in committed batches
    // (refused records included).
    ToleratedCounts tolerated;
    // Dead letters per (stage, class).
    std::map<std::pair<std::string, std::string>, uint64_t> letters;
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
    // What /metrics, /healthz, /readyz and /status show (observability/).
    obs::Telemetry &telemetry() { return telemetry_; }

    void rebalance_cb(RdKafka::KafkaConsumer *consumer, RdKafka::ErrorCode err,
                      std::vector<RdKafka::TopicPartition *> &partitions) override;

private:
    using Clock = std::chrono::steady_clock;
    // The longest one consume() waits while no batch is open (see run()).
    static constexpr int kIdleWaitMs = 250;

    void create_consumer();
    void connect_database();
    // Within `deadline`; throws FatalError past it.
    std::map<TopicPartition, int64_t> load_offsets_with_retry(const std::vector<TopicPartition> &tps,
                                                               std::chrono::milliseconds deadline);
    // Assembles and writes the batch in hand; under a backlog (the batch
    // closed full), the next one is read and assembled on another thread
    // while this one is written (issue 9), at most one batch ahead.
    void process_batch();
    std::vector<ConsumedRecord> consumed_records(const std::vector<std::unique_ptr<RdKafka::Message>> &msgs);
    // Writes an assembled batch_ and accounts for it; false when it was not
    // written (fenced or abandoned): the caller rewinds.
    bool write_batch(const AssembledBatch &b, const std::vector<ConsumedRecord> &records, Clock::time_point closed_at,
                     Clock::time_point assembled_at);
    // Takes into ahead_ what the consumer already holds, without waiting, up
    // to a batch. False when a rebalance happened meanwhile: batch_ must not
    // be written (ahead_ then holds only records read after it).
    bool read_ahead();
    // Parked rows past their age limit go to the dead-letter queue: with
    // every batch when due, and in a transaction of their own when idle.
    bool expiry_due() const;
    void expire_parked_if_due();
    void account(const TransactionResult &r, const AssembledBatch &b);
    void rewind_batch();
    void resync();
    // A record or a partition's end polled: what the pacer and the end check know.
    void note_record(const RdKafka::Message &m);
    void note_end(const RdKafka::Message &m);
    // Pauses the partitions that ran ahead in time and resumes the ones the
    // others caught up with (PartitionPacer); resume_all() before the
    // assignment changes or partitions are sought.
    void pace();
    void resume_all_paused();
    bool caught_up();
    void sleep_interruptible(int ms);
    void log_progress(bool force);
    // " waiting=N (oldest S s)": rows in the parking lot, for the progress line.
    std::string waiting_text();
    // Kafka's committed offsets are for lag tools only (the database holds the
    // truth), so they are sent at most once a second, and on revoke and stop.
    void commit_to_kafka(bool now);
    // consumer close() under a deadline (C9): a broker that does not answer
    // never keeps a stopping worker from exiting.
    void close_consumer();
    // Observability: the loop heartbeat always; every second the assignment,
    // offsets and lag; when idle every few seconds a database probe (and the
    // parked rows' summary now and then). Never throws.
    void observe(bool idle);
    void publish_assignment();
    void probe_database();
    void observe_committed(const TransactionResult &r, const AssembledBatch &b);

    WorkerConfig cfg_;
    const Mapping &mapping_;
    PluginInstance &plugin_;
    Database db_;
    EntityWriter writer_;
    OffsetStore offsets_;
    DeadLetterQueue dlq_;
    BatchAssembler assembler_;
    TransactionWriter txn_;
    KafkaWatch watch_;  // before consumer_: the consumer calls it until destroyed
    std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
    std::vector<std::unique_ptr<RdKafka::Message>> batch_;
    std::vector<TopicPartition> assignment_;
    // What this worker believes each assigned partition's stored offset is:
    // the fence every transaction checks.
    ExpectedOffsets owned_;
    // Where each assigned partition resumed (its offset stored in the
    // database), so that a partition with nothing left to read is known to be
    // at its end although its consumer position stays unset.
    std::map<TopicPartition, int64_t> resumed_at_;
    // Assigned partitions the consumer reported at their end since their last record.
    std::set<TopicPartition> at_end_;
    PartitionPacer pacer_;
    int since_paced_ = 0;  // records consumed since the pacer last decided
    // Partitions to seek back after an abandoned batch: first offset not applied.
    std::map<TopicPartition, int64_t> rewind_;
    std::map<TopicPartition, int64_t> kafka_pending_;  // committed in the database, not yet to Kafka
    Clock::time_point last_kafka_commit_ = Clock::now();
    Clock::time_point last_expiry_{};
    Clock::time_point last_write_{};  // the last batch written
    Clock::time_point last_trim_{};   // free heap pages last given back
    bool batch_invalidated_ = false;
    // What the batch in hand cost so far, for its debug line: a stall can be
    // explained (waiting for records, decoding, writing or committing).
    struct BatchTiming {
        Clock::time_point first{};  // its first record polled
        Clock::duration poll{};     // in consume() since then
        const char *closed = "";    // why it closed: full, drained, window, stop
    };
    BatchTiming timing_;
    // The batch read ahead while batch_ is written (empty otherwise), and its timing.
    std::vector<std::unique_ptr<RdKafka::Message>> ahead_;
    BatchTiming ahead_timing_;
    std::string fatal_;  // set in the rebalance callback, thrown by the loop
    bool fatal_is_database_ = false;
    std::atomic<bool> stop_{false};
    WorkerCounters counters_;
    Clock::time_point last_progress_ = Clock::now();
    WorkerCounters last_logged_;
    obs::Telemetry telemetry_;
    Clock::time_point last_observed_{}, last_db_probe_{}, last_parked_probe_{};
};

}  // namespace vsink
