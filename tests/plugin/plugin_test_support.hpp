// Helpers shared by the tests that link vibe_core directly: emitting a
// decoded message through the entity emitter, the anomalies a decoder noted
// as "kind field" strings, Kafka records for RecordConverter, and a
// field-by-field comparison of two records' entities.
#pragma once

#include <catch2/catch.hpp>

#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "domain.hpp"
#include "entity_emitter.hpp"
#include "entity_recorder.hpp"
#include "record_converter.hpp"

namespace vibe_test {

using Names = std::vector<std::string>;

inline vibe::Envelope ticketland(vibe::Opt channel = std::nullopt) { return vibe::Envelope{"ticketland", channel}; }
inline vibe::Envelope ticketscloud(vibe::Opt channel = std::nullopt) {
    return vibe::Envelope{"ticketscloud", channel};
}

// The entities of a decoded message, as the host would receive them.
template <typename Message>
std::vector<RecordedEntity> emitted(const Message &m, const vibe::Envelope &env = ticketland()) {
    EntityRecorder rec;
    vsink_emitter out = rec.emitter();
    REQUIRE_FALSE(vibe::emit_all(vibe::entities_of(env, m), out));
    return rec.entities;
}

inline Names types(const std::vector<RecordedEntity> &es) {
    Names out;
    for (const RecordedEntity &e : es) out.push_back(e.type);
    return out;
}

// "kind field" per anomaly, in the order noted (the format EntityRecorder
// records tolerated() calls in).
inline Names noted(const vibe::Anomalies &a) {
    Names out;
    for (const vibe::Anomaly &x : a.list()) out.push_back(x.kind + " " + x.field);
    return out;
}

// Decodes with a fresh Anomalies and hands both back.
template <typename Result>
struct Decoded {
    Result value;
    Names anomalies;
};
template <typename F>
auto decoded(F &&decode) -> Decoded<decltype(decode(std::declval<vibe::Anomalies &>()))> {
    vibe::Anomalies a;
    auto v = decode(a);
    return {std::move(v), noted(a)};
}

// A Kafka record for RecordConverter; the views it hands out point into it.
struct Record {
    Record(std::string t, std::optional<std::string> v) : topic(std::move(t)), value(std::move(v)) {}

    std::string topic;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
    std::optional<std::string> key = std::string("k");
    int32_t partition = 0;
    int64_t offset = 42;

    Record &header(std::string name, std::optional<std::string> v) {
        headers.emplace_back(std::move(name), std::move(v));
        return *this;
    }

    // Valid while this Record lives and is not changed.
    const vsink_record &get() {
        hs_.clear();
        for (const auto &[k, v] : headers)
            hs_.push_back(vsink_header{vsink::bytes(k), v ? vsink::bytes(*v) : vsink_bytes{nullptr, 0}});
        rec_ = vsink_record{};
        rec_.topic = vsink::bytes(topic);
        rec_.partition = partition;
        rec_.offset = offset;
        rec_.timestamp_ms = -1;
        rec_.key = key ? vsink::bytes(*key) : vsink_bytes{nullptr, 0};
        rec_.value = value ? vsink::bytes(*value) : vsink_bytes{nullptr, 0};
        rec_.headers = hs_.data();
        rec_.header_count = hs_.size();
        return rec_;
    }

private:
    std::vector<vsink_header> hs_;
    vsink_record rec_{};
};

inline Record json_record(std::string topic, std::string value, std::optional<std::string> channel = std::nullopt) {
    Record r(std::move(topic), std::move(value));
    r.header("content-type", std::string("application/json")).header("schema-version", std::string("1.0"));
    if (channel) r.header("application-id", *channel);
    return r;
}

inline Record protobuf_record(std::string topic, std::string value,
                              std::optional<std::string> channel = std::nullopt) {
    Record r(std::move(topic), std::move(value));
    r.header("content-type", std::string("application/x-protobuf")).header("schema-version", std::string("1.0"));
    if (channel) r.header("application-id", *channel);
    return r;
}

// What RecordConverter::convert gives the host for one record: the entities,
// the tolerated() reports, and the error when the record is refused.
struct Converted {
    EntityRecorder rec;
    std::string error;  // empty: accepted
};

inline Converted convert(const vibe::RecordConverter &conv, Record &r) {
    Converted c;
    vsink_emitter out = c.rec.emitter();
    try {
        conv.convert(r.get(), out);
    } catch (const std::exception &e) {
        c.error = e.what();
        if (c.error.empty()) c.error = "(empty error)";
    }
    return c;
}

// Checks that two records gave the same entities, in the same order, with
// the same fields in the same order and the same values, except the fields
// named in `differ` ("entity.field"), which must differ.
inline void check_same_rows(const std::vector<RecordedEntity> &a, const std::vector<RecordedEntity> &b,
                            const std::set<std::string> &differ = {}) {
    REQUIRE(types(a) == types(b));
    std::set<std::string> differed;
    for (size_t i = 0; i < a.size(); ++i) {
        INFO("entity #" << i << " " << a[i].type);
        REQUIRE(a[i].field_order == b[i].field_order);
        for (const std::string &f : a[i].field_order) {
            const std::string name = a[i].type + "." + f;
            const bool same = same_value(a[i].at(f), b[i].at(f));
            INFO(name << ": " << describe(a[i].at(f)) << " vs " << describe(b[i].at(f)));
            if (differ.count(name)) {
                CHECK_FALSE(same);
                differed.insert(name);
            } else {
                CHECK(same);
            }
        }
    }
    CHECK(differed == differ);  // every expected difference was met
}

}  // namespace vibe_test
