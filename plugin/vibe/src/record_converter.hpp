// One Kafka record -> entities: the plugin's convert() without the C ABI
// around it. Checks the envelope (topic, application-id, schema-version,
// content-type, key), decodes the value with the topic's message decoder and
// emits the entities. Everything is checked and decoded before the first
// entity is emitted, so a bad record emits nothing.
#pragma once

#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <vsink/plugin_abi.h>

#include "entity_emitter.hpp"
#include "topic_config.hpp"

namespace vibe {

// A record the plugin refuses for its envelope (unknown topic, source not
// allowed, unknown content-type, ...) rather than its content.
struct RecordError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class RecordConverter {
public:
    // Throws TopicConfigError when a topic is configured twice.
    explicit RecordConverter(std::vector<TopicConfig> topics);

    // The record's entities, not yet emitted. Throws RecordError or
    // DecodeError; messages never contain personal data.
    Entities decode(const vsink_record &record) const;

    // decode(), then emits; throws RecordError when the host refuses an entity.
    void convert(const vsink_record &record, const vsink_emitter &out) const;

private:
    std::unordered_map<std::string, TopicConfig> topics_;
};

}  // namespace vibe
