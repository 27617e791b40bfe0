#include "worker/dead_letter_replay.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>

#include "log/log.hpp"
#include "persistence/database.hpp"
#include "persistence/entity_writer.hpp"
#include "persistence/offset_store.hpp"
#include "worker/batch_assembler.hpp"
#include "worker/dead_letter_queue.hpp"
#include "worker/transaction_writer.hpp"

namespace vsink {

namespace {

std::optional<std::string_view> header(const SourceRecord &s, std::string_view name) {
    std::optional<std::string_view> v;
    for (const auto &h : s.headers)
        if (h.key == name && h.value) v = h.value;
    return v;
}

// The letter as the record it was: its original position, its own headers.
bool as_original(const rd_kafka_message_t *m, ConsumedRecord &out) {
    out = consumed_record(m);
    const auto topic = header(out.source, error_header::topic);
    const auto partition = header(out.source, error_header::partition);
    const auto offset = header(out.source, error_header::offset);
    if (!topic || !partition || !offset) return false;
    try {
        out.partition = std::stoi(std::string(*partition));
        out.offset = std::stoll(std::string(*offset));
    } catch (const std::exception &) {
        return false;
    }
    out.topic = *topic;
    std::vector<SourceRecord::Header> own;
    for (const auto &h : out.source.headers)
        if (h.key.substr(0, std::string_view(error_header::prefix).size()) != error_header::prefix) own.push_back(h);
    out.source.headers = std::move(own);
    return true;
}

}  // namespace

ReplayReport replay_dead_letters(const WorkerConfig &cfg, const Mapping &mapping, PluginInstance &plugin,
                                 const ReplayOptions &opts) {
    const std::string &dlq_topic = cfg.errors.dead_letter_queue.topic;
    const std::string group = cfg.group_id + ".dlq-replay";
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    for (const auto &[k, v] : cfg.kafka)
        if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) throw std::runtime_error("kafka." + k + ": " + err);
    conf->set("group.id", group, err);
    conf->set("enable.auto.commit", "false", err);
    conf->set("enable.auto.offset.store", "false", err);
    conf->set("enable.partition.eof", "true", err);
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!consumer) throw std::runtime_error("kafka: cannot create the consumer: " + err);

    // Which partitions, and where to stop: the end as it is now (letters
    // this replay sends back are not read again).
    RdKafka::Metadata *md = nullptr;
    std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(consumer.get(), dlq_topic, nullptr, err));
    if (consumer->metadata(false, t.get(), &md, opts.timeout_ms) != RdKafka::ERR_NO_ERROR || !md)
        throw std::runtime_error("kafka: no metadata for the dead-letter queue " + dlq_topic);
    std::unique_ptr<RdKafka::Metadata> md_owner(md);
    if (md->topics()->empty() || md->topics()->at(0)->err() != RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("dead-letter queue " + dlq_topic + " does not exist: nothing to replay");
    std::vector<RdKafka::TopicPartition *> tps;
    std::map<int32_t, int64_t> end;
    for (const auto *p : *md->topics()->at(0)->partitions()) {
        int64_t lo = 0, hi = 0;
        if (consumer->query_watermark_offsets(dlq_topic, p->id(), &lo, &hi, opts.timeout_ms) != RdKafka::ERR_NO_ERROR)
            throw std::runtime_error("kafka: cannot read the end of " + dlq_topic);
        end[p->id()] = hi;
        tps.push_back(RdKafka::TopicPartition::create(dlq_topic, p->id()));
    }
    if (!opts.from_beginning) consumer->committed(tps, opts.timeout_ms);
    std::map<int32_t, int64_t> position;
    for (auto *p : tps) {
        if (opts.from_beginning || p->offset() < 0) p->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
        position[p->partition()] = p->offset() < 0 ? 0 : p->offset();
    }
    if (consumer->assign(tps) != RdKafka::ERR_NO_ERROR) throw std::runtime_error("kafka: cannot assign " + dlq_topic);
    RdKafka::TopicPartition::destroy(tps);

    Database db(cfg.database);
    db.connect();
    EntityWriter writer(db, mapping);
    writer.set_replay(true);
    OffsetStore offsets(db, cfg.group_id);
    DeadLetterQueue dlq(cfg.errors.dead_letter_queue, cfg.kafka, plugin.library().name() + " " + plugin.library().version());
    BatchAssembler assembler(mapping, plugin);
    std::atomic<bool> stop{false};
    WorkerConfig replay_cfg = cfg;
    replay_cfg.errors.tolerate_all = true;  // a letter that still fails goes back, never stops the replay
    TransactionWriter txn(db, writer, offsets, dlq, replay_cfg, stop);

    ReplayReport report;
    auto done = [&] {
        for (const auto &[p, hi] : end) {
            auto it = position.find(p);
            if (it == position.end() || it->second < hi) return false;
        }
        return true;
    };
    const auto deadline_idle = std::chrono::milliseconds(opts.timeout_ms);
    auto last_progress = std::chrono::steady_clock::now();
    while (!done()) {
        std::vector<std::unique_ptr<RdKafka::Message>> batch;
        while (static_cast<int>(batch.size()) < cfg.batch.max_records) {
            std::unique_ptr<RdKafka::Message> m(consumer->consume(batch.empty() ? 1000 : 50));
            if (m->err() == RdKafka::ERR_NO_ERROR) {
                position[m->partition()] = m->offset() + 1;
                batch.push_back(std::move(m));
                last_progress = std::chrono::steady_clock::now();
                if (done()) break;
                continue;
            }
            if (m->err() == RdKafka::ERR__PARTITION_EOF) {
                position[m->partition()] = std::max(position[m->partition()], m->offset());
                if (done()) break;
                continue;
            }
            if (m->err() != RdKafka::ERR__TIMED_OUT) logger()->warn("kafka: {}", m->errstr());
            break;
        }
        if (batch.empty()) {
            if (std::chrono::steady_clock::now() - last_progress > deadline_idle)
                throw std::runtime_error("dead-letter queue " + dlq_topic + ": nothing read for " +
                                         std::to_string(opts.timeout_ms / 1000) + " s before its end");
            continue;
        }
        std::vector<ConsumedRecord> records;
        for (const auto &m : batch) {
            ConsumedRecord r;
            ++report.read;
            if (!as_original(m->c_ptr(), r)) {
                ++report.ignored;
                logger()->warn("dead-letter queue {} partition={} offset={}: not a letter of this sink (no {} header); "
                               "left alone",
                               dlq_topic, m->partition(), m->offset(), error_header::topic);
                continue;
            }
            records.push_back(r);
        }
        AssembledBatch b = assembler.assemble(records);
        // The source partitions' stored offsets are the workers' business:
        // a replay neither checks nor moves them.
        b.first.clear();
        b.next.clear();
        TransactionResult res = txn.write(b, {}, false);
        if (res.outcome != TransactionResult::Outcome::Committed)
            throw std::runtime_error("database: the replayed batch could not be written; run the replay again");
        report.dead_lettered += res.letters.size();
        report.applied += records.size() - std::min(records.size(), res.letters.size());
        for (const DeadLetter &l : res.letters) logger()->warn("still not applicable, back to {}: {}", dlq_topic, describe(l));
        // Progress of the replay, once the database holds its effects.
        std::vector<RdKafka::TopicPartition *> commit;
        std::map<int32_t, int64_t> next;
        for (const auto &m : batch) next[m->partition()] = m->offset() + 1;
        for (const auto &[p, off] : next) commit.push_back(RdKafka::TopicPartition::create(dlq_topic, p, off));
        const RdKafka::ErrorCode rc = consumer->commitSync(commit);
        RdKafka::TopicPartition::destroy(commit);
        if (rc != RdKafka::ERR_NO_ERROR)
            logger()->warn("kafka: cannot commit the replay's progress ({}); a next replay reads these again "
                           "(harmless: replayed rows only fill what is missing)",
                           RdKafka::err2str(rc));
    }
    consumer->close();
    return report;
}

}  // namespace vsink
