#include "record_converter.hpp"

#include "normalize.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include <vsink/plugin.hpp>

#include "json_decoder.hpp"
#include "protobuf_decoder.hpp"
#include "ticketscloud_decoder.hpp"

namespace vibe {

namespace {

// Header values and keys quoted in messages are untrusted: keep them short
// and printable. (Application ids, content types and schema versions are not
// personal data.)
std::string quoted(std::string_view v) {
    constexpr size_t kMax = 64;
    std::string out = "'";
    for (char c : v.substr(0, kMax)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    if (v.size() > kMax) out += "...";
    return out + "'";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Whether the media type of a content-type header, without parameters and
// in any letter case, is `lower` ("Application/JSON; charset=utf-8" is
// "application/json"). No copy: every record has the header.
bool media_type_is(std::string_view header, std::string_view lower) {
    const std::string_view type = trim(header.substr(0, header.find(';')));
    if (type.size() != lower.size()) return false;
    for (size_t k = 0; k < type.size(); ++k) {
        char c = type[k];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[k]) return false;
    }
    return true;
}

bool same_lowercase(std::string_view key, std::string_view lower) {
    if (key.size() != lower.size()) return false;
    for (size_t k = 0; k < key.size(); ++k) {
        char c = key[k];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[k]) return false;
    }
    return true;
}

// The headers the plugin reads, found in one pass over the record's: for
// each, the last header with that name in any letter case (producers
// written against HTTP habits send "Content-Type"); a header with a null
// value is absent.
struct KnownHeaders {
    std::optional<std::string_view> application_id, schema_version, content_type;
    explicit KnownHeaders(const vsink_record &r) {
        for (size_t i = 0; i < r.header_count; ++i) {
            const vsink_header &h = r.headers[i];
            if (!h.value.ptr) continue;
            const std::string_view key = vsink::view(h.key);
            if (same_lowercase(key, "application-id"))
                application_id = vsink::view(h.value);
            else if (same_lowercase(key, "schema-version"))
                schema_version = vsink::view(h.value);
            else if (same_lowercase(key, "content-type"))
                content_type = vsink::view(h.value);
        }
    }
};

constexpr size_t kMaxChannel = 128;  // orders.channel, tickets.channel, refunds.channel
constexpr size_t kMaxId = 128;       // the id columns

}  // namespace

RecordConverter::RecordConverter(std::vector<TopicConfig> topics) {
    for (TopicConfig &t : topics) {
        std::string name = t.topic;
        if (!topics_.emplace(name, std::move(t)).second)
            throw TopicConfigError("topic '" + name + "' is configured twice");
    }
}

std::string RecordConverter::refund_id_from_position(std::string_view topic, int32_t partition, int64_t offset) {
    const std::string where = ":" + std::to_string(partition) + ":" + std::to_string(offset);
    std::string id = "kafka:" + std::string(topic) + where;
    if (id.size() <= kMaxId) return id;
    uint64_t h = 14695981039346656037ULL;  // FNV-1a: stable across runs and builds
    for (unsigned char c : topic) h = (h ^ c) * 1099511628211ULL;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return "kafka:#" + std::string(hex) + where;
}

Opt RecordConverter::channel_of(std::optional<std::string_view> h, const TopicConfig &cfg, Anomalies &anomalies) const {
    Opt channel;
    if (h && !h->empty()) {
        if (h->size() <= kMaxChannel && valid_utf8(*h))
            channel = std::string(*h);
        else
            anomalies.note(anomaly::unreadable_channel, "application-id");
    }
    if (cfg.channels && (!channel || std::find(cfg.channels->begin(), cfg.channels->end(), *channel) ==
                                         cfg.channels->end())) {
        anomalies.note(anomaly::channel_refused, "application-id");
        throw RefusedRecord((channel ? "application-id " + quoted(*channel) : std::string("a record without an application-id")) +
                          " is not in the channels allowed on topic " + cfg.topic,
                            "channel_refused");
    }
    if (channel) {
        std::set<std::string> &seen = seen_channels_[cfg.topic];
        if (seen.size() < kMaxChannelsTracked && seen.insert(*channel).second)
            anomalies.note(anomaly::new_channel, "application-id");
    }
    return channel;
}

Entities RecordConverter::decode(const vsink_record &record, Anomalies &anomalies) const {
    const vsink::RecordView r(record);
    const std::string_view topic = r.topic();
    auto found = topics_.find(topic);
    if (found == topics_.end()) throw RecordError("topic " + quoted(topic) + " is not configured for the vibe plugin", "unknown_topic");
    const TopicConfig &cfg = found->second;

    // A tombstone deletes nothing in Vibe: there is no message to apply.
    if (!r.has_value()) throw RecordError("tombstone: no value", "tombstone");

    // Identity is (system, id): the topic's system. The application-id is the
    // record's sales channel, stored, not used as identity.
    const KnownHeaders headers(record);
    const Envelope env{cfg.system, channel_of(headers.application_id, cfg, anomalies)};

    // MAJOR.MINOR: a minor version only adds optional fields, so it is read
    // as its major; a record without the header is read as the default.
    if (const std::optional<std::string_view> &v = headers.schema_version) {
        std::optional<int> major = schema_major(trim(*v));
        if (!major) throw RecordError("schema-version " + quoted(*v) + " is not MAJOR.MINOR", "bad_header");
        if (std::find(cfg.schema_majors.begin(), cfg.schema_majors.end(), *major) == cfg.schema_majors.end())
            throw RefusedRecord("schema-version " + quoted(*v) + ": major version " + std::to_string(*major) +
                              " is not accepted on topic " + cfg.topic,
                                "schema_version_refused");
    }

    Format format = cfg.format;
    if (const std::optional<std::string_view> &ct = headers.content_type) {
        if (media_type_is(*ct, "application/json"))
            format = Format::json;
        else if (media_type_is(*ct, "application/x-protobuf") || media_type_is(*ct, "application/protobuf"))
            format = Format::protobuf;
        else
            throw RecordError("content-type " + quoted(*ct) + " is not supported (expected application/json or "
                              "application/x-protobuf)",
                              "unsupported_content_type");
    }
    if (is_ticketscloud(cfg.message) && format != Format::protobuf)
        throw RecordError(std::string("content-type ") + quoted(*headers.content_type) + " on topic " + cfg.topic +
                          ": " + message_name(cfg.message) + " is protobuf only",
                          "unsupported_content_type");

    const std::string_view value = r.value();
    Anomalies &a = anomalies;
    const bool json = format == Format::json;
    switch (cfg.message) {
        case MessageKind::organizer:
            return entities_of(env, json ? json::decode_organizer(value, a) : pb::decode_organizer(value, a));
        case MessageKind::event:
            return entities_of(env, json ? json::decode_event(value, a) : pb::decode_event(value, a));
        case MessageKind::order:
            return entities_of(env, json ? json::decode_order(value, a) : pb::decode_order(value, a));
        case MessageKind::refund: {
            // The refund body has no id: the key is the refund id. Without
            // one the refund still refunds its tickets, under an id made from
            // the record's position (deterministic: a replay of the same
            // record writes the same row).
            std::string id;
            if (r.has_key() && !r.key().empty()) {
                if (!valid_utf8(r.key()) || r.key().size() > kMaxId)
                    throw RecordError("refund: the record key (the refund id) is not valid UTF-8 of at most 128 bytes",
                                      "invalid_field");
                id = std::string(r.key());
            } else {
                a.note(anomaly::missing_key, "refund.key");
                id = refund_id_from_position(topic, r.partition(), r.offset());
            }
            return entities_of(env, json ? json::decode_refund(value, id, a) : pb::decode_refund(value, id, a));
        }
        case MessageKind::ticket:
            return entities_of(env, json ? json::decode_ticket(value, a) : pb::decode_ticket(value, a));
        case MessageKind::tc_partner:
            return entities_of(env, tc::decode_partner(value, a));
        case MessageKind::tc_event:
            return entities_of(env, tc::decode_event(value, cfg.categories, a));
        case MessageKind::tc_order:
            return entities_of(env, tc::decode_order(value, a));
        case MessageKind::tc_refund_request:
            return entities_of(env, tc::decode_refund_request(value, a));
    }
    throw RecordError("topic '" + cfg.topic + "': unhandled message kind", "unknown_message");
}

void RecordConverter::convert(const vsink_record &record, const vsink_emitter &out) const {
    Anomalies anomalies;
    // Report what was tolerated whether or not the record is then refused.
    auto report = [&] {
        for (const Anomaly &an : anomalies.list()) vsink::tolerated(out, an.kind, an.field);
    };
    Entities entities;
    try {
        entities = decode(record, anomalies);
    } catch (...) {
        report();
        throw;
    }
    report();
    if (std::optional<size_t> refused = emit_all(entities, out))
        throw RecordError("the host refused entity '" + entities[*refused].type + "' (#" + std::to_string(*refused + 1) +
                          " of " + std::to_string(entities.size()) + ")",
                          "entity_refused");
}

}  // namespace vibe
