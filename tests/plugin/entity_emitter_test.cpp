// The domain rules of entity_emitter that no Ticketland JSON message reaches:
// Ticketscloud order and refund statuses, ticket sets, legal data on events,
// organizer partner fields; the envelope (system, channel) on each entity;
// and that every entity emits exactly the columns mappings/vibe-tables.yaml
// declares for it.
#include <catch2/catch.hpp>

#include <set>

#include <yaml-cpp/yaml.h>

#include "plugin_test_support.hpp"

using vibe_test::B;
using vibe_test::check_row;
using vibe_test::EntityRecorder;
using vibe_test::I;
using vibe_test::Names;
using vibe_test::Null;
using vibe_test::RecordedEntity;
using vibe_test::Row;
using vibe_test::S;
using vibe_test::T;
using vibe_test::types;

namespace {

template <typename Message>
std::vector<RecordedEntity> emitted(const Message &m, vibe::Opt channel = std::nullopt) {
    return vibe_test::emitted(m, vibe_test::ticketscloud(channel));
}

// A Ticketscloud order as its decoder makes it: the status decides what the
// order says about its tickets.
vibe::Order tc_order(const char *status) {
    vibe::Order o;
    o.id = "o1";
    o.number = "1001";
    o.event_id = "e1";
    o.organizer_id = "p1";
    o.status = status;
    const std::string st = status;
    o.effect = st == "done"                             ? vibe::TicketEffect::sell
               : st == "cancelled" || st == "expired" ? vibe::TicketEffect::cancel
                                                      : vibe::TicketEffect::none;
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
        CHECK(es[3].str("system") == "ticketscloud");
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
    r.refunds_tickets = true;  // as the decoder sets it for an approved request
    auto approved = emitted(r);
    REQUIRE(types(approved) ==
            Names{"refund", "refund_ticket", "refund_ticket", "ticket_status", "ticket_status"});
    CHECK(approved[0].str("order_id") == "o1");
    CHECK(approved[0].str("event_id") == "e1");
    CHECK(approved[0].str("status") == "approved");
    CHECK(approved[0].timestamp_ms("created_at") == 1700000000000);
    CHECK(approved[0].timestamp_ms("finished_at") == 1700000002000);
    CHECK(approved[3].str("status") == "refunded");

    r.refunds_tickets = false;
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
    CHECK(es[2].field_order == Names{"system", "id", "event_id", "name", "description", "sector", "removed"});
    CHECK(es[2].str("system") == "ticketscloud");
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
    std::optional<size_t> refused = vibe::emit_all(vibe::entities_of(vibe::Envelope{"s", std::nullopt}, tc_order("done")), out);
    REQUIRE(refused);
    CHECK(*refused == 1);
    CHECK(rec.entities.size() == 1);
}

TEST_CASE("Ticketscloud order with an unknown status: the order row only, status NULL", "[emitter][order]") {
    vibe::Order o = tc_order("done");
    o.status = std::nullopt;  // as the decoder leaves an unknown status
    o.effect = vibe::TicketEffect::none;
    auto es = emitted(o, std::string("widget"));
    REQUIRE(types(es) == Names{"order"});
    check_row(es[0], "order",
              {{"system", S("ticketscloud")},
               {"id", S("o1")},
               {"number", S("1001")},
               {"event_id", S("e1")},
               {"organizer_id", S("p1")},
               {"channel", S("widget")},
               {"status", Null()},
               {"customer_email", S("c@example.com")},
               {"customer_phone", S("+70000000000")},
               {"customer_name", S("Customer Name")},
               {"customer_first_name", Null()},
               {"customer_last_name", Null()},
               {"created_at", T(1700000000000)},
               {"done_at", T(1700000001000)}});
}

TEST_CASE("the emitter follows the order's effect, not its status text", "[emitter][order]") {
    // A Ticketland order has no status and sells its tickets.
    vibe::Order o = tc_order("done");
    o.status = std::nullopt;
    o.effect = vibe::TicketEffect::sell;
    CHECK(types(emitted(o)) == Names{"order", "order_ticket", "order_ticket"});
    o.effect = vibe::TicketEffect::cancel;
    CHECK(types(emitted(o)) == Names{"order", "order_ticket", "order_ticket", "ticket_status", "ticket_status"});
}

TEST_CASE("a refund that does not refund its tickets: links only, whatever its status", "[emitter][refund]") {
    vibe::Refund r;
    r.id = "r1";
    r.status = std::nullopt;  // an unknown Ticketscloud status
    r.refunds_tickets = false;
    r.ticket_ids = {"t1"};
    auto es = emitted(r);
    REQUIRE(types(es) == Names{"refund", "refund_ticket"});
    CHECK(es[0].is_null("status"));
    check_row(es[1], "refund_ticket", {{"system", S("ticketscloud")}, {"refund_id", S("r1")}, {"ticket_id", S("t1")}});
}

TEST_CASE("organizer's own message: partner fields, every column", "[emitter][organizer]") {
    vibe::Organizer p;
    p.id = "p1";
    p.name = "Teatr";
    p.legals = vibe::Legals{std::string("OOO Teatr"), std::string("ru_ltd"), std::string("7800000000"),
                            std::string("1027800000000"), std::string("SPb")};
    p.status = "bot";
    p.hidden = false;
    p.role = "distributor";
    p.currency = "RUB";
    p.updated_at_ms = 1740000000123;
    auto es = emitted(p, std::string("ignored"));  // organizers have no channel
    REQUIRE(types(es) == Names{"organizer"});
    check_row(es[0], "organizer",
              {{"system", S("ticketscloud")},
               {"id", S("p1")},
               {"name", S("Teatr")},
               {"legal_name", S("OOO Teatr")},
               {"legal_type", S("ru_ltd")},
               {"legal_inn", S("7800000000")},
               {"legal_ogrn", S("1027800000000")},
               {"legal_address", S("SPb")},
               {"status", S("bot")},
               {"hidden", B(false)},  // false is a value, not NULL
               {"role", S("distributor")},
               {"currency", S("RUB")},
               {"updated_at", T(1740000000123)}});

    vibe::Organizer bare;
    bare.id = "p2";
    auto none = emitted(bare);
    check_row(none[0], "organizer",
              {{"system", S("ticketscloud")},
               {"id", S("p2")},
               {"name", Null()},
               {"legal_name", Null()},
               {"legal_type", Null()},
               {"legal_inn", Null()},
               {"legal_ogrn", Null()},
               {"legal_address", Null()},
               {"status", Null()},
               {"hidden", Null()},
               {"role", Null()},
               {"currency", Null()},
               {"updated_at", Null()}});
}

TEST_CASE("nested organizer: a partial copy with only the fields it can carry", "[emitter][event]") {
    vibe::Event e;
    e.id = "e1";
    e.organizer_id = "old";
    vibe::Organizer o;
    o.id = "p1";
    o.name = "N";
    // Partner fields on a nested copy are never emitted (they are not its to set).
    o.status = "approved";
    o.hidden = true;
    o.role = "organizer";
    o.currency = "RUB";
    e.organizer = o;
    auto es = emitted(e);
    REQUIRE(types(es) == Names{"nested_organizer", "event"});
    check_row(es[0], "nested_organizer",
              {{"system", S("ticketscloud")},
               {"id", S("p1")},
               {"name", S("N")},
               {"legal_name", Null()},
               {"legal_type", Null()},
               {"legal_inn", Null()},
               {"legal_ogrn", Null()},
               {"legal_address", Null()}});
    CHECK(es[1].str("organizer_id") == "p1");  // the nested organizer's id wins
}

TEST_CASE("event: status NULL when unknown, category_raw kept", "[emitter][event]") {
    vibe::Event e;
    e.id = "e1";
    e.status = std::nullopt;
    e.category = "concert";
    e.category_raw = "5f1e-cat-7";
    auto es = emitted(e);
    REQUIRE(types(es) == Names{"event"});
    CHECK(es[0].is_null("status"));
    CHECK(es[0].str("category") == "concert");
    CHECK(es[0].str("category_raw") == "5f1e-cat-7");
}

TEST_CASE("channel: on orders, their tickets, refunds and tickets, not on links or status changes",
          "[emitter][channel]") {
    vibe::Order o = tc_order("cancelled");
    auto order_es = emitted(o, std::string("bank"));
    REQUIRE(types(order_es) == Names{"order", "order_ticket", "order_ticket", "ticket_status", "ticket_status"});
    CHECK(order_es[0].str("channel") == "bank");
    CHECK(order_es[1].str("channel") == "bank");
    CHECK(order_es[2].str("channel") == "bank");
    CHECK(order_es[3].field_order == Names{"system", "id", "status"});

    vibe::Refund r;
    r.id = "r1";
    r.ticket_ids = {"t1"};
    auto refund_es = emitted(r, std::string("bank"));
    REQUIRE(types(refund_es) == Names{"refund", "refund_ticket", "ticket_status"});
    CHECK(refund_es[0].str("channel") == "bank");
    CHECK(refund_es[1].field_order == Names{"system", "refund_id", "ticket_id"});
    CHECK(refund_es[2].field_order == Names{"system", "id", "status"});

    vibe::Ticket t;
    t.id = "t1";
    t.event_id = "e1";
    auto ticket_es = emitted(t, std::string("bank"));
    REQUIRE(types(ticket_es) == Names{"ticket"});
    CHECK(ticket_es[0].str("channel") == "bank");
    CHECK(ticket_es[0].is_null("status"));  // no status: NULL (the mapping keeps the stored one)

    // No channel: NULL everywhere it is a column.
    for (const RecordedEntity &e : emitted(o))
        if (e.fields.count("channel")) CHECK(e.is_null("channel"));
}

// Each entity type's fields against the columns its entity declares in
// mappings/vibe-tables.yaml (`col`, or `{col: field}`).
TEST_CASE("every entity emits exactly the fields mappings/vibe-tables.yaml declares", "[emitter][mappings]") {
    const YAML::Node root = YAML::LoadFile(std::string(VIBE_MAPPINGS_DIR) + "/vibe-tables.yaml");
    auto declared = [&](const std::string &entity) {
        Names out;
        const YAML::Node cols = root["entities"][entity]["columns"];
        REQUIRE(cols.IsSequence());
        for (const YAML::Node &c : cols) {
            if (c.IsScalar())
                out.push_back(c.as<std::string>());
            else
                for (const auto &kv : c) out.push_back(kv.second.as<std::string>());
        }
        return out;
    };

    // One message of each kind with every optional part present, so every
    // entity type is emitted.
    vibe::Event ev;
    ev.id = "e1";
    ev.organizer = vibe::Organizer{};
    ev.organizer->id = "p1";
    ev.venue = vibe::Venue{};
    vibe::TicketSet set;
    set.id = "s1";
    ev.sets = {set};
    vibe::Organizer org;
    org.id = "p1";
    vibe::Refund rf;
    rf.id = "r1";
    rf.ticket_ids = {"t1"};
    vibe::Ticket tk;
    tk.id = "t1";

    std::vector<RecordedEntity> all;
    for (const std::vector<RecordedEntity> &es :
         {emitted(ev), emitted(org), emitted(tc_order("cancelled")), emitted(rf), emitted(tk)})
        all.insert(all.end(), es.begin(), es.end());
    std::set<std::string> seen;
    for (const RecordedEntity &e : all) {
        INFO("entity " << e.type);
        REQUIRE(root["entities"][e.type]);
        CHECK(e.field_order == declared(e.type));
        seen.insert(e.type);
    }
    // Every entity the mapping declares is one the plugin emits.
    std::set<std::string> in_mapping;
    for (const auto &kv : root["entities"]) in_mapping.insert(kv.first.as<std::string>());
    CHECK(seen == in_mapping);
}
