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

const EntityCollector::Seen *EntityCollector::entity(std::string_view type) {
    for (const Seen &s : entities_)
        if (s.type == type) return &s;
    std::string name(type);
    const EntityDef *def = mapping_.entity(name);
    if (!def) return nullptr;
    auto [it, fresh] = field_columns_.try_emplace(def);
    if (fresh)
        for (size_t i = 0; i < def->fields.size(); ++i) it->second.columns[def->fields[i]].push_back(i);
    entities_.push_back(Seen{std::move(name), def, &it->second});
    return &entities_.back();
}

const std::vector<size_t> *EntityCollector::columns_of(FieldColumns &fc, size_t position, std::string_view name) {
    if (position < fc.order.size() && fc.order[position].name == name) return fc.order[position].cols;
    const auto found = fc.columns.find(name);
    const std::vector<size_t> *cols = found == fc.columns.end() ? nullptr : &found->second;
    if (position >= fc.order.size()) {
        if (position > fc.order.size() || fc.order.size() >= 1024) return cols;  // remembers the usual fields only
        fc.order.emplace_back();
    }
    fc.order[position].name.assign(name);
    fc.order[position].cols = cols;
    return cols;
}

int EntityCollector::emit(const vsink_entity &e) {
    const Seen *seen = entity(view(e.type));
    if (!seen) {
        unknown_ = "the plugin emitted entity '" + std::string(view(e.type)) + "', which no mapping file defines";
        return 1;
    }
    const EntityDef *def = seen->def;
    FieldColumns &fc = *seen->fc;
    EntityRow &row = rows_.emplace_back();
    row.def = def;
    row.origin = origin_;
    row.values.resize(def->columns.size());
    auto drop = [&](int rc) {
        rows_.pop_back();
        return rc;
    };
    for (size_t f = 0; f < e.field_count; ++f) {
        const vsink_field &fld = e.fields[f];
        const std::string_view name = view(fld.name);
        const std::vector<size_t> *cols = columns_of(fc, f, name);
        if (!cols) continue;
        for (size_t i : *cols) {
            Value &v = row.values[i];
            switch (fld.value.kind) {
            case VSINK_NULL: v.kind = Value::Kind::Null; v.i = 0; v.d = 0; v.s.clear(); break;
            case VSINK_INT64: v.kind = Value::Kind::Int; v.i = fld.value.i64; break;
            case VSINK_DOUBLE: v.kind = Value::Kind::Double; v.d = fld.value.f64; break;
            case VSINK_STRING: v.kind = Value::Kind::String; v.s.assign(view(fld.value.str)); break;
            case VSINK_BOOL: v.kind = Value::Kind::Bool; v.i = fld.value.i64 ? 1 : 0; break;
            case VSINK_TIMESTAMP_MS: v.kind = Value::Kind::TimestampMs; v.i = fld.value.i64; break;
            default:
                unknown_ = "the plugin emitted field '" + std::string(name) + "' of entity '" + def->name +
                           "' with unknown value kind " + std::to_string(fld.value.kind);
                return drop(1);
            }
        }
    }
    for (size_t ki : def->key_index)
        if (row.values[ki].is_null()) {
            record_error_ = "entity '" + def->name + "' has no value for key column '" + def->columns[ki] + "'";
            return drop(2);
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
        return drop(2);
    };
    // The key's columns first, then each parent's, as the reason names the first.
    for (size_t i : def->key_index)
        if (holds_separator(i)) return refuse(i);
    for (const ParentRef &p : def->parents)
        for (size_t i : p.field_index)
            if (holds_separator(i)) return refuse(i);
    return 0;
}

}  // namespace vsink
