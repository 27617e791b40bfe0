// One topic's entry in a mapping file's `topics:` section, as the host hands
// it over (vsink_topic_config), parsed and validated:
//
//   ticketland.orders.orders:
//     message: order             # which message the topic carries (required)
//     system: ticketland         # the ticketing system its ids belong to (required)
//     channels: [box_office]     # allow-list of application-id values (optional)
//     format: json               # json | protobuf, when content-type is absent
//     schema_versions: ["1"]     # accepted schema major versions (optional, ["1"])
//     default_schema_version: "1"  # for records without the header (optional)
//     categories: {id: concert}  # ticketscloud.event only: category id -> Vibe category
//
// Unknown keys and bad values are errors naming the file, line and key.
#pragma once

#include <map>
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

// The schema major versions this plugin reads. A minor version only adds
// optional fields (CONTRACT.md §2), so "1.3" is read as 1.
constexpr int kSupportedSchemaMajor = 1;

struct TopicConfig {
    std::string topic;
    MessageKind message = MessageKind::organizer;
    std::string system;  // ticketland | ticketscloud | ...: the id space of every row
    // The application-id values allowed; absent: any channel, or none.
    std::optional<std::vector<std::string>> channels;
    Format format = Format::json;
    std::vector<int> schema_majors{kSupportedSchemaMajor};  // accepted major versions
    int default_schema_major = kSupportedSchemaMajor;       // for records without the header
    std::map<std::string, std::string> categories;          // ticketscloud.event: id -> Vibe category
};

// The major version of a schema-version header "MAJOR[.MINOR]" (digits, at
// most 9 each), or nullopt when it is not of that form.
std::optional<int> schema_major(std::string_view version);

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
