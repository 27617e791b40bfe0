// One topic's entry in a mapping file's `topics:` section, as the host hands
// it over (vsink_topic_config), parsed and validated:
//
//   ticketland.orders.orders:
//     message: order             # which message the topic carries (required)
//     sources: [ticketland]      # allowed application-id values (required)
//     default_source: ticketland # for records without an application-id header
//     format: json               # json | protobuf, when content-type is absent
//     schema_versions: ["1.0"]   # accepted schema-version headers (optional)
//
// Unknown keys and bad values are errors naming the file, line and key.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vibe {

enum class MessageKind {
    // Ticketland, JSON or vibe.v1 Protobuf
    organizer,
    event,
    order,
    refund,
    ticket,
    // Ticketscloud, Protobuf only
    tc_partner,
    tc_event,
    tc_order,
    tc_refund_request,
};

enum class Format { json, protobuf };

// The name a topic entry uses for the message kind, e.g. "ticketscloud.order".
const char *message_name(MessageKind kind);
bool is_ticketscloud(MessageKind kind);

struct TopicConfig {
    std::string topic;
    MessageKind message = MessageKind::organizer;
    std::vector<std::string> sources;
    std::optional<std::string> default_source;
    Format format = Format::json;
    std::vector<std::string> schema_versions;  // empty: any version, or none, is accepted
};

struct TopicConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Parses the YAML text of a topic's entry: either the entry's body (the keys
// above, as the host re-emits it) or a one-key map `<topic>: {body}`.
// source_line is the 1-based line of the topic-name key in source_file; a
// problem with one key is reported on that key's line (source_line + 1 + its
// line in the body), a problem with the entry as a whole on source_line.
// Messages read "<file>:<line>: topic '<topic>': <problem>".
TopicConfig parse_topic_config(std::string_view topic, std::string_view yaml, std::string_view source_file,
                               int source_line);

}  // namespace vibe
