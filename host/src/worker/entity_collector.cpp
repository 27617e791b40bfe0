#include "worker/entity_collector.hpp"

#include <vsink/plugin.hpp>

#include "log/log.hpp"

namespace vsink {

namespace {

// The plugin's tokens go into log lines and map keys: keep them short and
// printable whatever the plugin sends.
std::string token(std::string_view s, size_t max) {
    std::string out(s.substr(0, max));
    for (char &ch : out)
        if (static_cast<unsigned char>(ch) < 0x21 || static_cast<unsigned char>(ch) > 0x7e) ch = '?';
    return out.empty() ? "-" : out;
}

}  // namespace

std::string format_tolerated(const ToleratedCounts &counts) {
    std::string out, topic;
    for (const auto &[key, n] : counts) {
        if (key.first != topic || out.empty()) {
            out += (out.empty() ? "" : "; ") + key.first;
            topic = key.first;
        }
        out += " " + key.second + "=" + std::to_string(n);
    }
    return out;
}

void EntityCollector::begin_record(const RecordOrigin &origin) {
    origin_ = origin;  // a copy into the strings' kept capacity
    rows_.clear();
    record_error_.clear();
}

std::vector<EntityRow> EntityCollector::take_rows() { return std::move(rows_); }

int EntityCollector::emit_cb(void *ctx, const vsink_entity *e) {
    try {
        return static_cast<EntityCollector *>(ctx)->emit(*e);
    } catch (...) {
        return 1;  // never let an exception cross the C boundary
    }
}

void EntityCollector::tolerated_cb(void *ctx, vsink_bytes kind, vsink_bytes field) {
    try {
        static_cast<EntityCollector *>(ctx)->tolerated(view(kind), view(field));
    } catch (...) {
        // never let an exception cross the C boundary; a count is not worth a record
    }
}

void EntityCollector::tolerated(std::string_view kind, std::string_view field) {
    const std::string k = token(kind, 64);
    ++tolerated_[{origin_.topic, k}];
    logger()->debug("tolerated: topic={} partition={} offset={} kind={} field={}", origin_.topic, origin_.partition,
                    origin_.offset, k, token(field, 256));
}

const EntityDef *EntityCollector::entity(std::string_view type) {
    for (const auto &[name, def] : entities_)
        if (name == type) return def;
    std::string name(type);
    const EntityDef *def = mapping_.entity(name);
    if (def) entities_.emplace_back(std::move(name), def);
    return def;
}

const EntityCollector::FieldColumns &EntityCollector::field_columns(const EntityDef &def) {
    auto it = field_columns_.find(&def);
    if (it != field_columns_.end()) return it->second;
    FieldColumns fc;
    for (size_t i = 0; i < def.fields.size(); ++i) fc.columns[def.fields[i]].push_back(i);
    return field_columns_.emplace(&def, std::move(fc)).first->second;
}

int EntityCollector::emit(const vsink_entity &e) {
    const EntityDef *def = entity(view(e.type));
    if (!def) {
        unknown_ = "the plugin emitted entity '" + std::string(view(e.type)) + "', which no mapping file defines";
        return 1;
    }
    const FieldColumns &fc = field_columns(*def);
    EntityRow row;
    row.def = def;
    row.origin = origin_;
    row.values.resize(def->columns.size());
    for (size_t f = 0; f < e.field_count; ++f) {
        const vsink_field &fld = e.fields[f];
        const std::string_view name = view(fld.name);
        const auto cols = fc.columns.find(name);
        if (cols == fc.columns.end()) continue;
        for (size_t i : cols->second) {
            Value &v = row.values[i];
            switch (fld.value.kind) {
            case VSINK_NULL: v = Value::null(); break;
            case VSINK_INT64: v.kind = Value::Kind::Int; v.i = fld.value.i64; break;
            case VSINK_DOUBLE: v.kind = Value::Kind::Double; v.d = fld.value.f64; break;
            case VSINK_STRING: v.kind = Value::Kind::String; v.s.assign(view(fld.value.str)); break;
            case VSINK_BOOL: v.kind = Value::Kind::Bool; v.i = fld.value.i64 ? 1 : 0; break;
            case VSINK_TIMESTAMP_MS: v.kind = Value::Kind::TimestampMs; v.i = fld.value.i64; break;
            default:
                unknown_ = "the plugin emitted field '" + std::string(name) + "' of entity '" + def->name +
                           "' with unknown value kind " + std::to_string(fld.value.kind);
                return 1;
            }
        }
    }
    for (size_t ki : def->key_index)
        if (row.values[ki].is_null()) {
            record_error_ = "entity '" + def->name + "' has no value for key column '" + def->columns[ki] + "'";
            return 2;
        }
    // Keys are joined with U+001F (entity_row.cpp): an id holding it would
    // split into the wrong parts, a statement would be short of parameters,
    // and the batch would fail the same way on every retry (C6, issue 8).
    auto holds_separator = [&](size_t i) {
        return row.values[i].kind == Value::Kind::String && row.values[i].s.find('\x1f') != std::string::npos;
    };
    auto refuse = [&](size_t i) {
        record_error_ = "entity '" + def->name + "': the id in column '" + def->columns[i] +
                        "' holds the control character U+001F, which no id may hold";
        return 2;
    };
    // The key's columns first, then each parent's, as the reason names the first.
    for (size_t i : def->key_index)
        if (holds_separator(i)) return refuse(i);
    for (const ParentRef &p : def->parents)
        for (size_t i : p.field_index)
            if (holds_separator(i)) return refuse(i);
    rows_.push_back(std::move(row));
    return 0;
}

}  // namespace vsink
