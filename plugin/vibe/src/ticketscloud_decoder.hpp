// Ticketscloud Protobuf (CONTRACT.md §5) -> domain structs.
// Every function throws vibe::DecodeError when the bytes do not parse or a
// required id is missing, and notes in `anomalies` what it read leniently (an
// enum value newer than this schema is stored as NULL); error messages never
// contain personal data.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "domain.hpp"

namespace vibe::tc {

// Ticketscloud category id -> Vibe category name (a topic's `categories`).
using CategoryDictionary = std::map<std::string, std::string>;

Organizer decode_partner(std::string_view bytes, Anomalies &anomalies);
// The category id is kept as given (category_raw); the Vibe category is the
// dictionary's entry for it, else `other` (noted as unknown_category).
Event decode_event(std::string_view bytes, const CategoryDictionary &categories, Anomalies &anomalies);
Order decode_order(std::string_view bytes, Anomalies &anomalies);
Refund decode_refund_request(std::string_view bytes, Anomalies &anomalies);

}  // namespace vibe::tc
