// A fake host emitter for tests: records every entity it is given as a type
// and a map of field name -> value, in emission order.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

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
    // Refuse the n-th entity (0-based) to test the plugin's reaction.
    int refuse_at = -1;

    vsink_emitter emitter() { return vsink_emitter{this, &EntityRecorder::emit}; }

    std::vector<std::string> types() const {
        std::vector<std::string> out;
        for (const RecordedEntity &e : entities) out.push_back(e.type);
        return out;
    }

private:
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

inline std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline std::string fixture(const std::string &name) { return read_file(std::string(VIBE_JSON_FIXTURES) + "/" + name); }

}  // namespace vibe_test
