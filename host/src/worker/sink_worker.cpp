#include "worker/sink_worker.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <future>
#include <thread>

#include "log/log.hpp"
#include "persistence/parking_lot.hpp"
#include "worker/backoff.hpp"

namespace vsink {

namespace {

std::string tp_text(const std::string &topic, int32_t partition) { return topic + "[" + std::to_string(partition) + "]"; }

// How long the rebalance callback may wait for the database before the
// worker gives up (and exits, so the group can give the partitions to a
// worker that can write): well inside the group's rebalance timeout.
constexpr auto kAssignDeadline = std::chrono::seconds(60);
// How long leaving the group may take on the way out.
constexpr auto kCloseDeadline = std::chrono::seconds(30);

// /healthz: the loop may block in one database call (connect, then a read or
// write timeout) and still be alive.
std::chrono::seconds heartbeat_limit(const DatabaseConfig &db) {
    const int ms = db.connect_timeout_ms + 2 * std::max(db.read_timeout_ms, db.write_timeout_ms);
    return std::max(std::chrono::seconds(60), std::chrono::seconds(ms / 1000 + 1));
}

}  // namespace

SinkWorker::SinkWorker(WorkerConfig config, const Mapping &mapping, PluginInstance &plugin)
    : cfg_(std::move(config)),
      mapping_(mapping),
      plugin_(plugin),
      db_(cfg_.database),
      writer_(db_, mapping_),
      offsets_(db_, cfg_.group_id),
      dlq_(cfg_.errors.dead_letter_queue, cfg_.kafka, plugin_.library().name() + " " + plugin_.library().version()),
      assembler_(mapping_, plugin_),
      txn_(db_, writer_, offsets_, dlq_, cfg_, stop_),
      watch_(cfg_.kafka),
      pacer_(std::chrono::milliseconds(cfg_.pacing.max_lead_ms)),
      telemetry_(cfg_.group_id, cfg_.database.host + ":" + std::to_string(cfg_.database.port) + "/" + cfg_.database.name,
                 plugin_.library().name() + " " + plugin_.library().version(), heartbeat_limit(cfg_.database)) {
    txn_.set_retry_hook([this](const char *cls, const std::string &reason) {
        telemetry_.retried(cls, reason);
        if (std::string(cls) == "connection") telemetry_.set_database(false, reason);
    });
}

SinkWorker::~SinkWorker() { close_consumer(); }

void SinkWorker::close_consumer() {
    if (!consumer_) return;
    // Messages still held keep librdkafka's handle from being destroyed.
    batch_.clear();
    ahead_.clear();
    // close() leaves the group and serves the last callbacks; a broker that
    // never answers must not keep the process: past the deadline the
    // consumer is abandoned to the exiting process.
    auto *c = consumer_.release();
    auto done = std::make_shared<std::atomic<bool>>(false);
    const auto started = Clock::now();
    std::thread t([c, done] {
        c->close();
        done->store(true);
    });
    const auto until = Clock::now() + kCloseDeadline;
    while (!done->load() && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (done->load()) {
        t.join();
        const auto closed = Clock::now();
        delete c;
        using ms = std::chrono::duration<double, std::milli>;
        logger()->debug("consumer closed in {:.1f} ms, destroyed in {:.1f} ms", ms(closed - started).count(),
                        ms(Clock::now() - closed).count());
    } else {
        t.detach();
        logger()->warn("leaving the consumer group did not finish within {} s; exiting without it (the group "
                       "notices at its session timeout)",
                       std::chrono::duration_cast<std::chrono::seconds>(kCloseDeadline).count());
    }
}

void SinkWorker::sleep_interruptible(int ms) {
    const auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (!stop_ && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

void SinkWorker::connect_database() {
    Backoff bo(cfg_.retry.initial_backoff_ms, cfg_.retry.max_backoff_ms);
    while (!stop_) {
        try {
            db_.connect();
            telemetry_.set_database(true);
            return;
        } catch (const sql::SQLException &e) {
            // A login or TLS check refused: the config must change (exit 4).
            // No such database, or no right to it: a database error (exit 5, README).
            if (classify(e) == DbFailure::Fatal) {
                if (e.getErrorCode() == 1049 || e.getErrorCode() == 1044)
                    throw DatabaseError(describe_connect_failure(e, cfg_.database));
                throw FatalError(describe_connect_failure(e, cfg_.database));
            }
            telemetry_.set_database(false, describe(e));
            telemetry_.heartbeat();
            const int wait = bo.next_ms();
            logger()->warn("database {}:{} unreachable ({}); retrying in {} ms", cfg_.database.host, cfg_.database.port,
                           describe(e), wait);
            sleep_interruptible(wait);
        }
    }
}

void SinkWorker::create_consumer() {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    auto set = [&](const std::string &k, const std::string &v) {
        if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
            throw FatalError(cfg_.path + ": kafka." + k + ": " + err);
    };
    if (!cfg_.kafka.count("auto.offset.reset")) set("auto.offset.reset", "earliest");  // lose nothing by default
    // A bounded prefetch: librdkafka's default (64 MiB) queues whole
    // partitions after a restart before others start, and costs memory.
    // Messages point into the fetch response they came in, which stays
    // allocated while any of them is queued: the responses are bounded too
    // (librdkafka's 50 MiB / 1 MiB per partition let a 12-partition drain
    // peak at 120 MiB RSS; these hold it near 50 MiB at the same speed).
    // 2 MiB queued is still several batches ahead of the database: 4 MiB
    // drained 100k tickets no faster (5.0-5.3 s against 4.4-4.5 s) and
    // peaked 8 MiB higher (issue 9).
    if (!cfg_.kafka.count("queued.max.messages.kbytes")) set("queued.max.messages.kbytes", "2048");
    if (!cfg_.kafka.count("fetch.max.bytes")) set("fetch.max.bytes", "4194304");
    if (!cfg_.kafka.count("max.partition.fetch.bytes")) set("max.partition.fetch.bytes", "524288");
    // With a bounded prefetch, librdkafka postpones a partition's next fetch
    // by fetch.queue.backoff.ms (1 s by default) whenever its queue is full:
    // a drain then stalls a second at a time while the queue is long empty.
    if (!cfg_.kafka.count("fetch.queue.backoff.ms")) set("fetch.queue.backoff.ms", "10");
    // The broker answers a fetch as soon as a byte is there (fetch.min.bytes
    // 1), so this bounds only how late an idle partition's end is noticed
    // (--stop-at-end) and costs an idle worker a few requests a second.
    if (!cfg_.kafka.count("fetch.wait.max.ms")) set("fetch.wait.max.ms", "100");
    // KIP-714 client metrics pushed to the brokers: the worker serves its own
    // /metrics, and with the push on, rd_kafka_destroy() waits about a second
    // for a last push at every stop (2.9 s -> 0.8 s for a short
    // --stop-at-end run here).
    if (!cfg_.kafka.count("enable.metrics.push")) set("enable.metrics.push", "false");
    for (const auto &[k, v] : cfg_.kafka) set(k, v);
    set("group.id", cfg_.group_id);
    set("enable.auto.commit", "false");
    // The end of each partition is reported as it is reached: --stop-at-end
    // knows it without asking the broker per partition (B1).
    set("enable.partition.eof", "true");
    set("enable.auto.offset.store", "false");
    if (conf->set("rebalance_cb", static_cast<RdKafka::RebalanceCb *>(this), err) != RdKafka::Conf::CONF_OK)
        throw FatalError("kafka: " + err);
    if (conf->set("event_cb", static_cast<RdKafka::EventCb *>(&watch_), err) != RdKafka::Conf::CONF_OK)
        throw FatalError("kafka: " + err);
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer_) throw FatalError("kafka: cannot create the consumer: " + err);

    std::vector<std::string> topics;
    for (const auto &t : mapping_.topics())
        if (cfg_.topics.empty() || std::find(cfg_.topics.begin(), cfg_.topics.end(), t.name) != cfg_.topics.end())
            topics.push_back(t.name);
    if (topics.empty()) throw FatalError(cfg_.path + ": no topics to consume (check worker.topics and the mappings)");
    const RdKafka::ErrorCode rc = consumer_->subscribe(topics);
    if (rc != RdKafka::ERR_NO_ERROR) throw FatalError("kafka: subscribe failed: " + RdKafka::err2str(rc));
    std::string list;
    for (const auto &t : topics) list += (list.empty() ? "" : ", ") + t;
    logger()->info("subscribed to {} topic(s) as group {}: {}", topics.size(), cfg_.group_id, list);
}

std::map<TopicPartition, int64_t> SinkWorker::load_offsets_with_retry(const std::vector<TopicPartition> &tps,
                                                                   std::chrono::milliseconds deadline) {
    Backoff bo(cfg_.retry.initial_backoff_ms, cfg_.retry.max_backoff_ms);
    const auto until = Clock::now() + deadline;
    while (true) {
        try {
            if (!db_.connected()) db_.connect();
            return offsets_.load(tps);
        } catch (const sql::SQLException &e) {
            db_.rollback();
            if (classify(e) == DbFailure::Fatal) throw DatabaseError("database: cannot read stored offsets: " + describe(e));
            if (stop_) throw FatalError("stopping before the stored offsets could be read");
            if (Clock::now() >= until)
                throw DatabaseError("database unreachable for " +
                                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(deadline).count()) +
                                    " s while taking assigned partitions (" + describe(e) +
                                    "); leaving so that the group can give them to a worker that can write");
            db_.disconnect();
            telemetry_.retried("connect", "cannot read stored offsets: " + describe(e));
            telemetry_.set_database(false, describe(e));
            const int wait = std::min<int>(bo.next_ms(), static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                               until - Clock::now()).count()) + 1);
            logger()->warn("cannot read stored offsets ({}); retrying in {} ms", describe(e), wait);
            sleep_interruptible(wait);
        }
    }
}

void SinkWorker::rebalance_cb(RdKafka::KafkaConsumer *consumer, RdKafka::ErrorCode err,
                              std::vector<RdKafka::TopicPartition *> &partitions) {
    // Runs inside consume(): no exception may cross librdkafka's C frames,
    // and it returns within a deadline (C9).
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
        // An assignment comes from the group coordinator: a broker answered.
        // (A revoke does not say so: the session may have timed out while the
        // cluster is unreachable.)
        watch_.note_alive();
        std::vector<TopicPartition> tps;
        for (auto *p : partitions) tps.emplace_back(p->topic(), p->partition());
        std::map<TopicPartition, int64_t> stored;
        try {
            stored = load_offsets_with_retry(tps, kAssignDeadline);
        } catch (const std::exception &e) {
            fatal_ = e.what();
            fatal_is_database_ = dynamic_cast<const DatabaseError *>(&e) != nullptr;
            consumer->unassign();
            return;
        }
        std::string list;
        resume_all_paused();
        resumed_at_ = stored;
        at_end_.clear();
        owned_.clear();
        for (auto *p : partitions) {
            auto it = stored.find({p->topic(), p->partition()});
            p->set_offset(it != stored.end() ? it->second : RdKafka::Topic::OFFSET_INVALID);
            owned_[{p->topic(), p->partition()}] =
                it != stored.end() ? std::optional<int64_t>(it->second) : std::nullopt;
            list += (list.empty() ? "" : ", ") + tp_text(p->topic(), p->partition()) + "@" +
                    (it != stored.end() ? std::to_string(it->second) : std::string("kafka-committed"));
        }
        if (const RdKafka::ErrorCode rc = consumer->assign(partitions); rc != RdKafka::ERR_NO_ERROR) {
            fatal_ = "kafka: cannot take the assigned partitions: " + RdKafka::err2str(rc);
            return;
        }
        assignment_ = tps;
        pacer_.assigned(tps, Clock::now());
        publish_assignment();
        batch_invalidated_ = true;
        rewind_.clear();
        logger()->info("assigned {} partition(s), resuming from the database's stored offsets: {}", partitions.size(),
                       list.empty() ? "-" : list);
    } else {
        commit_to_kafka(true);  // what the database committed, before the partitions go
        if (!batch_.empty() || !ahead_.empty())
            logger()->info("partitions revoked: dropping {} uncommitted record(s); their stored offsets did not move",
                           batch_.size() + ahead_.size());
        batch_invalidated_ = true;
        rewind_.clear();
        resume_all_paused();
        assignment_.clear();
        resumed_at_.clear();
        at_end_.clear();
        owned_.clear();
        consumer->unassign();
        publish_assignment();
        logger()->info("revoked {} partition(s)", partitions.size());
    }
}

void SinkWorker::rewind_batch() {
    // Not committed: remember where each partition must be re-read from.
    for (const auto &m : batch_) {
        const TopicPartition tp{m->topic_name(), m->partition()};
        auto it = rewind_.find(tp);
        if (it == rewind_.end() || m->offset() < it->second) rewind_[tp] = m->offset();
        at_end_.erase(tp);
    }
    batch_.clear();
}

void SinkWorker::account(const TransactionResult &r, const AssembledBatch &b) {
    counters_.parked += r.stats.parked;
    counters_.unparked += r.stats.unparked;
    for (const auto &[t, n] : r.stats.rows_by_table) counters_.rows += n;
    for (const DeadLetter &l : r.letters) {
        ++counters_.dead_lettered;
        ++counters_.letters[{l.stage, l.error_class}];
        // Names the record and the reason, never its content.
        logger()->warn("dead-lettered to {}: {}", dlq_.topic(), describe(l));
    }
    for (const auto &[k, n] : b.tolerated) counters_.tolerated[k] += n;
    observe_committed(r, b);
}

std::vector<ConsumedRecord> SinkWorker::consumed_records(const std::vector<std::unique_ptr<RdKafka::Message>> &msgs) {
    std::vector<ConsumedRecord> records;
    records.reserve(msgs.size());
    for (const auto &m : msgs) records.push_back(consumed_record(m->c_ptr()));
    std::map<std::string, size_t> by_topic;
    for (const auto &m : msgs) ++by_topic[m->topic_name()];
    for (const auto &[t, n] : by_topic) telemetry_.metrics().add("vsink_records_consumed_total", {t}, static_cast<double>(n));
    return records;
}

bool SinkWorker::read_ahead() {
    // Only what librdkafka already holds (consume(0)): the batch in hand is
    // not held back. A rebalance served here (rebalance_cb runs inside
    // consume) voids the batch in hand and whatever was read ahead before it.
    bool valid = true;
    ahead_timing_ = BatchTiming{Clock::now(), {}, "drained"};
    while (static_cast<int>(ahead_.size()) < cfg_.batch.max_records && !stop_) {
        const auto polled = Clock::now();
        std::unique_ptr<RdKafka::Message> m(consumer_->consume(0));
        if (!ahead_.empty()) ahead_timing_.poll += Clock::now() - polled;
        if (std::string refused = watch_.access_error(); !refused.empty()) throw KafkaAccessError(refused);
        watch_.tick();
        if (batch_invalidated_) {
            ahead_.clear();
            batch_invalidated_ = false;
            valid = false;
        }
        if (!fatal_.empty()) return false;  // thrown by the loop
        if (m->err() == RdKafka::ERR_NO_ERROR) {
            note_record(*m);
            if (ahead_.empty()) ahead_timing_ = BatchTiming{Clock::now(), {}, "drained"};
            ahead_.push_back(std::move(m));
            continue;
        }
        if (m->err() == RdKafka::ERR__PARTITION_EOF) {
            note_end(*m);
            continue;
        }
        if (m->err() == RdKafka::ERR__FATAL) throw FatalError("kafka: fatal consumer error: " + m->errstr());
        if (m->err() != RdKafka::ERR__TIMED_OUT) logger()->warn("kafka: {}", m->errstr());
        break;
    }
    if (static_cast<int>(ahead_.size()) >= cfg_.batch.max_records) ahead_timing_.closed = "full";
    return valid;
}

void SinkWorker::process_batch() {
    auto closed_at = Clock::now();
    std::vector<ConsumedRecord> records = consumed_records(batch_);
    AssembledBatch b;
    try {
        b = assembler_.assemble(records);
    } catch (const PluginFatal &e) {
        throw FatalError(e.what());
    }
    auto assembled_at = Clock::now();
    while (true) {
        // Under a backlog, the next batch is read now and assembled on another
        // thread while this one is written; the plugin is still called from
        // one thread at a time (plugin_abi.h): the main thread assembles
        // nothing meanwhile. Declared before its assembly, so that the
        // assembly is joined first when an exception leaves.
        std::vector<ConsumedRecord> next_records;
        Clock::duration next_assembly{};
        std::future<AssembledBatch> next;
        if (std::string_view(timing_.closed) == "full" && !stop_) {
            pace();
            const bool valid = read_ahead();
            if (!fatal_.empty()) return;  // thrown by the loop; nothing written, the offsets stay put
            if (!valid) {
                // A rebalance: the new assignment starts from the stored
                // offsets; what was read after it is the batch in hand now.
                logger()->info("batch of {} record(s) not written: the assignment changed", batch_.size());
                batch_ = std::move(ahead_);
                ahead_.clear();
                timing_ = ahead_timing_;
                return;
            }
            if (!ahead_.empty()) {
                next_records = consumed_records(ahead_);
                next = std::async(std::launch::async, [this, &next_records, &next_assembly] {
                    const auto started = Clock::now();
                    AssembledBatch a = assembler_.assemble(next_records);
                    next_assembly = Clock::now() - started;
                    return a;
                });
            }
        }
        const auto next_closed = Clock::now();
        if (!write_batch(b, records, closed_at, assembled_at)) {
            // Neither this batch nor the one read ahead is written: both are
            // re-read from the stored offsets.
            if (next.valid()) next.wait();
            for (auto &m : ahead_) batch_.push_back(std::move(m));
            ahead_.clear();
            rewind_batch();
            return;
        }
        if (ahead_.empty()) return;
        batch_ = std::move(ahead_);
        ahead_.clear();
        timing_ = ahead_timing_;
        try {
            b = next.get();
        } catch (const PluginFatal &e) {
            throw FatalError(e.what());
        }
        records = std::move(next_records);  // the buffer moves: b's origins still point into it
        closed_at = next_closed;
        assembled_at = closed_at + next_assembly;
        log_progress(false);
        observe(false);
    }
}

bool SinkWorker::write_batch(const AssembledBatch &b, const std::vector<ConsumedRecord> &records,
                             Clock::time_point closed_at, Clock::time_point assembled_at) {
    TransactionResult r;
    const bool expire = expiry_due();
    const auto txn_started = Clock::now();
    try {
        r = txn_.write(b, owned_, expire);
    } catch (const ToleranceExceeded &e) {
        throw FatalError(e.what());
    } catch (const DatabaseFatal &e) {
        throw DatabaseError(e.what());
    }
    counters_.retries = txn_.retries();
    switch (r.outcome) {
    case TransactionResult::Outcome::Committed: break;
    case TransactionResult::Outcome::Fenced: {
        ++counters_.fenced;
        telemetry_.metrics().add("vsink_batches_fenced_total", {}, 1);
        std::string list;
        for (const auto &tp : r.fenced) {
            auto s = r.stored.find(tp);
            list += (list.empty() ? "" : ", ") + tp_text(tp.first, tp.second) + " stored " +
                    (s == r.stored.end() ? std::string("none") : std::to_string(s->second)) + ", expected " +
                    (owned_[tp] ? std::to_string(*owned_[tp]) : std::string("none"));
        }
        logger()->warn("batch of {} record(s) not written: the stored offsets moved under this worker ({}); another "
                       "worker or an operator owns them now; re-reading from the stored offsets",
                       batch_.size(), list);
        return false;
    }
    case TransactionResult::Outcome::Abandoned:
        if (!stop_) logger()->warn("batch of {} record(s) not written; it will be re-read once the database is back", batch_.size());
        telemetry_.note_error("batch of " + std::to_string(batch_.size()) + " record(s) not written: retried too long");
        return false;
    }
    if (expire) last_expiry_ = Clock::now();
    last_write_ = Clock::now();
    counters_.records += batch_.size();
    counters_.batches += 1;
    account(r, b);
    telemetry_.metrics().add("vsink_batches_committed_total", {}, 1);
    telemetry_.metrics().observe("vsink_batch_records", {}, static_cast<double>(batch_.size()));
    telemetry_.metrics().observe("vsink_transaction_duration_seconds", {},
                                 std::chrono::duration<double>(Clock::now() - txn_started).count());
    if (logger()->should_log(spdlog::level::debug)) {
        using ms = std::chrono::duration<double, std::milli>;
        size_t rows = 0;
        for (const auto &[t, n] : r.stats.rows_by_table) rows += n;
        // lag: from the oldest record's Kafka timestamp to the commit.
        int64_t oldest = -1;
        for (const ConsumedRecord &c : records)
            if (c.source.timestamp_ms >= 0 && (oldest < 0 || c.source.timestamp_ms < oldest)) oldest = c.source.timestamp_ms;
        const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count();
        logger()->debug("batch committed: {} record(s), {} row(s), {} statement(s), {} parked, {} unparked, {} superseded, "
                        "{} absorbed, {} dead-lettered; closed {} after {:.1f} ms (poll {:.1f} ms), assemble {:.1f} ms, "
                        "write {:.1f} ms, commit {:.1f} ms{}, lag {} ms",
                        batch_.size(), rows, r.stats.statements, r.stats.parked, r.stats.unparked, r.stats.superseded,
                        r.stats.absorbed, r.letters.size(), timing_.closed, ms(closed_at - timing_.first).count(),
                        ms(timing_.poll).count(), ms(assembled_at - closed_at).count(), ms(r.write_time).count(),
                        ms(r.commit_time).count(),
                        r.attempts > 1 ? fmt::format(" ({} attempts)", r.attempts) : std::string(),
                        oldest < 0 ? std::string("?") : std::to_string(now_ms - oldest));
    }

    // The database holds the truth; Kafka's committed offsets follow for lag tools.
    for (const auto &[tp, off] : b.next) {
        owned_[tp] = off;
        kafka_pending_[tp] = off;
    }
    commit_to_kafka(false);
    const bool full = static_cast<int>(batch_.size()) >= cfg_.batch.max_records;
    batch_.clear();
#ifdef __GLIBC__
    // Under a backlog, a batch's rows, statements and records are freed in
    // an order glibc's heaps keep fragmented: give the free pages back, at
    // most every 250 ms (a trim costs about a millisecond; issue 9).
    if (full && Clock::now() - last_trim_ >= std::chrono::milliseconds(250)) {
        malloc_trim(0);
        last_trim_ = Clock::now();
    }
#endif
    return true;
}

bool SinkWorker::expiry_due() const {
    // Often enough that a row is dead-lettered soon after its limit.
    const auto every = std::chrono::seconds(std::clamp<int64_t>(cfg_.parking.max_age_s / 4, 1, 60));
    return Clock::now() - last_expiry_ >= every;
}

void SinkWorker::expire_parked_if_due() {
    if (!expiry_due() || !db_.connected() || !rewind_.empty()) return;
    TransactionResult r;
    try {
        r = txn_.write(AssembledBatch{}, owned_, true);
    } catch (const ToleranceExceeded &e) {
        throw FatalError(e.what());
    } catch (const DatabaseFatal &e) {
        throw DatabaseError(e.what());
    }
    counters_.retries = txn_.retries();
    if (r.outcome != TransactionResult::Outcome::Committed) return;
    last_expiry_ = Clock::now();
    account(r, AssembledBatch{});
}

void SinkWorker::commit_to_kafka(bool now) {
    if (kafka_pending_.empty() || !consumer_) return;
    if (!now && Clock::now() - last_kafka_commit_ < std::chrono::seconds(1)) return;
    std::vector<RdKafka::TopicPartition *> tps;
    for (const auto &[tp, off] : kafka_pending_) tps.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, off));
    const RdKafka::ErrorCode rc = consumer_->commitAsync(tps);
    if (rc != RdKafka::ERR_NO_ERROR) logger()->warn("kafka offset commit failed: {}", RdKafka::err2str(rc));
    RdKafka::TopicPartition::destroy(tps);
    kafka_pending_.clear();
    last_kafka_commit_ = Clock::now();
}

void SinkWorker::resync() {
    // Wait for the database, keep polling so the group keeps us, and note the
    // first offset of every record dropped meanwhile.
    Backoff bo(cfg_.retry.initial_backoff_ms, cfg_.retry.max_backoff_ms);
    while (!stop_ && !rewind_.empty()) {
        std::unique_ptr<RdKafka::Message> m(consumer_->consume(100));
        if (m && m->err() == RdKafka::ERR_NO_ERROR) {
            const TopicPartition tp{m->topic_name(), m->partition()};
            auto it = rewind_.find(tp);
            if (it == rewind_.end() || m->offset() < it->second) rewind_[tp] = m->offset();
            continue;
        }
        if (rewind_.empty()) return;  // a rebalance reset the assignment: nothing to rewind
        observe(false);
        try {
            if (!db_.connected()) db_.connect();
            const auto stored = offsets_.load_all();
            resume_all_paused();  // what the pacer knew is void: partitions go back
            for (const auto &[tp, off] : rewind_) {
                auto it = stored.find(tp);
                const int64_t target = it != stored.end() ? it->second : off;
                std::unique_ptr<RdKafka::TopicPartition> p(RdKafka::TopicPartition::create(tp.first, tp.second, target));
                const RdKafka::ErrorCode rc = consumer_->seek(*p, 5000);
                if (rc != RdKafka::ERR_NO_ERROR) {
                    logger()->warn("seek {} to {} failed: {}; retrying", tp_text(tp.first, tp.second), target,
                                   RdKafka::err2str(rc));
                    throw std::runtime_error("seek failed");
                }
                if (it != stored.end()) owned_[tp] = it->second;
                at_end_.erase(tp);  // read again from there
                logger()->info("database is back: {} resumes at offset {}", tp_text(tp.first, tp.second), target);
            }
            rewind_.clear();
            telemetry_.set_database(true);
            telemetry_.recovered();
            return;
        } catch (const sql::SQLException &e) {
            db_.rollback();
            if (classify(e) == DbFailure::Fatal) throw DatabaseError("database: " + describe(e));
            db_.disconnect();
            telemetry_.retried("connect", "waiting for the database to re-read from the stored offsets: " + describe(e));
            telemetry_.set_database(false, describe(e));
            sleep_interruptible(bo.next_ms());
        } catch (const std::runtime_error &) {
            sleep_interruptible(bo.next_ms());
        }
    }
}

void SinkWorker::note_record(const RdKafka::Message &m) {
    watch_.note_alive();
    TopicPartition tp{m.topic_name(), m.partition()};
    at_end_.erase(tp);
    const RdKafka::MessageTimestamp ts = m.timestamp();
    const bool first = pacer_.record(
        tp, ts.type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE ? -1 : ts.timestamp, Clock::now());
    // At a partition's first record, then every so many records: a pause and
    // its resume cost a fetch round trip, so a partition is let go for at
    // least this many records (integration_tests "[pacing]": deciding at
    // every record made a backlog with records a second apart crawl at 15
    // records/s).
    constexpr int kPaceEvery = 100;
    if (pacer_.enabled() && (first || ++since_paced_ >= kPaceEvery)) pace();
}

void SinkWorker::note_end(const RdKafka::Message &m) {
    TopicPartition tp{m.topic_name(), m.partition()};
    const bool first = pacer_.at_end(tp);
    at_end_.insert(std::move(tp));
    if (first) pace();
}

namespace {
// consumer->pause() or resume() of tps; returns those it applied to.
std::vector<TopicPartition> pause_or_resume(RdKafka::KafkaConsumer &consumer, const std::vector<TopicPartition> &tps,
                                            bool pause) {
    std::vector<TopicPartition> done;
    if (tps.empty()) return done;
    std::vector<RdKafka::TopicPartition *> list;
    for (const auto &tp : tps) list.push_back(RdKafka::TopicPartition::create(tp.first, tp.second));
    const RdKafka::ErrorCode rc = pause ? consumer.pause(list) : consumer.resume(list);
    for (auto *p : list) {
        if (rc == RdKafka::ERR_NO_ERROR && p->err() == RdKafka::ERR_NO_ERROR)
            done.emplace_back(p->topic(), p->partition());
        else
            logger()->debug("pacing: {} {} failed: {}", pause ? "pausing" : "resuming", tp_text(p->topic(), p->partition()),
                            RdKafka::err2str(rc != RdKafka::ERR_NO_ERROR ? rc : p->err()));
    }
    RdKafka::TopicPartition::destroy(list);
    return done;
}
}  // namespace

void SinkWorker::pace() {
    if (!pacer_.enabled() || !consumer_) return;
    since_paced_ = 0;
    PartitionPacer::Decision d = pacer_.decide(Clock::now());
    if (d.empty()) return;
    if (!d.pause.empty()) {
        // A partition read to its end is not paused: there is nothing to hold
        // back, and a pause would drop its end-of-partition event (librdkafka
        // reports an end once), so that it would seem behind the others.
        std::vector<RdKafka::TopicPartition *> list;
        for (const auto &tp : d.pause) list.push_back(RdKafka::TopicPartition::create(tp.first, tp.second));
        if (consumer_->position(list) == RdKafka::ERR_NO_ERROR) {
            for (auto *p : list) {
                int64_t lo = 0, hi = -1;
                if (p->offset() < 0 ||
                    consumer_->get_watermark_offsets(p->topic(), p->partition(), &lo, &hi) != RdKafka::ERR_NO_ERROR ||
                    hi < 0 || p->offset() < hi)
                    continue;
                const TopicPartition tp{p->topic(), p->partition()};
                pacer_.at_end(tp);
                d.pause.erase(std::find(d.pause.begin(), d.pause.end(), tp));
            }
        }
        RdKafka::TopicPartition::destroy(list);
    }
    if (d.empty()) return;
    if (logger()->should_log(spdlog::level::debug)) {
        for (const auto &tp : d.pause)
            if (d.floor_timestamp_ms < 0)
                logger()->debug("pacing: pausing {} until {} answers", tp_text(tp.first, tp.second),
                                tp_text(d.floor.first, d.floor.second));
            else
                logger()->debug("pacing: pausing {}: its records are {} ms ahead of {}'s", tp_text(tp.first, tp.second),
                                pacer_.lead_ms(tp, d), tp_text(d.floor.first, d.floor.second));
        for (const auto &tp : d.resume)
            logger()->debug("pacing: resuming {}{}", tp_text(tp.first, tp.second),
                            d.floor_timestamp_ms < 0 ? std::string(": no partition behind it any more")
                                                     : fmt::format(": {} caught up to {} ms", tp_text(d.floor.first, d.floor.second),
                                                                   -pacer_.lead_ms(tp, d)));
    }
    d.pause = pause_or_resume(*consumer_, d.pause, true);
    pause_or_resume(*consumer_, d.resume, false);  // one that is not assigned any more is not paused either
    pacer_.applied(d);
}

void SinkWorker::resume_all_paused() {
    const std::vector<TopicPartition> was = pacer_.reset();
    if (!was.empty() && consumer_) pause_or_resume(*consumer_, was, false);
}

bool SinkWorker::caught_up() {
    if (assignment_.empty() || !batch_.empty() || !rewind_.empty()) return false;
    // Partitions whose end the consumer reported since their last record need
    // no question to the broker; the others are asked (their watermarks).
    std::vector<RdKafka::TopicPartition *> tps;
    for (const auto &tp : assignment_)
        if (!at_end_.count(tp)) tps.push_back(RdKafka::TopicPartition::create(tp.first, tp.second));
    if (tps.empty()) return true;
    bool done = consumer_->position(tps) == RdKafka::ERR_NO_ERROR;
    for (auto *p : tps) {
        if (!done) break;
        int64_t lo = 0, hi = 0;
        if (consumer_->query_watermark_offsets(p->topic(), p->partition(), &lo, &hi, 5000) != RdKafka::ERR_NO_ERROR) {
            done = false;
            break;
        }
        // Nothing read since the assignment: the position is unset, and the
        // partition is where it resumed (B1: a drained group's second run).
        int64_t pos = p->offset();
        if (pos < 0) {
            auto at = resumed_at_.find({p->topic(), p->partition()});
            pos = at != resumed_at_.end() ? at->second : lo;
        }
        done = pos >= hi;
    }
    RdKafka::TopicPartition::destroy(tps);
    return done;
}

std::string SinkWorker::waiting_text() {
    // Between batches no transaction is open: read, then end the snapshot so
    // the next batch does not read through it.
    if (!db_.connected()) return {};
    try {
        int64_t rows = 0, oldest = 0;
        for (const auto &g : ParkingLot(db_, mapping_).summary()) {
            rows += g.rows;
            oldest = std::max(oldest, g.oldest_age_s);
        }
        db_.rollback();
        return " waiting=" + std::to_string(rows) + (rows ? " (oldest " + std::to_string(oldest) + " s)" : "");
    } catch (const sql::SQLException &) {
        db_.rollback();
        return {};
    }
}

void SinkWorker::log_progress(bool force) {
    const auto now = Clock::now();
    if (!force && now - last_progress_ < std::chrono::seconds(10)) return;
    last_progress_ = now;
    const WorkerCounters &c = counters_;
    if (!force && c.records == last_logged_.records && c.dead_lettered == last_logged_.dead_lettered) return;
    const std::string tolerated = format_tolerated(c.tolerated);
    std::string letters;
    for (const auto &[k, n] : c.letters) letters += " " + k.first + "/" + k.second + "=" + std::to_string(n);
    logger()->info("progress: records={} rows={} parked={} unparked={} dead_lettered={} batches={} retries={} "
                   "fenced={}{}{}{}{}{}",
                   c.records, c.rows, c.parked, c.unparked, c.dead_lettered, c.batches, c.retries, c.fenced,
                   waiting_text(), letters.empty() ? "" : " dead letters:", letters,
                   tolerated.empty() ? "" : " tolerated: ", tolerated);
    last_logged_ = c;
}

void SinkWorker::run(const RunOptions &opts) {
    connect_database();
    if (stop_) return;
    create_consumer();
    telemetry_.set_state(obs::WorkerState::Running);
    while (!stop_) {
        if (!fatal_.empty()) {
            if (fatal_is_database_) throw DatabaseError(fatal_);
            throw FatalError(fatal_);
        }
        if (!rewind_.empty()) resync();
        // Idle, wait up to the window for a first record; with a batch in
        // hand, take only what the consumer already holds: when it holds
        // nothing more, the batch closes (drained) instead of waiting out the
        // window. Behind, the prefetch keeps batches full; caught up, a
        // record waits for no window (issue 9).
        // Right after an assignment, a batch in hand waits (within its
        // window) for the partitions that have not answered yet: their first
        // records may be the parents of what it holds.
        const bool awaiting = !batch_.empty() && pacer_.awaiting_first_answers(Clock::now());
        // A drained batch is written no sooner than batch.min_interval_ms
        // after the previous one: at a steady trickle, fewer and larger
        // transactions (each COMMIT is a log flush), none delayed after idle.
        const int64_t interval_left =
            batch_.empty() ? 0
                           : cfg_.batch.min_interval_ms -
                                 std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_write_).count();
        // Idle, the wait is cut into kIdleWaitMs slices: stop() (SIGTERM)
        // only sets a flag, and a consume() waiting out a long window (say
        // 120 s) would hold the stop that long.
        const int timeout_ms = batch_.empty() ? std::min(cfg_.batch.max_wait_ms, kIdleWaitMs)
                               : awaiting     ? 10
                                              : static_cast<int>(std::clamp<int64_t>(interval_left, 0, cfg_.batch.max_wait_ms));
        const auto polled = Clock::now();
        std::unique_ptr<RdKafka::Message> m(consumer_->consume(timeout_ms));
        if (!batch_.empty()) timing_.poll += Clock::now() - polled;
        if (std::string refused = watch_.access_error(); !refused.empty()) throw KafkaAccessError(refused);
        watch_.tick();
        if (batch_invalidated_) {
            batch_.clear();  // a rebalance happened: the new assignment starts from stored offsets
            batch_invalidated_ = false;
        }
        bool idle = false;
        bool drained = false;
        switch (m->err()) {
        case RdKafka::ERR_NO_ERROR:
            note_record(*m);
            if (batch_.empty()) timing_ = BatchTiming{Clock::now(), {}, ""};
            batch_.push_back(std::move(m));
            break;
        case RdKafka::ERR__TIMED_OUT:
            drained = true;
            idle = true;
            break;
        case RdKafka::ERR__PARTITION_EOF:
            note_end(*m);
            idle = true;
            break;
        case RdKafka::ERR__FATAL: throw FatalError("kafka: fatal consumer error: " + m->errstr());
        default:
            logger()->warn("kafka: {}", m->errstr());
            idle = true;
            break;
        }
        const bool full = static_cast<int>(batch_.size()) >= cfg_.batch.max_records;
        const bool due = !batch_.empty() && Clock::now() - timing_.first >= std::chrono::milliseconds(cfg_.batch.max_wait_ms);
        if (full || due || (drained && !batch_.empty() && !awaiting && interval_left <= 0)) {
            timing_.closed = full ? "full" : due ? "window" : "drained";
            process_batch();
            pace();
        } else if (idle) {
            pace();
            commit_to_kafka(false);
            expire_parked_if_due();
            if (batch_.empty() && opts.stop_at_end && caught_up()) {
                logger()->info("caught up with the end of every assigned partition");
                break;
            }
        }
        log_progress(false);
        observe(idle && batch_.empty());
    }
    telemetry_.set_state(obs::WorkerState::Stopping);
    // On SIGTERM too: finish the batch in hand; if it cannot commit, its offsets stay put.
    if (!batch_.empty()) {
        timing_.closed = "stop";
        process_batch();
    }
    commit_to_kafka(true);
    log_progress(true);
    logger()->info("leaving the consumer group");
    close_consumer();
}

void SinkWorker::observe(bool idle) {
    telemetry_.heartbeat();
    const auto now = Clock::now();
    if (now - last_observed_ < std::chrono::seconds(1)) return;
    last_observed_ = now;
    try {
        telemetry_.set_kafka(watch_.brokers_reachable(),
                             "kafka: no broker of " + cfg_.kafka["bootstrap.servers"] + " reachable");
        publish_assignment();
        if (!idle || !rewind_.empty() || now - last_db_probe_ < std::chrono::seconds(3)) return;
        last_db_probe_ = now;
        probe_database();
    } catch (const std::exception &e) {
        logger()->debug("observability: {}", e.what());
    }
}

void SinkWorker::publish_assignment() {
    std::vector<obs::PartitionState> ps;
    for (const auto &tp : assignment_) {
        obs::PartitionState p;
        p.topic = tp.first;
        p.partition = tp.second;
        if (auto it = owned_.find(tp); it != owned_.end() && it->second) p.stored_offset = *it->second;
        // librdkafka's cached end of the partition (from its fetches): no broker round trip.
        int64_t lo = 0, hi = 0;
        if (consumer_ && consumer_->get_watermark_offsets(tp.first, tp.second, &lo, &hi) == RdKafka::ERR_NO_ERROR) {
            if (hi >= 0) p.high_watermark = hi;
            if (lo >= 0) p.low_watermark = lo;
        }
        ps.push_back(std::move(p));
    }
    telemetry_.set_assignment(std::move(ps));
}

void SinkWorker::probe_database() {
    // Between batches no transaction is open: probe, then end the snapshot.
    const auto now = Clock::now();
    try {
        if (!db_.connected()) db_.connect();
        if (now - last_parked_probe_ >= std::chrono::seconds(15)) {
            std::vector<obs::ParkedGroup> groups;
            for (const auto &g : ParkingLot(db_, mapping_).summary())
                groups.push_back({g.entity, g.parent_table, g.rows, g.oldest_age_s});
            telemetry_.set_parked(groups);
            last_parked_probe_ = now;
        } else {
            db_.execute("DO 1");
        }
        db_.rollback();
        telemetry_.set_database(true);
        if (rewind_.empty()) telemetry_.recovered();
    } catch (const sql::SQLException &e) {
        db_.rollback();
        db_.disconnect();
        telemetry_.set_database(false, describe(e));
    }
}

void SinkWorker::observe_committed(const TransactionResult &r, const AssembledBatch &b) {
    obs::Registry &m = telemetry_.metrics();
    // A record of this batch with a dead letter is not applied.
    std::set<std::pair<TopicPartition, int64_t>> lettered;
    for (const DeadLetter &l : r.letters) {
        m.add("vsink_dead_letters_total", {l.origin.topic, l.stage, l.error_class}, 1);
        lettered.insert({{l.origin.topic, l.origin.partition}, l.origin.offset});
    }
    std::map<std::string, size_t> applied;
    for (const auto &msg : batch_)
        if (!lettered.count({{msg->topic_name(), msg->partition()}, msg->offset()})) ++applied[msg->topic_name()];
    for (const auto &[t, n] : applied) m.add("vsink_records_applied_total", {t}, static_cast<double>(n));
    for (const auto &[t, n] : r.stats.rows_by_table) m.add("vsink_rows_written_total", {t}, static_cast<double>(n));
    m.add("vsink_rows_parked_total", {}, static_cast<double>(r.stats.parked));
    if (r.stats.parked || r.stats.unparked || !r.letters.empty()) last_parked_probe_ = {};  // summed again when next idle
    m.add("vsink_rows_unparked_total", {}, static_cast<double>(r.stats.unparked));
    for (const auto &[k, n] : b.tolerated) m.add("vsink_tolerated_anomalies_total", {k.first, k.second}, static_cast<double>(n));
    m.set("vsink_last_commit_timestamp_seconds", {},
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    telemetry_.set_database(true);
    telemetry_.recovered();
}

}  // namespace vsink
