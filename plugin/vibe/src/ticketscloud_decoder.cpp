#include "ticketscloud_decoder.hpp"

namespace vibe::tc {

Organizer decode_partner(std::string_view) { throw DecodeError("not implemented"); }
Event decode_event(std::string_view) { throw DecodeError("not implemented"); }
Order decode_order(std::string_view) { throw DecodeError("not implemented"); }
Refund decode_refund_request(std::string_view) { throw DecodeError("not implemented"); }

}  // namespace vibe::tc
