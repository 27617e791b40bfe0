// The input layout of fuzz_record: one topic entry and one Kafka record,
// read from bytes (record_fuzzer.cpp) and written by fuzz_seeds (seeds.cpp).
// Header only, no dependencies beyond the standard library.
//
//   byte 0   the topic entry:
//              bits 0-3  message, value modulo 9, in this order: organizer,
//                        event, order, refund, ticket, ticketscloud.partner,
//                        ticketscloud.event, ticketscloud.order,
//                        ticketscloud.refund_request
//              bits 4-5  format: 1 json, 2 protobuf, 0 or 3 none given
//              bit 6     channels: [web, box_office]
//              bit 7     ticketscloud.event: categories {cat-concert: concert,
//                        cat-theater: theater}; other messages:
//                        schema_versions: ["1"], default_schema_version: "1"
//   byte 1   the record:
//              bits 0-1  partition 0..3
//              bit 2     null key
//              bit 3     null value (a tombstone)
//              bit 4     the record is on a topic that is not configured
//              bit 5     a topic name of 200 bytes (a refund without a key
//                        then gets a hashed id)
//              bit 6     offset INT64_MAX instead of 42
//   then     headers, one a line, `name=value` (`name` alone: a null value),
//            up to an empty line; then the key up to a newline; then the
//            value, every remaining byte.
// A missing part is empty: no headers, an empty key, an empty value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vsink_fuzz {

inline constexpr const char *kRecordMessages[] = {
    "organizer",          "event",
    "order",              "refund",
    "ticket",             "ticketscloud.partner",
    "ticketscloud.event", "ticketscloud.order",
    "ticketscloud.refund_request"};
inline constexpr unsigned kRecordMessageCount = 9;

struct RecordInput {
    uint8_t entry = 0;
    uint8_t flags = 0;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
    std::string key;
    std::string value;

    unsigned message() const { return (entry & 0x0f) % kRecordMessageCount; }
    bool ticketscloud() const { return message() >= 5; }
    // 0 none, 1 json, 2 protobuf
    unsigned format() const {
        const unsigned f = (entry >> 4) & 3;
        return f == 3 ? 0 : f;
    }
    bool channels() const { return entry & 0x40; }
    bool extra() const { return entry & 0x80; }

    int32_t partition() const { return flags & 3; }
    bool null_key() const { return flags & 0x04; }
    bool tombstone() const { return flags & 0x08; }
    bool other_topic() const { return flags & 0x10; }
    bool long_topic() const { return flags & 0x20; }
    int64_t offset() const { return (flags & 0x40) ? INT64_MAX : 42; }

    static RecordInput parse(std::string_view in) {
        RecordInput r;
        if (!in.empty()) r.entry = static_cast<uint8_t>(in[0]), in.remove_prefix(1);
        if (!in.empty()) r.flags = static_cast<uint8_t>(in[0]), in.remove_prefix(1);
        while (!in.empty()) {
            const size_t nl = in.find('\n');
            const std::string_view line = in.substr(0, nl);
            in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
            if (line.empty()) break;
            const size_t eq = line.find('=');
            if (eq == std::string_view::npos)
                r.headers.emplace_back(std::string(line), std::nullopt);
            else
                r.headers.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
        }
        const size_t nl = in.find('\n');
        r.key = std::string(in.substr(0, nl));
        if (nl != std::string_view::npos) r.value = std::string(in.substr(nl + 1));
        return r;
    }

    std::string serialize() const {
        std::string out;
        out.push_back(static_cast<char>(entry));
        out.push_back(static_cast<char>(flags));
        for (const auto &[name, v] : headers) out += name + (v ? "=" + *v : std::string()) + "\n";
        out += "\n" + key + "\n" + value;
        return out;
    }
};

}  // namespace vsink_fuzz
