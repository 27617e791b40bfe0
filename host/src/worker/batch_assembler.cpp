#include "worker/batch_assembler.hpp"

#include "log/log.hpp"

namespace vsink {

ConsumedRecord consumed_record(const rd_kafka_message_t *m) {
    ConsumedRecord r;
    r.topic = rd_kafka_topic_name(m->rkt);
    r.partition = m->partition;
    r.offset = m->offset;
    if (m->key) r.source.key = std::string_view(static_cast<const char *>(m->key), m->key_len);
    if (m->payload) r.source.value = std::string_view(static_cast<const char *>(m->payload), m->len);
    rd_kafka_timestamp_type_t tstype;
    const int64_t ts = rd_kafka_message_timestamp(m, &tstype);
    r.source.timestamp_ms = tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : ts;
    rd_kafka_headers_t *hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
        r.source.headers.reserve(rd_kafka_header_cnt(hdrs));  // one allocation, not one per doubling
        const char *name;
        const void *value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
            r.source.headers.push_back(
                {name, value ? std::optional<std::string_view>(std::string_view(static_cast<const char *>(value), size))
                             : std::nullopt});
    }
    return r;
}

AssembledBatch BatchAssembler::assemble(const std::vector<ConsumedRecord> &records) {
    AssembledBatch b;
    b.origins.reserve(records.size());
    b.rows.reserve(records.size());
    std::vector<vsink_header> headers;
    // The partition of the previous record: consecutive records mostly share
    // it, and then need no TopicPartition (a copy of the topic) of their own.
    auto last_next = b.next.end();
    for (const ConsumedRecord &c : records) {
        headers.clear();
        for (const auto &h : c.source.headers)
            headers.push_back({{h.key.data(), h.key.size()},
                               {h.value ? h.value->data() : nullptr, h.value ? h.value->size() : 0}});
        vsink_record rec{};
        rec.topic = {c.topic.data(), c.topic.size()};
        rec.partition = c.partition;
        rec.offset = c.offset;
        rec.timestamp_ms = c.source.timestamp_ms;
        rec.key = {c.source.key ? c.source.key->data() : nullptr, c.source.key ? c.source.key->size() : 0};
        rec.value = {c.source.value ? c.source.value->data() : nullptr, c.source.value ? c.source.value->size() : 0};
        rec.headers = headers.data();
        rec.header_count = headers.size();

        RecordOrigin origin{std::string(c.topic), c.partition, c.offset, &c.source};
        collector_.begin_record(origin);
        std::string reason, error_class;
        const int32_t rc = plugin_.convert(rec, collector_.emitter(), reason, error_class);
        if (!collector_.unknown_entity_error().empty())
            throw PluginFatal("plugin " + plugin_.library().name() + ": " + collector_.unknown_entity_error());
        if (rc == VSINK_ERR_FATAL)
            throw PluginFatal("plugin " + plugin_.library().name() + " failed at topic=" + origin.topic +
                              " partition=" + std::to_string(c.partition) + " offset=" + std::to_string(c.offset) +
                              ": " + reason);
        if (rc == VSINK_OK && collector_.record_error().empty()) {
            b.rows.push_back(collector_.take_rows());
        } else {
            // Reasons name fields, never values: no personal data.
            DeadLetter l;
            l.origin = origin;
            if (!collector_.record_error().empty()) {
                // The host refused an entity (the plugin then gives up on the
                // record): the host's reason is the precise one.
                l.stage = stage::decode;
                const std::string &why = collector_.record_error();
                l.error_class = why.find("has no value for key column") != std::string::npos ? "missing_key" : "invalid_key";
                l.message = why;
            } else {
                l.stage = rc == VSINK_ERR_REFUSED ? stage::validate : stage::decode;
                l.error_class = error_class;
                l.message = reason;
            }
            b.refused.push_back(std::move(l));
            b.rows.emplace_back();
        }
        if (last_next != b.next.end() && last_next->first.second == c.partition && last_next->first.first == c.topic) {
            last_next->second = c.offset + 1;  // `first` already holds this partition
        } else {
            const TopicPartition tp{origin.topic, c.partition};
            b.first.emplace(tp, c.offset);
            last_next = b.next.insert_or_assign(tp, c.offset + 1).first;
        }
        b.origins.push_back(std::move(origin));
    }
    b.tolerated = collector_.take_tolerated();
    return b;
}

}  // namespace vsink
