// The body of the decoder targets (fuzz_json, fuzz_vibe_v1, fuzz_ticketscloud):
// decode one message, then hand its anomalies and entities to a checking host
// exactly as RecordConverter::convert does. A DecodeError is the decoder's
// way of refusing a message; any other exception escaping it is a bug.
#pragma once

#include <exception>
#include <string>
#include <typeinfo>

#include "domain.hpp"
#include "entity_emitter.hpp"
#include "fuzz_support.hpp"

namespace vsink_fuzz {

template <class Decode>
void check_decoder(const char *message, Decode &&decode) {
    vibe::Anomalies anomalies;
    vibe::Entities entities;
    try {
        entities = decode(anomalies);
    } catch (const vibe::DecodeError &e) {
        const std::string what = e.what();
        if (what.empty()) fail(std::string(message) + ": a DecodeError without a message");
        if (!valid_utf8(what)) fail(std::string(message) + ": a DecodeError message that is not UTF-8");
        return;
    } catch (const std::exception &e) {
        fail(std::string(message) + ": " + typeid(e).name() + " escaped the decoder: " + e.what());
    }
    if (entities.empty()) fail(std::string(message) + ": decoded into no entity");
    CheckingEmitter host;
    const vsink_emitter out = host.emitter();
    for (const vibe::Anomaly &a : anomalies.list()) vsink::tolerated(out, a.kind, a.field);
    if (vibe::emit_all(entities, out)) fail(std::string(message) + ": emit_all reports a refusal nobody made");
    if (host.entities() != entities.size()) fail(std::string(message) + ": not every entity was emitted");
}

}  // namespace vsink_fuzz
