// Ticketland Protobuf (vibe.v1, content-type application/x-protobuf) for the
// orders and tickets topologies: messages built with the generated classes,
// produced with their headers to the real broker, the real database read back
// column by column.
#include <catch2/catch.hpp>

#include "sink_fixture.hpp"

#include <vibe/v1/event.pb.h>
#include <vibe/v1/order.pb.h>
#include <vibe/v1/organizer.pb.h>
#include <vibe/v1/refund.pb.h>
#include <vibe/v1/ticket.pb.h>

using namespace vsink::test;

namespace {

const char *kPb = "application/x-protobuf";

std::string organizer_pb() {
    vibe::v1::Organizer o;
    o.set_id("org-1");
    o.set_name("Foreign Promo");
    auto *l = o.mutable_legals();
    l->set_name("Foreign Promo Ltd");
    l->set_type(vibe::v1::Legals::EN_LTD);
    l->set_inn("9909000001");
    l->set_ogrn("1234567890123");
    l->set_address("London");
    return serialized(o);
}

std::string event_pb() {
    vibe::v1::Event e;
    e.set_id("evt-1");
    e.set_name("C++ Conf");
    e.set_category(vibe::v1::DEVELOPMENT);
    e.set_start_at(1740997200);        // seconds
    e.set_finish_at(1741004400000);    // milliseconds
    e.set_organizer_id("org-1");
    e.set_media("https://img/conf.png");
    e.set_timezone("Europe/London");
    e.set_description("Talks");
    auto *v = e.mutable_venue();
    v->set_name("ExCeL");
    v->set_address("Royal Victoria Dock");
    v->set_description("Hall S");
    v->set_zipcode("E16 1XL");
    v->set_city_name("London");
    v->set_lat(51.508);
    v->set_lon(0.029);
    return serialized(e);
}

std::string order_pb() {
    vibe::v1::Order o;
    o.set_id("ord-1");
    o.set_event_id("evt-1");
    o.set_organizer_id("org-1");
    auto *c = o.mutable_customer();
    c->set_email("gleb@example.com");
    c->set_phone("+447700900123");
    c->set_name("Gleb Orlov");
    auto *t = o.add_tickets();
    t->set_id("tkt-1");
    t->set_barcode("PB1");
    t->set_number("11");
    t->set_series("S");
    t->set_row("R2");
    t->set_seat("7");
    t->set_category("Stalls");
    t->set_description("Early bird");
    t->set_price_nominal(9900);
    t->set_currency(vibe::v1::GBP);
    auto *t2 = o.add_tickets();
    t2->set_id("tkt-2");
    t2->set_barcode("PB2");
    t2->set_category("Balcony");
    t2->set_price_nominal(4500);
    t2->set_currency(vibe::v1::CNY);
    return serialized(o);
}

std::string refund_pb() {
    vibe::v1::Refund r;
    auto *c = r.mutable_customer();
    c->set_email("gleb@example.com");
    c->set_phone("+447700900123");
    c->set_name("Gleb Orlov");
    r.add_ticket_ids("tkt-1");
    return serialized(r);
}

std::string ticket_pb(const std::string &id, vibe::v1::Ticket::Status status) {
    vibe::v1::Ticket t;
    t.set_id(id);
    t.set_status(status);
    t.set_barcode("TB-" + id);
    auto *c = t.mutable_customer();
    c->set_email("dina@example.com");
    c->set_phone("+79007778899");
    c->set_name("Дина");
    t.set_event_id("evt-1");
    t.set_organizer_id("org-1");
    t.set_number("5");
    t.set_series("C");
    t.set_row("1");
    t.set_seat("2");
    t.set_category("Амфитеатр");
    t.set_order_id("ord-" + id);
    t.set_description("desc " + id);
    t.set_price_nominal(120000);
    t.set_currency(vibe::v1::USD);
    return serialized(t);
}

void check_organizer(SinkFixture &f) {
    auto org = f.rows("SELECT * FROM organizers");
    REQUIRE(org.size() == 1);
    CHECK(col(org[0], "system") == "ticketland");
    CHECK(col(org[0], "id") == "org-1");
    CHECK(col(org[0], "name") == "Foreign Promo");
    CHECK(col(org[0], "legal_name") == "Foreign Promo Ltd");
    CHECK(col(org[0], "legal_type") == "en_ltd");
    CHECK(col(org[0], "legal_inn") == "9909000001");
    CHECK(col(org[0], "legal_ogrn") == "1234567890123");
    CHECK(col(org[0], "legal_address") == "London");
}

void check_event_and_venue(SinkFixture &f) {
    auto ev = f.rows("SELECT * FROM events");
    REQUIRE(ev.size() == 1);
    CHECK(col(ev[0], "system") == "ticketland");
    CHECK(col(ev[0], "id") == "evt-1");
    CHECK(col(ev[0], "group_id") == "NULL");
    CHECK(col(ev[0], "organizer_id") == "org-1");
    CHECK(col(ev[0], "venue_id") == "event:evt-1");
    CHECK(col(ev[0], "name") == "C++ Conf");
    CHECK(col(ev[0], "status") == "active");
    CHECK(col(ev[0], "category") == "development");
    CHECK(col(ev[0], "start_at") == "2025-03-03 10:20:00.000");
    CHECK(col(ev[0], "finish_at") == "2025-03-03 12:20:00.000");
    CHECK(col(ev[0], "timezone") == "Europe/London");
    CHECK(col(ev[0], "utc_offset_hours") == "NULL");
    CHECK(col(ev[0], "media") == "https://img/conf.png");
    CHECK(col(ev[0], "description") == "Talks");
    CHECK(col(ev[0], "age_rating") == "NULL");
    CHECK(col(ev[0], "legal_name") == "NULL");
    CHECK(col(ev[0], "legal_type") == "NULL");
    CHECK(col(ev[0], "legal_inn") == "NULL");
    CHECK(col(ev[0], "legal_ogrn") == "NULL");
    CHECK(col(ev[0], "legal_address") == "NULL");

    auto ven = f.rows("SELECT * FROM venues");
    REQUIRE(ven.size() == 1);
    CHECK(col(ven[0], "system") == "ticketland");
    CHECK(col(ven[0], "id") == "event:evt-1");
    CHECK(col(ven[0], "name") == "ExCeL");
    CHECK(col(ven[0], "address") == "Royal Victoria Dock");
    CHECK(col(ven[0], "description") == "Hall S");
    CHECK(col(ven[0], "zipcode") == "E16 1XL");
    CHECK(col(ven[0], "city_name") == "London");
    CHECK(col(ven[0], "lat") == "51.508");
    CHECK(col(ven[0], "lon") == "0.029");
}

const std::string kOrdersSnapshot =
    "SELECT CONCAT_WS('|', (SELECT COUNT(*) FROM organizers), (SELECT COUNT(*) FROM events),"
    " (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM refunds),"
    " (SELECT COUNT(*) FROM refund_tickets), (SELECT COUNT(*) FROM sink_parked),"
    " (SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM tickets))";

}  // namespace

TEST_CASE("protobuf vibe.v1, orders topology: an order before its event, then a refund, a replay keeps refunded",
          "[integration][protobuf][orders]") {
    SinkFixture f(SinkOptions::of({"orders"}));
    f.start_sink();
    f.produce("ticketland.orders.organizers", "org-1", organizer_pb(), "ticketland", kPb);
    f.produce("ticketland.orders.orders", "ord-1", order_pb(), "ticketland", kPb);
    f.flush();
    REQUIRE(f.wait_caught_up());
    check_organizer(f);
    CHECK(f.scalar("SELECT COUNT(*) FROM orders") == "0");
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets") == "0");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked WHERE parent_table = 'events'") == "3");  // order + 2 tickets

    f.produce("ticketland.orders.events", "evt-1", event_pb(), "ticketland", kPb);
    f.flush();
    REQUIRE(f.wait_scalar("SELECT COUNT(*) FROM sink_parked", "0"));
    REQUIRE(f.wait_caught_up());
    check_event_and_venue(f);

    auto ord = f.rows("SELECT * FROM orders");
    REQUIRE(ord.size() == 1);
    CHECK(col(ord[0], "system") == "ticketland");
    CHECK(col(ord[0], "id") == "ord-1");
    CHECK(col(ord[0], "number") == "NULL");
    CHECK(col(ord[0], "event_id") == "evt-1");
    CHECK(col(ord[0], "organizer_id") == "org-1");
    CHECK(col(ord[0], "status") == "NULL");
    CHECK(col(ord[0], "customer_email") == "gleb@example.com");
    CHECK(col(ord[0], "customer_phone") == "+447700900123");
    CHECK(col(ord[0], "customer_name") == "Gleb Orlov");
    CHECK(col(ord[0], "customer_first_name") == "NULL");
    CHECK(col(ord[0], "customer_last_name") == "NULL");
    CHECK(col(ord[0], "created_at") == "NULL");
    CHECK(col(ord[0], "done_at") == "NULL");

    auto tk = f.rows("SELECT * FROM tickets ORDER BY id");
    REQUIRE(tk.size() == 2);
    CHECK(col(tk[0], "system") == "ticketland");
    CHECK(col(tk[0], "id") == "tkt-1");
    CHECK(col(tk[0], "order_id") == "ord-1");
    CHECK(col(tk[0], "event_id") == "evt-1");
    CHECK(col(tk[0], "organizer_id") == "org-1");
    CHECK(col(tk[0], "status") == "active");
    CHECK(col(tk[0], "barcode") == "PB1");
    CHECK(col(tk[0], "number") == "11");
    CHECK(col(tk[0], "series") == "S");
    CHECK(col(tk[0], "seat_row") == "R2");
    CHECK(col(tk[0], "seat") == "7");
    CHECK(col(tk[0], "category") == "Stalls");
    CHECK(col(tk[0], "set_id") == "NULL");
    CHECK(col(tk[0], "description") == "Early bird");
    CHECK(col(tk[0], "price_nominal") == "9900");
    CHECK(col(tk[0], "currency") == "GBP");
    CHECK(col(tk[0], "customer_email") == "gleb@example.com");
    CHECK(col(tk[0], "customer_phone") == "+447700900123");
    CHECK(col(tk[0], "customer_name") == "Gleb Orlov");
    CHECK(col(tk[1], "id") == "tkt-2");
    CHECK(col(tk[1], "status") == "active");
    CHECK(col(tk[1], "barcode") == "PB2");
    CHECK(col(tk[1], "number") == "NULL");
    CHECK(col(tk[1], "series") == "NULL");
    CHECK(col(tk[1], "seat_row") == "NULL");
    CHECK(col(tk[1], "seat") == "NULL");
    CHECK(col(tk[1], "category") == "Balcony");
    CHECK(col(tk[1], "description") == "NULL");
    CHECK(col(tk[1], "price_nominal") == "4500");
    CHECK(col(tk[1], "currency") == "CNY");
    CHECK(col(tk[1], "order_id") == "ord-1");

    // The refund: keyed by the record key, marks its ticket refunded.
    f.produce("ticketland.orders.refunds", "rfd-1", refund_pb(), "ticketland", kPb);
    f.flush();
    REQUIRE(f.wait_caught_up());
    auto rf = f.rows("SELECT * FROM refunds");
    REQUIRE(rf.size() == 1);
    CHECK(col(rf[0], "system") == "ticketland");
    CHECK(col(rf[0], "id") == "rfd-1");
    CHECK(col(rf[0], "order_id") == "NULL");
    CHECK(col(rf[0], "event_id") == "NULL");
    CHECK(col(rf[0], "status") == "NULL");
    CHECK(col(rf[0], "customer_email") == "gleb@example.com");
    CHECK(col(rf[0], "customer_phone") == "+447700900123");
    CHECK(col(rf[0], "customer_name") == "Gleb Orlov");
    CHECK(col(rf[0], "customer_first_name") == "NULL");
    CHECK(col(rf[0], "customer_last_name") == "NULL");
    CHECK(col(rf[0], "created_at") == "NULL");
    CHECK(col(rf[0], "finished_at") == "NULL");
    auto rt = f.rows("SELECT * FROM refund_tickets");
    REQUIRE(rt.size() == 1);
    CHECK(col(rt[0], "system") == "ticketland");
    CHECK(col(rt[0], "refund_id") == "rfd-1");
    CHECK(col(rt[0], "ticket_id") == "tkt-1");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM tickets") == "tkt-1:refunded,tkt-2:active");

    // A replay of everything, the order last: the refunded ticket stays refunded.
    const std::string before = f.scalar(kOrdersSnapshot);
    CHECK(before == "1|1|1|2|1|1|0|tkt-1:refunded,tkt-2:active");
    f.produce("ticketland.orders.organizers", "org-1", organizer_pb(), "ticketland", kPb);
    f.produce("ticketland.orders.events", "evt-1", event_pb(), "ticketland", kPb);
    f.produce("ticketland.orders.refunds", "rfd-1", refund_pb(), "ticketland", kPb);
    f.produce("ticketland.orders.orders", "ord-1", order_pb(), "ticketland", kPb);
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar(kOrdersSnapshot) == before);

    f.stop_sink();
    const std::string log = f.sink().log();
    CHECK(log.find("gleb@example.com") == std::string::npos);
    CHECK(log.find("+447700900123") == std::string::npos);
}

TEST_CASE("protobuf vibe.v1, tickets topology: tickets of every status, latest wins, a record without status keeps it",
          "[integration][protobuf][tickets]") {
    SinkFixture f(SinkOptions::of({"tickets"}));
    f.produce("ticketland.tickets.organizers", "org-1", organizer_pb(), "ticketland", kPb);
    f.produce("ticketland.tickets.events", "evt-1", event_pb(), "ticketland", kPb);
    f.produce("ticketland.tickets.tickets", "tkt-a", ticket_pb("tkt-a", vibe::v1::Ticket::ACTIVE), "ticketland", kPb);
    f.produce("ticketland.tickets.tickets", "tkt-u", ticket_pb("tkt-u", vibe::v1::Ticket::USED), "ticketland", kPb);
    f.produce("ticketland.tickets.tickets", "tkt-c", ticket_pb("tkt-c", vibe::v1::Ticket::CANCELLED), "ticketland", kPb);
    f.produce("ticketland.tickets.tickets", "tkt-r", ticket_pb("tkt-r", vibe::v1::Ticket::REFUNDED), "ticketland", kPb);
    // STATUS_UNSPECIFIED: the ticket lands, its status unknown (NULL).
    f.produce("ticketland.tickets.tickets", "tkt-x", ticket_pb("tkt-x", vibe::v1::Ticket::STATUS_UNSPECIFIED),
              "ticketland", kPb);
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    check_organizer(f);
    check_event_and_venue(f);

    auto tk = f.rows("SELECT * FROM tickets ORDER BY id");
    REQUIRE(tk.size() == 5);
    const char *ids[] = {"tkt-a", "tkt-c", "tkt-r", "tkt-u", "tkt-x"};
    const char *statuses[] = {"active", "cancelled", "refunded", "used", "NULL"};
    for (size_t i = 0; i < 5; ++i) {
        const std::string id = ids[i];
        INFO("ticket " << id);
        CHECK(col(tk[i], "system") == "ticketland");
        CHECK(col(tk[i], "id") == id);
        CHECK(col(tk[i], "order_id") == "ord-" + id);
        CHECK(col(tk[i], "event_id") == "evt-1");
        CHECK(col(tk[i], "organizer_id") == "org-1");
        CHECK(col(tk[i], "channel") == "ticketland");
        CHECK(col(tk[i], "status") == statuses[i]);
        CHECK(col(tk[i], "barcode") == "TB-" + id);
        CHECK(col(tk[i], "number") == "5");
        CHECK(col(tk[i], "series") == "C");
        CHECK(col(tk[i], "seat_row") == "1");
        CHECK(col(tk[i], "seat") == "2");
        CHECK(col(tk[i], "category") == "Амфитеатр");
        CHECK(col(tk[i], "set_id") == "NULL");
        CHECK(col(tk[i], "description") == "desc " + id);
        CHECK(col(tk[i], "price_nominal") == "120000");
        CHECK(col(tk[i], "currency") == "USD");
        CHECK(col(tk[i], "customer_email") == "dina@example.com");
        CHECK(col(tk[i], "customer_phone") == "+79007778899");
        CHECK(col(tk[i], "customer_name") == "Дина");
    }

    f.produce("ticketland.tickets.tickets", "tkt-a", ticket_pb("tkt-a", vibe::v1::Ticket::USED), "ticketland", kPb);
    f.produce("ticketland.tickets.tickets", "tkt-r", ticket_pb("tkt-r", vibe::v1::Ticket::ACTIVE), "ticketland", kPb);
    // A later record without a status updates the rest and keeps the stored status.
    f.produce("ticketland.tickets.tickets", "tkt-c", ticket_pb("tkt-c", vibe::v1::Ticket::STATUS_UNSPECIFIED), "box-office",
              kPb);
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', channel, ':', IFNULL(status, 'NULL') ORDER BY id) FROM tickets") ==
          "tkt-a:ticketland:used,tkt-c:box-office:cancelled,tkt-r:ticketland:active,tkt-u:ticketland:used,"
          "tkt-x:ticketland:NULL");
    f.stop_sink();
    CHECK(f.sink().log().find("record skipped") == std::string::npos);
    CHECK(tolerated_count(f.sink().log(), f.topic("ticketland.tickets.tickets"), "missing_value") == 2);
}
