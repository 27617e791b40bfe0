// Ticketland JSON (CONTRACT.md §3) -> domain structs, for both shapes in the
// wild: A (the linked schema, Dec 2025) and B (what Ticketland produces since
// 2026). Where both shapes name a field, B wins; JSON null means absent;
// unknown members are ignored.
//
// Every function throws vibe::DecodeError naming the field and the problem,
// e.g. "order.tickets[2].id: missing" or "event.start_at: expected a number,
// got string". Messages never contain a value of a customer field.
#pragma once

#include <string>
#include <string_view>

#include "domain.hpp"

namespace vibe::json {

Organizer decode_organizer(std::string_view json);
Event decode_event(std::string_view json);
Order decode_order(std::string_view json);
// The refund body has no id: the record key is the refund id.
Refund decode_refund(std::string_view json, std::string refund_id);
Ticket decode_ticket(std::string_view json);

}  // namespace vibe::json
