#include "record_converter.hpp"

#include <algorithm>
#include <cstdint>

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

// The media type of a content-type header, lower case, without parameters
// ("application/json; charset=utf-8" -> "application/json").
std::string media_type(std::string_view header) {
    std::string_view type = trim(header.substr(0, header.find(';')));
    std::string out(type);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Keys become VARCHAR values: refuse bytes MySQL would reject or mangle.
bool valid_utf8(std::string_view s) {
    static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};  // shortest form only
    for (size_t i = 0; i < s.size();) {
        const unsigned char lead = static_cast<unsigned char>(s[i]);
        size_t n = 0;
        uint32_t cp = 0;
        if (lead < 0x80) {
            ++i;
            continue;
        } else if ((lead & 0xe0) == 0xc0) {
            n = 1, cp = lead & 0x1f;
        } else if ((lead & 0xf0) == 0xe0) {
            n = 2, cp = lead & 0x0f;
        } else if ((lead & 0xf8) == 0xf0) {
            n = 3, cp = lead & 0x07;
        } else {
            return false;
        }
        if (s.size() - i <= n) return false;
        for (size_t k = 1; k <= n; ++k) {
            const unsigned char b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3f);
        }
        if (cp < kMinForLength[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += n + 1;
    }
    return true;
}

// The last header with this name, any letter case (producers written against
// HTTP habits send "Content-Type"); a header with a null value is absent.
std::optional<std::string_view> header(const vsink_record &r, std::string_view name) {
    std::optional<std::string_view> found;
    for (size_t i = 0; i < r.header_count; ++i) {
        const vsink_header &h = r.headers[i];
        const std::string_view key = vsink::view(h.key);
        if (!h.value.ptr || key.size() != name.size()) continue;
        bool same = true;
        for (size_t k = 0; k < key.size() && same; ++k) {
            char c = key[k];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            same = c == name[k];
        }
        if (same) found = vsink::view(h.value);
    }
    return found;
}

template <typename Message>
Entities decoded(const std::string &source, const Message &m) {
    return entities_of(source, m);
}

}  // namespace

RecordConverter::RecordConverter(std::vector<TopicConfig> topics) {
    for (TopicConfig &t : topics) {
        std::string name = t.topic;
        if (!topics_.emplace(name, std::move(t)).second)
            throw TopicConfigError("topic '" + name + "' is configured twice");
    }
}

Entities RecordConverter::decode(const vsink_record &record) const {
    const vsink::RecordView r(record);
    const std::string topic(r.topic());
    auto found = topics_.find(topic);
    if (found == topics_.end()) throw RecordError("topic " + quoted(topic) + " is not configured for the vibe plugin");
    const TopicConfig &cfg = found->second;

    // A tombstone deletes nothing in Vibe: there is no message to apply.
    if (!r.has_value()) throw RecordError("tombstone: no value");

    // Identity is (application-id, id): a record from a source the topic
    // does not allow must never touch the database.
    std::string source;
    if (std::optional<std::string_view> h = header(record, "application-id"))
        source = std::string(*h);
    else if (cfg.default_source)
        source = *cfg.default_source;
    else
        throw RecordError("no application-id header, and topic '" + topic + "' has no default_source");
    if (std::find(cfg.sources.begin(), cfg.sources.end(), source) == cfg.sources.end())
        throw RecordError("application-id " + quoted(source) + " is not allowed on topic " + topic);

    if (!cfg.schema_versions.empty()) {
        std::optional<std::string_view> v = header(record, "schema-version");
        if (!v) throw RecordError("no schema-version header (topic " + topic + " accepts only listed versions)");
        if (std::find(cfg.schema_versions.begin(), cfg.schema_versions.end(), *v) == cfg.schema_versions.end())
            throw RecordError("schema-version " + quoted(*v) + " is not accepted on topic " + topic);
    }

    Format format = cfg.format;
    if (std::optional<std::string_view> ct = header(record, "content-type")) {
        const std::string type = media_type(*ct);
        if (type == "application/json")
            format = Format::json;
        else if (type == "application/x-protobuf" || type == "application/protobuf")
            format = Format::protobuf;
        else
            throw RecordError("content-type " + quoted(*ct) + " is not supported (expected application/json or "
                              "application/x-protobuf)");
    }
    if (is_ticketscloud(cfg.message) && format != Format::protobuf)
        throw RecordError(std::string("content-type ") + quoted(*header(record, "content-type")) + " on topic " + topic +
                          ": " + message_name(cfg.message) + " is protobuf only");

    const std::string_view value = r.value();
    const bool json = format == Format::json;
    switch (cfg.message) {
        case MessageKind::organizer:
            return decoded(source, json ? json::decode_organizer(value) : pb::decode_organizer(value));
        case MessageKind::event:
            return decoded(source, json ? json::decode_event(value) : pb::decode_event(value));
        case MessageKind::order:
            return decoded(source, json ? json::decode_order(value) : pb::decode_order(value));
        case MessageKind::refund: {
            // The refund body has no id: the key is the refund id.
            if (!r.has_key() || r.key().empty()) throw RecordError("refund: the record key (the refund id) is missing");
            if (!valid_utf8(r.key())) throw RecordError("refund: the record key (the refund id) is not valid UTF-8");
            std::string id(r.key());
            return decoded(source, json ? json::decode_refund(value, id) : pb::decode_refund(value, id));
        }
        case MessageKind::ticket:
            return decoded(source, json ? json::decode_ticket(value) : pb::decode_ticket(value));
        case MessageKind::tc_partner:
            return decoded(source, tc::decode_partner(value));
        case MessageKind::tc_event:
            return decoded(source, tc::decode_event(value));
        case MessageKind::tc_order:
            return decoded(source, tc::decode_order(value));
        case MessageKind::tc_refund_request:
            return decoded(source, tc::decode_refund_request(value));
    }
    throw RecordError("topic '" + topic + "': unhandled message kind");
}

void RecordConverter::convert(const vsink_record &record, const vsink_emitter &out) const {
    const Entities entities = decode(record);
    if (std::optional<size_t> refused = emit_all(entities, out))
        throw RecordError("the host refused entity '" + entities[*refused].type + "' (#" + std::to_string(*refused + 1) +
                          " of " + std::to_string(entities.size()) + ")");
}

}  // namespace vibe
