// `sinkhost dlq replay`: feeds the records of the dead-letter queue back
// through the plugin once their cause is fixed (a column widened, a channel
// allowed, a parent finally published). A replayed record is read as if at
// its original topic, partition and offset; its rows only fill what is
// missing (INSERT ... ON DUPLICATE KEY UPDATE nothing): an old record never
// overwrites what a later one wrote. A record that still cannot be applied
// goes back to the dead-letter queue with its current reason. Progress is
// kept as the offsets of consumer group "<group_id>.dlq-replay", committed
// after the database transaction.
#pragma once

#include <cstdint>
#include <string>

#include "config/worker_config.hpp"
#include "mapping/mapping.hpp"
#include "plugin/plugin_library.hpp"

namespace vsink {

struct ReplayOptions {
    bool from_beginning = false;  // ignore the replay group's committed offsets
    int timeout_ms = 30000;       // for the cluster to answer
};

struct ReplayReport {
    uint64_t read = 0;          // DLQ records read
    uint64_t applied = 0;       // applied (rows inserted where missing, or parked)
    uint64_t dead_lettered = 0; // back to the DLQ: still not applicable
    uint64_t ignored = 0;       // not a letter of this sink (no vsink.error.topic)
};

// Throws FatalError-like std::runtime_error on a broken setup.
ReplayReport replay_dead_letters(const WorkerConfig &cfg, const Mapping &mapping, PluginInstance &plugin,
                                 const ReplayOptions &opts);

}  // namespace vsink
