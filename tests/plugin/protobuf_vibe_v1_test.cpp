// vibe.v1 (Ticketland Protobuf, CONTRACT.md §4) decoder tests: every message
// kind is built with the generated classes, serialized, decoded and checked
// field by field, with the anomalies the tolerant reader notes (enum values
// newer than our schema, coordinates out of range, a ticket without status);
// plus absent values, unknown fields and bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include <vibe/v1/event.pb.h>
#include <vibe/v1/order.pb.h>
#include <vibe/v1/organizer.pb.h>
#include <vibe/v1/refund.pb.h>
#include <vibe/v1/ticket.pb.h>

#include "plugin_test_support.hpp"
#include "normalize.hpp"
#include "protobuf_decoder.hpp"
#include "protobuf_wire.hpp"

namespace v1 = vibe::v1;

using namespace protobuf_wire;
using vibe_test::Names;
using vibe_test::noted;

namespace {

// Each decodes and checks the anomalies noted (none unless told).
vibe::Organizer organizer(const std::string &bytes, const Names &expected = {}) {
    vibe::Anomalies a;
    auto v = vibe::pb::decode_organizer(bytes, a);
    CHECK(noted(a) == expected);
    return v;
}
vibe::Event event(const std::string &bytes, const Names &expected = {}) {
    vibe::Anomalies a;
    auto v = vibe::pb::decode_event(bytes, a);
    CHECK(noted(a) == expected);
    return v;
}
vibe::Order order(const std::string &bytes, const Names &expected = {}) {
    vibe::Anomalies a;
    auto v = vibe::pb::decode_order(bytes, a);
    CHECK(noted(a) == expected);
    return v;
}
vibe::Refund refund(const std::string &bytes, const std::string &id, const Names &expected = {}) {
    vibe::Anomalies a;
    auto v = vibe::pb::decode_refund(bytes, id, a);
    CHECK(noted(a) == expected);
    return v;
}
vibe::Ticket ticket(const std::string &bytes, const Names &expected = {}) {
    vibe::Anomalies a;
    auto v = vibe::pb::decode_ticket(bytes, a);
    CHECK(noted(a) == expected);
    return v;
}

// Field 99 varint, 100 length-delimited, 101 fixed64: nothing we declare.
std::string unknown_fields() {
    return field_varint(99, 1) + field_bytes(100, "future") + field_fixed64(101);
}

v1::Customer make_customer() {
    v1::Customer c;
    c.set_email("anna@example.com");
    c.set_phone("+79990001122");
    c.set_name("Anna Petrova");
    return c;
}

void check_customer(const vibe::Customer &c) {
    CHECK(c.email == "anna@example.com");
    CHECK(c.phone == "+79990001122");
    CHECK(c.name == "Anna Petrova");
    CHECK_FALSE(c.first_name);
    CHECK_FALSE(c.last_name);
}

v1::Order make_order() {
    v1::Order o;
    o.set_id("ord-1");
    o.set_event_id("ev-1");
    o.set_organizer_id("org-1");
    *o.mutable_customer() = make_customer();
    auto *t = o.add_tickets();
    t->set_id("t-1");
    t->set_barcode("BC001");
    t->set_number("0001");
    t->set_series("AA");
    t->set_row("5");
    t->set_seat("12");
    t->set_category("Партер");
    t->set_description("front row");
    t->set_price_nominal(250000);
    t->set_currency(v1::RUB);
    auto *t2 = o.add_tickets();
    t2->set_id("t-2");
    t2->set_barcode("BC002");
    return o;
}

}  // namespace

TEST_CASE("protobuf: vibe.v1 Organizer round trip", "[protobuf][vibe.v1]") {
    v1::Organizer m;
    m.set_id("org-1");
    m.set_name("Concert Hall");
    auto *l = m.mutable_legals();
    l->set_name("OOO Concert Hall");
    l->set_type(v1::Legals::RU_LTD);
    l->set_inn("7700000000");
    l->set_ogrn("1027700000000");
    l->set_address("Moscow, Tverskaya 1");

    const auto o = organizer(bytes_of(m));
    CHECK(o.id == "org-1");
    CHECK(o.name == "Concert Hall");
    REQUIRE(o.legals);
    CHECK(o.legals->name == "OOO Concert Hall");
    CHECK(o.legals->type == "ru_ltd");
    CHECK(o.legals->inn == "7700000000");
    CHECK(o.legals->ogrn == "1027700000000");
    CHECK(o.legals->address == "Moscow, Tverskaya 1");
    // Ticketscloud partner fields: never on a Ticketland organizer.
    CHECK_FALSE(o.status);
    CHECK_FALSE(o.hidden);
    CHECK_FALSE(o.role);
    CHECK_FALSE(o.currency);
    CHECK_FALSE(o.updated_at_ms);
}

TEST_CASE("protobuf: vibe.v1 Organizer legal types and absent values", "[protobuf][vibe.v1]") {
    v1::Organizer m;
    m.set_id("org-2");

    SECTION("no legals, no name") {
        const auto o = organizer(bytes_of(m));
        CHECK(o.id == "org-2");
        CHECK_FALSE(o.name);
        CHECK_FALSE(o.legals);
    }
    SECTION("each legal type") {
        m.mutable_legals()->set_type(v1::Legals::RU_LP);
        CHECK(organizer(bytes_of(m)).legals->type == "ru_lp");
        m.mutable_legals()->set_type(v1::Legals::EN_LTD);
        CHECK(organizer(bytes_of(m)).legals->type == "en_ltd");
    }
    SECTION("unspecified type and empty strings are absent, and not an anomaly") {
        m.mutable_legals()->set_type(v1::Legals::UNSPECIFIED);
        m.mutable_legals()->set_name("");
        const auto o = organizer(bytes_of(m));
        REQUIRE(o.legals);
        CHECK_FALSE(o.legals->type);
        CHECK_FALSE(o.legals->name);
        CHECK_FALSE(o.legals->inn);
        CHECK_FALSE(o.legals->ogrn);
        CHECK_FALSE(o.legals->address);
    }
    SECTION("a legal type newer than our schema: NULL, unknown_value") {
        m.mutable_legals()->set_type(static_cast<v1::Legals::LegalType>(9));
        m.mutable_legals()->set_inn("7700000000");
        const auto o = organizer(bytes_of(m), {"unknown_value organizer.legals.type"});
        REQUIRE(o.legals);
        CHECK_FALSE(o.legals->type);
        CHECK(o.legals->inn == "7700000000");  // the rest of the legals stays
    }
}

TEST_CASE("protobuf: vibe.v1 Event round trip", "[protobuf][vibe.v1]") {
    v1::Event m;
    m.set_id("ev-1");
    m.set_name("Swan Lake");
    m.set_category(v1::BALLET);
    m.set_start_at(1740997200);       // seconds
    m.set_finish_at(1741004400000);   // milliseconds
    m.set_organizer_id("org-1");
    m.set_media("https://img.example.com/1.jpg");
    m.set_timezone("Europe/Moscow");
    m.set_description("A ballet");
    auto *v = m.mutable_venue();
    v->set_name("Bolshoi");
    v->set_address("Teatralnaya sq. 1");
    v->set_description("Main stage");
    v->set_zipcode("125009");
    v->set_city_name("Moscow");
    v->set_lat(55.7601);
    v->set_lon(37.6186);

    const auto e = event(bytes_of(m));
    CHECK(e.id == "ev-1");
    CHECK_FALSE(e.group_id);
    CHECK(e.name == "Swan Lake");
    CHECK(e.status == "active");
    CHECK(e.category == "ballet");
    CHECK(e.category_raw == "ballet");  // the enum name, lower case, as JSON spells it
    CHECK(e.start_at_ms == 1740997200000);
    CHECK(e.finish_at_ms == 1741004400000);
    CHECK(e.timezone == "Europe/Moscow");
    CHECK_FALSE(e.utc_offset_hours);
    CHECK(e.organizer_id == "org-1");
    CHECK_FALSE(e.organizer);
    CHECK(e.media == "https://img.example.com/1.jpg");
    CHECK(e.description == "A ballet");
    CHECK_FALSE(e.age_rating);
    REQUIRE(e.venue);
    CHECK_FALSE(e.venue->id);  // derived from the event id by the emitter
    CHECK(e.venue->name == "Bolshoi");
    CHECK(e.venue->address == "Teatralnaya sq. 1");
    CHECK(e.venue->description == "Main stage");
    CHECK(e.venue->zipcode == "125009");
    CHECK(e.venue->city_name == "Moscow");
    CHECK(e.venue->lat == Approx(55.7601));
    CHECK(e.venue->lon == Approx(37.6186));
    CHECK_FALSE(e.legals);
    CHECK(e.sets.empty());
}

TEST_CASE("protobuf: vibe.v1 Event categories: raw value kept, unknown numbers are other", "[protobuf][vibe.v1]") {
    v1::Event m;
    m.set_id("ev-1");
    struct Case {
        int number;
        std::string category;
        vibe::Opt raw;
        Names anomalies;
    };
    for (const Case &c : std::vector<Case>{
             {v1::CATEGORY_UNSPECIFIED, "other", std::nullopt, {}},  // absent: nothing to keep or note
             {v1::BALLET, "ballet", std::string("ballet"), {}},
             {v1::DEVELOPMENT, "development", std::string("development"), {}},
             {v1::THEATER, "theater", std::string("theater"), {}},
             {v1::CONCERT, "concert", std::string("concert"), {}},
             {v1::TEST, "test", std::string("test"), {}},
             {v1::OTHER, "other", std::string("other"), {}},
             // Newer than our schema (e.g. shape B's circus): never rejected.
             {18, "other", std::string("18"), {"unknown_category event.category"}},
             {99, "other", std::string("99"), {"unknown_category event.category"}},
             {-1, "other", std::string("-1"), {"unknown_category event.category"}}}) {
        INFO("category " << c.number);
        m.set_category(static_cast<v1::Category>(c.number));
        const auto e = event(bytes_of(m), c.anomalies);
        CHECK(e.category == c.category);
        CHECK(e.category_raw == c.raw);
    }
    // Every known number maps to the category of its name.
    for (int n = v1::Category_MIN + 1; n <= v1::Category_MAX; ++n) {
        m.set_category(static_cast<v1::Category>(n));
        const auto e = event(bytes_of(m));
        bool unknown = true;
        CHECK(vibe::normalize_category(*e.category_raw, &unknown) == e.category);
        CHECK_FALSE(unknown);
    }
}

TEST_CASE("protobuf: vibe.v1 Event absent values", "[protobuf][vibe.v1]") {
    v1::Event m;
    m.set_id("ev-2");
    const auto e = event(bytes_of(m));
    CHECK(e.status == "active");
    CHECK(e.category == "other");
    CHECK_FALSE(e.category_raw);
    CHECK_FALSE(e.name);
    CHECK_FALSE(e.start_at_ms);
    CHECK_FALSE(e.finish_at_ms);
    CHECK_FALSE(e.organizer_id);  // an event without an organizer lands
    CHECK_FALSE(e.media);
    CHECK_FALSE(e.timezone);
    CHECK_FALSE(e.description);
    CHECK_FALSE(e.venue);

    m.mutable_venue()->set_name("Club");
    const auto e2 = event(bytes_of(m));
    REQUIRE(e2.venue);
    CHECK(e2.venue->name == "Club");
    CHECK_FALSE(e2.venue->lat);  // 0,0 is a missing coordinate pair
    CHECK_FALSE(e2.venue->lon);
    CHECK_FALSE(e2.venue->address);
}

TEST_CASE("protobuf: vibe.v1 venue coordinates out of range: both NULL, each noted", "[protobuf][vibe.v1]") {
    v1::Event m;
    m.set_id("ev-3");
    auto *v = m.mutable_venue();
    v->set_name("Hall");
    struct Case {
        double lat, lon;
        Names anomalies;
    };
    for (const Case &c : std::vector<Case>{
             {91, 37.6, {"out_of_range event.venue.lat"}},
             {-90.0001, 37.6, {"out_of_range event.venue.lat"}},
             {55.7, 180.5, {"out_of_range event.venue.lon"}},
             {55.7, -181, {"out_of_range event.venue.lon"}},
             {1000, -1000, {"out_of_range event.venue.lat", "out_of_range event.venue.lon"}},
             {91, 0, {"out_of_range event.venue.lat"}},  // 0 is a value once the other is set
             {std::nan(""), 37.6, {"out_of_range event.venue.lat"}},
             {55.7, HUGE_VAL, {"out_of_range event.venue.lon"}}}) {
        INFO("lat " << c.lat << " lon " << c.lon);
        v->set_lat(c.lat);
        v->set_lon(c.lon);
        const auto e = event(bytes_of(m), c.anomalies);
        REQUIRE(e.venue);
        CHECK(e.venue->name == "Hall");  // the venue itself stays
        CHECK_FALSE(e.venue->lat);
        CHECK_FALSE(e.venue->lon);
    }
    // The bounds are coordinates; one coordinate 0 with the other set is kept.
    v->set_lat(-90);
    v->set_lon(180);
    auto edge = event(bytes_of(m));
    CHECK(edge.venue->lat == -90);
    CHECK(edge.venue->lon == 180);
    v->set_lat(0);
    v->set_lon(-0.5);
    auto equator = event(bytes_of(m));
    CHECK(equator.venue->lat == 0);
    CHECK(equator.venue->lon == -0.5);
}

TEST_CASE("protobuf: vibe.v1 Order round trip", "[protobuf][vibe.v1]") {
    const auto o = order(bytes_of(make_order()));
    CHECK(o.id == "ord-1");
    CHECK_FALSE(o.number);
    CHECK(o.event_id == "ev-1");
    CHECK(o.organizer_id == "org-1");
    CHECK_FALSE(o.status);
    CHECK(o.effect == vibe::TicketEffect::sell);  // a Ticketland order sells its tickets
    check_customer(o.customer);
    CHECK_FALSE(o.created_at_ms);
    CHECK_FALSE(o.done_at_ms);
    REQUIRE(o.tickets.size() == 2);

    const auto &t = o.tickets[0];
    CHECK(t.id == "t-1");
    CHECK_FALSE(t.status);  // the emitter makes an order's new ticket active
    CHECK(t.order_id == "ord-1");
    CHECK(t.event_id == "ev-1");      // taken from the order
    CHECK(t.organizer_id == "org-1");  // taken from the order
    CHECK(t.barcode == "BC001");
    CHECK(t.number == "0001");
    CHECK(t.series == "AA");
    CHECK(t.row == "5");
    CHECK(t.seat == "12");
    CHECK(t.category == "Партер");
    CHECK_FALSE(t.set_id);
    CHECK(t.description == "front row");
    CHECK(t.price_nominal == 250000);
    CHECK(t.currency == "RUB");
    check_customer(t.customer);  // the order's customer

    const auto &t2 = o.tickets[1];
    CHECK(t2.id == "t-2");
    CHECK(t2.event_id == "ev-1");
    CHECK_FALSE(t2.number);
    CHECK_FALSE(t2.series);
    CHECK_FALSE(t2.row);
    CHECK_FALSE(t2.seat);
    CHECK_FALSE(t2.category);
    CHECK_FALSE(t2.description);
    CHECK_FALSE(t2.price_nominal);  // `optional`: not sent is NULL, not 0
    CHECK_FALSE(t2.currency);
}

TEST_CASE("protobuf: vibe.v1 price_nominal: absent is NULL, an explicit 0 is a free ticket", "[protobuf][vibe.v1]") {
    auto m = make_order();
    m.mutable_tickets(1)->set_price_nominal(0);
    const auto o = order(bytes_of(m));
    CHECK(o.tickets[0].price_nominal == 250000);
    CHECK(o.tickets[1].price_nominal == 0);
    m.mutable_tickets(1)->clear_price_nominal();
    CHECK_FALSE(order(bytes_of(m)).tickets[1].price_nominal);

    // The wire format is a plain int64: a producer built from a .proto
    // without `optional` that writes 0 explicitly is read as 0; one that
    // omits it (proto3's default for 0) as NULL.
    v1::Order::Ticket bare;
    bare.set_id("t-9");
    const std::string with_zero = field_bytes(5, bytes_of(bare) + field_varint(9, 0));
    v1::Order head;
    head.set_id("ord-9");
    head.set_event_id("ev-1");
    CHECK(order(bytes_of(head) + with_zero).tickets[0].price_nominal == 0);
    CHECK_FALSE(order(bytes_of(head) + field_bytes(5, bytes_of(bare))).tickets[0].price_nominal);

    v1::Ticket t;
    t.set_id("t-1");
    t.set_status(v1::Ticket::ACTIVE);
    t.set_event_id("ev-1");
    CHECK_FALSE(ticket(bytes_of(t)).price_nominal);
    t.set_price_nominal(0);
    CHECK(ticket(bytes_of(t)).price_nominal == 0);
    t.set_price_nominal(-100);  // no range rule: kept as sent
    CHECK(ticket(bytes_of(t)).price_nominal == -100);
}

TEST_CASE("protobuf: vibe.v1 currencies, a newer one is NULL, unknown_value", "[protobuf][vibe.v1]") {
    auto m = make_order();
    auto currency = [&](int c, const Names &anomalies = {}) {
        m.mutable_tickets(0)->set_currency(static_cast<v1::Currency>(c));
        return order(bytes_of(m), anomalies).tickets[0].currency;
    };
    CHECK(currency(v1::USD) == "USD");
    CHECK(currency(v1::EUR) == "EUR");
    CHECK(currency(v1::RUB) == "RUB");
    CHECK(currency(v1::GBP) == "GBP");
    CHECK(currency(v1::CNY) == "CNY");
    CHECK_FALSE(currency(v1::CURRENCY_UNSPECIFIED));
    CHECK_FALSE(currency(42, {"unknown_value order.tickets[0].currency"}));
    // The second ticket's path names its index.
    m.mutable_tickets(0)->set_currency(v1::RUB);
    m.mutable_tickets(1)->set_currency(static_cast<v1::Currency>(6));
    const auto o = order(bytes_of(m), {"unknown_value order.tickets[1].currency"});
    CHECK(o.tickets[0].currency == "RUB");
    CHECK_FALSE(o.tickets[1].currency);
    CHECK(o.tickets[1].barcode == "BC002");

    v1::Ticket t;
    t.set_id("t-1");
    t.set_status(v1::Ticket::ACTIVE);
    t.set_event_id("ev-1");
    t.set_currency(static_cast<v1::Currency>(100));
    CHECK_FALSE(ticket(bytes_of(t), {"unknown_value ticket.currency"}).currency);
}

TEST_CASE("protobuf: vibe.v1 Order without customer or tickets", "[protobuf][vibe.v1]") {
    v1::Order m;
    m.set_id("ord-2");
    const auto o = order(bytes_of(m));
    CHECK(o.id == "ord-2");
    CHECK_FALSE(o.event_id);
    CHECK_FALSE(o.customer.email);
    CHECK_FALSE(o.customer.phone);
    CHECK_FALSE(o.customer.name);
    CHECK(o.tickets.empty());
}

TEST_CASE("protobuf: vibe.v1 Refund round trip", "[protobuf][vibe.v1]") {
    v1::Refund m;
    *m.mutable_customer() = make_customer();
    m.add_ticket_ids("t-1");
    m.add_ticket_ids("t-2");

    const auto r = refund(bytes_of(m), "ref-1");
    CHECK(r.id == "ref-1");
    CHECK_FALSE(r.order_id);
    CHECK_FALSE(r.event_id);
    CHECK_FALSE(r.status);  // Ticketland refunds have no status
    CHECK(r.refunds_tickets);  // and are final
    check_customer(r.customer);
    CHECK_FALSE(r.created_at_ms);
    CHECK_FALSE(r.finished_at_ms);
    CHECK(r.ticket_ids == std::vector<std::string>{"t-1", "t-2"});

    // No ticket ids: proto3 cannot tell an empty list from an absent one, so
    // nothing is noted (JSON notes missing_value when the member is absent).
    v1::Refund empty;
    *empty.mutable_customer() = make_customer();
    CHECK(refund(bytes_of(empty), "ref-2").ticket_ids.empty());
}

TEST_CASE("protobuf: vibe.v1 Ticket round trip", "[protobuf][vibe.v1]") {
    v1::Ticket m;
    m.set_id("t-9");
    m.set_status(v1::Ticket::USED);
    m.set_barcode("BC009");
    *m.mutable_customer() = make_customer();
    m.set_event_id("ev-1");
    m.set_organizer_id("org-1");
    m.set_number("9");
    m.set_series("B");
    m.set_row("1");
    m.set_seat("2");
    m.set_category("Балкон");
    m.set_order_id("ord-1");
    m.set_description("balcony");
    m.set_price_nominal(99900);
    m.set_currency(v1::EUR);

    const auto t = ticket(bytes_of(m));
    CHECK(t.id == "t-9");
    CHECK(t.status == "used");
    CHECK(t.barcode == "BC009");
    check_customer(t.customer);
    CHECK(t.event_id == "ev-1");
    CHECK(t.organizer_id == "org-1");
    CHECK(t.number == "9");
    CHECK(t.series == "B");
    CHECK(t.row == "1");
    CHECK(t.seat == "2");
    CHECK(t.category == "Балкон");
    CHECK_FALSE(t.set_id);
    CHECK(t.order_id == "ord-1");
    CHECK(t.description == "balcony");
    CHECK(t.price_nominal == 99900);
    CHECK(t.currency == "EUR");
}

TEST_CASE("protobuf: vibe.v1 Ticket statuses, unspecified or newer is NULL", "[protobuf][vibe.v1]") {
    v1::Ticket m;
    m.set_id("t-1");
    m.set_event_id("ev-1");
    m.set_barcode("BC1");
    *m.mutable_customer() = make_customer();
    auto status = [&](int s, const Names &anomalies = {}) {
        m.set_status(static_cast<v1::Ticket::Status>(s));
        return ticket(bytes_of(m), anomalies).status;
    };
    CHECK(status(v1::Ticket::ACTIVE) == "active");
    CHECK(status(v1::Ticket::USED) == "used");
    CHECK(status(v1::Ticket::CANCELLED) == "cancelled");
    CHECK(status(v1::Ticket::REFUNDED) == "refunded");
    // The record still updates the rest; the mapping keeps the stored status.
    CHECK_FALSE(status(v1::Ticket::STATUS_UNSPECIFIED, {"missing_value ticket.status"}));
    CHECK_FALSE(status(7, {"unknown_value ticket.status"}));
    m.set_status(static_cast<v1::Ticket::Status>(7));
    vibe::Anomalies a;
    const auto t = vibe::pb::decode_ticket(bytes_of(m), a);
    CHECK(t.barcode == "BC1");
    CHECK(t.event_id == "ev-1");
    check_customer(t.customer);
}

TEST_CASE("protobuf: vibe.v1 unknown fields are skipped", "[protobuf][vibe.v1]") {
    SECTION("organizer, appended at the end") {
        v1::Organizer m;
        m.set_id("org-1");
        m.set_name("Hall");
        const auto o = organizer(bytes_of(m) + unknown_fields());
        CHECK(o.id == "org-1");
        CHECK(o.name == "Hall");
    }
    SECTION("event, unknown fields first and inside the venue") {
        v1::Event m;
        m.set_id("ev-1");
        m.set_category(v1::SPORT);
        v1::Event::Venue v;
        v.set_name("Arena");
        const std::string venue = field_bytes(10, bytes_of(v) + unknown_fields());
        // A future status field (e.g. 11) and a group id (12) a newer producer may send.
        const auto e = event(unknown_fields() + bytes_of(m) + venue + field_varint(11, 2) + field_bytes(12, "grp"));
        CHECK(e.id == "ev-1");
        CHECK(e.category == "sport");
        CHECK(e.status == "active");
        REQUIRE(e.venue);
        CHECK(e.venue->name == "Arena");
    }
    SECTION("order, unknown fields in a ticket") {
        v1::Order::Ticket t;
        t.set_id("t-3");
        t.set_barcode("BC003");
        const auto o =
            order(bytes_of(make_order()) + field_bytes(5, bytes_of(t) + unknown_fields()) + unknown_fields());
        REQUIRE(o.tickets.size() == 3);
        CHECK(o.tickets[2].id == "t-3");
        CHECK(o.tickets[2].barcode == "BC003");
        CHECK(o.tickets[2].event_id == "ev-1");
    }
    SECTION("refund and ticket") {
        v1::Refund r;
        r.add_ticket_ids("t-1");
        CHECK(refund(bytes_of(r) + unknown_fields(), "ref-1").ticket_ids.size() == 1);
        v1::Ticket t;
        t.set_id("t-1");
        t.set_event_id("ev-1");
        t.set_status(v1::Ticket::REFUNDED);
        CHECK(ticket(bytes_of(t) + unknown_fields()).status == "refunded");
    }
}

TEST_CASE("protobuf: vibe.v1 garbage bytes are a DecodeError", "[protobuf][vibe.v1]") {
    const std::string order_bytes = bytes_of(make_order());
    const std::string truncated = order_bytes.substr(0, order_bytes.size() - 3);  // inside the last ticket
    const std::string bad_length = "\x0a\x7f" "abc";          // field 1, length 127, 3 bytes
    const std::string field_zero = std::string("\x00\x01", 2);  // field number 0 is invalid
    const std::string bad_varint(11, '\xff');                  // a varint longer than 10 bytes
    const std::string end_group = "\x0c";                      // END_GROUP without a start

    for (const auto &bytes : {truncated, bad_length, field_zero, bad_varint, end_group}) {
        CHECK(error_of([&] { order(bytes); }) == "protobuf: cannot parse vibe.v1.Order");
        CHECK(error_of([&] { organizer(bytes); }) == "protobuf: cannot parse vibe.v1.Organizer");
        CHECK(error_of([&] { event(bytes); }) == "protobuf: cannot parse vibe.v1.Event");
        CHECK(error_of([&] { ticket(bytes); }) == "protobuf: cannot parse vibe.v1.Ticket");
        CHECK(error_of([&] { refund(bytes, "ref-1"); }) == "protobuf: cannot parse vibe.v1.Refund");
    }
}

TEST_CASE("protobuf: vibe.v1 missing ids are a DecodeError", "[protobuf][vibe.v1]") {
    CHECK(error_of([] { organizer(""); }) == "organizer.id: missing");
    CHECK(error_of([] { event(""); }) == "event.id: missing");
    CHECK(error_of([] { order(""); }) == "order.id: missing");
    CHECK(error_of([] { ticket(""); }) == "ticket.id: missing");
    CHECK(error_of([] { refund("", ""); }) == "refund.id (record key): missing");

    auto o = make_order();
    o.mutable_tickets(1)->clear_id();
    CHECK(error_of([&] { order(bytes_of(o)); }) == "order.tickets[1].id: missing");

    v1::Refund r;
    r.add_ticket_ids("t-1");
    r.add_ticket_ids("");
    CHECK(error_of([&] { refund(bytes_of(r), "ref-1"); }) == "refund.ticket_ids[1]: missing");

    // The parent links, as in JSON: a ticket's event; an order's event once
    // it has tickets (vibe.v1 tickets carry no event of their own).
    v1::Ticket t;
    t.set_id("t-1");
    t.set_status(v1::Ticket::ACTIVE);
    CHECK(error_of([&] { ticket(bytes_of(t)); }) == "ticket.event_id: missing");
    auto no_event = make_order();
    no_event.clear_event_id();
    CHECK(error_of([&] { order(bytes_of(no_event)); }) == "order.event_id: missing");
    no_event.clear_tickets();
    CHECK(order(bytes_of(no_event)).tickets.empty());  // the order row alone needs no event
}

TEST_CASE("protobuf: vibe.v1 Refund: a repeated ticket id refunds the ticket once", "[protobuf][vibe.v1]") {
    v1::Refund m;
    m.add_ticket_ids("t-1");
    m.add_ticket_ids("t-2");
    m.add_ticket_ids("t-1");
    CHECK(refund(bytes_of(m), "ref-1").ticket_ids == std::vector<std::string>{"t-1", "t-2"});
}

TEST_CASE("protobuf: vibe.v1 Event times outside 1970..9999 are NULL, out_of_range", "[protobuf][vibe.v1]") {
    v1::Event m;
    m.set_id("ev-1");
    m.set_name("N");
    struct Case {
        int64_t start_at;
        std::optional<int64_t> ms;
        Names anomalies;
    };
    for (const Case &c : std::vector<Case>{
             {1, 1000, {}},
             {99999999999, 99999999999000, {}},              // the largest value read as seconds
             {100000000000, 100000000000, {}},               // the smallest read as milliseconds
             {253402300799999, 253402300799999, {}},         // 9999-12-31T23:59:59.999Z
             {253402300800000, std::nullopt, {"out_of_range event.start_at"}},
             {INT64_MAX, std::nullopt, {"out_of_range event.start_at"}},
             {-1, std::nullopt, {"out_of_range event.start_at"}},
             {INT64_MIN, std::nullopt, {"out_of_range event.start_at"}}}) {
        INFO("start_at " << c.start_at);
        m.set_start_at(c.start_at);
        m.set_finish_at(-5);
        Names expected = c.anomalies;
        expected.push_back("out_of_range event.finish_at");
        const auto e = event(bytes_of(m), expected);
        CHECK(e.start_at_ms == c.ms);
        CHECK_FALSE(e.finish_at_ms);
        CHECK(e.name == "N");  // the event still lands
    }
}

TEST_CASE("protobuf: vibe.v1 errors carry no personal data", "[protobuf][vibe.v1]") {
    auto o = make_order();
    o.clear_id();
    const std::string bytes = bytes_of(o);
    for (const auto &msg :
         {error_of([&] { order(bytes); }), error_of([&] { order(bytes.substr(0, bytes.size() - 3)); })}) {
        REQUIRE_FALSE(msg.empty());
        CHECK(msg.find("anna") == std::string::npos);
        CHECK(msg.find("+7999") == std::string::npos);
        CHECK(msg.find("Petrova") == std::string::npos);
    }
}
