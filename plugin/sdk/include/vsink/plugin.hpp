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

// Builds one entity and emits it. Names and strings passed to the setters are
// copied into the builder, so temporaries are fine. All text lives in one
// buffer and emit() hands the host views into it. A builder's buffers go back
// to a small per-thread stock when it ends and the next builder takes them:
// once warm, a typical entity costs no allocation, however many fields it has.
class EntityBuilder {
public:
    explicit EntityBuilder(std::string_view type) {
        std::vector<Buffers> *stock = spares();
        if (stock && !stock->empty()) {
            text_ = std::move(stock->back().text);
            values_ = std::move(stock->back().values);
            stock->pop_back();
        } else {
            text_.reserve(kTextReserve);
            values_.reserve(kFieldsReserve);
        }
        type_ = append(type);
    }
    EntityBuilder(const EntityBuilder &) = default;
    EntityBuilder(EntityBuilder &&) noexcept = default;
    EntityBuilder &operator=(const EntityBuilder &) = default;
    EntityBuilder &operator=(EntityBuilder &&) noexcept = default;
    ~EntityBuilder() {
        // Only buffers of the usual size are kept (a moved-from builder has none).
        if (text_.capacity() < kTextReserve || text_.capacity() > kKeepText || values_.capacity() < kFieldsReserve ||
            values_.capacity() > kKeepFields)
            return;
        std::vector<Buffers> *stock = spares();
        if (!stock || stock->size() >= kMaxSpares) return;
        text_.clear();
        values_.clear();
        stock->push_back(Buffers{std::move(text_), std::move(values_)});  // reserved: cannot throw
    }

    EntityBuilder &null(std::string_view name) { return add(name, VSINK_NULL, 0, 0, {}); }
    EntityBuilder &str(std::string_view name, std::string_view v) { return add(name, VSINK_STRING, 0, 0, v); }
    EntityBuilder &str(std::string_view name, const std::optional<std::string> &v) {
        return v ? str(name, std::string_view(*v)) : null(name);
    }
    EntityBuilder &i64(std::string_view name, int64_t v) { return add(name, VSINK_INT64, v, 0, {}); }
    EntityBuilder &i64(std::string_view name, const std::optional<int64_t> &v) { return v ? i64(name, *v) : null(name); }
    EntityBuilder &f64(std::string_view name, double v) { return add(name, VSINK_DOUBLE, 0, v, {}); }
    EntityBuilder &f64(std::string_view name, const std::optional<double> &v) { return v ? f64(name, *v) : null(name); }
    EntityBuilder &boolean(std::string_view name, bool v) { return add(name, VSINK_BOOL, v ? 1 : 0, 0, {}); }
    EntityBuilder &boolean(std::string_view name, const std::optional<bool> &v) {
        return v ? boolean(name, *v) : null(name);
    }
    EntityBuilder &timestamp_ms(std::string_view name, int64_t ms) { return add(name, VSINK_TIMESTAMP_MS, ms, 0, {}); }
    EntityBuilder &timestamp_ms(std::string_view name, const std::optional<int64_t> &ms) {
        return ms ? timestamp_ms(name, *ms) : null(name);
    }

    // Returns false when the host refused the entity.
    bool emit(const vsink_emitter &out) const {
        constexpr size_t kOnStack = 64;
        vsink_field on_stack[kOnStack];
        std::vector<vsink_field> on_heap;
        vsink_field *fields = on_stack;
        if (values_.size() > kOnStack) {
            on_heap.resize(values_.size());
            fields = on_heap.data();
        }
        for (size_t i = 0; i < values_.size(); ++i) {
            const Value &v = values_[i];
            fields[i].name = at(v.name);
            fields[i].value.kind = v.kind;
            fields[i].value.i64 = v.i;
            fields[i].value.f64 = v.d;
            fields[i].value.str = at(v.s);
        }
        vsink_entity e{at(type_), fields, values_.size()};
        return out.emit(out.host_ctx, &e) == 0;
    }

private:
    static constexpr size_t kTextReserve = 512;
    static constexpr size_t kFieldsReserve = 32;
    static constexpr size_t kKeepText = 4096;
    static constexpr size_t kKeepFields = 128;
    static constexpr size_t kMaxSpares = 64;
    struct Span {
        size_t off, len;
    };
    struct Value {
        Span name;
        int32_t kind;
        int64_t i;
        double d;
        Span s;
    };
    struct Buffers {
        std::string text;
        std::vector<Value> values;
    };
    // The calling thread's stock of buffers; nullptr once the thread is
    // ending (a builder destroyed then just frees its own).
    static std::vector<Buffers> *spares() {
        static thread_local bool gone = false;  // trivially destructible: readable to the end
        struct Stock {
            std::vector<Buffers> items;
            Stock() { items.reserve(kMaxSpares); }
            ~Stock() { gone = true; }
        };
        if (gone) return nullptr;
        static thread_local Stock stock;
        return &stock.items;
    }
    Span append(std::string_view s) {
        Span sp{text_.size(), s.size()};
        text_.append(s.data(), s.size());
        return sp;
    }
    // An empty string is a string, not NULL: its pointer must not be NULL.
    vsink_bytes at(Span s) const { return vsink_bytes{text_.data() + s.off, s.len}; }
    EntityBuilder &add(std::string_view name, int32_t kind, int64_t i, double d, std::string_view s) {
        const Span n = append(name);
        const Span v = append(s);
        values_.push_back(Value{n, kind, i, d, v});
        return *this;
    }
    std::string text_;
    Span type_{};
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
