// One Kafka record -> entities: the plugin's convert() without the C ABI
// around it. Reads the envelope (topic, application-id = the sales channel,
// schema-version, content-type, key), decodes the value with the topic's
// message decoder and emits the entities, keyed by the topic's ticketing
// system. Everything is checked and decoded before the first entity is
// emitted, so a bad record emits nothing. What was read leniently is reported
// to the host (vsink_emitter::tolerated), refused records included.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <vsink/plugin_abi.h>

#include "entity_emitter.hpp"
#include "topic_config.hpp"

namespace vibe {

// A record the plugin refuses for its envelope (unknown topic, channel not
// allowed, unknown schema major or content-type, ...) rather than its content.
// `kind` classifies it for the dead-letter queue (vsink.error.class).
struct RecordError : std::runtime_error {
    RecordError(const std::string &what, std::string error_kind)
        : std::runtime_error(what), kind(std::move(error_kind)) {}
    std::string kind;
};

// A well-formed record a configured rule refuses (a schema major not
// accepted, a channel not allowed): the dead-letter queue's stage "validate".
struct RefusedRecord : RecordError {
    using RecordError::RecordError;
};

class RecordConverter {
public:
    // Throws TopicConfigError when a topic is configured twice.
    explicit RecordConverter(std::vector<TopicConfig> topics);

    // The record's entities, not yet emitted; what was read leniently goes
    // to `anomalies`, also when the record is then refused. Throws
    // RecordError or DecodeError; messages never contain personal data.
    Entities decode(const vsink_record &record, Anomalies &anomalies) const;
    Entities decode(const vsink_record &record) const {
        Anomalies ignored;
        return decode(record, ignored);
    }

    // decode(), reports the anomalies, then emits; throws RecordError when
    // the host refuses an entity.
    void convert(const vsink_record &record, const vsink_emitter &out) const;

    // A refund record without a key still refunds its tickets; its refund
    // row is keyed by where the record is: "kafka:<topic>:<partition>:<offset>"
    // (a topic name too long for the id column is replaced by a hash of it).
    static std::string refund_id_from_position(std::string_view topic, int32_t partition, int64_t offset);

private:
    // The record's channel (NULL when absent or unreadable), checked against
    // the topic's allow-list; a channel this process has not seen on the
    // topic before is noted once.
    Opt channel_of(std::optional<std::string_view> application_id, const TopicConfig &cfg, Anomalies &anomalies) const;

    // Ordered, for a lookup by the record's topic view without a copy.
    std::map<std::string, TopicConfig, std::less<>> topics_;
    // Channels seen per topic, for new_channel; bounded, so a producer
    // sending a fresh value per record cannot grow it without end.
    mutable std::unordered_map<std::string, std::set<std::string>> seen_channels_;
    static constexpr size_t kMaxChannelsTracked = 1000;
};

}  // namespace vibe
