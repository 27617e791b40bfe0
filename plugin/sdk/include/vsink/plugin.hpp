// Thin C++ helper over plugin_abi.h for plugin authors. Header only; nothing
// here crosses the .so boundary except the C structs of plugin_abi.h.
#pragma once

#include <vsink/plugin_abi.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vsink {

inline std::string_view view(vsink_bytes b) { return b.ptr ? std::string_view(b.ptr, b.len) : std::string_view(); }
inline vsink_bytes bytes(std::string_view s) { return vsink_bytes{s.data(), s.size()}; }

// A record as the plugin sees it, with convenient header lookup.
class RecordView {
public:
    explicit RecordView(const vsink_record &r) : r_(r) {}
    std::string_view topic() const { return view(r_.topic); }
    int32_t partition() const { return r_.partition; }
    int64_t offset() const { return r_.offset; }
    int64_t timestamp_ms() const { return r_.timestamp_ms; }
    bool has_key() const { return r_.key.ptr != nullptr; }
    std::string_view key() const { return view(r_.key); }
    bool has_value() const { return r_.value.ptr != nullptr; }
    std::string_view value() const { return view(r_.value); }
    // The last header with this name, if any (Kafka allows repeats; last wins).
    std::optional<std::string_view> header(std::string_view name) const {
        std::optional<std::string_view> found;
        for (size_t i = 0; i < r_.header_count; ++i)
            if (view(r_.headers[i].key) == name && r_.headers[i].value.ptr) found = view(r_.headers[i].value);
        return found;
    }

private:
    const vsink_record &r_;
};

// Builds one entity and emits it. Strings passed to the setters are copied
// into the builder, so temporaries are fine.
class EntityBuilder {
public:
    explicit EntityBuilder(std::string type) : type_(std::move(type)) {}

    EntityBuilder &null(std::string name) { return add(std::move(name), VSINK_NULL, 0, 0, {}); }
    EntityBuilder &str(std::string name, std::string_view v) { return add(std::move(name), VSINK_STRING, 0, 0, std::string(v)); }
    EntityBuilder &str(std::string name, const std::optional<std::string> &v) {
        return v ? str(std::move(name), std::string_view(*v)) : null(std::move(name));
    }
    EntityBuilder &i64(std::string name, int64_t v) { return add(std::move(name), VSINK_INT64, v, 0, {}); }
    EntityBuilder &i64(std::string name, const std::optional<int64_t> &v) {
        return v ? i64(std::move(name), *v) : null(std::move(name));
    }
    EntityBuilder &f64(std::string name, double v) { return add(std::move(name), VSINK_DOUBLE, 0, v, {}); }
    EntityBuilder &f64(std::string name, const std::optional<double> &v) {
        return v ? f64(std::move(name), *v) : null(std::move(name));
    }
    EntityBuilder &boolean(std::string name, bool v) { return add(std::move(name), VSINK_BOOL, v ? 1 : 0, 0, {}); }
    EntityBuilder &boolean(std::string name, const std::optional<bool> &v) {
        return v ? boolean(std::move(name), *v) : null(std::move(name));
    }
    EntityBuilder &timestamp_ms(std::string name, int64_t ms) { return add(std::move(name), VSINK_TIMESTAMP_MS, ms, 0, {}); }
    EntityBuilder &timestamp_ms(std::string name, const std::optional<int64_t> &ms) {
        return ms ? timestamp_ms(std::move(name), *ms) : null(std::move(name));
    }

    // Returns false when the host refused the entity.
    bool emit(const vsink_emitter &out) const {
        std::vector<vsink_field> fields(values_.size());
        for (size_t i = 0; i < values_.size(); ++i) {
            const Value &v = values_[i];
            fields[i].name = bytes(v.name);
            fields[i].value.kind = v.kind;
            fields[i].value.i64 = v.i;
            fields[i].value.f64 = v.d;
            fields[i].value.str = bytes(v.s);
        }
        vsink_entity e{bytes(type_), fields.data(), fields.size()};
        return out.emit(out.host_ctx, &e) == 0;
    }

private:
    struct Value {
        std::string name;
        int32_t kind;
        int64_t i;
        double d;
        std::string s;
    };
    EntityBuilder &add(std::string name, int32_t kind, int64_t i, double d, std::string s) {
        values_.push_back(Value{std::move(name), kind, i, d, std::move(s)});
        return *this;
    }
    std::string type_;
    std::vector<Value> values_;
};

// Reports a tolerated anomaly of the current record (see vsink_emitter).
inline void tolerated(const vsink_emitter &out, std::string_view kind, std::string_view field) {
    if (out.tolerated) out.tolerated(out.host_ctx, bytes(kind), bytes(field));
}

// Writes a message into a host-owned error buffer, truncating as needed.
inline void set_error(vsink_error *err, std::string_view msg) {
    if (!err || !err->buf || err->cap == 0) return;
    size_t n = msg.size() < err->cap - 1 ? msg.size() : err->cap - 1;
    std::memcpy(err->buf, msg.data(), n);
    err->buf[n] = '\0';
}

// The error's class token (ABI 3), e.g. "malformed": see vsink_error.
inline void set_error_class(vsink_error *err, std::string_view cls) {
    if (!err || !err->class_buf || err->class_cap == 0) return;
    size_t n = cls.size() < err->class_cap - 1 ? cls.size() : err->class_cap - 1;
    std::memcpy(err->class_buf, cls.data(), n);
    err->class_buf[n] = '\0';
}

}  // namespace vsink
