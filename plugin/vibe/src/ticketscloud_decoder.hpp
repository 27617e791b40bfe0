// Ticketscloud Protobuf (CONTRACT.md §5) -> domain structs.
// Every function throws vibe::DecodeError when the bytes do not parse or a
// required id is missing; error messages never contain personal data.
#pragma once

#include <string_view>

#include "domain.hpp"

namespace vibe::tc {

Organizer decode_partner(std::string_view bytes);
Event decode_event(std::string_view bytes);
Order decode_order(std::string_view bytes);
Refund decode_refund_request(std::string_view bytes);

}  // namespace vibe::tc
