// `sinkhost offsets`: the group's position, and moving it.
//
//   offsets --config F
//       every partition of every subscribed topic: the stored offset (the
//       database's sink_offsets, what the worker resumes from), the Kafka end
//       offset (high watermark) and the lag, one aligned row each.
//   offsets --config F --reset TOPIC|--all --to earliest|latest|OFFSET
//                      [--to-time ISO8601] [--partition P] [--dry-run]
//       moves the stored offsets (and the group's Kafka offsets, so both
//       agree), printing before -> after per partition. Refused (exit 1,
//       nothing written) for a topic not subscribed or not in the cluster, a
//       partition that does not exist, an offset outside the partition's
//       [earliest, end], and while the group has members (a worker runs).
//       --dry-run runs every check and prints what it would write.
//   The older `--reset TOPIC:PARTITION --to N` still works.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace vsink {

struct OffsetsOptions {
    std::string reset;    // TOPIC or TOPIC:PARTITION
    bool all = false;     // every subscribed topic
    std::string to;       // earliest | latest | OFFSET
    std::string to_time;  // ISO 8601
    int partition = -1;
    bool dry_run = false;
};

// Adds the `offsets` subcommand, filling `config` and `opts` when parsed.
CLI::App *add_offsets_command(CLI::App &app, std::string &config, OffsetsOptions &opts);
int cmd_offsets(const std::string &config_path, const OffsetsOptions &opts);

}  // namespace vsink
