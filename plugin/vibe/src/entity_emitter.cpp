#include "entity_emitter.hpp"

#include "normalize.hpp"

namespace vibe {

namespace {

// EntityBuilder::str takes a string_view or an optional<string>; a
// std::string converts to both, so required values are passed as views.
std::string_view text(const std::string &s) { return s; }

void add_legals(vsink::EntityBuilder &b, const std::optional<Legals> &l) {
    Legals none;
    const Legals &v = l ? *l : none;
    b.str("legal_name", v.name)
        .str("legal_type", v.type)
        .str("legal_inn", v.inn)
        .str("legal_ogrn", v.ogrn)
        .str("legal_address", v.address);
}

Opt display_name(const Customer &c) { return c.name ? c.name : full_name(c.first_name, c.last_name); }

void add_customer(vsink::EntityBuilder &b, const Customer &c) {
    b.str("customer_email", c.email).str("customer_phone", c.phone);
    if (c.name)
        b.str("customer_name", text(*c.name));  // no copy of the common case
    else
        b.str("customer_name", full_name(c.first_name, c.last_name));
}

// The fields `order_ticket` and `ticket` share, in the mapping's order up to
// `category`, then `description` onwards.
void add_ticket_head(vsink::EntityBuilder &b, const Envelope &env, const Ticket &t, const Opt &order_id,
                     const Opt &event_id, const Opt &organizer_id, const Opt &status) {
    b.str("system", text(env.system))
        .str("id", text(t.id))
        .str("order_id", order_id)
        .str("event_id", event_id)
        .str("organizer_id", organizer_id)
        .str("channel", env.channel)
        .str("status", status)
        .str("barcode", t.barcode)
        .str("number", t.number)
        .str("series", t.series)
        .str("seat_row", t.row)
        .str("seat", t.seat)
        .str("category", t.category);
}

void add_ticket_tail(vsink::EntityBuilder &b, const Ticket &t) {
    b.str("description", t.description).i64("price_nominal", t.price_nominal).str("currency", t.currency);
}

Entity ticket_status(const Envelope &env, const std::string &ticket_id, const char *status) {
    Entity e("ticket_status");
    e.fields.str("system", text(env.system)).str("id", text(ticket_id)).str("status", text(status));
    return e;
}

Opt first_of(const Opt &a, const Opt &b) { return a ? a : b; }

}  // namespace

Entities entities_of(const Envelope &env, const Organizer &organizer) {
    Entities out;
    out.reserve(1);
    Entity &e = out.emplace_back("organizer");
    e.fields.str("system", text(env.system)).str("id", text(organizer.id)).str("name", organizer.name);
    add_legals(e.fields, organizer.legals);
    e.fields.str("status", organizer.status)
        .boolean("hidden", organizer.hidden)
        .str("role", organizer.role)
        .str("currency", organizer.currency)
        .timestamp_ms("updated_at", organizer.updated_at_ms);
    return out;
}

Entities entities_of(const Envelope &env, const Event &event) {
    Entities out;
    out.reserve(3 + event.sets.size());
    // Parents first: the organizer the event nests (shape B), then its venue.
    // The nested organizer is a partial copy: the mapping lets its NULLs keep
    // what the organizer's own message stored.
    if (event.organizer) {
        Entity &o = out.emplace_back("nested_organizer");
        o.fields.str("system", text(env.system)).str("id", text(event.organizer->id)).str("name", event.organizer->name);
        add_legals(o.fields, event.organizer->legals);
    }

    Opt venue_id;
    if (event.venue) {
        const Venue &v = *event.venue;
        // A venue without an id gets one derived from its event, so replays
        // of the event update the same row instead of adding new ones.
        venue_id = v.id ? *v.id : "event:" + event.id;
        Entity &e = out.emplace_back("venue");
        e.fields.str("system", text(env.system))
            .str("id", text(*venue_id))
            .str("name", v.name)
            .str("address", v.address)
            .str("description", v.description)
            .str("zipcode", v.zipcode)
            .str("city_name", v.city_name)
            .f64("lat", v.lat)
            .f64("lon", v.lon);
    }

    Entity &e = out.emplace_back("event");
    e.fields.str("system", text(env.system))
        .str("id", text(event.id))
        .str("group_id", event.group_id)
        .str("organizer_id", event.organizer ? Opt(event.organizer->id) : event.organizer_id)
        .str("venue_id", venue_id)
        .str("name", event.name)
        .str("status", event.status)
        .str("category", text(event.category))
        .str("category_raw", event.category_raw)
        .timestamp_ms("start_at", event.start_at_ms)
        .timestamp_ms("finish_at", event.finish_at_ms)
        .str("timezone", event.timezone)
        .i64("utc_offset_hours", event.utc_offset_hours)
        .str("media", event.media)
        .str("description", event.description)
        .str("age_rating", event.age_rating);
    add_legals(e.fields, event.legals);

    for (const TicketSet &s : event.sets) {
        Entity &ts = out.emplace_back("ticket_set");
        ts.fields.str("system", text(env.system))
            .str("id", text(s.id))
            .str("event_id", text(event.id))
            .str("name", s.name)
            .str("description", s.description)
            .str("sector", s.sector)
            .boolean("removed", s.removed);
    }
    return out;
}

Entities entities_of(const Envelope &env, const Order &order) {
    Entities out;
    out.reserve(1 + 2 * order.tickets.size());
    Entity &o = out.emplace_back("order");
    o.fields.str("system", text(env.system))
        .str("id", text(order.id))
        .str("number", order.number)
        .str("event_id", order.event_id)
        .str("organizer_id", order.organizer_id)
        .str("channel", env.channel)
        .str("status", order.status)
        .str("customer_email", order.customer.email)
        .str("customer_phone", order.customer.phone)
        .str("customer_name", display_name(order.customer))
        .str("customer_first_name", order.customer.first_name)
        .str("customer_last_name", order.customer.last_name)
        .timestamp_ms("created_at", order.created_at_ms)
        .timestamp_ms("done_at", order.done_at_ms);

    if (order.effect == TicketEffect::none) return out;
    const bool sold = order.effect == TicketEffect::sell;
    for (const Ticket &t : order.tickets) {
        Entity &e = out.emplace_back("order_ticket");
        add_ticket_head(e.fields, env, t, first_of(t.order_id, Opt(order.id)), first_of(t.event_id, order.event_id),
                        first_of(t.organizer_id, order.organizer_id), std::string(sold ? "active" : "cancelled"));
        e.fields.str("set_id", t.set_id);
        add_ticket_tail(e.fields, t);
        add_customer(e.fields, order.customer);
    }
    // order_ticket keeps the status of a row that already exists (a replayed
    // order must not revive a refunded ticket), so a cancellation must also
    // change the status explicitly.
    if (!sold)
        for (const Ticket &t : order.tickets) out.push_back(ticket_status(env, t.id, "cancelled"));
    return out;
}

Entities entities_of(const Envelope &env, const Refund &refund) {
    Entities out;
    out.reserve(1 + 2 * refund.ticket_ids.size());
    Entity &r = out.emplace_back("refund");
    r.fields.str("system", text(env.system))
        .str("id", text(refund.id))
        .str("order_id", refund.order_id)
        .str("event_id", refund.event_id)
        .str("channel", env.channel)
        .str("status", refund.status)
        .str("customer_email", refund.customer.email)
        .str("customer_phone", refund.customer.phone)
        .str("customer_name", display_name(refund.customer))
        .str("customer_first_name", refund.customer.first_name)
        .str("customer_last_name", refund.customer.last_name)
        .timestamp_ms("created_at", refund.created_at_ms)
        .timestamp_ms("finished_at", refund.finished_at_ms);
    for (const std::string &id : refund.ticket_ids) {
        Entity &e = out.emplace_back("refund_ticket");
        e.fields.str("system", text(env.system)).str("refund_id", text(refund.id)).str("ticket_id", text(id));
    }
    if (refund.refunds_tickets)
        for (const std::string &id : refund.ticket_ids) out.push_back(ticket_status(env, id, "refunded"));
    return out;
}

Entities entities_of(const Envelope &env, const Ticket &ticket) {
    Entities out;
    out.reserve(1);
    Entity &e = out.emplace_back("ticket");
    add_ticket_head(e.fields, env, ticket, ticket.order_id, ticket.event_id, ticket.organizer_id, ticket.status);
    add_ticket_tail(e.fields, ticket);
    add_customer(e.fields, ticket.customer);
    return out;
}

std::optional<size_t> emit_all(const Entities &entities, const vsink_emitter &out) {
    for (size_t i = 0; i < entities.size(); ++i)
        if (!entities[i].fields.emit(out)) return i;
    return std::nullopt;
}

}  // namespace vibe
