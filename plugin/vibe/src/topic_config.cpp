#include "topic_config.hpp"

#include <algorithm>
#include <array>

#include <yaml-cpp/yaml.h>

#include "normalize.hpp"

namespace vibe {

namespace {

struct MessageName {
    MessageKind kind;
    const char *name;
};
constexpr std::array<MessageName, 9> kMessages = {{
    {MessageKind::organizer, "organizer"},
    {MessageKind::event, "event"},
    {MessageKind::order, "order"},
    {MessageKind::refund, "refund"},
    {MessageKind::ticket, "ticket"},
    {MessageKind::tc_partner, "ticketscloud.partner"},
    {MessageKind::tc_event, "ticketscloud.event"},
    {MessageKind::tc_order, "ticketscloud.order"},
    {MessageKind::tc_refund_request, "ticketscloud.refund_request"},
}};

// Where messages point. The host hands over the entry's body re-emitted as
// YAML and the line of the entry's topic-name key, so line k of the body is
// line source_line + 1 + k of the file (exact as long as the entry holds no
// comments or blank lines, which re-emitting drops).
class Context {
public:
    Context(std::string_view topic, std::string_view file, int line) : topic_(topic), file_(file), line_(line) {}

    // The text holds the topic-name key itself: its line 0 is source_line.
    void text_starts_at_entry() { body_offset_ = 0; }

    // About the entry as a whole (e.g. a missing key): the topic's line.
    [[noreturn]] void fail_entry(const std::string &what) const { fail_at(line_, what); }
    [[noreturn]] void fail(const YAML::Mark &mark, const std::string &what) const {
        fail_at(mark.is_null() ? line_ : line_ + body_offset_ + mark.line, what);
    }
    [[noreturn]] void fail(const YAML::Node &node, const std::string &what) const { fail(node.Mark(), what); }

    std::string scalar(const YAML::Node &node, const std::string &key) const {
        if (!node.IsScalar()) fail(node, "'" + key + "' must be a string");
        return node.Scalar();
    }

    std::vector<std::string> string_list(const YAML::Node &node, const std::string &key) const {
        if (!node.IsSequence()) fail(node, "'" + key + "' must be a list of strings");
        std::vector<std::string> out;
        for (const YAML::Node &item : node) {
            std::string v = scalar(item, key + "[]");
            if (v.empty()) fail(item, "'" + key + "' has an empty value");
            if (std::find(out.begin(), out.end(), v) != out.end()) fail(item, "'" + key + "' lists '" + v + "' twice");
            out.push_back(std::move(v));
        }
        return out;
    }

private:
    [[noreturn]] void fail_at(int line, const std::string &what) const {
        throw TopicConfigError(file_ + ":" + std::to_string(line) + ": topic '" + topic_ + "': " + what);
    }

    std::string topic_, file_;
    int line_;
    int body_offset_ = 1;
};

}  // namespace

const char *message_name(MessageKind kind) {
    for (const MessageName &m : kMessages)
        if (m.kind == kind) return m.name;
    return "?";
}

bool is_ticketscloud(MessageKind kind) {
    return kind == MessageKind::tc_partner || kind == MessageKind::tc_event || kind == MessageKind::tc_order ||
           kind == MessageKind::tc_refund_request;
}

std::optional<int> schema_major(std::string_view version) {
    auto digits = [](std::string_view d) {
        return !d.empty() && d.size() <= 9 &&
               std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    const size_t dot = version.find('.');
    const std::string_view major = version.substr(0, dot);
    if (!digits(major)) return std::nullopt;
    if (dot != std::string_view::npos && !digits(version.substr(dot + 1))) return std::nullopt;
    return std::stoi(std::string(major));
}

namespace {

// A system name is part of every row's key: a short lower-case token.
bool is_system_name(const std::string &s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    });
}

int parse_schema_major(const Context &ctx, const YAML::Node &node, const std::string &key) {
    const std::string v = ctx.scalar(node, key);
    std::optional<int> major = schema_major(v);
    if (!major) ctx.fail(node, "'" + key + "': '" + v + "' is not a MAJOR or MAJOR.MINOR version");
    if (*major != kSupportedSchemaMajor)
        ctx.fail(node, "'" + key + "': schema major version " + std::to_string(*major) +
                           " is not one this plugin reads (it reads " + std::to_string(kSupportedSchemaMajor) + ")");
    return *major;
}

}  // namespace

TopicConfig parse_topic_config(std::string_view topic, std::string_view yaml, std::string_view source_file,
                               int source_line) {
    Context ctx(topic, source_file, source_line);
    if (topic.empty()) ctx.fail_entry("empty topic name");

    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception &e) {
        ctx.fail(e.mark, "invalid YAML: " + e.msg);
    }
    // The host may hand over the entry with its topic-name key or just its body.
    if (root.IsMap() && root.size() == 1 && root.begin()->first.IsScalar() &&
        root.begin()->first.Scalar() == topic && root.begin()->second.IsMap()) {
        root = root.begin()->second;
        ctx.text_starts_at_entry();
    }
    if (!root.IsMap()) ctx.fail_entry("the entry must be a map of settings");

    TopicConfig c;
    c.topic = std::string(topic);
    bool have_message = false, have_format = false, have_default_version = false;
    std::vector<std::string> seen;
    for (const auto &kv : root) {
        const YAML::Node &key = kv.first;
        const YAML::Node &value = kv.second;
        const std::string name = key.IsScalar() ? key.Scalar() : std::string();
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) ctx.fail(key, "duplicate key '" + name + "'");
        seen.push_back(name);
        if (name == "message") {
            std::string m = ctx.scalar(value, name);
            auto it = std::find_if(kMessages.begin(), kMessages.end(), [&](const MessageName &n) { return m == n.name; });
            if (it == kMessages.end()) {
                std::string list;
                for (const MessageName &n : kMessages) list += (list.empty() ? "" : ", ") + std::string(n.name);
                ctx.fail(value, "unknown message '" + m + "' (expected one of: " + list + ")");
            }
            c.message = it->kind;
            have_message = true;
        } else if (name == "system") {
            c.system = ctx.scalar(value, name);
            if (!is_system_name(c.system))
                ctx.fail(value, "'system' must be a lower-case name of at most 64 characters (e.g. ticketland)");
        } else if (name == "channels") {
            c.channels = ctx.string_list(value, name);
            if (c.channels->empty()) ctx.fail(value, "'channels' lists no channel (leave it out to accept any)");
        } else if (name == "sources" || name == "default_source") {
            // Identity is the ticketing system, not the application-id (the
            // sales channel) since 0.2: say so instead of "unknown key".
            ctx.fail(key, "'" + name + "' is gone: set 'system' (the id space, e.g. ticketland) and, to restrict "
                          "sales channels, 'channels' (application-id values)");
        } else if (name == "format") {
            std::string f = ctx.scalar(value, name);
            if (f == "json")
                c.format = Format::json;
            else if (f == "protobuf")
                c.format = Format::protobuf;
            else
                ctx.fail(value, "unknown format '" + f + "' (expected json or protobuf)");
            have_format = true;
        } else if (name == "schema_versions") {
            if (!value.IsSequence() || value.size() == 0)
                ctx.fail(value, "'schema_versions' must be a non-empty list of major versions, e.g. [\"1\"]");
            c.schema_majors.clear();
            for (const YAML::Node &item : value) {
                const int major = parse_schema_major(ctx, item, name);
                if (std::find(c.schema_majors.begin(), c.schema_majors.end(), major) != c.schema_majors.end())
                    ctx.fail(item, "'schema_versions' lists major " + std::to_string(major) + " twice");
                c.schema_majors.push_back(major);
            }
        } else if (name == "default_schema_version") {
            c.default_schema_major = parse_schema_major(ctx, value, name);
            have_default_version = true;
        } else if (name == "categories") {
            if (!value.IsMap()) ctx.fail(value, "'categories' must be a map of category id: Vibe category");
            for (const auto &entry : value) {
                const std::string id = ctx.scalar(entry.first, "categories key");
                const std::string vibe = ctx.scalar(entry.second, "categories." + id);
                bool unknown = false;
                const std::string normalized = normalize_category(vibe, &unknown);
                if (unknown || vibe != normalized)
                    ctx.fail(entry.second, "categories." + id + ": '" + vibe + "' is not a Vibe category");
                c.categories[id] = normalized;
            }
        } else {
            ctx.fail(key, "unknown key '" + name +
                              "' (expected message, system, channels, format, schema_versions, "
                              "default_schema_version, categories)");
        }
    }

    if (!have_message) ctx.fail_entry("missing 'message'");
    if (c.system.empty()) ctx.fail_entry("missing 'system' (the ticketing system its ids belong to, e.g. ticketland)");
    if (!c.categories.empty() && c.message != MessageKind::tc_event)
        ctx.fail(root["categories"], "'categories' applies to ticketscloud.event topics only");
    if (!have_default_version) c.default_schema_major = c.schema_majors.front();
    if (std::find(c.schema_majors.begin(), c.schema_majors.end(), c.default_schema_major) == c.schema_majors.end())
        ctx.fail(root["default_schema_version"], "default_schema_version is not one of 'schema_versions'");
    if (is_ticketscloud(c.message)) {
        if (have_format && c.format != Format::protobuf)
            ctx.fail(root["format"], std::string("message '") + message_name(c.message) + "' is protobuf only");
        c.format = Format::protobuf;
    }
    return c;
}

}  // namespace vibe
