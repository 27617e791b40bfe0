// One entity the plugin emitted, resolved against its mapping: the values of
// the columns it writes, in the mapping's column order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/mapping.hpp"

namespace vsink {

struct Value {
    enum class Kind { Null, Int, Double, String, Bool, TimestampMs };
    Kind kind = Kind::Null;
    int64_t i = 0;
    double d = 0;
    std::string s;

    static Value null() { return {}; }
    static Value str(std::string v) { Value x; x.kind = Kind::String; x.s = std::move(v); return x; }
    static Value integer(int64_t v) { Value x; x.kind = Kind::Int; x.i = v; return x; }
    bool is_null() const { return kind == Kind::Null; }
    // The value as key text (identity of parents and parked rows).
    std::string key_text() const;
    // The same, appended to `out` (no temporary string).
    void append_key_text(std::string &out) const;
};

// "YYYY-MM-DD HH:MM:SS.mmm" in UTC, the DATETIME(3) literal.
std::string format_utc_datetime(int64_t epoch_ms);
// The same into `buf` (NUL-terminated, at least 48 bytes); returns its length.
size_t format_utc_datetime(int64_t epoch_ms, char *buf, size_t size);

// The Kafka record an entity came from, as the dead-letter queue re-publishes
// it. Views: they borrow from the consumed message (valid for its batch) or
// from the parking lot (valid until its next take).
struct SourceRecord {
    struct Header {
        std::string_view key;
        std::optional<std::string_view> value;  // nullopt: a null header value
    };
    std::optional<std::string_view> key;    // nullopt: a null key
    std::optional<std::string_view> value;  // nullopt: a tombstone
    std::vector<Header> headers;
    int64_t timestamp_ms = -1;
};

// Where an entity came from: for logs, parking and the DLQ.
struct RecordOrigin {
    std::string topic;
    int32_t partition = -1;
    int64_t offset = -1;
    const SourceRecord *source = nullptr;  // the record itself, when known
};

struct EntityRow {
    const EntityDef *def = nullptr;
    std::vector<Value> values;  // same index as def->columns
    RecordOrigin origin;

    // The row's own key, e.g. "ticketland\x1ford-1".
    std::string key_text() const;
    // The key of parent `p` in its table, or empty when any part is null
    // (a null reference needs no parent).
    std::string parent_key_text(const ParentRef &p) const;
    // The same into `out` (its capacity reused); false, `out` empty, when
    // any part is null.
    bool parent_key_text(const ParentRef &p, std::string &out) const;
};

std::string join_key(const std::vector<std::string> &parts);
std::vector<std::string> split_key(const std::string &key);

}  // namespace vsink
