#include "persistence/entity_row.hpp"

#include <algorithm>
#include <ctime>
#include <cstdio>

namespace vsink {

namespace {
constexpr char kKeySep = '\x1f';  // ASCII unit separator: never in ids
}

std::string Value::key_text() const {
    std::string out;
    append_key_text(out);
    return out;
}

void Value::append_key_text(std::string &out) const {
    switch (kind) {
    case Kind::Null: return;
    case Kind::String: out += s; return;
    case Kind::Int:
    case Kind::Bool:
    case Kind::TimestampMs: {
        // std::to_string(i)'s digits, without its temporary
        char b[24];
        char *e = b + sizeof b, *q = e;
        uint64_t u = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
        do {
            *--q = static_cast<char>('0' + u % 10);
            u /= 10;
        } while (u);
        if (i < 0) *--q = '-';
        out.append(q, static_cast<size_t>(e - q));
        return;
    }
    case Kind::Double: {
        char b[64];
        const int n = std::snprintf(b, sizeof b, "%.17g", d);
        out.append(b, static_cast<size_t>(n));
        return;
    }
    }
}

std::string format_utc_datetime(int64_t epoch_ms) {
    char b[48];
    const size_t n = format_utc_datetime(epoch_ms, b, sizeof b);
    return std::string(b, n);
}

size_t format_utc_datetime(int64_t epoch_ms, char *b, size_t size) {
    int64_t secs = epoch_ms / 1000;
    int64_t ms = epoch_ms % 1000;
    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    const time_t t = static_cast<time_t>(secs);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    const int n = std::snprintf(b, size, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tmv.tm_year + 1900, tmv.tm_mon + 1,
                                tmv.tm_mday, tmv.tm_hour, tmv.tm_min, tmv.tm_sec, static_cast<int>(ms));
    return n < 0 ? 0 : std::min(static_cast<size_t>(n), size - 1);
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
    // join_key() of the parts, appended in place
    std::string k;
    bool first = true;
    for (size_t ki : def->key_index) {
        if (!first) k += kKeySep;
        first = false;
        values[ki].append_key_text(k);
    }
    return k;
}

std::string EntityRow::parent_key_text(const ParentRef &p) const {
    std::string k;
    parent_key_text(p, k);
    return k;
}

bool EntityRow::parent_key_text(const ParentRef &p, std::string &out) const {
    out.clear();
    bool first = true;
    for (size_t fi : p.field_index) {
        if (values[fi].is_null()) {
            out.clear();
            return false;
        }
        if (!first) out += kKeySep;
        first = false;
        values[fi].append_key_text(out);
    }
    return true;
}

}  // namespace vsink
