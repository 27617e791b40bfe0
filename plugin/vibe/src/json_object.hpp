// Typed, path-aware access to one JSON object of a Ticketland message.
//
// A tolerant reader (CONTRACT.md §2): only ids and parent links are
// required. required_id() throws vibe::DecodeError when the id is missing;
// every other accessor treats JSON null like an absent member, and a member
// of an unexpected type or outside what its column can hold is read as
// absent and noted in the record's Anomalies (kind and path, never the
// value: members may hold personal data).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "domain.hpp"

namespace vibe::json {

class Object {
public:
    // Throws unless v is an object; path names it in messages, e.g.
    // "order.tickets[2]". Anomalies of this object and its children go to
    // `anomalies`, which must outlive them.
    Object(const rapidjson::Value &v, std::string path, Anomalies &anomalies);
    // Element `index` of the parent's array `member` ("order.tickets[2]").
    // The parent must outlive it; the path is made only when needed (a
    // message, an anomaly), never per element.
    Object(const rapidjson::Value &v, const Object &parent, const char *member, size_t index);

    std::string path() const;
    std::string path(const char *member) const { return path() + "." + member; }
    Anomalies &anomalies() const { return *anomalies_; }

    // The member, or nullptr when it is missing or null.
    const rapidjson::Value *find(const char *member) const;

    // An id: a non-empty string, or an integer as its decimal text. Throws
    // "<path>: missing" when absent, and on any other type.
    std::string required_id(const char *member) const;
    // An optional id (e.g. a parent link that may be absent): as required_id
    // when present; an unusable value is noted and read as absent.
    Opt id(const char *member) const;
    Opt string(const char *member) const;
    // A string, or an integer written as its decimal text: seat rows, ticket
    // numbers and registration numbers are digits that some producers send
    // as JSON numbers.
    Opt label(const char *member) const;
    std::optional<int64_t> integer(const char *member) const;
    std::optional<double> number(const char *member) const;
    std::optional<bool> boolean(const char *member) const;
    // Unix time in seconds or milliseconds (epoch_to_ms), as milliseconds;
    // fractional seconds are kept to the millisecond. Values outside
    // 1970..9999, which no DATETIME column can hold, are out of range.
    std::optional<int64_t> timestamp_ms(const char *member) const;
    std::optional<Object> object(const char *member) const;
    // The member's array, or nullptr when absent (or not an array: noted).
    const rapidjson::Value *array(const char *member) const;

    // Notes an anomaly of a member of this object.
    void note(const char *kind, const char *member) const { anomalies_->note(kind, path(member)); }

private:
    // The member object `member` of parent, which must outlive it.
    Object(const rapidjson::Value &v, const Object &parent, const char *member);

    const rapidjson::Value *v_;
    std::string root_path_;             // a root's path; empty for the others
    const Object *parent_ = nullptr;    // else: parent.member, parent.member[index]
    const char *member_ = nullptr;
    size_t index_ = kNoIndex;
    Anomalies *anomalies_;
    static constexpr size_t kNoIndex = static_cast<size_t>(-1);
};

// "string", "number", "object", ... for "expected X, got Y" messages.
const char *type_name(const rapidjson::Value &v);

// Reads an id element of an array (e.g. refund.ticket_ids[i]): a non-empty
// string or an integer; throws otherwise.
std::string required_id_element(const rapidjson::Value &v, const std::string &path);

// The value as short text, for a raw value kept beside a normalized one
// (e.g. a category sent as a number): a string as is, anything else as its
// JSON text, at most max_len bytes (cut at a UTF-8 character boundary).
std::string raw_text(const rapidjson::Value &v, size_t max_len);

}  // namespace vibe::json
