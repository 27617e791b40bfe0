// Typed, path-aware access to one JSON object of a Ticketland message.
// Every accessor treats JSON null like an absent member (CONTRACT.md §3) and
// throws vibe::DecodeError naming the full path of the member and what was
// wrong with it. Messages name types, never values: members may hold
// personal data (customer email, phone, names).
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
    // "order.tickets[2]".
    Object(const rapidjson::Value &v, std::string path);

    const std::string &path() const { return path_; }
    std::string path(const char *member) const { return path_ + "." + member; }

    // The member, or nullptr when it is missing or null.
    const rapidjson::Value *find(const char *member) const;

    // A non-empty string; throws "<path>: missing" when absent.
    std::string required_id(const char *member) const;
    Opt string(const char *member) const;
    // A string, or an integer written as its decimal text: seat rows, ticket
    // numbers and registration numbers are digits that some producers send
    // as JSON numbers.
    Opt label(const char *member) const;
    std::optional<int64_t> integer(const char *member) const;
    std::optional<double> number(const char *member) const;
    // Unix time in seconds or milliseconds (epoch_to_ms), as milliseconds;
    // fractional seconds are kept to the millisecond. Refuses values outside
    // 1970..9999, which no DATETIME column can hold.
    std::optional<int64_t> timestamp_ms(const char *member) const;
    std::optional<Object> object(const char *member) const;
    // The member's array, or nullptr when absent.
    const rapidjson::Value *array(const char *member) const;

private:
    const rapidjson::Value *v_;
    std::string path_;
};

// "string", "number", "object", ... for "expected X, got Y" messages.
const char *type_name(const rapidjson::Value &v);

// Reads a string element of an array (e.g. refund.ticket_ids[i]).
std::string required_id_element(const rapidjson::Value &v, const std::string &path);

}  // namespace vibe::json
