// Batch assembly: the records of one batch, read from Kafka, turned into
// entity rows through the plugin. What the plugin cannot decode or refuses by
// a rule becomes a dead letter; nothing here touches the database or Kafka.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/entity_row.hpp"
#include "persistence/offset_store.hpp"
#include "plugin/plugin_library.hpp"
#include "worker/dead_letter_queue.hpp"
#include "worker/entity_collector.hpp"

namespace vsink {

// One consumed record: views into a message that outlives the batch.
struct ConsumedRecord {
    std::string_view topic;
    int32_t partition = -1;
    int64_t offset = -1;
    SourceRecord source;
};

// Views into a librdkafka message (no copies; valid while it lives).
ConsumedRecord consumed_record(const rd_kafka_message_t *m);

struct AssembledBatch {
    std::vector<RecordOrigin> origins;          // one per record, in order (source: the record)
    std::vector<std::vector<EntityRow>> rows;   // per record; empty for a refused one
    std::vector<DeadLetter> refused;            // decode and validate failures
    std::map<TopicPartition, int64_t> first;    // per partition: the first offset in the batch
    std::map<TopicPartition, int64_t> next;     // per partition: the offset after the last
    ToleratedCounts tolerated;
    size_t size() const { return origins.size(); }
};

struct PluginFatal : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class BatchAssembler {
public:
    BatchAssembler(const Mapping &mapping, PluginInstance &plugin) : plugin_(plugin), collector_(mapping) {}

    // `records` must outlive the result (origins point at their sources).
    // Throws PluginFatal when the plugin says it cannot go on or emits an
    // entity the mapping does not know (a broken setup, not a bad record).
    AssembledBatch assemble(const std::vector<ConsumedRecord> &records);

private:
    PluginInstance &plugin_;
    EntityCollector collector_;
};

}  // namespace vsink
