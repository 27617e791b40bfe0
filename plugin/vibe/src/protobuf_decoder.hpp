// Ticketland Protobuf (package vibe.v1, CONTRACT.md §4) -> domain structs.
// Every function throws vibe::DecodeError when the bytes do not parse or a
// required id is missing, and notes in `anomalies` what it read leniently (an
// enum value newer than this schema, coordinates out of range); error
// messages never contain personal data.
#pragma once

#include <string>
#include <string_view>

#include "domain.hpp"

namespace vibe::pb {

Organizer decode_organizer(std::string_view bytes, Anomalies &anomalies);
Event decode_event(std::string_view bytes, Anomalies &anomalies);
Order decode_order(std::string_view bytes, Anomalies &anomalies);
// The refund body has no id: the record key is the refund id.
Refund decode_refund(std::string_view bytes, std::string refund_id, Anomalies &anomalies);
Ticket decode_ticket(std::string_view bytes, Anomalies &anomalies);

}  // namespace vibe::pb
