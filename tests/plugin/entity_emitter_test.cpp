// The domain rules of entity_emitter that no Ticketland JSON message reaches:
// Ticketscloud order and refund statuses, ticket sets, legal data on events.
#include <catch2/catch.hpp>

#include "entity_emitter.hpp"
#include "entity_recorder.hpp"

using vibe_test::EntityRecorder;
using vibe_test::RecordedEntity;
using Names = std::vector<std::string>;

namespace {

template <typename Message>
std::vector<RecordedEntity> emitted(const Message &m) {
    EntityRecorder rec;
    vsink_emitter out = rec.emitter();
    REQUIRE_FALSE(vibe::emit_all(vibe::entities_of("ticketscloud", m), out));
    return rec.entities;
}

Names types(const std::vector<RecordedEntity> &es) {
    Names out;
    for (const RecordedEntity &e : es) out.push_back(e.type);
    return out;
}

vibe::Order tc_order(const char *status) {
    vibe::Order o;
    o.id = "o1";
    o.number = "1001";
    o.event_id = "e1";
    o.organizer_id = "p1";
    o.status = status;
    o.customer.email = "c@example.com";
    o.customer.phone = "+70000000000";
    o.customer.name = "Customer Name";
    o.created_at_ms = 1700000000000;
    o.done_at_ms = 1700000001000;
    for (const char *id : {"t1", "t2"}) {
        vibe::Ticket t;
        t.id = id;
        t.set_id = "set-1";
        t.category = "Партер";
        t.price_nominal = 100;
        o.tickets.push_back(t);
    }
    return o;
}

}  // namespace

TEST_CASE("Ticketscloud done order: tickets active", "[emitter][order]") {
    auto es = emitted(tc_order("done"));
    REQUIRE(types(es) == Names{"order", "order_ticket", "order_ticket"});
    CHECK(es[0].str("status") == "done");
    CHECK(es[0].timestamp_ms("created_at") == 1700000000000);
    CHECK(es[0].timestamp_ms("done_at") == 1700000001000);
    CHECK(es[1].str("status") == "active");
    CHECK(es[1].str("order_id") == "o1");
    CHECK(es[1].str("event_id") == "e1");
    CHECK(es[1].str("organizer_id") == "p1");
    CHECK(es[1].str("set_id") == "set-1");
    CHECK(es[1].str("customer_email") == "c@example.com");
    CHECK(es[1].str("customer_phone") == "+70000000000");
    CHECK(es[1].str("customer_name") == "Customer Name");
}

TEST_CASE("Ticketscloud cancelled or expired order cancels its tickets", "[emitter][order]") {
    for (const char *status : {"cancelled", "expired"}) {
        auto es = emitted(tc_order(status));
        REQUIRE(types(es) == Names{"order", "order_ticket", "order_ticket", "ticket_status", "ticket_status"});
        CHECK(es[1].str("status") == "cancelled");
        CHECK(es[2].str("status") == "cancelled");
        CHECK(es[3].str("id") == "t1");
        CHECK(es[3].str("status") == "cancelled");
        CHECK(es[3].str("source") == "ticketscloud");
        CHECK(es[4].str("id") == "t2");
    }
}

TEST_CASE("Ticketscloud order in progress or executed: the order row only", "[emitter][order]") {
    for (const char *status : {"in_progress", "executed"}) {
        auto es = emitted(tc_order(status));
        REQUIRE(types(es) == Names{"order"});
        CHECK(es[0].str("status") == status);
    }
}

TEST_CASE("Ticketscloud refund request: only an approved one refunds tickets", "[emitter][refund]") {
    vibe::Refund r;
    r.id = "r1";
    r.order_id = "o1";
    r.event_id = "e1";
    r.created_at_ms = 1700000000000;
    r.finished_at_ms = 1700000002000;
    r.ticket_ids = {"t1", "t2"};

    r.status = "approved";
    auto approved = emitted(r);
    REQUIRE(types(approved) ==
            Names{"refund", "refund_ticket", "refund_ticket", "ticket_status", "ticket_status"});
    CHECK(approved[0].str("order_id") == "o1");
    CHECK(approved[0].str("event_id") == "e1");
    CHECK(approved[0].str("status") == "approved");
    CHECK(approved[0].timestamp_ms("created_at") == 1700000000000);
    CHECK(approved[0].timestamp_ms("finished_at") == 1700000002000);
    CHECK(approved[3].str("status") == "refunded");

    for (const char *status : {"new", "in_progress", "rejected"}) {
        r.status = status;
        CHECK(types(emitted(r)) == Names{"refund", "refund_ticket", "refund_ticket"});
    }
}

TEST_CASE("event with legal data and ticket sets", "[emitter][event]") {
    vibe::Event e;
    e.id = "e1";
    e.organizer_id = "p1";
    e.age_rating = "18+";
    e.legals = vibe::Legals{std::string("ООО Ромашка"), std::string("ru_ltd"), std::string("7700000000"),
                            std::string("1027700000000"), std::string("Москва")};
    e.venue = vibe::Venue{};
    e.venue->id = "v-7";
    vibe::TicketSet s1;
    s1.id = "s1";
    s1.name = "Партер";
    s1.sector = "A";
    vibe::TicketSet s2;
    s2.id = "s2";
    s2.removed = true;
    e.sets = {s1, s2};

    auto es = emitted(e);
    REQUIRE(types(es) == Names{"venue", "event", "ticket_set", "ticket_set"});
    CHECK(es[0].str("id") == "v-7");
    CHECK(es[0].is_null("name"));
    CHECK(es[1].str("venue_id") == "v-7");
    CHECK(es[1].str("age_rating") == "18+");
    CHECK(es[1].str("legal_name") == "ООО Ромашка");
    CHECK(es[1].str("legal_type") == "ru_ltd");
    CHECK(es[1].str("legal_inn") == "7700000000");
    CHECK(es[1].str("legal_ogrn") == "1027700000000");
    CHECK(es[1].str("legal_address") == "Москва");
    CHECK(es[2].field_order == Names{"source", "id", "event_id", "name", "description", "sector", "removed"});
    CHECK(es[2].str("id") == "s1");
    CHECK(es[2].str("event_id") == "e1");
    CHECK(es[2].str("name") == "Партер");
    CHECK(es[2].is_null("description"));
    CHECK(es[2].str("sector") == "A");
    CHECK_FALSE(es[2].boolean("removed"));
    CHECK(es[3].boolean("removed"));
}

TEST_CASE("emit_all stops at the entity the host refuses", "[emitter]") {
    EntityRecorder rec;
    rec.refuse_at = 1;
    vsink_emitter out = rec.emitter();
    std::optional<size_t> refused = vibe::emit_all(vibe::entities_of("s", tc_order("done")), out);
    REQUIRE(refused);
    CHECK(*refused == 1);
    CHECK(rec.entities.size() == 1);
}
