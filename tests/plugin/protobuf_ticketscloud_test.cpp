// Ticketscloud Protobuf (CONTRACT.md §5) decoder tests: every message kind is
// built with the generated classes, serialized, decoded and checked field by
// field; plus enum mapping, fields we do not read, unknown fields, bad input.
#include <catch2/catch.hpp>

#include <cstdint>
#include <tuple>
#include <vector>
#include <string>

#include <ticketscloud/event.pb.h>
#include <ticketscloud/order.pb.h>
#include <ticketscloud/partner.pb.h>
#include <ticketscloud/refund_request.pb.h>

#include "plugin_test_support.hpp"
#include "protobuf_wire.hpp"
#include "ticketscloud_decoder.hpp"

#ifdef VIBE_MAPPINGS_DIR
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "topic_config.hpp"
#endif

namespace tcpb = ::ticketscloud;

using namespace protobuf_wire;
using vibe_test::Names;
using vibe_test::noted;

namespace {

// Each decodes and checks the anomalies noted (none unless told).
vibe::Organizer partner(const std::string &bytes, const Names &expected = {}) {
    vibe::Anomalies a;
    auto v = vibe::tc::decode_partner(bytes, a);
    CHECK(noted(a) == expected);
    return v;
}
vibe::Event tc_event(const std::string &bytes, const Names &expected = {},
                     const vibe::tc::CategoryDictionary &categories = {}) {
    vibe::Anomalies a;
    auto v = vibe::tc::decode_event(bytes, categories, a);
    CHECK(noted(a) == expected);
    return v;
}
vibe::Order tc_order(const std::string &bytes, const Names &expected = {}) {
    vibe::Anomalies a;
    auto v = vibe::tc::decode_order(bytes, a);
    CHECK(noted(a) == expected);
    return v;
}
vibe::Refund tc_refund(const std::string &bytes, const Names &expected = {}) {
    vibe::Anomalies a;
    auto v = vibe::tc::decode_refund_request(bytes, a);
    CHECK(noted(a) == expected);
    return v;
}

std::string unknown_fields() {
    return field_varint(99, 1) + field_bytes(100, "future") + field_fixed32(101);
}

void set_time(google::protobuf::Timestamp *ts, int64_t seconds, int32_t nanos) {
    ts->set_seconds(seconds);
    ts->set_nanos(nanos);
}

tcpb::Partner make_partner() {
    tcpb::Partner p;
    p.set_id("5f1e0000000000000000aaaa");
    p.set_name("Teatr Dom");
    // What tells a real organizer from a bot, a hidden or inactive partner,
    // or a distributor: stored on the organizer.
    p.set_role("organizer");
    p.set_desc("A theatre");
    p.set_status(tcpb::Partner::APPROVED);
    p.set_hidden(true);
    p.set_currency("RUB");
    set_time(p.mutable_updated_at(), 1740000000, 0);
    auto *l = p.mutable_legal();
    l->set_name("OOO Teatr Dom");
    l->set_address("Saint Petersburg, Nevsky 1");
    l->set_inn("7800000000");
    l->set_ogrn("1027800000000");
    return p;
}

tcpb::Event make_event() {
    tcpb::Event e;
    e.set_id("ev-tc-1");
    e.set_meta("meta-1");
    e.set_name("Hamlet");
    e.set_description("A tragedy");
    e.set_status(tcpb::Event::PUBLIC);
    e.set_org("5f1e0000000000000000aaaa");
    e.set_venue("venue-7");
    set_time(e.mutable_lifetime()->mutable_start(), 1740997200, 500000000);
    set_time(e.mutable_lifetime()->mutable_finish(), 1741004400, 0);
    e.set_category("Theater");
    e.set_age_rating("16+");
    e.mutable_media()->set_cover("https://img.example.com/cover.jpg");
    e.mutable_media()->set_cover_small("https://img.example.com/small.jpg");
    e.mutable_media()->set_cover_original("https://img.example.com/orig.jpg");
    auto *l = e.mutable_legal_ru();
    l->set_id("legal-1");
    l->set_type(tcpb::Event::LegalRu::IP);
    l->set_name("IP Ivanov");
    l->set_inn("780000000001");
    l->set_address("Saint Petersburg");
    l->set_ogrnip("304780000000001");
    auto *s1 = e.add_sets();
    s1->set_id("set-1");
    s1->set_name("Партер");
    s1->set_description("Stalls");
    s1->set_pos(1);
    s1->set_sector("A");
    s1->set_with_seats(true);
    s1->set_amount(100);
    auto *s2 = e.add_sets();
    s2->set_id("set-2");
    s2->set_name("Балкон");
    s2->set_removed(true);
    set_time(e.mutable_updated_at(), 1740000000, 0);
    return e;
}

tcpb::Order make_order() {
    tcpb::Order o;
    o.set_id("ord-tc-1");
    o.set_number(100500);
    o.set_status(tcpb::Order::DONE);
    o.set_meta_event("meta-1");
    o.set_event("ev-tc-1");
    o.set_org("5f1e0000000000000000aaaa");
    o.set_vendor("vendor-1");
    set_time(o.mutable_created_at(), 1740990000, 250000000);
    set_time(o.mutable_done_at(), 1740990060, 999999999);
    auto *c = o.mutable_settings()->mutable_customer();
    c->set_user("user-1");
    c->set_name("Ivan Ivanov");
    c->set_email("ivan@example.com");
    c->set_phone("+79110001122");
    c->set_lang("ru");
    auto *t = o.add_tickets();
    t->set_id("tk-1");
    t->set_serial("AB");
    t->set_number(42);
    t->set_barcode("2000000000420");
    t->set_set("set-1");
    t->set_sector("A");
    t->mutable_seat()->set_row("3");
    t->mutable_seat()->set_number("14");
    t->set_price(330000);
    t->set_nominal(300000);
    auto *t2 = o.add_tickets();
    t2->set_id("tk-2");
    t2->set_set("set-2");
    return o;
}

tcpb::RefundRequest make_refund() {
    tcpb::RefundRequest r;
    r.set_id("rr-1");
    r.set_status(tcpb::RefundRequest::APPROVED);
    r.set_partner("5f1e0000000000000000aaaa");
    r.set_order("ord-tc-1");
    set_time(r.mutable_created_at(), 1741100000, 0);
    set_time(r.mutable_finished_at(), 1741200000, 1000000);
    auto *t = r.add_tickets();
    t->set_id("tk-1");
    t->set_price(330000);
    t->set_nominal(300000);
    r.add_tickets()->set_id("tk-2");
    r.set_event("ev-tc-1");
    r.set_org("5f1e0000000000000000aaaa");
    return r;
}

}  // namespace

TEST_CASE("protobuf: ticketscloud Partner round trip", "[protobuf][ticketscloud]") {
    const auto o = partner(bytes_of(make_partner()));
    CHECK(o.id == "5f1e0000000000000000aaaa");
    CHECK(o.name == "Teatr Dom");
    REQUIRE(o.legals);
    CHECK(o.legals->name == "OOO Teatr Dom");
    CHECK(o.legals->type == "ru_ltd");  // ogrn: a company
    CHECK(o.legals->inn == "7800000000");
    CHECK(o.legals->ogrn == "1027800000000");
    CHECK(o.legals->address == "Saint Petersburg, Nevsky 1");
    CHECK(o.status == "approved");
    CHECK(o.hidden == true);
    CHECK(o.role == "organizer");
    CHECK(o.currency == "RUB");
    CHECK(o.updated_at_ms == 1740000000000);
}

TEST_CASE("protobuf: ticketscloud Partner status, hidden, role, currency", "[protobuf][ticketscloud]") {
    auto p = make_partner();
    auto status = [&](int s, const Names &anomalies = {}) {
        p.set_status(static_cast<tcpb::Partner::Status>(s));
        return partner(bytes_of(p), anomalies).status;
    };
    CHECK(status(tcpb::Partner::NEW) == "new");  // 0 is a real value here
    CHECK(status(tcpb::Partner::APPROVED) == "approved");
    CHECK(status(tcpb::Partner::BOT) == "bot");
    CHECK(status(tcpb::Partner::INACTIVE) == "inactive");
    // Newer than our schema: NULL, the partner still lands with the rest.
    p.set_status(static_cast<tcpb::Partner::Status>(4));
    const auto unknown = partner(bytes_of(p), {"unknown_value partner.status"});
    CHECK_FALSE(unknown.status);
    CHECK(unknown.name == "Teatr Dom");
    CHECK(unknown.legals->inn == "7800000000");

    p.set_status(tcpb::Partner::APPROVED);
    p.set_hidden(false);
    CHECK(partner(bytes_of(p)).hidden == false);  // proto3 bool: false is a value
    p.set_role("distributor");
    CHECK(partner(bytes_of(p)).role == "distributor");
    p.clear_role();
    CHECK_FALSE(partner(bytes_of(p)).role);
    p.clear_currency();
    CHECK_FALSE(partner(bytes_of(p)).currency);
    // An ISO 4217 code, in any case; anything else cannot be a ticket's
    // currency: NULL, unknown_value.
    p.set_currency("eur");
    CHECK(partner(bytes_of(p)).currency == "EUR");
    for (const char *bad : {"USDT", "RU", "рубль", "R1B", "RUB-and-more"}) {
        INFO("currency " << bad);
        p.set_currency(bad);
        const auto o = partner(bytes_of(p), {"unknown_value partner.currency"});
        CHECK_FALSE(o.currency);
        CHECK(o.role == std::nullopt);  // cleared above: the rest is read as usual
        CHECK(o.status == "approved");
    }
    p.set_currency("RUB");
    p.clear_updated_at();
    CHECK_FALSE(partner(bytes_of(p)).updated_at_ms);
    set_time(p.mutable_updated_at(), 1740000000, 987654321);
    CHECK(partner(bytes_of(p)).updated_at_ms == 1740000000987);
}

TEST_CASE("protobuf: ticketscloud Partner legal forms", "[protobuf][ticketscloud]") {
    auto p = make_partner();
    SECTION("ogrnip: a sole trader") {
        p.mutable_legal()->set_ogrnip("304780000000001");
        const auto o = partner(bytes_of(p));
        REQUIRE(o.legals);
        CHECK(o.legals->type == "ru_lp");
        CHECK(o.legals->ogrn == "304780000000001");
    }
    SECTION("neither ogrn nor ogrnip") {
        p.mutable_legal()->clear_registration();
        const auto o = partner(bytes_of(p));
        REQUIRE(o.legals);
        CHECK_FALSE(o.legals->type);
        CHECK_FALSE(o.legals->ogrn);
        CHECK(o.legals->inn == "7800000000");
    }
    SECTION("no legal at all") {
        p.clear_legal();
        p.clear_name();
        const auto o = partner(bytes_of(p));
        CHECK_FALSE(o.legals);
        CHECK_FALSE(o.name);
    }
}

TEST_CASE("protobuf: ticketscloud Event round trip", "[protobuf][ticketscloud]") {
    const auto e = tc_event(bytes_of(make_event()), {}, {{"Theater", "theater"}});
    CHECK(e.id == "ev-tc-1");
    CHECK(e.group_id == "meta-1");
    CHECK(e.name == "Hamlet");
    CHECK(e.description == "A tragedy");
    CHECK(e.status == "active");
    CHECK(e.category == "theater");  // through the topic's dictionary
    CHECK(e.category_raw == "Theater");
    CHECK(e.start_at_ms == 1740997200500);
    CHECK(e.finish_at_ms == 1741004400000);
    CHECK_FALSE(e.timezone);
    CHECK_FALSE(e.utc_offset_hours);
    CHECK(e.organizer_id == "5f1e0000000000000000aaaa");
    CHECK_FALSE(e.organizer);
    CHECK(e.media == "https://img.example.com/cover.jpg");
    CHECK(e.age_rating == "16+");
    REQUIRE(e.venue);
    CHECK(e.venue->id == "venue-7");
    CHECK_FALSE(e.venue->name);
    CHECK_FALSE(e.venue->lat);
    REQUIRE(e.legals);
    CHECK(e.legals->type == "ru_lp");
    CHECK(e.legals->name == "IP Ivanov");
    CHECK(e.legals->inn == "780000000001");
    CHECK(e.legals->ogrn == "304780000000001");
    CHECK(e.legals->address == "Saint Petersburg");
    REQUIRE(e.sets.size() == 2);
    CHECK(e.sets[0].id == "set-1");
    CHECK(e.sets[0].name == "Партер");
    CHECK(e.sets[0].description == "Stalls");
    CHECK(e.sets[0].sector == "A");
    CHECK_FALSE(e.sets[0].removed);
    CHECK(e.sets[1].id == "set-2");
    CHECK(e.sets[1].name == "Балкон");
    CHECK_FALSE(e.sets[1].description);
    CHECK_FALSE(e.sets[1].sector);
    CHECK(e.sets[1].removed);
}

TEST_CASE("protobuf: ticketscloud Event statuses, categories, absent values",
          "[protobuf][ticketscloud]") {
    auto m = make_event();
    m.clear_category();
    auto status = [&](int s, const Names &anomalies = {}) {
        m.set_status(static_cast<tcpb::Event::Status>(s));
        return tc_event(bytes_of(m), anomalies).status;
    };
    CHECK(status(tcpb::Event::STAND_BY) == "paused");  // 0 is a real value here
    CHECK(status(tcpb::Event::PUBLIC) == "active");
    CHECK(status(tcpb::Event::CANCELED) == "cancelled");
    CHECK(status(tcpb::Event::FINISHED) == "finished");
    // Newer than our schema: NULL, noted; the event still lands.
    CHECK_FALSE(status(9, {"unknown_value event.status"}));
    m.set_status(tcpb::Event::PUBLIC);

    // The category is an id in Ticketscloud's dictionary: kept as given; the
    // Vibe category only where the topic's dictionary maps it, else other.
    const vibe::tc::CategoryDictionary dictionary = {{"5a0b00c1", "concert"}, {"5a0b00c2", "standup"}};
    struct Case {
        std::string id;
        std::string category;
        vibe::Opt raw;
        Names anomalies;
    };
    for (const Case &c : std::vector<Case>{
             {"5a0b00c1", "concert", std::string("5a0b00c1"), {}},
             {"5a0b00c2", "standup", std::string("5a0b00c2"), {}},
             {"5a0b00c9", "other", std::string("5a0b00c9"), {"unknown_category event.category"}},
             // A Vibe name is no id: without a dictionary entry it is other.
             {"concert", "other", std::string("concert"), {"unknown_category event.category"}},
             {"5A0B00C1", "other", std::string("5A0B00C1"), {"unknown_category event.category"}},  // ids are exact
             {"", "other", std::nullopt, {}}}) {  // absent: nothing kept or noted
        INFO("category id '" << c.id << "'");
        m.set_category(c.id);
        const auto e = tc_event(bytes_of(m), c.anomalies, dictionary);
        CHECK(e.category == c.category);
        CHECK(e.category_raw == c.raw);
    }
    // No dictionary: every id is other.
    m.set_category("5a0b00c1");
    const auto none = tc_event(bytes_of(m), {"unknown_category event.category"});
    CHECK(none.category == "other");
    CHECK(none.category_raw == "5a0b00c1");
    m.clear_category();

    m.mutable_legal_ru()->set_type(tcpb::Event::LegalRu::LTD);
    m.mutable_legal_ru()->set_ogrn("1027800000000");
    auto e = tc_event(bytes_of(m));
    CHECK(e.legals->type == "ru_ltd");
    CHECK(e.legals->ogrn == "1027800000000");
    // A legal type newer than our schema: NULL, noted; the rest stays.
    m.mutable_legal_ru()->set_type(static_cast<tcpb::Event::LegalRu::Type>(2));
    e = tc_event(bytes_of(m), {"unknown_value event.legal_ru.type"});
    CHECK_FALSE(e.legals->type);
    CHECK(e.legals->name == "IP Ivanov");
    CHECK(e.legals->ogrn == "1027800000000");

    tcpb::Event bare;
    bare.set_id("ev-bare");
    e = tc_event(bytes_of(bare));
    CHECK(e.status == "paused");  // STAND_BY is the proto3 default
    CHECK(e.category == "other");
    CHECK_FALSE(e.category_raw);
    CHECK_FALSE(e.group_id);
    CHECK_FALSE(e.name);
    CHECK_FALSE(e.description);
    CHECK_FALSE(e.organizer_id);
    CHECK_FALSE(e.venue);
    CHECK_FALSE(e.start_at_ms);
    CHECK_FALSE(e.finish_at_ms);
    CHECK_FALSE(e.media);
    CHECK_FALSE(e.age_rating);
    CHECK_FALSE(e.legals);
    CHECK(e.sets.empty());

    // A lifetime with only a start; a Timestamp that is present but zero is the epoch.
    set_time(bare.mutable_lifetime()->mutable_start(), 0, 0);
    e = tc_event(bytes_of(bare));
    CHECK(e.start_at_ms == 0);
    CHECK_FALSE(e.finish_at_ms);
}

TEST_CASE("protobuf: ticketscloud Order round trip", "[protobuf][ticketscloud]") {
    const auto o = tc_order(bytes_of(make_order()));
    CHECK(o.id == "ord-tc-1");
    CHECK(o.number == "100500");
    CHECK(o.status == "done");
    CHECK(o.event_id == "ev-tc-1");
    CHECK(o.organizer_id == "5f1e0000000000000000aaaa");
    CHECK(o.customer.email == "ivan@example.com");
    CHECK(o.customer.phone == "+79110001122");
    CHECK(o.customer.name == "Ivan Ivanov");
    CHECK_FALSE(o.customer.first_name);
    CHECK_FALSE(o.customer.last_name);
    CHECK(o.created_at_ms == 1740990000250);
    CHECK(o.done_at_ms == 1740990060999);
    REQUIRE(o.tickets.size() == 2);

    const auto &t = o.tickets[0];
    CHECK(t.id == "tk-1");
    CHECK_FALSE(t.status);  // follows the order's status, decided by the emitter
    CHECK(t.order_id == "ord-tc-1");
    CHECK(t.event_id == "ev-tc-1");
    CHECK(t.organizer_id == "5f1e0000000000000000aaaa");
    CHECK(t.number == "42");
    CHECK(t.barcode == "2000000000420");
    CHECK(t.set_id == "set-1");
    CHECK(t.series == "AB");
    CHECK(t.row == "3");
    CHECK(t.seat == "14");
    CHECK_FALSE(t.category);  // the set's name, known from the event's sets
    CHECK_FALSE(t.description);
    CHECK(t.price_nominal == 300000);  // nominal, not the price paid
    CHECK_FALSE(t.currency);
    CHECK(t.customer.email == "ivan@example.com");
    CHECK(t.customer.phone == "+79110001122");
    CHECK(t.customer.name == "Ivan Ivanov");

    const auto &t2 = o.tickets[1];
    CHECK(t2.id == "tk-2");
    CHECK(t2.set_id == "set-2");
    CHECK(t2.event_id == "ev-tc-1");
    CHECK_FALSE(t2.number);
    CHECK_FALSE(t2.barcode);
    CHECK_FALSE(t2.series);
    CHECK_FALSE(t2.row);
    CHECK_FALSE(t2.seat);
    CHECK(t2.price_nominal == 0);
}

TEST_CASE("protobuf: ticketscloud Order statuses and absent values", "[protobuf][ticketscloud]") {
    auto m = make_order();
    using E = vibe::TicketEffect;
    for (auto [number, status, effect] : std::vector<std::tuple<int, std::string, E>>{
             {tcpb::Order::EXECUTED, "executed", E::none},
             {tcpb::Order::IN_PROGRESS, "in_progress", E::none},
             {tcpb::Order::DONE, "done", E::sell},
             {tcpb::Order::CANCELLED, "cancelled", E::cancel},
             {tcpb::Order::EXPIRED, "expired", E::cancel}}) {
        m.set_status(static_cast<tcpb::Order::Status>(number));
        const auto o = tc_order(bytes_of(m));
        CHECK(o.status == status);
        CHECK(o.effect == effect);
    }
    // Newer than our schema: NULL, noted; says nothing about its tickets.
    m.set_status(static_cast<tcpb::Order::Status>(5));
    const auto unknown = tc_order(bytes_of(m), {"unknown_value order.status"});
    CHECK_FALSE(unknown.status);
    CHECK(unknown.effect == E::none);
    CHECK(unknown.customer.email == "ivan@example.com");
    CHECK(unknown.tickets.size() == 2);

    tcpb::Order bare;
    bare.set_id("ord-bare");
    const auto o = tc_order(bytes_of(bare));
    CHECK(o.status == "executed");
    CHECK(o.effect == vibe::TicketEffect::none);
    CHECK_FALSE(o.number);
    CHECK_FALSE(o.event_id);
    CHECK_FALSE(o.organizer_id);
    CHECK_FALSE(o.customer.email);
    CHECK_FALSE(o.customer.phone);
    CHECK_FALSE(o.customer.name);
    CHECK_FALSE(o.created_at_ms);
    CHECK_FALSE(o.done_at_ms);
    CHECK(o.tickets.empty());

    bare.mutable_settings();  // settings without a customer
    CHECK_FALSE(tc_order(bytes_of(bare)).customer.email);
}

TEST_CASE("protobuf: ticketscloud RefundRequest round trip", "[protobuf][ticketscloud]") {
    const auto r = tc_refund(bytes_of(make_refund()));
    CHECK(r.id == "rr-1");
    CHECK(r.status == "approved");
    CHECK(r.refunds_tickets);
    CHECK(r.order_id == "ord-tc-1");
    CHECK(r.event_id == "ev-tc-1");
    CHECK_FALSE(r.customer.email);
    CHECK_FALSE(r.customer.phone);
    CHECK_FALSE(r.customer.name);
    CHECK(r.created_at_ms == 1741100000000);
    CHECK(r.finished_at_ms == 1741200000001);
    CHECK(r.ticket_ids == std::vector<std::string>{"tk-1", "tk-2"});
}

TEST_CASE("protobuf: ticketscloud RefundRequest statuses", "[protobuf][ticketscloud]") {
    auto m = make_refund();
    for (auto [number, status, refunds] : std::vector<std::tuple<int, std::string, bool>>{
             {tcpb::RefundRequest::NEW, "new", false},
             {tcpb::RefundRequest::IN_PROGRESS, "in_progress", false},
             {tcpb::RefundRequest::APPROVED, "approved", true},  // only an approved request refunds
             {tcpb::RefundRequest::REJECTED, "rejected", false}}) {
        m.set_status(static_cast<tcpb::RefundRequest::Status>(number));
        const auto r = tc_refund(bytes_of(m));
        CHECK(r.status == status);
        CHECK(r.refunds_tickets == refunds);
    }
    // Newer than our schema: NULL, noted, refunds nothing; the request lands.
    m.set_status(static_cast<tcpb::RefundRequest::Status>(4));
    const auto unknown = tc_refund(bytes_of(m), {"unknown_value refund_request.status"});
    CHECK_FALSE(unknown.status);
    CHECK_FALSE(unknown.refunds_tickets);
    CHECK(unknown.ticket_ids == std::vector<std::string>{"tk-1", "tk-2"});

    tcpb::RefundRequest bare;
    bare.set_id("rr-bare");
    const auto r = tc_refund(bytes_of(bare));
    CHECK(r.status == "new");
    CHECK_FALSE(r.refunds_tickets);
    CHECK_FALSE(r.order_id);
    CHECK_FALSE(r.event_id);
    CHECK_FALSE(r.created_at_ms);
    CHECK_FALSE(r.finished_at_ms);
    CHECK(r.ticket_ids.empty());
}

TEST_CASE("protobuf: ticketscloud fields we do not declare are skipped", "[protobuf][ticketscloud]") {
    SECTION("partner: undeclared numbers and a declared field with another wire type") {
        // role (3) arriving as a varint instead of a string is kept as an
        // unknown field, not a parse error.
        const auto o = partner(field_varint(3, 7) + bytes_of(make_partner()) +
                                                unknown_fields() + field_bytes(41, "extra"));
        CHECK(o.id == "5f1e0000000000000000aaaa");
        CHECK(o.legals->ogrn == "1027800000000");
    }
    SECTION("event: unknown fields at the top, in lifetime, in a set, in legal_ru") {
        tcpb::Event::TicketSet set;
        set.set_id("set-3");
        set.set_name("Ложа");
        tcpb::Event::LegalRu legal;
        legal.set_name("OOO X");
        const std::string lifetime =
            field_bytes(1, field_varint(1, 1740997300) + field_varint(7, 1)) + unknown_fields();
        const auto e = tc_event(
            bytes_of(make_event()) + unknown_fields() + field_bytes(9, lifetime) +
            field_bytes(30, bytes_of(set) + field_bytes(8, "price-info") + unknown_fields()) +
            field_bytes(20, bytes_of(legal) + unknown_fields()) + field_varint(52, 3),
            {}, {{"Theater", "theater"}});
        // The later lifetime merges into the first: new seconds, the first's nanos.
        CHECK(e.start_at_ms == 1740997300500);
        CHECK(e.finish_at_ms == 1741004400000);
        REQUIRE(e.sets.size() == 3);
        CHECK(e.sets[2].id == "set-3");
        CHECK(e.sets[2].name == "Ложа");
        CHECK(e.legals->name == "OOO X");
    }
    SECTION("order: unknown fields at the top, in settings, in customer, in a ticket") {
        tcpb::Order::Ticket t;
        t.set_id("tk-3");
        t.set_nominal(1000);
        const std::string customer =
            field_bytes(1, field_bytes(3, "x@example.com") + unknown_fields());
        const auto o = tc_order(
            unknown_fields() + bytes_of(make_order()) + field_varint(3, 1) + field_bytes(5, "x") +
            field_bytes(20, customer + field_bytes(2, "ignored")) +
            field_bytes(33, bytes_of(t) + field_varint(2, 5) + field_bytes(9, "disc") +
                                unknown_fields()));
        CHECK(o.id == "ord-tc-1");
        CHECK(o.customer.email == "x@example.com");  // merged: the later one wins
        CHECK(o.customer.phone == "+79110001122");
        REQUIRE(o.tickets.size() == 3);
        CHECK(o.tickets[2].id == "tk-3");
        CHECK(o.tickets[2].price_nominal == 1000);
        CHECK(o.tickets[2].order_id == "ord-tc-1");
    }
    SECTION("refund request: unknown fields at the top and in a ticket") {
        const auto r = tc_refund(
            bytes_of(make_refund()) + field_bytes(24, field_bytes(1, "tk-3") + unknown_fields()) +
            field_varint(5, 1) + field_bytes(30, "reason") + unknown_fields());
        CHECK(r.status == "approved");
        CHECK(r.ticket_ids == std::vector<std::string>{"tk-1", "tk-2", "tk-3"});
    }
}

TEST_CASE("protobuf: ticketscloud garbage bytes are a DecodeError", "[protobuf][ticketscloud]") {
    const std::string order = bytes_of(make_order());
    const std::string truncated = order.substr(0, order.size() - 3);
    const std::string bad_length = "\x0a\x7f" "abc";
    const std::string field_zero = std::string("\x00\x01", 2);
    const std::string bad_varint(11, '\xff');
    for (const auto &bytes : {truncated, bad_length, field_zero, bad_varint}) {
        CHECK(error_of([&] { partner(bytes); }) ==
              "protobuf: cannot parse ticketscloud.Partner");
        CHECK(error_of([&] { tc_event(bytes); }) ==
              "protobuf: cannot parse ticketscloud.Event");
        CHECK(error_of([&] { tc_order(bytes); }) ==
              "protobuf: cannot parse ticketscloud.Order");
        CHECK(error_of([&] { tc_refund(bytes); }) ==
              "protobuf: cannot parse ticketscloud.RefundRequest");
    }
}

TEST_CASE("protobuf: ticketscloud missing ids are a DecodeError", "[protobuf][ticketscloud]") {
    CHECK(error_of([] { partner(""); }) == "partner.id: missing");
    CHECK(error_of([] { tc_event(""); }) == "event.id: missing");
    CHECK(error_of([] { tc_order(""); }) == "order.id: missing");
    CHECK(error_of([] { tc_refund(""); }) == "refund_request.id: missing");

    auto e = make_event();
    e.mutable_sets(1)->clear_id();
    CHECK(error_of([&] { tc_event(bytes_of(e)); }) == "event.sets[1].id: missing");
    auto o = make_order();
    o.mutable_tickets(0)->clear_id();
    CHECK(error_of([&] { tc_order(bytes_of(o)); }) == "order.tickets[0].id: missing");
    auto r = make_refund();
    r.mutable_tickets(1)->clear_id();
    CHECK(error_of([&] { tc_refund(bytes_of(r)); }) ==
          "refund_request.tickets[1].id: missing");
}

TEST_CASE("protobuf: ticketscloud errors carry no personal data", "[protobuf][ticketscloud]") {
    auto o = make_order();
    o.clear_id();
    const std::string bytes = bytes_of(o);
    auto o2 = make_order();
    o2.mutable_tickets(1)->clear_id();
    for (const auto &msg : {error_of([&] { tc_order(bytes); }),
                            error_of([&] { tc_order(bytes.substr(0, bytes.size() - 3)); }),
                            error_of([&] { tc_order(bytes_of(o2)); })}) {
        REQUIRE_FALSE(msg.empty());
        CHECK(msg.find("ivan") == std::string::npos);
        CHECK(msg.find("Ivanov") == std::string::npos);
        CHECK(msg.find("+7911") == std::string::npos);
    }
}

#ifdef VIBE_MAPPINGS_DIR
TEST_CASE("protobuf: mappings/ticketscloud.yaml declares the four Ticketscloud topics",
          "[protobuf][ticketscloud]") {
    const std::string path = std::string(VIBE_MAPPINGS_DIR) + "/ticketscloud.yaml";
    std::ifstream in(path);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const YAML::Node topics = YAML::Load(text.str())["topics"];
    REQUIRE(topics.IsMap());
    REQUIRE(topics.size() == 4);

    const std::pair<const char *, vibe::MessageKind> expected[] = {
        {"ticketscloud.partners", vibe::MessageKind::tc_partner},
        {"ticketscloud.events", vibe::MessageKind::tc_event},
        {"ticketscloud.orders", vibe::MessageKind::tc_order},
        {"ticketscloud.refund_requests", vibe::MessageKind::tc_refund_request},
    };
    for (const auto &[topic, kind] : expected) {
        INFO(topic);
        const YAML::Node entry = topics[topic];
        REQUIRE(entry.IsMap());
        YAML::Emitter body;
        body << entry;
        const auto c = vibe::parse_topic_config(topic, body.c_str(), path, entry.Mark().line + 1);
        CHECK(c.message == kind);
        CHECK(c.system == "ticketscloud");
        CHECK_FALSE(c.channels);  // the producer sends no headers: no allow-list
        CHECK(c.format == vibe::Format::protobuf);
        CHECK(c.schema_majors == std::vector<int>{1});
        CHECK(c.default_schema_major == 1);  // records without a schema-version header
    }
}
#endif
