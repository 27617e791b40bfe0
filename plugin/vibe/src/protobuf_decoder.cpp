#include "protobuf_decoder.hpp"

namespace vibe::pb {

Organizer decode_organizer(std::string_view) { throw DecodeError("not implemented"); }
Event decode_event(std::string_view) { throw DecodeError("not implemented"); }
Order decode_order(std::string_view) { throw DecodeError("not implemented"); }
Refund decode_refund(std::string_view, std::string) { throw DecodeError("not implemented"); }
Ticket decode_ticket(std::string_view) { throw DecodeError("not implemented"); }

}  // namespace vibe::pb
