// Ticketland JSON (CONTRACT.md §3) -> domain structs, for both shapes in the
// wild: A (the linked schema, Dec 2025) and B (what Ticketland produces since
// 2026). Where both shapes name a field, B wins; JSON null means absent;
// unknown members are ignored.
//
// A tolerant reader (CONTRACT.md §2): each function notes in `anomalies` what
// it read leniently (a field of an unexpected type or range, stored as NULL;
// an unknown enum value; an unknown category, stored as `other` with the raw
// value kept) and throws vibe::DecodeError only for what identifies or links
// the record, naming the field, e.g. "order.tickets[2].id: missing". Messages
// never contain a value of a customer field.
#pragma once

#include <string>
#include <string_view>

#include "domain.hpp"

namespace vibe::json {

Organizer decode_organizer(std::string_view json, Anomalies &anomalies);
Event decode_event(std::string_view json, Anomalies &anomalies);
Order decode_order(std::string_view json, Anomalies &anomalies);
// The refund body has no id: the record key is the refund id.
Refund decode_refund(std::string_view json, std::string refund_id, Anomalies &anomalies);
Ticket decode_ticket(std::string_view json, Anomalies &anomalies);

}  // namespace vibe::json
