// Domain structs -> the entities of mappings/vibe-tables.yaml, with exactly
// the entity and field names declared there. Every entity carries `system`
// (the ticketing system of the topic: ids belong to it) and its key fields;
// orders, their tickets and refunds also carry `channel` (the record's
// application-id, the sales channel). Every declared field is always present
// (NULL when the message did not give it), so all rows of one entity type
// have the same columns.
//
// Building is separate from emitting: a record's entities are all built
// before the first one reaches the host, so a record is never half-applied.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vsink/plugin.hpp>

#include "domain.hpp"

namespace vibe {

struct Entity {
    explicit Entity(std::string_view entity_type) : type(entity_type), fields(entity_type) {}
    std::string type;
    vsink::EntityBuilder fields;
};

using Entities = std::vector<Entity>;

// What every entity of one record shares: the topic's ticketing system and
// the record's sales channel (absent when the record has none).
struct Envelope {
    std::string system;
    Opt channel;
};

// organizer (its own message: every column)
Entities entities_of(const Envelope &env, const Organizer &organizer);
// [nested_organizer], [venue], event, ticket_set...
Entities entities_of(const Envelope &env, const Event &event);
// order, then per ticket: order_ticket (active for a sale, or cancelled plus
// a ticket_status cancelled for a cancellation); an order whose effect is
// `none` emits only the order row.
Entities entities_of(const Envelope &env, const Order &order);
// refund, refund_ticket per ticket, and ticket_status refunded per ticket
// when the refund refunds its tickets.
Entities entities_of(const Envelope &env, const Refund &refund);
// ticket (tickets topology), with the status it carries (NULL: unknown).
Entities entities_of(const Envelope &env, const Ticket &ticket);

// Emits in order and stops at the first entity the host refuses; returns
// that entity's index, or nullopt when all were accepted.
std::optional<size_t> emit_all(const Entities &entities, const vsink_emitter &out);

}  // namespace vibe
