#include "topic_config.hpp"

#include <algorithm>
#include <array>

#include <yaml-cpp/yaml.h>

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
    bool have_message = false, have_sources = false, have_format = false;
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
        } else if (name == "sources") {
            c.sources = ctx.string_list(value, name);
            if (c.sources.empty()) ctx.fail(value, "'sources' must list at least one application-id");
            have_sources = true;
        } else if (name == "default_source") {
            c.default_source = ctx.scalar(value, name);
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
            c.schema_versions = ctx.string_list(value, name);
        } else {
            ctx.fail(key, "unknown key '" + name +
                              "' (expected message, sources, default_source, format, schema_versions)");
        }
    }

    if (!have_message) ctx.fail_entry("missing 'message'");
    if (!have_sources) ctx.fail_entry("missing 'sources' (the application-id values allowed on this topic)");
    if (c.default_source &&
        std::find(c.sources.begin(), c.sources.end(), *c.default_source) == c.sources.end())
        ctx.fail(root["default_source"], "default_source '" + *c.default_source + "' is not in 'sources'");
    if (is_ticketscloud(c.message)) {
        if (have_format && c.format != Format::protobuf)
            ctx.fail(root["format"], std::string("message '") + message_name(c.message) + "' is protobuf only");
        c.format = Format::protobuf;
    }
    return c;
}

}  // namespace vibe
