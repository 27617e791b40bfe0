#include "persistence/entity_row.hpp"

#include <ctime>
#include <cstdio>

namespace vsink {

namespace {
constexpr char kKeySep = '\x1f';  // ASCII unit separator: never in ids
}

std::string Value::key_text() const {
    switch (kind) {
    case Kind::Null: return {};
    case Kind::String: return s;
    case Kind::Int:
    case Kind::Bool:
    case Kind::TimestampMs: return std::to_string(i);
    case Kind::Double: {
        char b[64];
        std::snprintf(b, sizeof b, "%.17g", d);
        return b;
    }
    }
    return {};
}

std::string format_utc_datetime(int64_t epoch_ms) {
    int64_t secs = epoch_ms / 1000;
    int64_t ms = epoch_ms % 1000;
    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    const time_t t = static_cast<time_t>(secs);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    char b[48];
    std::snprintf(b, sizeof b, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday,
                  tmv.tm_hour, tmv.tm_min, tmv.tm_sec, static_cast<int>(ms));
    return b;
}

std::string join_key(const std::vector<std::string> &parts) {
    std::string k;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) k += kKeySep;
        k += parts[i];
    }
    return k;
}

std::vector<std::string> split_key(const std::string &key) {
    std::vector<std::string> parts(1);
    for (char ch : key) {
        if (ch == kKeySep) parts.emplace_back();
        else parts.back() += ch;
    }
    return parts;
}

std::string EntityRow::key_text() const {
    std::vector<std::string> parts;
    for (size_t ki : def->key_index) parts.push_back(values[ki].key_text());
    return join_key(parts);
}

std::string EntityRow::parent_key_text(const ParentRef &p) const {
    std::vector<std::string> parts;
    for (size_t fi : p.field_index) {
        if (values[fi].is_null()) return {};
        parts.push_back(values[fi].key_text());
    }
    return join_key(parts);
}

}  // namespace vsink
