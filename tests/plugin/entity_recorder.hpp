// A fake host emitter for tests: records every entity it is given as a type
// and a map of field name -> value, in emission order, and every tolerated()
// report (ABI 2) as "kind field", in the order reported.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <vsink/plugin.hpp>

namespace vibe_test {

struct FieldValue {
    int32_t kind = VSINK_NULL;
    int64_t i64 = 0;
    double f64 = 0;
    std::string str;
};

struct RecordedEntity {
    std::string type;
    std::map<std::string, FieldValue> fields;
    std::vector<std::string> field_order;

    const FieldValue &at(const std::string &name) const {
        auto it = fields.find(name);
        if (it == fields.end()) throw std::out_of_range(type + " has no field '" + name + "'");
        return it->second;
    }
    bool is_null(const std::string &name) const { return at(name).kind == VSINK_NULL; }
    std::string str(const std::string &name) const {
        const FieldValue &v = at(name);
        if (v.kind != VSINK_STRING) throw std::logic_error(type + "." + name + " is not a string");
        return v.str;
    }
    int64_t i64(const std::string &name) const {
        const FieldValue &v = at(name);
        if (v.kind != VSINK_INT64) throw std::logic_error(type + "." + name + " is not an int64");
        return v.i64;
    }
    double f64(const std::string &name) const {
        const FieldValue &v = at(name);
        if (v.kind != VSINK_DOUBLE) throw std::logic_error(type + "." + name + " is not a double");
        return v.f64;
    }
    bool boolean(const std::string &name) const {
        const FieldValue &v = at(name);
        if (v.kind != VSINK_BOOL) throw std::logic_error(type + "." + name + " is not a bool");
        return v.i64 != 0;
    }
    int64_t timestamp_ms(const std::string &name) const {
        const FieldValue &v = at(name);
        if (v.kind != VSINK_TIMESTAMP_MS) throw std::logic_error(type + "." + name + " is not a timestamp");
        return v.i64;
    }
};

class EntityRecorder {
public:
    std::vector<RecordedEntity> entities;
    // tolerated(kind, field) calls, each as "kind field".
    std::vector<std::string> tolerated;
    // How many entities had been emitted when each tolerated() came: the
    // plugin reports a record's anomalies before its first entity.
    std::vector<size_t> tolerated_after;
    // Refuse the n-th entity (0-based) to test the plugin's reaction.
    int refuse_at = -1;

    vsink_emitter emitter() { return vsink_emitter{this, &EntityRecorder::emit, &EntityRecorder::on_tolerated}; }
    // An ABI 1 style host that gives no tolerated() callback.
    vsink_emitter emitter_without_tolerated() { return vsink_emitter{this, &EntityRecorder::emit, nullptr}; }

    std::vector<std::string> types() const {
        std::vector<std::string> out;
        for (const RecordedEntity &e : entities) out.push_back(e.type);
        return out;
    }

private:
    static void on_tolerated(void *ctx, vsink_bytes kind, vsink_bytes field) {
        auto *self = static_cast<EntityRecorder *>(ctx);
        self->tolerated.push_back(std::string(vsink::view(kind)) + " " + std::string(vsink::view(field)));
        self->tolerated_after.push_back(self->entities.size());
    }

    static int emit(void *ctx, const vsink_entity *entity) {
        auto *self = static_cast<EntityRecorder *>(ctx);
        if (self->refuse_at >= 0 && static_cast<size_t>(self->refuse_at) == self->entities.size()) return 1;
        RecordedEntity e;
        e.type = std::string(vsink::view(entity->type));
        for (size_t i = 0; i < entity->field_count; ++i) {
            const vsink_field &f = entity->fields[i];
            FieldValue v;
            v.kind = f.value.kind;
            v.i64 = f.value.i64;
            v.f64 = f.value.f64;
            v.str = std::string(vsink::view(f.value.str));
            std::string name(vsink::view(f.name));
            if (e.fields.count(name)) throw std::logic_error(e.type + ": field '" + name + "' emitted twice");
            e.field_order.push_back(name);
            e.fields.emplace(std::move(name), std::move(v));
        }
        self->entities.push_back(std::move(e));
        return 0;
    }
};

// Expected values for check_row: the kinds a field can have.
inline FieldValue Null() { return FieldValue{}; }
inline FieldValue S(std::string v) { return FieldValue{VSINK_STRING, 0, 0, std::move(v)}; }
inline FieldValue I(int64_t v) { return FieldValue{VSINK_INT64, v, 0, {}}; }
inline FieldValue D(double v) { return FieldValue{VSINK_DOUBLE, 0, v, {}}; }
inline FieldValue B(bool v) { return FieldValue{VSINK_BOOL, v ? 1 : 0, 0, {}}; }
inline FieldValue T(int64_t ms) { return FieldValue{VSINK_TIMESTAMP_MS, ms, 0, {}}; }

// An entity's expected fields, in the order it must emit them.
using Row = std::vector<std::pair<std::string, FieldValue>>;

inline std::string describe(const FieldValue &v) {
    std::ostringstream s;
    switch (v.kind) {
        case VSINK_NULL: s << "NULL"; break;
        case VSINK_INT64: s << "int64 " << v.i64; break;
        case VSINK_DOUBLE: s << "double " << v.f64; break;
        case VSINK_STRING: s << "string '" << v.str << "'"; break;
        case VSINK_BOOL: s << "bool " << v.i64; break;
        case VSINK_TIMESTAMP_MS: s << "timestamp_ms " << v.i64; break;
        default: s << "kind " << v.kind;
    }
    return s.str();
}

// Equal kind and value; doubles to within a relative 1e-12 (a JSON decimal
// and a C++ literal may differ in the last bit).
inline bool same_value(const FieldValue &a, const FieldValue &b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case VSINK_NULL: return true;
        case VSINK_DOUBLE: {
            const double scale = std::max(1.0, std::max(std::fabs(a.f64), std::fabs(b.f64)));
            return std::fabs(a.f64 - b.f64) <= 1e-12 * scale;
        }
        case VSINK_STRING: return a.str == b.str;
        default: return a.i64 == b.i64;
    }
}

// Every column of the entity, in order: the field names must be exactly
// those of `expected`, and each value the expected one.
inline void check_row(const RecordedEntity &e, const std::string &type, const Row &expected) {
    INFO("entity " << e.type);
    CHECK(e.type == type);
    std::vector<std::string> names;
    for (const auto &kv : expected) names.push_back(kv.first);
    CHECK(e.field_order == names);
    for (const auto &[name, want] : expected) {
        auto it = e.fields.find(name);
        if (it == e.fields.end()) continue;  // reported by the field_order check
        INFO(e.type << "." << name << ": got " << describe(it->second) << ", expected " << describe(want));
        CHECK(same_value(it->second, want));
    }
}

inline std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline std::string fixture(const std::string &name) { return read_file(std::string(VIBE_JSON_FIXTURES) + "/" + name); }

}  // namespace vibe_test
