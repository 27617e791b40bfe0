// The transaction writer: one database transaction per batch that holds the
// batch's rows, its dead letters' acknowledgement and the partitions' next
// offsets, or none of it.
//
//   fence     lock the batch's partitions in sink_offsets; they must still
//             hold what this worker last stored (else another worker owns
//             them, or an operator moved them): write nothing (C7)
//   apply     the rows; when the database refuses one, the batch is bisected
//             under savepoints down to the records at fault, which become
//             dead letters, and the rest is applied
//   expire    parked rows past their age limit, when due, become dead letters
//   publish   every dead letter, acknowledged by the cluster (acks=all)
//   commit    with the next offsets; a COMMIT whose outcome is unknown is
//             settled by reading the stored offsets back (C8)
//
// Transient failures (connection lost, deadlock, the dead-letter queue
// unreachable) are retried with backoff, then the batch is abandoned so the
// consumer can re-read it from the stored offsets.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

#include "config/worker_config.hpp"
#include "persistence/database.hpp"
#include "persistence/entity_writer.hpp"
#include "persistence/offset_store.hpp"
#include "worker/batch_assembler.hpp"
#include "worker/dead_letter_queue.hpp"

namespace vsink {

// errors.tolerance: none and a record cannot be applied: the worker stops.
struct ToleranceExceeded : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A database failure no retry can fix (broken setup): the worker stops.
struct DatabaseFatal : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What this worker believes each partition's stored next offset is
// (nullopt: none stored yet).
using ExpectedOffsets = std::map<TopicPartition, std::optional<int64_t>>;

struct TransactionResult {
    enum class Outcome {
        Committed,  // rows, letters and offsets are in
        Fenced,     // the stored offsets moved under us: nothing written
        Abandoned   // transient failures lasted too long, or stop was asked
    };
    Outcome outcome = Outcome::Abandoned;
    WriteStats stats;
    std::vector<DeadLetter> letters;            // published in this transaction
    std::map<TopicPartition, int64_t> stored;   // when fenced: what the database holds
    std::vector<TopicPartition> fenced;         // when fenced: the partitions that moved
    bool commit_was_unknown = false;            // committed, as the stored offsets showed
    // Of the last attempt, for the batch's debug line: fence and rows
    // (write), then letters, offsets and COMMIT (commit); attempts made.
    std::chrono::steady_clock::duration write_time{}, commit_time{};
    int attempts = 0;
};

class TransactionWriter {
public:
    TransactionWriter(Database &db, EntityWriter &writer, OffsetStore &offsets, DeadLetterSink &dlq,
                      const WorkerConfig &cfg, const std::atomic<bool> &stop);

    // Writes `batch` (possibly empty: then only parked rows expire, when
    // `expire_parked`). Throws ToleranceExceeded, DatabaseFatal.
    TransactionResult write(const AssembledBatch &batch, const ExpectedOffsets &expected, bool expire_parked);

    uint64_t retries() const { return retries_; }
    // Told of every retried failure: its class (deadlock, lock_wait_timeout,
    // connection, dead_letter_queue, commit_unknown) and a one-line reason.
    using RetryHook = std::function<void(const char *cls, const std::string &reason)>;
    void set_retry_hook(RetryHook hook) { on_retry_ = std::move(hook); }
    // How long retried in place before a batch is abandoned (tests shorten it).
    void set_max_in_place_retry(std::chrono::milliseconds d) { max_in_place_retry_ = d; }

private:
    using Clock = std::chrono::steady_clock;
    // Applies records [lo, hi) under a savepoint, bisecting on a refusal.
    WriteStats apply_bisecting(const AssembledBatch &b, size_t lo, size_t hi, int depth, std::vector<DeadLetter> &letters);
    // After a failed COMMIT: did it commit? nullopt when that cannot be told now.
    std::optional<bool> committed(const AssembledBatch &b);
    void sleep_interruptible(int ms);

    Database &db_;
    EntityWriter &writer_;
    OffsetStore &offsets_;
    DeadLetterSink &dlq_;
    const WorkerConfig &cfg_;
    const std::atomic<bool> &stop_;
    uint64_t retries_ = 0;
    // Records of the batch being written that the database refused, kept
    // across attempts: index -> their letter.
    std::map<size_t, DeadLetter> known_bad_;
    std::chrono::milliseconds max_in_place_retry_{60000};
    RetryHook on_retry_;
};

}  // namespace vsink
