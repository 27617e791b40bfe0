// libFuzzer target: Ticketland JSON (json_decoder, json_object). The first
// byte picks the message (its value modulo 5: organizer, event, order,
// refund, ticket), the rest is the JSON text. Seeds: tests/fixtures/json.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decoder_target.hpp"
#include "json_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const std::string_view json(reinterpret_cast<const char *>(data) + 1, size - 1);
    const vibe::Envelope env{"ticketland", std::nullopt};
    using namespace vibe;
    switch (data[0] % 5) {
        case 0:
            vsink_fuzz::check_decoder("organizer", [&](Anomalies &a) { return entities_of(env, json::decode_organizer(json, a)); });
            break;
        case 1:
            vsink_fuzz::check_decoder("event", [&](Anomalies &a) { return entities_of(env, json::decode_event(json, a)); });
            break;
        case 2:
            vsink_fuzz::check_decoder("order", [&](Anomalies &a) { return entities_of(env, json::decode_order(json, a)); });
            break;
        case 3:
            vsink_fuzz::check_decoder("refund", [&](Anomalies &a) { return entities_of(env, json::decode_refund(json, "refund-1", a)); });
            break;
        case 4:
            vsink_fuzz::check_decoder("ticket", [&](Anomalies &a) { return entities_of(env, json::decode_ticket(json, a)); });
            break;
    }
    return 0;
}
