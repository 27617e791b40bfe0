// What every fuzz target shares: a host emitter that checks each entity and
// each tolerated() report the plugin hands over against the promises of
// plugin_abi.h, entity_emitter.hpp and mappings/vibe-tables.yaml, and a
// failure that libFuzzer records as a crash (the input is then written to
// the artifact folder).
//
// Checked for every entity:
//   - its type is one of the plugin's entity types;
//   - all its fields have a name, no name twice, a known value kind, and every
//     entity of one type has the same field names in the same order;
//   - `system` and the key fields (`id`; refund_ticket: `refund_id`,
//     `ticket_id`) are non-empty strings; every other `*_id` field is NULL or
//     a non-empty string (an empty parent link would look up no parent);
//     ticket_set.event_id and event.category are never NULL;
//   - strings are valid UTF-8 (text columns), `channel` at most 128 bytes;
//   - timestamps lie in 1970..9999 (what a DATETIME(3) holds), doubles are
//     finite and lat/lon within their ranges, booleans are 0 or 1.
// Checked for every tolerated() report: a known kind, a non-empty field path
// made of path characters only (never a value), reported before the record's
// first entity.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <vsink/plugin.hpp>

#include "normalize.hpp"

namespace vsink_fuzz {

[[noreturn]] inline void fail(const std::string &what) {
    std::fprintf(stderr, "\n==vsink-fuzz== invariant broken: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

// The plugin's own check of key bytes (normalize.hpp).
using vibe::valid_utf8;

class CheckingEmitter {
public:
    vsink_emitter emitter() { return vsink_emitter{this, &CheckingEmitter::on_emit, &CheckingEmitter::on_tolerated}; }

    size_t entities() const { return entities_; }
    size_t tolerated() const { return tolerated_; }

private:
    static constexpr int64_t kMaxTimestampMs = 253402300799999LL;  // 9999-12-31T23:59:59.999Z

    static bool is_id_field(std::string_view name) {
        return name == "id" || (name.size() > 3 && name.substr(name.size() - 3) == "_id");
    }

    static void check_field_names(const std::string &type, const std::vector<std::string> &names) {
        // Every entity of one type has the same columns, in the same order.
        static std::map<std::string, std::vector<std::string>> seen;
        auto [it, first] = seen.emplace(type, names);
        if (!first && it->second != names) {
            std::string a, b;
            for (const std::string &n : it->second) a += n + ",";
            for (const std::string &n : names) b += n + ",";
            fail("entity '" + type + "' emitted with fields [" + b + "] after [" + a + "]");
        }
    }

    static int on_emit(void *ctx, const vsink_entity *entity) {
        auto *self = static_cast<CheckingEmitter *>(ctx);
        if (!entity) fail("emit() given a null entity");
        const std::string type(vsink::view(entity->type));
        static const std::set<std::string> kTypes = {
            "organizer", "nested_organizer", "venue", "event", "ticket_set", "order",
            "order_ticket", "ticket_status", "refund", "refund_ticket", "ticket"};
        if (!kTypes.count(type)) fail("unknown entity type '" + type + "'");
        if (entity->field_count > 0 && !entity->fields) fail(type + ": fields is null");

        std::vector<std::string> names;
        std::map<std::string, const vsink_value *> by_name;
        for (size_t i = 0; i < entity->field_count; ++i) {
            const vsink_field &f = entity->fields[i];
            const std::string name(vsink::view(f.name));
            const std::string where = type + "." + name;
            if (name.empty()) fail(type + ": a field without a name");
            if (!by_name.emplace(name, &f.value).second) fail(where + ": emitted twice");
            names.push_back(name);
            const vsink_value &v = f.value;
            switch (v.kind) {
                case VSINK_NULL: break;
                case VSINK_STRING: {
                    if (v.str.len > 0 && !v.str.ptr) fail(where + ": a string without bytes");
                    const std::string_view s = vsink::view(v.str);
                    if (!valid_utf8(s)) fail(where + ": not valid UTF-8");
                    if (is_id_field(name) && s.empty()) fail(where + ": an empty id");
                    if (name == "channel" && s.size() > 128) fail(where + ": longer than 128 bytes");
                    break;
                }
                case VSINK_INT64: break;
                case VSINK_DOUBLE:
                    if (!std::isfinite(v.f64)) fail(where + ": not finite");
                    if (name == "lat" && !(v.f64 >= -90 && v.f64 <= 90)) fail(where + ": out of range");
                    if (name == "lon" && !(v.f64 >= -180 && v.f64 <= 180)) fail(where + ": out of range");
                    break;
                case VSINK_BOOL:
                    if (v.i64 != 0 && v.i64 != 1) fail(where + ": a boolean of " + std::to_string(v.i64));
                    break;
                case VSINK_TIMESTAMP_MS:
                    if (v.i64 < 0 || v.i64 > kMaxTimestampMs)
                        fail(where + ": timestamp " + std::to_string(v.i64) + " ms is outside 1970..9999");
                    break;
                default: fail(where + ": unknown value kind " + std::to_string(v.kind));
            }
        }
        check_field_names(type, names);

        auto require_string = [&](const char *name) {
            auto it = by_name.find(name);
            if (it == by_name.end()) fail(type + ": no field '" + name + "'");
            if (it->second->kind != VSINK_STRING || it->second->str.len == 0)
                fail(type + "." + name + ": must be a non-empty string");
        };
        require_string("system");
        if (type == "refund_ticket") {
            require_string("refund_id");
            require_string("ticket_id");
        } else {
            require_string("id");
        }
        if (type == "ticket_set") require_string("event_id");
        if (type == "event") require_string("category");

        ++self->entities_;
        return 0;
    }

    static void on_tolerated(void *ctx, vsink_bytes kind, vsink_bytes field) {
        auto *self = static_cast<CheckingEmitter *>(ctx);
        const std::string k(vsink::view(kind)), f(vsink::view(field));
        static const std::set<std::string> kKinds = {
            "wrong_type",  "out_of_range", "unknown_value", "unknown_category",   "missing_value",
            "missing_key", "new_channel",  "unreadable_channel", "channel_refused"};
        if (!kKinds.count(k)) fail("tolerated(): unknown kind '" + k + "'");
        if (f.empty()) fail("tolerated(" + k + "): no field");
        for (char c : f)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '[' || c == ']' ||
                  c == '-'))
                fail("tolerated(" + k + "): the field path '" + f + "' holds more than a path");
        if (self->entities_ > 0) fail("tolerated(" + k + ", " + f + ") reported after an entity");
        ++self->tolerated_;
    }

    size_t entities_ = 0;
    size_t tolerated_ = 0;
};

}  // namespace vsink_fuzz
