// Ticketland JSON, both shapes, decoded and turned into entities: checked
// column by column against what mappings/vibe-tables.yaml declares. The
// fixtures are clean: decoding them notes no anomaly. (What the tolerant
// reader does with bad fields: json_tolerant_test.cpp.)
#include <catch2/catch.hpp>

#include "json_decoder.hpp"
#include "plugin_test_support.hpp"

using vibe_test::emitted;
using vibe_test::fixture;
using vibe_test::Names;
using vibe_test::noted;
using vibe_test::RecordedEntity;
using vibe_test::ticketland;
using vibe_test::types;

namespace {

// Each decodes a message that must note no anomaly.
struct Clean {
    vibe::Anomalies a;
    ~Clean() {
        INFO("anomalies noted on a clean message");
        CHECK(noted(a).empty());
    }
};

vibe::Organizer organizer(const std::string &json) {
    Clean c;
    return vibe::json::decode_organizer(json, c.a);
}
vibe::Event event(const std::string &json) {
    Clean c;
    return vibe::json::decode_event(json, c.a);
}
vibe::Order order(const std::string &json) {
    Clean c;
    return vibe::json::decode_order(json, c.a);
}
vibe::Refund refund(const std::string &json, const std::string &id) {
    Clean c;
    return vibe::json::decode_refund(json, id, c.a);
}
vibe::Ticket ticket(const std::string &json) {
    Clean c;
    return vibe::json::decode_ticket(json, c.a);
}

const Names kLegalFields = {"legal_name", "legal_type", "legal_inn", "legal_ogrn", "legal_address"};

}  // namespace

TEST_CASE("organizer, shape A: every column", "[json][organizer]") {
    auto es = emitted(organizer(fixture("organizer_a.json")));
    REQUIRE(types(es) == Names{"organizer"});
    const RecordedEntity &o = es[0];
    CHECK(o.field_order == Names{"system", "id", "name", "legal_name", "legal_type", "legal_inn", "legal_ogrn",
                                 "legal_address", "status", "hidden", "role", "currency", "updated_at"});
    CHECK(o.str("system") == "ticketland");
    CHECK(o.str("id") == "org-1");
    CHECK(o.str("name") == "Ленком");
    CHECK(o.str("legal_name") == "ООО «Ленком»");
    CHECK(o.str("legal_type") == "ru_ltd");
    CHECK(o.str("legal_inn") == "7701234567");
    CHECK(o.str("legal_ogrn") == "1027700000000");  // a JSON number, kept as its digits
    CHECK(o.str("legal_address") == "Москва, ул. Малая Дмитровка, 6");
    // Ticketscloud partner fields: Ticketland organizers have none.
    for (const char *f : {"status", "hidden", "role", "currency", "updated_at"}) CHECK(o.is_null(f));
}

TEST_CASE("organizer without legals: legal columns are NULL", "[json][organizer]") {
    auto es = emitted(organizer(R"({"id":"o","name":"N","legals":null})"));
    REQUIRE(types(es) == Names{"organizer"});
    CHECK(es[0].str("id") == "o");
    CHECK(es[0].str("name") == "N");
    for (const std::string &f : kLegalFields) CHECK(es[0].is_null(f));
}

TEST_CASE("organizer's own legals get no defaults (only a nested copy does)", "[json][organizer]") {
    auto es = emitted(organizer(R"({"id":"o","name":"N","legals":{"inn":"7700000000"}})"));
    REQUIRE(types(es) == Names{"organizer"});
    CHECK(es[0].is_null("legal_type"));
    CHECK(es[0].is_null("legal_name"));
    CHECK(es[0].str("legal_inn") == "7700000000");
}

TEST_CASE("event, shape A: venue with a derived id, then the event", "[json][event]") {
    auto es = emitted(event(fixture("event_a.json")));
    REQUIRE(types(es) == Names{"venue", "event"});

    const RecordedEntity &v = es[0];
    CHECK(v.field_order == Names{"system", "id", "name", "address", "description", "zipcode", "city_name", "lat", "lon"});
    CHECK(v.str("system") == "ticketland");
    CHECK(v.str("id") == "event:ev-100");
    CHECK(v.str("name") == "Театр Ленком");
    CHECK(v.str("address") == "ул. Малая Дмитровка, 6");
    CHECK(v.str("description") == "Исторический зал");
    CHECK(v.str("zipcode") == "127006");
    CHECK(v.str("city_name") == "Москва");
    CHECK(v.f64("lat") == Approx(55.7676));
    CHECK(v.f64("lon") == Approx(37.6046));

    const RecordedEntity &e = es[1];
    CHECK(e.field_order == Names{"system", "id", "group_id", "organizer_id", "venue_id", "name", "status", "category",
                                 "category_raw", "start_at", "finish_at", "timezone", "utc_offset_hours", "media",
                                 "description", "age_rating", "legal_name", "legal_type", "legal_inn", "legal_ogrn",
                                 "legal_address"});
    CHECK(e.str("system") == "ticketland");
    CHECK(e.str("id") == "ev-100");
    CHECK(e.is_null("group_id"));
    CHECK(e.str("organizer_id") == "org-1");
    CHECK(e.str("venue_id") == "event:ev-100");
    CHECK(e.str("name") == "Юнона и Авось");
    CHECK(e.str("status") == "active");              // absent in shape A
    CHECK(e.str("category") == "development");       // A's misspelling, known
    CHECK(e.str("category_raw") == "develpoment");   // as sent
    CHECK(e.timestamp_ms("start_at") == 1740997200000);
    CHECK(e.timestamp_ms("finish_at") == 1741004400000);
    CHECK(e.str("timezone") == "Europe/Moscow");
    CHECK(e.is_null("utc_offset_hours"));
    CHECK(e.str("media") == "https://img.example.com/ev-100.jpg");
    CHECK(e.str("description") == "Рок-опера");
    CHECK(e.is_null("age_rating"));
    for (const std::string &f : kLegalFields) CHECK(e.is_null(f));
}

TEST_CASE("event, shape B: nested organizer first, legals defaults, nulls", "[json][event]") {
    auto es = emitted(event(fixture("event_b.json")));
    REQUIRE(types(es) == Names{"nested_organizer", "venue", "event"});

    // A partial copy: only the columns a nested organizer carries (the
    // mapping keeps the stored value where it is NULL).
    const RecordedEntity &o = es[0];
    CHECK(o.field_order == Names{"system", "id", "name", "legal_name", "legal_type", "legal_inn", "legal_ogrn",
                                 "legal_address"});
    CHECK(o.str("system") == "ticketland");
    CHECK(o.str("id") == "org-2");
    CHECK(o.str("name") == "Comedy Club Production");
    CHECK(o.str("legal_name") == "Comedy Club Production");  // defaults to the organizer name
    CHECK(o.str("legal_type") == "ru_ltd");                  // defaults to ru_ltd
    CHECK(o.str("legal_inn") == "7707654321");
    CHECK(o.is_null("legal_ogrn"));
    CHECK(o.is_null("legal_address"));

    const RecordedEntity &v = es[1];
    CHECK(v.str("system") == "ticketland");
    CHECK(v.str("id") == "venue-9");
    CHECK(v.str("name") == "Крокус");
    CHECK(v.is_null("address"));
    CHECK(v.is_null("description"));
    CHECK(v.is_null("zipcode"));
    CHECK(v.str("city_name") == "Москва");
    CHECK(v.is_null("lat"));  // JSON null = absent
    CHECK(v.is_null("lon"));

    const RecordedEntity &e = es[2];
    CHECK(e.str("system") == "ticketland");
    CHECK(e.str("id") == "ev-200");
    CHECK(e.str("group_id") == "series-7");
    CHECK(e.str("organizer_id") == "org-2");  // B's nested organizer wins over organizer_id
    CHECK(e.str("venue_id") == "venue-9");
    CHECK(e.str("name") == "Stand-up вечер");
    CHECK(e.str("status") == "paused");
    CHECK(e.str("category") == "standup");
    CHECK(e.str("category_raw") == "Standup");  // the spelling sent
    CHECK(e.timestamp_ms("start_at") == 1740997200000);
    CHECK(e.timestamp_ms("finish_at") == 1741004400000);
    CHECK(e.is_null("timezone"));
    CHECK(e.i64("utc_offset_hours") == 3);
    CHECK(e.is_null("media"));
    CHECK(e.is_null("description"));
    CHECK(e.is_null("age_rating"));
    for (const std::string &f : kLegalFields) CHECK(e.is_null(f));
}

TEST_CASE("event, shape B nested organizer without legals emits no legal data", "[json][event]") {
    auto es = emitted(event(R"({"id":"e","organizer":{"id":"o","name":"N"}})"));
    REQUIRE(types(es) == Names{"nested_organizer", "event"});
    CHECK(es[0].str("id") == "o");
    CHECK(es[0].str("name") == "N");
    for (const std::string &f : kLegalFields) CHECK(es[0].is_null(f));  // never defaulted without legals
    CHECK(es[1].str("organizer_id") == "o");
    CHECK(es[1].is_null("venue_id"));
    CHECK(es[1].is_null("start_at"));  // optional in shape B
    CHECK(es[1].str("category") == "other");
    CHECK(es[1].is_null("category_raw"));  // no category sent: nothing to keep, nothing noted
}

TEST_CASE("event, shape B nested organizer: legals.type given, legals.name given", "[json][event]") {
    auto es = emitted(event(
        R"({"id":"e","organizer":{"id":"o","name":"N","legals":{"name":"ИП Иванов","type":"ru_lp","ogrn":304780000000001}}})"));
    REQUIRE(types(es) == Names{"nested_organizer", "event"});
    CHECK(es[0].str("legal_name") == "ИП Иванов");
    CHECK(es[0].str("legal_type") == "ru_lp");
    CHECK(es[0].str("legal_ogrn") == "304780000000001");
    CHECK(es[0].is_null("legal_inn"));
    // legals.type null is absent: the default applies.
    auto null_type = emitted(event(R"({"id":"e","organizer":{"id":"o","legals":{"type":null}}})"));
    CHECK(null_type[0].str("legal_type") == "ru_ltd");
    CHECK(null_type[0].is_null("legal_name"));  // no organizer name to default to
}

TEST_CASE("event start_at in seconds and in milliseconds give the same instant", "[json][event]") {
    auto s = event(R"({"id":"e","organizer_id":"o","start_at":1740997200,"finish_at":1741004400})");
    auto ms = event(R"({"id":"e","organizer_id":"o","start_at":1740997200000,"finish_at":1741004400000})");
    CHECK(s.start_at_ms == ms.start_at_ms);
    CHECK(s.finish_at_ms == ms.finish_at_ms);
    CHECK(*s.start_at_ms == 1740997200000);
    // A float in seconds keeps its milliseconds.
    auto f = event(R"({"id":"e","organizer_id":"o","start_at":1740997200.25})");
    CHECK(*f.start_at_ms == 1740997200250);
}

TEST_CASE("event offset: whole hours kept, the bounds -12 and 14 included", "[json][event]") {
    CHECK(*event(R"({"id":"e","organizer_id":"o","offset":-3})").utc_offset_hours == -3);
    CHECK(*event(R"({"id":"e","organizer_id":"o","offset":3.0})").utc_offset_hours == 3);
    CHECK(*event(R"({"id":"e","organizer_id":"o","offset":-12})").utc_offset_hours == -12);
    CHECK(*event(R"({"id":"e","organizer_id":"o","offset":14})").utc_offset_hours == 14);
    CHECK(*event(R"({"id":"e","organizer_id":"o","offset":0})").utc_offset_hours == 0);
}

TEST_CASE("a venue without id keeps the same derived id on every replay", "[json][event]") {
    auto a = emitted(event(fixture("event_a.json")));
    auto b = emitted(event(fixture("event_a.json")));
    CHECK(a[0].str("id") == b[0].str("id"));
    auto other = emitted(event(R"({"id":"ev-101","organizer_id":"o","venue":{"name":"x"}})"));
    CHECK(other[0].str("id") == "event:ev-101");
    // An empty venue id is no id either.
    auto empty = emitted(event(R"({"id":"ev-102","organizer_id":"o","venue":{"id":"","name":"x"}})"));
    CHECK(empty[0].str("id") == "event:ev-102");
}

TEST_CASE("order, shape A: order row, then active tickets with the customer copied", "[json][order]") {
    auto es = emitted(order(fixture("order_a.json")), ticketland(std::string("box_office")));
    REQUIRE(types(es) == Names{"order", "order_ticket", "order_ticket"});

    const RecordedEntity &o = es[0];
    CHECK(o.field_order == Names{"system", "id", "number", "event_id", "organizer_id", "channel", "status",
                                 "customer_email", "customer_phone", "customer_name", "customer_first_name",
                                 "customer_last_name", "created_at", "done_at"});
    CHECK(o.str("system") == "ticketland");
    CHECK(o.str("id") == "ord-1");
    CHECK(o.is_null("number"));
    CHECK(o.str("event_id") == "ev-100");
    CHECK(o.str("organizer_id") == "org-1");
    CHECK(o.str("channel") == "box_office");
    CHECK(o.is_null("status"));
    CHECK(o.str("customer_email") == "anna.petrova@example.com");
    CHECK(o.str("customer_phone") == "+79001234567");
    CHECK(o.str("customer_name") == "Анна Петрова");
    CHECK(o.is_null("customer_first_name"));
    CHECK(o.is_null("customer_last_name"));
    CHECK(o.is_null("created_at"));
    CHECK(o.is_null("done_at"));

    const RecordedEntity &t = es[1];
    CHECK(t.field_order == Names{"system", "id", "order_id", "event_id", "organizer_id", "channel", "status", "barcode",
                                 "number", "series", "seat_row", "seat", "category", "set_id", "description",
                                 "price_nominal", "currency", "customer_email", "customer_phone", "customer_name"});
    CHECK(t.str("system") == "ticketland");
    CHECK(t.str("id") == "t-1");
    CHECK(t.str("order_id") == "ord-1");
    CHECK(t.str("event_id") == "ev-100");      // shape A: the order's
    CHECK(t.str("organizer_id") == "org-1");   // shape A: the order's
    CHECK(t.str("channel") == "box_office");   // its order's channel
    CHECK(t.str("status") == "active");
    CHECK(t.str("barcode") == "4600000000011");
    CHECK(t.str("number") == "000123");
    CHECK(t.str("series") == "АБ");
    CHECK(t.str("seat_row") == "5");
    CHECK(t.str("seat") == "12");
    CHECK(t.str("category") == "Партер");
    CHECK(t.is_null("set_id"));
    CHECK(t.str("description") == "Вход с 18:00");
    CHECK(t.i64("price_nominal") == 350000);
    CHECK(t.str("currency") == "RUB");
    CHECK(t.str("customer_email") == "anna.petrova@example.com");
    CHECK(t.str("customer_phone") == "+79001234567");
    CHECK(t.str("customer_name") == "Анна Петрова");

    const RecordedEntity &t2 = es[2];
    CHECK(t2.str("system") == "ticketland");
    CHECK(t2.str("id") == "t-2");
    CHECK(t2.str("order_id") == "ord-1");
    CHECK(t2.str("event_id") == "ev-100");
    CHECK(t2.str("organizer_id") == "org-1");
    CHECK(t2.str("channel") == "box_office");
    CHECK(t2.str("status") == "active");
    CHECK(t2.str("barcode") == "4600000000028");
    CHECK(t2.is_null("number"));
    CHECK(t2.is_null("series"));
    CHECK(t2.str("seat_row") == "5");  // JSON numbers, kept as text
    CHECK(t2.str("seat") == "13");
    CHECK(t2.str("category") == "Партер");
    CHECK(t2.is_null("set_id"));
    CHECK(t2.is_null("description"));
    CHECK(t2.is_null("price_nominal"));  // no price: NULL, not 0
    CHECK(t2.is_null("currency"));
    CHECK(t2.str("customer_email") == "anna.petrova@example.com");
    CHECK(t2.str("customer_phone") == "+79001234567");
    CHECK(t2.str("customer_name") == "Анна Петрова");
}

TEST_CASE("order without a channel: channel NULL on the order and its tickets", "[json][order][channel]") {
    auto es = emitted(order(fixture("order_a.json")));
    REQUIRE(types(es) == Names{"order", "order_ticket", "order_ticket"});
    for (const RecordedEntity &e : es) CHECK(e.is_null("channel"));
}

TEST_CASE("order, shape B: number, first/last name joined, per-ticket event", "[json][order]") {
    auto es = emitted(order(fixture("order_b.json")), ticketland(std::string("live")));
    REQUIRE(types(es) == Names{"order", "order_ticket"});

    const RecordedEntity &o = es[0];
    CHECK(o.str("system") == "ticketland");
    CHECK(o.str("id") == "ord-2");
    CHECK(o.str("number") == "TL-2026-000042");
    CHECK(o.str("event_id") == "ev-200");       // the event all its tickets share
    CHECK(o.str("organizer_id") == "org-2");
    CHECK(o.str("channel") == "live");
    CHECK(o.is_null("status"));
    CHECK(o.str("customer_email") == "ivan.sidorov@example.com");
    CHECK(o.str("customer_phone") == "+79007654321");
    CHECK(o.str("customer_name") == "Иван Сидоров");
    CHECK(o.str("customer_first_name") == "Иван");
    CHECK(o.str("customer_last_name") == "Сидоров");
    CHECK(o.is_null("created_at"));
    CHECK(o.is_null("done_at"));

    const RecordedEntity &t = es[1];
    CHECK(t.str("id") == "t-10");
    CHECK(t.str("order_id") == "ord-2");
    CHECK(t.str("event_id") == "ev-200");
    CHECK(t.str("organizer_id") == "org-2");
    CHECK(t.str("channel") == "live");
    CHECK(t.str("status") == "active");
    CHECK(t.str("barcode") == "QR-10");
    CHECK(t.is_null("number"));
    CHECK(t.is_null("series"));
    CHECK(t.is_null("seat_row"));
    CHECK(t.is_null("seat"));
    CHECK(t.str("category") == "Танцпол");
    CHECK(t.is_null("set_id"));
    CHECK(t.is_null("description"));
    CHECK(t.i64("price_nominal") == 150000);
    CHECK(t.str("currency") == "RUB");  // upper-cased
    CHECK(t.str("customer_email") == "ivan.sidorov@example.com");
    CHECK(t.str("customer_phone") == "+79007654321");
    CHECK(t.str("customer_name") == "Иван Сидоров");
}

TEST_CASE("order whose tickets name different events has no order-level event", "[json][order]") {
    auto o = order(R"({"id":"o","tickets":[{"id":"a","event_id":"e1"},{"id":"b","event_id":"e2"}]})");
    CHECK_FALSE(o.event_id);
    CHECK(*o.tickets[0].event_id == "e1");
    CHECK(*o.tickets[1].event_id == "e2");
}

TEST_CASE("order with an empty ticket list: the order row only", "[json][order]") {
    auto es = emitted(order(R"({"id":"o","event_id":"e","tickets":[]})"));
    REQUIRE(types(es) == Names{"order"});
    CHECK(es[0].str("event_id") == "e");
}

TEST_CASE("customer with only a first name or only a last name", "[json][order]") {
    auto first = order(R"({"id":"o","event_id":"e","customer":{"first_name":"A"},"tickets":[]})");
    CHECK(*first.customer.name == "A");
    auto last = order(R"({"id":"o","event_id":"e","customer":{"last_name":"B"},"tickets":[]})");
    CHECK(*last.customer.name == "B");
    auto none = order(R"({"id":"o","event_id":"e","customer":{"email":"x@y"},"tickets":[]})");
    CHECK_FALSE(none.customer.name);
    auto both = order(
        R"({"id":"o","event_id":"e","customer":{"name":"Full","first_name":"A","last_name":"B"},"tickets":[]})");
    CHECK(*both.customer.name == "Full");
}

TEST_CASE("refund, shape A: refund, refund_ticket, ticket_status refunded", "[json][refund]") {
    auto es = emitted(refund(fixture("refund_a.json"), "rf-1"), ticketland(std::string("bank-shop")));
    REQUIRE(types(es) == Names{"refund", "refund_ticket", "refund_ticket", "ticket_status", "ticket_status"});

    const RecordedEntity &r = es[0];
    CHECK(r.field_order == Names{"system", "id", "order_id", "event_id", "channel", "status", "customer_email",
                                 "customer_phone", "customer_name", "customer_first_name", "customer_last_name",
                                 "created_at", "finished_at"});
    CHECK(r.str("system") == "ticketland");
    CHECK(r.str("id") == "rf-1");
    CHECK(r.is_null("order_id"));
    CHECK(r.is_null("event_id"));
    CHECK(r.str("channel") == "bank-shop");
    CHECK(r.is_null("status"));
    CHECK(r.str("customer_email") == "anna.petrova@example.com");
    CHECK(r.str("customer_phone") == "+79001234567");
    CHECK(r.str("customer_name") == "Анна Петрова");
    CHECK(r.is_null("customer_first_name"));
    CHECK(r.is_null("customer_last_name"));
    CHECK(r.is_null("created_at"));
    CHECK(r.is_null("finished_at"));

    // Links and status changes carry no channel: the ticket keeps the
    // channel it was sold through.
    CHECK(es[1].field_order == Names{"system", "refund_id", "ticket_id"});
    CHECK(es[1].str("system") == "ticketland");
    CHECK(es[1].str("refund_id") == "rf-1");
    CHECK(es[1].str("ticket_id") == "t-1");
    CHECK(es[2].str("system") == "ticketland");
    CHECK(es[2].str("refund_id") == "rf-1");
    CHECK(es[2].str("ticket_id") == "t-2");

    CHECK(es[3].field_order == Names{"system", "id", "status"});
    CHECK(es[3].str("system") == "ticketland");
    CHECK(es[3].str("id") == "t-1");
    CHECK(es[3].str("status") == "refunded");
    CHECK(es[4].str("system") == "ticketland");
    CHECK(es[4].str("id") == "t-2");
    CHECK(es[4].str("status") == "refunded");
}

TEST_CASE("refund, shape B: first/last name, a repeated ticket id counts once", "[json][refund]") {
    auto es = emitted(refund(fixture("refund_b.json"), "rf-2"));
    REQUIRE(types(es) == Names{"refund", "refund_ticket", "ticket_status"});
    CHECK(es[0].str("id") == "rf-2");
    CHECK(es[0].is_null("channel"));
    CHECK(es[0].str("customer_email") == "ivan.sidorov@example.com");
    CHECK(es[0].str("customer_phone") == "+79007654321");
    CHECK(es[0].str("customer_name") == "Иван Сидоров");
    CHECK(es[0].str("customer_first_name") == "Иван");
    CHECK(es[0].str("customer_last_name") == "Сидоров");
    CHECK(es[1].str("refund_id") == "rf-2");
    CHECK(es[1].str("ticket_id") == "t-10");
    CHECK(es[2].str("id") == "t-10");
    CHECK(es[2].str("status") == "refunded");
}

TEST_CASE("refund ticket ids may be integers: their decimal text", "[json][refund]") {
    auto es = emitted(refund(R"({"ticket_ids":[1001,"t-2"]})", "rf-3"));
    REQUIRE(types(es) == Names{"refund", "refund_ticket", "refund_ticket", "ticket_status", "ticket_status"});
    CHECK(es[1].str("ticket_id") == "1001");
    CHECK(es[2].str("ticket_id") == "t-2");
    CHECK(es[3].str("id") == "1001");
}

TEST_CASE("ticket (tickets topology): every column, with its own status and channel", "[json][ticket]") {
    auto es = emitted(ticket(fixture("ticket.json")), ticketland(std::string("live")));
    REQUIRE(types(es) == Names{"ticket"});
    const RecordedEntity &t = es[0];
    CHECK(t.field_order == Names{"system", "id", "order_id", "event_id", "organizer_id", "channel", "status", "barcode",
                                 "number", "series", "seat_row", "seat", "category", "description", "price_nominal",
                                 "currency", "customer_email", "customer_phone", "customer_name"});
    CHECK(t.str("system") == "ticketland");
    CHECK(t.str("id") == "t-500");
    CHECK(t.str("order_id") == "ord-77");
    CHECK(t.str("event_id") == "ev-100");
    CHECK(t.str("organizer_id") == "org-1");
    CHECK(t.str("channel") == "live");  // its own record's channel
    CHECK(t.str("status") == "used");
    CHECK(t.str("barcode") == "4600000000500");
    CHECK(t.str("number") == "000500");
    CHECK(t.str("series") == "ВГ");
    CHECK(t.str("seat_row") == "1");
    CHECK(t.str("seat") == "1");
    CHECK(t.str("category") == "Ложа");
    CHECK(t.str("description") == "VIP");
    CHECK(t.i64("price_nominal") == 990000);
    CHECK(t.str("currency") == "EUR");
    CHECK(t.str("customer_email") == "olga.ivanova@example.com");
    CHECK(t.str("customer_phone") == "+79005550000");
    CHECK(t.str("customer_name") == "Ольга Иванова");
}

TEST_CASE("ticket with only the required fields: the rest is NULL", "[json][ticket]") {
    auto es = emitted(ticket(R"({"id":"t","status":"Refunded","event_id":"e","customer":null})"));
    REQUIRE(types(es) == Names{"ticket"});
    CHECK(es[0].str("id") == "t");
    CHECK(es[0].str("event_id") == "e");
    CHECK(es[0].str("status") == "refunded");
    for (const char *f : {"order_id", "organizer_id", "channel", "barcode", "number", "series", "seat_row", "seat",
                          "category", "description", "price_nominal", "currency", "customer_email", "customer_phone",
                          "customer_name"})
        CHECK(es[0].is_null(f));
}

TEST_CASE("the system given is the system on every entity", "[json]") {
    auto ev = emitted(event(fixture("event_b.json")), vibe::Envelope{"othersys", std::string("ticketland")});
    REQUIRE(types(ev) == Names{"nested_organizer", "venue", "event"});
    for (const RecordedEntity &e : ev) CHECK(e.str("system") == "othersys");
    // The event's own entities have no channel column: its header is constant.
    for (const RecordedEntity &e : ev) CHECK_FALSE(e.fields.count("channel"));
    auto rf = emitted(refund(fixture("refund_a.json"), "r"), vibe::Envelope{"othersys", std::nullopt});
    for (const RecordedEntity &e : rf) CHECK(e.str("system") == "othersys");
}
