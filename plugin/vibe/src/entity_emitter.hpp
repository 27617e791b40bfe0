// Domain structs -> the entities of mappings/vibe-tables.yaml, with exactly
// the entity and field names declared there. Every entity carries `source`
// (the record's application-id) and its key fields; every declared field is
// always present (NULL when the message did not give it), so all rows of one
// entity type have the same columns.
//
// Building is separate from emitting: a record's entities are all built
// before the first one reaches the host, so a record is never half-applied.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <vsink/plugin.hpp>

#include "domain.hpp"

namespace vibe {

struct Entity {
    explicit Entity(const std::string &entity_type) : type(entity_type), fields(entity_type) {}
    std::string type;
    vsink::EntityBuilder fields;
};

using Entities = std::vector<Entity>;

// organizer
Entities entities_of(const std::string &source, const Organizer &organizer);
// [organizer when nested], [venue], event, ticket_set...
Entities entities_of(const std::string &source, const Event &event);
// order, then per ticket: order_ticket (active, or cancelled for a cancelled
// or expired Ticketscloud order, plus a ticket_status cancelled); a
// Ticketscloud order in another status emits only the order row.
Entities entities_of(const std::string &source, const Order &order);
// refund, refund_ticket per ticket, and ticket_status refunded per ticket
// when the refund is Ticketland's (no status) or an approved request.
Entities entities_of(const std::string &source, const Refund &refund);
// ticket (tickets topology), with the status it carries.
Entities entities_of(const std::string &source, const Ticket &ticket);

// Emits in order and stops at the first entity the host refuses; returns
// that entity's index, or nullopt when all were accepted.
std::optional<size_t> emit_all(const Entities &entities, const vsink_emitter &out);

}  // namespace vibe
