// libFuzzer target: Ticketscloud Protobuf (ticketscloud_decoder). The first
// byte picks the message (its value modulo 4: partner, event, order, refund
// request), the rest is the message's wire bytes. Seeds: fuzz_seeds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decoder_target.hpp"
#include "ticketscloud_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const std::string_view bytes(reinterpret_cast<const char *>(data) + 1, size - 1);
    const vibe::Envelope env{"ticketscloud", std::nullopt};
    // The category ids fuzz_seeds uses, as a topic's `categories` maps them.
    static const vibe::tc::CategoryDictionary categories = {{"cat-concert", "concert"}, {"cat-theater", "theater"}};
    using namespace vibe;
    switch (data[0] % 4) {
        case 0:
            vsink_fuzz::check_decoder("partner", [&](Anomalies &a) { return entities_of(env, tc::decode_partner(bytes, a)); });
            break;
        case 1:
            vsink_fuzz::check_decoder("event", [&](Anomalies &a) { return entities_of(env, tc::decode_event(bytes, categories, a)); });
            break;
        case 2:
            vsink_fuzz::check_decoder("order", [&](Anomalies &a) { return entities_of(env, tc::decode_order(bytes, a)); });
            break;
        case 3:
            vsink_fuzz::check_decoder("refund_request", [&](Anomalies &a) { return entities_of(env, tc::decode_refund_request(bytes, a)); });
            break;
    }
    return 0;
}
