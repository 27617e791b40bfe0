// Writer lanes: the worker writes a batch over several database connections
// at once (database.connections). Each lane takes a share of the batch's
// partitions, every partition's records whole and in order, and writes them
// in a transaction of its own together with those partitions' next offsets:
// what a record did and where its partition resumes still commit together.
// Lanes contend in the database as two workers would (row locks, the parent
// checks' share locks, the parking lot's probes); a deadlock between them is
// retried like any other.
#pragma once

#include <atomic>
#include <mutex>
#include <vector>

#include "config/worker_config.hpp"
#include "mapping/mapping.hpp"
#include "persistence/database.hpp"
#include "persistence/entity_writer.hpp"
#include "persistence/offset_store.hpp"
#include "worker/batch_assembler.hpp"
#include "worker/dead_letter_queue.hpp"
#include "worker/transaction_writer.hpp"

namespace vsink {

// One connection and what writes through it.
struct WriterLane {
    WriterLane(const WorkerConfig &cfg, const Mapping &mapping, DeadLetterSink &dlq, const std::atomic<bool> &stop)
        : db(cfg.database), writer(db, mapping), offsets(db, cfg.group_id), txn(db, writer, offsets, dlq, cfg, stop) {}
    Database db;
    EntityWriter writer;
    OffsetStore offsets;
    TransactionWriter txn;
};

// Lanes writing at once publish their dead letters one after the other
// through the worker's one producer.
class SerializedDeadLetters final : public DeadLetterSink {
public:
    explicit SerializedDeadLetters(DeadLetterSink &inner) : inner_(inner) {}
    void publish(const std::vector<DeadLetter> &letters) override {
        if (letters.empty()) return;
        std::lock_guard<std::mutex> lock(mutex_);
        inner_.publish(letters);
    }
    const std::string &topic() const override { return inner_.topic(); }

private:
    DeadLetterSink &inner_;
    std::mutex mutex_;
};

// Splits `batch` into `lanes` batches (some may be empty): each partition's
// records, rows, refused letters and offsets go whole to one lane, in their
// order; the partitions are spread so that the lanes get about as many
// records each (the biggest partition first, to the least loaded lane, the
// lowest lane on a tie: lane 0 is never empty when the batch is not). The
// rows are moved out of `batch`; its origins, offsets and tolerated counts
// stay. Returns an empty vector when the batch is not worth splitting (one
// lane, or one partition): then it is written whole.
std::vector<AssembledBatch> split_by_partition(AssembledBatch &batch, size_t lanes);

}  // namespace vsink
