#include "worker/transaction_writer.hpp"

#include <random>
#include <thread>

#include "log/log.hpp"
#include "worker/backoff.hpp"

namespace vsink {

namespace {

// Deadlock and lock wait timeout roll back the transaction but keep the
// session; anything else transient may have lost the connection.
bool keeps_connection(const sql::SQLException &e) { return e.getErrorCode() == 1205 || e.getErrorCode() == 1213; }

// The database refused a row of the batch: bisect it.
struct RowRefused {};

// Deadlocks retried after a few milliseconds rather than the backoff.
constexpr int kQuickDeadlockRetries = 4;

}  // namespace

TransactionWriter::TransactionWriter(Database &db, EntityWriter &writer, OffsetStore &offsets, DeadLetterSink &dlq,
                                     const WorkerConfig &cfg, const std::atomic<bool> &stop)
    : db_(db), writer_(writer), offsets_(offsets), dlq_(dlq), cfg_(cfg), stop_(stop) {}

void TransactionWriter::sleep_interruptible(int ms) {
    const auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (!stop_ && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

WriteStats TransactionWriter::apply_bisecting(const AssembledBatch &b, size_t lo, size_t hi, int depth,
                                              std::vector<DeadLetter> &letters) {
    std::vector<const EntityRow *> rows;
    for (size_t i = lo; i < hi; ++i)
        if (!known_bad_.count(i))
            for (const auto &r : b.rows[i]) rows.push_back(&r);
    if (rows.empty()) return {};
    const std::string sp = "vsink_bisect_" + std::to_string(depth);
    db_.execute("SAVEPOINT " + sp);
    try {
        WriteStats s = writer_.apply(rows);
        db_.execute("RELEASE SAVEPOINT " + sp);
        return s;
    } catch (const sql::SQLException &e) {
        if (classify(e) != DbFailure::RowRejected) throw;
        if (hi - lo == 1) {
            DeadLetter l;
            l.stage = stage::database;
            l.error_class = error_class_name(e);
            l.message = "the database refused a row: " + describe_rejection(e);
            l.origin = b.origins[lo];
            // Known before the rollback: a row over max_allowed_packet makes
            // the server drop the connection, and the retry must skip it.
            known_bad_[lo] = l;
            letters.push_back(std::move(l));
            db_.execute("ROLLBACK TO SAVEPOINT " + sp);
            return {};
        }
        db_.execute("ROLLBACK TO SAVEPOINT " + sp);
    }
    const size_t mid = lo + (hi - lo) / 2;
    WriteStats s = apply_bisecting(b, lo, mid, depth + 1, letters);
    s.add(apply_bisecting(b, mid, hi, depth + 1, letters));
    return s;
}

std::optional<bool> TransactionWriter::committed(const AssembledBatch &b) {
    if (b.next.empty()) return false;  // nothing tells: expiry only, re-run it
    try {
        db_.disconnect();
        db_.connect();
        std::vector<TopicPartition> tps;
        for (const auto &[tp, off] : b.next) tps.push_back(tp);
        const auto stored = offsets_.load(tps);
        for (const auto &[tp, off] : b.next) {
            auto it = stored.find(tp);
            if (it == stored.end() || it->second != off) return false;
        }
        return true;
    } catch (const sql::SQLException &) {
        db_.disconnect();
        return std::nullopt;
    }
}

TransactionResult TransactionWriter::write(const AssembledBatch &b, const ExpectedOffsets &expected, bool expire_parked) {
    Backoff bo(cfg_.retry.initial_backoff_ms, cfg_.retry.max_backoff_ms);
    const auto started = Clock::now();
    bool bisect = false;
    known_bad_.clear();
    std::vector<TopicPartition> partitions;
    for (const auto &[tp, off] : b.next) partitions.push_back(tp);

    int attempts = 0;
    int deadlocks = 0;
    std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> quick_wait(5, 40);
    while (true) {
        TransactionResult r;
        r.attempts = ++attempts;
        const auto attempt_started = Clock::now();
        bool committing = false;
        try {
            if (!db_.connected()) db_.connect();
            writer_.begin_transaction();
            db_.begin();

            // The fence: these partitions must still be where this worker left them.
            if (!partitions.empty()) {
                std::vector<TopicPartition> unstored;
                for (const TopicPartition &tp : partitions) {
                    const auto e = expected.find(tp);
                    if (e == expected.end() || !e->second) unstored.push_back(tp);
                }
                r.stored = offsets_.lock(partitions, unstored);
                for (const TopicPartition &tp : partitions) {
                    auto e = expected.find(tp);
                    auto s = r.stored.find(tp);
                    const bool same = e != expected.end() && (s == r.stored.end() ? !e->second.has_value()
                                                                                 : e->second.value_or(-1) == s->second);
                    if (!same) r.fenced.push_back(tp);
                }
                if (!r.fenced.empty()) {
                    db_.rollback();
                    r.outcome = TransactionResult::Outcome::Fenced;
                    return r;
                }
            }

            r.letters = b.refused;
            for (const auto &[i, l] : known_bad_) r.letters.push_back(l);
            if (!bisect) {
                std::vector<const EntityRow *> rows;
                for (const auto &rec : b.rows)
                    for (const auto &row : rec) rows.push_back(&row);
                try {
                    r.stats = writer_.apply(rows);
                } catch (const sql::SQLException &e) {
                    if (classify(e) != DbFailure::RowRejected) throw;
                    throw RowRefused{};
                }
            } else {
                r.stats = apply_bisecting(b, 0, b.size(), 0, r.letters);
            }
            for (const RejectedRow &x : r.stats.rejected)
                r.letters.push_back({stage::database, x.error_class,
                                     "the database refused parked row of " + x.entity + ": " + x.reason, x.origin});
            if (expire_parked) {
                for (const ParkedRow &p : writer_.parking().take_expired(cfg_.parking.max_age_s, 500)) {
                    DeadLetter l;
                    l.stage = stage::parked_expired;
                    l.error_class = "parent_missing";
                    l.message = (p.row.def ? p.row.def->name : std::string("a row")) + " waited " +
                                std::to_string(p.age_s) + " s for its parent in " + p.parent_table +
                                " (limit worker.parking.max_age_s=" + std::to_string(cfg_.parking.max_age_s) + ")";
                    l.origin = p.row.origin;
                    r.letters.push_back(std::move(l));
                }
            }
            if (!r.letters.empty() && !cfg_.errors.tolerate_all) {
                db_.rollback();
                throw ToleranceExceeded("cannot apply " + describe(r.letters.front()) +
                                        "; worker.errors.tolerance is none: stopping, offsets unmoved");
            }
            // Acknowledged by the cluster before the offsets past them commit.
            const auto written_at = Clock::now();
            r.write_time = written_at - attempt_started;
            dlq_.publish(r.letters);
            offsets_.store(b.next);
            committing = true;
            db_.commit();
            r.commit_time = Clock::now() - written_at;
            r.outcome = TransactionResult::Outcome::Committed;
            if (attempts > 1)
                logger()->info("transaction committed after {} failed attempt(s) over {} ms",
                               attempts - 1,
                               std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
            return r;
        } catch (const RowRefused &) {
            db_.rollback();
            bisect = true;  // find the record(s) at fault, commit the rest
            continue;
        } catch (const DeadLetterError &e) {
            db_.rollback();
            ++retries_;
            if (on_retry_) on_retry_("dead_letter_queue", e.what());
            if (stop_ || Clock::now() - started > max_in_place_retry_) return TransactionResult{};
            const int wait = bo.next_ms();
            logger()->warn("{}; the batch waits, retrying in {} ms (attempt {})", e.what(), wait, bo.attempts());
            sleep_interruptible(wait);
            continue;
        } catch (const sql::SQLException &e) {
            const DbFailure f = classify(e);
            if (committing && f != DbFailure::Fatal) {
                // The COMMIT was sent; did it land? The stored offsets say (C8).
                const std::optional<bool> done = committed(b);
                if (done && *done) {
                    logger()->warn("database COMMIT outcome was unknown ({}); the stored offsets show it committed",
                                   describe(e));
                    r.outcome = TransactionResult::Outcome::Committed;
                    r.commit_was_unknown = true;
                    return r;
                }
                if (!done) {
                    // Cannot tell now: re-read from the stored offsets once the
                    // database is back (the fence keeps a repeat out).
                    logger()->warn("database COMMIT outcome unknown ({}); the batch will be re-read from the stored offsets",
                                   describe(e));
                    ++retries_;
                    if (on_retry_) on_retry_("commit_unknown", describe(e));
                    return TransactionResult{};
                }
            } else {
                db_.rollback();
            }
            switch (f) {
            case DbFailure::Fatal: throw DatabaseFatal("database: " + describe(e));
            case DbFailure::RowRejected:
                if (bisect) throw DatabaseFatal("database rejected a row outside any record: " + describe_rejection(e));
                bisect = true;
                continue;
            case DbFailure::Retry: break;
            }
            ++retries_;
            if (on_retry_)
                on_retry_(e.getErrorCode() == 1213 ? "deadlock" : e.getErrorCode() == 1205 ? "lock_wait_timeout" : "connection",
                          "database transaction failed: " + describe(e));
            if (!keeps_connection(e)) db_.disconnect();
            if (stop_ || Clock::now() - started > max_in_place_retry_) return TransactionResult{};
            // A deadlock (two workers of a group parking into the same index
            // gap, or another application's transaction) is over once the
            // other transaction ends: a few quick tries with jitter before the
            // configured backoff, which is for outages.
            const bool quick = e.getErrorCode() == 1213 && ++deadlocks < kQuickDeadlockRetries;
            const int wait = quick ? quick_wait(rng) : bo.next_ms();
            if (quick)  // not a failure: one of two transactions had to give way (counted in the metrics)
                logger()->info("deadlock with another transaction, retrying in {} ms (attempt {})", wait, attempts);
            else
                logger()->warn("database transaction failed, retrying in {} ms (attempt {}): {}", wait, attempts,
                               describe(e));
            sleep_interruptible(wait);
        }
    }
}

}  // namespace vsink
