#include "worker/sink_worker.hpp"

#include <algorithm>
#include <thread>

#include "log/log.hpp"

namespace vsink {

namespace {

// Abandon a batch (and later re-read it from the stored offsets) once
// transient failures have lasted this long, so the consumer keeps polling
// well within max.poll.interval.ms and stays in its group.
constexpr auto kMaxInPlaceRetry = std::chrono::seconds(60);

std::string tp_text(const std::string &topic, int32_t partition) { return topic + "[" + std::to_string(partition) + "]"; }

bool is_connection_failure(const sql::SQLException &e) {
    const int c = e.getErrorCode();
    return c != 1205 && c != 1213;
}

}  // namespace

SinkWorker::SinkWorker(WorkerConfig config, const Mapping &mapping, PluginInstance &plugin)
    : cfg_(std::move(config)),
      mapping_(mapping),
      plugin_(plugin),
      db_(cfg_.database),
      writer_(db_, mapping_),
      offsets_(db_, cfg_.group_id),
      collector_(mapping_),
      watch_(cfg_.kafka) {}

SinkWorker::~SinkWorker() {
    if (consumer_) consumer_->close();
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
            return;
        } catch (const sql::SQLException &e) {
            if (classify(e) == DbFailure::Fatal) throw FatalError(describe_connect_failure(e, cfg_.database));
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
    for (const auto &[k, v] : cfg_.kafka) set(k, v);
    set("group.id", cfg_.group_id);
    set("enable.auto.commit", "false");
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

std::map<TopicPartition, int64_t> SinkWorker::load_offsets_with_retry(const std::vector<TopicPartition> &tps) {
    Backoff bo(cfg_.retry.initial_backoff_ms, cfg_.retry.max_backoff_ms);
    while (true) {
        try {
            if (!db_.connected()) db_.connect();
            return offsets_.load(tps);
        } catch (const sql::SQLException &e) {
            db_.rollback();
            if (classify(e) == DbFailure::Fatal) throw FatalError("database: cannot read stored offsets: " + describe(e));
            if (stop_) throw FatalError("stopping before the stored offsets could be read");
            db_.disconnect();
            const int wait = bo.next_ms();
            logger()->warn("cannot read stored offsets ({}); retrying in {} ms", describe(e), wait);
            sleep_interruptible(wait);
        }
    }
}

void SinkWorker::rebalance_cb(RdKafka::KafkaConsumer *consumer, RdKafka::ErrorCode err,
                              std::vector<RdKafka::TopicPartition *> &partitions) {
    // Runs inside consume(): no exception may cross librdkafka's C frames.
    watch_.note_alive();
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
        std::vector<TopicPartition> tps;
        for (auto *p : partitions) tps.emplace_back(p->topic(), p->partition());
        std::map<TopicPartition, int64_t> stored;
        try {
            stored = load_offsets_with_retry(tps);
        } catch (const std::exception &e) {
            fatal_ = e.what();
            consumer->unassign();
            return;
        }
        std::string list;
        resumed_at_ = stored;
        for (auto *p : partitions) {
            auto it = stored.find({p->topic(), p->partition()});
            p->set_offset(it != stored.end() ? it->second : RdKafka::Topic::OFFSET_INVALID);
            list += (list.empty() ? "" : ", ") + tp_text(p->topic(), p->partition()) + "@" +
                    (it != stored.end() ? std::to_string(it->second) : std::string("kafka-committed"));
        }
        if (const RdKafka::ErrorCode rc = consumer->assign(partitions); rc != RdKafka::ERR_NO_ERROR) {
            fatal_ = "kafka: cannot take the assigned partitions: " + RdKafka::err2str(rc);
            return;
        }
        assignment_ = tps;
        batch_invalidated_ = true;
        rewind_.clear();
        logger()->info("assigned {} partition(s), resuming from the database's stored offsets: {}", partitions.size(),
                       list.empty() ? "-" : list);
    } else {
        commit_to_kafka(true);  // what the database committed, before the partitions go
        if (!batch_.empty())
            logger()->info("partitions revoked: dropping {} uncommitted record(s); their stored offsets did not move",
                           batch_.size());
        batch_invalidated_ = true;
        rewind_.clear();
        assignment_.clear();
        resumed_at_.clear();
        consumer->unassign();
        logger()->info("revoked {} partition(s)", partitions.size());
    }
}

bool SinkWorker::write_batch(const std::vector<std::vector<EntityRow>> &per_record, const std::vector<RecordOrigin> &origins,
                             const std::map<TopicPartition, int64_t> &next, WriteStats &stats) {
    Backoff bo(cfg_.retry.initial_backoff_ms, cfg_.retry.max_backoff_ms);
    const auto started = Clock::now();
    bool isolate = false;  // one savepoint per record, after the database rejected a row
    while (true) {
        try {
            if (!db_.connected()) db_.connect();
            db_.begin();
            if (!isolate) {
                std::vector<const EntityRow *> rows;
                for (const auto &r : per_record)
                    for (const auto &row : r) rows.push_back(&row);
                stats = writer_.apply(rows);
            } else {
                stats = WriteStats{};
                for (size_t i = 0; i < per_record.size(); ++i) {
                    if (per_record[i].empty()) continue;
                    db_.execute("SAVEPOINT vsink_record");
                    try {
                        WriteStats s = writer_.apply(per_record[i]);
                        for (const auto &[t, n] : s.rows_by_table) stats.rows_by_table[t] += n;
                        stats.parked += s.parked;
                        stats.unparked += s.unparked;
                        stats.superseded += s.superseded;
                        db_.execute("RELEASE SAVEPOINT vsink_record");
                    } catch (const sql::SQLException &e) {
                        if (classify(e) != DbFailure::RowRejected) throw;
                        db_.execute("ROLLBACK TO SAVEPOINT vsink_record");
                        ++counters_.skipped;
                        logger()->warn("record rejected by the database, skipped: topic={} partition={} offset={}: {}",
                                       origins[i].topic, origins[i].partition, origins[i].offset, describe_rejection(e));
                    }
                }
            }
            offsets_.store(next);
            db_.commit();
            return true;
        } catch (const sql::SQLException &e) {
            db_.rollback();
            switch (classify(e)) {
            case DbFailure::Fatal: throw FatalError("database: " + describe(e));
            case DbFailure::RowRejected:
                if (isolate) throw FatalError("database rejected a row outside any record: " + describe_rejection(e));
                isolate = true;  // find the record(s) at fault, commit the rest
                continue;
            case DbFailure::Retry: break;
            }
            ++counters_.retries;
            if (is_connection_failure(e)) db_.disconnect();
            if (stop_) return false;
            if (Clock::now() - started > kMaxInPlaceRetry) return false;
            const int wait = bo.next_ms();
            logger()->warn("database transaction failed, retrying in {} ms (attempt {}): {}", wait, bo.attempts(),
                           describe(e));
            sleep_interruptible(wait);
        }
    }
}

void SinkWorker::process_batch() {
    std::vector<std::vector<EntityRow>> per_record;
    std::vector<RecordOrigin> origins;
    std::map<TopicPartition, int64_t> next;
    per_record.reserve(batch_.size());
    for (const auto &m : batch_) {
        std::vector<vsink_header> headers;
        std::vector<RdKafka::Headers::Header> hdrs;
        if (RdKafka::Headers *h = m->headers()) hdrs = h->get_all();
        // Header::key() returns a copy: keep the names alive while the record is converted.
        std::vector<std::string> names;
        names.reserve(hdrs.size());
        headers.reserve(hdrs.size());
        for (const auto &h : hdrs) {
            names.push_back(h.key());
            headers.push_back({{names.back().data(), names.back().size()},
                               {static_cast<const char *>(h.value()), h.value() ? h.value_size() : 0}});
        }
        const std::string &topic = m->topic_name();
        vsink_record rec{};
        rec.topic = {topic.data(), topic.size()};
        rec.partition = m->partition();
        rec.offset = m->offset();
        rec.timestamp_ms = m->timestamp().type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE
                               ? -1
                               : m->timestamp().timestamp;
        rec.key = {static_cast<const char *>(m->key_pointer()), m->key_pointer() ? m->key_len() : 0};
        rec.value = {static_cast<const char *>(m->payload()), m->payload() ? m->len() : 0};
        rec.headers = headers.data();
        rec.header_count = headers.size();

        RecordOrigin origin{topic, m->partition(), m->offset()};
        collector_.begin_record(origin);
        std::string reason;
        const int32_t rc = plugin_.convert(rec, collector_.emitter(), reason);
        if (!collector_.unknown_entity_error().empty())
            throw FatalError("plugin " + plugin_.library().name() + ": " + collector_.unknown_entity_error());
        if (rc == VSINK_ERR_FATAL)
            throw FatalError("plugin " + plugin_.library().name() + " failed at topic=" + topic +
                             " partition=" + std::to_string(m->partition()) + " offset=" + std::to_string(m->offset()) +
                             ": " + reason);
        if (rc == VSINK_OK && collector_.record_error().empty()) {
            per_record.push_back(collector_.take_rows());
        } else {
            // Bad input: logged (no personal data: reasons name fields, not values) and skipped.
            ++counters_.skipped;
            logger()->warn("record skipped: topic={} partition={} offset={}: {}", topic, m->partition(), m->offset(),
                           collector_.record_error().empty() ? reason : collector_.record_error());
            per_record.emplace_back();
        }
        origins.push_back(std::move(origin));
        next[{topic, m->partition()}] = m->offset() + 1;
    }

    // Counted once the batch commits: a batch re-read later is converted again.
    ToleratedCounts tolerated = collector_.take_tolerated();
    WriteStats stats;
    if (!write_batch(per_record, origins, next, stats)) {
        // Not committed: remember where each partition must be re-read from.
        for (const auto &m : batch_) {
            const TopicPartition tp{m->topic_name(), m->partition()};
            auto it = rewind_.find(tp);
            if (it == rewind_.end() || m->offset() < it->second) rewind_[tp] = m->offset();
        }
        if (!stop_) logger()->warn("batch of {} record(s) not written; it will be re-read once the database is back", batch_.size());
        batch_.clear();
        return;
    }
    counters_.records += batch_.size();
    counters_.batches += 1;
    counters_.parked += stats.parked;
    counters_.unparked += stats.unparked;
    for (const auto &[t, n] : stats.rows_by_table) counters_.rows += n;
    for (const auto &[k, n] : tolerated) counters_.tolerated[k] += n;
    logger()->debug("batch committed: {} record(s), {} parked, {} unparked, {} parked row(s) superseded by newer records",
                    batch_.size(), stats.parked, stats.unparked, stats.superseded);

    // The database holds the truth; Kafka's committed offsets follow for lag tools.
    for (const auto &[tp, off] : next) kafka_pending_[tp] = off;
    commit_to_kafka(false);
    batch_.clear();
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
        try {
            if (!db_.connected()) db_.connect();
            const auto stored = offsets_.load_all();
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
                logger()->info("database is back: {} resumes at offset {}", tp_text(tp.first, tp.second), target);
            }
            rewind_.clear();
            return;
        } catch (const sql::SQLException &e) {
            db_.rollback();
            if (classify(e) == DbFailure::Fatal) throw FatalError("database: " + describe(e));
            db_.disconnect();
            sleep_interruptible(bo.next_ms());
        } catch (const std::runtime_error &) {
            sleep_interruptible(bo.next_ms());
        }
    }
}

bool SinkWorker::caught_up() {
    if (assignment_.empty() || !batch_.empty() || !rewind_.empty()) return false;
    std::vector<RdKafka::TopicPartition *> tps;
    for (const auto &tp : assignment_) tps.push_back(RdKafka::TopicPartition::create(tp.first, tp.second));
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
    if (!force && c.records == last_logged_.records && c.skipped == last_logged_.skipped) return;
    const std::string tolerated = format_tolerated(c.tolerated);
    logger()->info("progress: records={} rows={} parked={} unparked={} skipped={} batches={} db_retries={}{}{}{}",
                   c.records, c.rows, c.parked, c.unparked, c.skipped, c.batches, c.retries, waiting_text(),
                   tolerated.empty() ? "" : " tolerated: ", tolerated);
    last_logged_ = c;
}

void SinkWorker::run(const RunOptions &opts) {
    connect_database();
    if (stop_) return;
    create_consumer();
    Clock::time_point batch_started = Clock::now();
    while (!stop_) {
        if (!fatal_.empty()) throw FatalError(fatal_);
        if (!rewind_.empty()) resync();
        int timeout_ms = cfg_.batch.max_wait_ms;
        if (!batch_.empty()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                batch_started + std::chrono::milliseconds(cfg_.batch.max_wait_ms) - Clock::now());
            timeout_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
        }
        std::unique_ptr<RdKafka::Message> m(consumer_->consume(timeout_ms));
        if (std::string refused = watch_.access_error(); !refused.empty()) throw KafkaAccessError(refused);
        watch_.tick();
        if (batch_invalidated_) {
            batch_.clear();  // a rebalance happened: the new assignment starts from stored offsets
            batch_invalidated_ = false;
        }
        bool idle = false;
        switch (m->err()) {
        case RdKafka::ERR_NO_ERROR:
            watch_.note_alive();
            if (batch_.empty()) batch_started = Clock::now();
            batch_.push_back(std::move(m));
            break;
        case RdKafka::ERR__TIMED_OUT:
        case RdKafka::ERR__PARTITION_EOF: idle = true; break;
        case RdKafka::ERR__FATAL: throw FatalError("kafka: fatal consumer error: " + m->errstr());
        default:
            logger()->warn("kafka: {}", m->errstr());
            idle = true;
            break;
        }
        const bool full = static_cast<int>(batch_.size()) >= cfg_.batch.max_records;
        const bool due = !batch_.empty() && Clock::now() - batch_started >= std::chrono::milliseconds(cfg_.batch.max_wait_ms);
        if (full || due) {
            process_batch();
        } else if (idle) {
            commit_to_kafka(false);
            if (batch_.empty() && opts.stop_at_end && caught_up()) {
                logger()->info("caught up with the end of every assigned partition");
                break;
            }
        }
        log_progress(false);
    }
    // On SIGTERM too: finish the batch in hand; if it cannot commit, its offsets stay put.
    if (!batch_.empty()) process_batch();
    commit_to_kafka(true);
    log_progress(true);
    logger()->info("leaving the consumer group");
    consumer_->close();
    consumer_.reset();
}

}  // namespace vsink
