// The same content gives the same rows in JSON and in Protobuf (issue 6,
// CONTRACT.md §2-§4): a Ticketland record is decoded once as JSON and once as
// the equivalent vibe.v1 bytes, on the same topic (the content-type header
// picks the decoder), and every field of every entity is compared, with the
// anomalies reported to the host.
//
// What legitimately differs, and is asserted as such:
//   - category_raw of an unknown category: JSON keeps the text sent (or the
//     JSON text of a non-string), Protobuf the enum number as decimal text;
//   - category_raw of a known category: JSON keeps the spelling sent
//     ("Concert", "develpoment"), Protobuf the lower-case enum name;
//   - a refund without ticket_ids: JSON notes missing_value, Protobuf cannot
//     tell an absent repeated field from an empty one and notes nothing.
// Shape B's fields (nested organizer, event status, offset, group id, order
// number, first/last name) have no vibe.v1 counterpart and are not compared.
#include <catch2/catch.hpp>

#include <vibe/v1/event.pb.h>
#include <vibe/v1/order.pb.h>
#include <vibe/v1/organizer.pb.h>
#include <vibe/v1/refund.pb.h>
#include <vibe/v1/ticket.pb.h>

#include "plugin_test_support.hpp"
#include "protobuf_wire.hpp"

namespace v1 = vibe::v1;

using protobuf_wire::bytes_of;
using vibe_test::check_same_rows;
using vibe_test::Converted;
using vibe_test::Names;

namespace {

std::vector<vibe::TopicConfig> topics() {
    auto t = [](const char *name, const char *message) {
        return vibe::parse_topic_config(name, std::string("message: ") + message + "\nsystem: ticketland\n", "t.yaml", 1);
    };
    return {t("tl.organizers", "organizer"), t("tl.events", "event"), t("tl.orders", "order"),
            t("tl.refunds", "refund"), t("tl.tickets", "ticket")};
}

struct Both {
    Converted json, pb;
};

// The record decoded as JSON and as Protobuf, each by a fresh converter (so
// both see the channel for the first time), with the same envelope.
Both both(const std::string &topic, const std::string &json, const std::string &pb,
          std::optional<std::string> channel = std::string("box_office"), std::optional<std::string> key = "k") {
    Both out;
    vibe::RecordConverter a(topics()), b(topics());
    vibe_test::Record rj = vibe_test::json_record(topic, json, channel);
    vibe_test::Record rp = vibe_test::protobuf_record(topic, pb, channel);
    rj.key = rp.key = key;
    out.json = vibe_test::convert(a, rj);
    out.pb = vibe_test::convert(b, rp);
    {
        INFO("json: " << out.json.error);
        REQUIRE(out.json.error.empty());
    }
    {
        INFO("protobuf: " << out.pb.error);
        REQUIRE(out.pb.error.empty());
    }
    return out;
}

v1::Customer customer() {
    v1::Customer c;
    c.set_email("anna.petrova@example.com");
    c.set_phone("+79001234567");
    c.set_name("Анна Петрова");
    return c;
}
const char *kCustomerJson =
    R"("customer":{"email":"anna.petrova@example.com","phone":"+79001234567","name":"Анна Петрова"})";

// An event with every vibe.v1 field, as JSON (shape A) and as vibe.v1.
struct EventPair {
    std::string json;
    v1::Event pb;
};
EventPair full_event(const std::string &json_category, int pb_category, double lat = 55.7676, double lon = 37.6046) {
    EventPair e;
    e.json = R"({"id":"ev-100","name":"Юнона и Авось","category":)" + json_category +
             R"(,"start_at":1740997200,"finish_at":1741004400000,"organizer_id":"org-1",
                "media":"https://img.example.com/ev-100.jpg","timezone":"Europe/Moscow","description":"Рок-опера",
                "venue":{"name":"Ленком","address":"ул. Малая Дмитровка, 6","description":"Зал","zipcode":"127006",
                         "city_name":"Москва","lat":)" +
             std::to_string(lat) + R"(,"lon":)" + std::to_string(lon) + "}}";
    e.pb.set_id("ev-100");
    e.pb.set_name("Юнона и Авось");
    e.pb.set_category(static_cast<v1::Category>(pb_category));
    e.pb.set_start_at(1740997200);
    e.pb.set_finish_at(1741004400000);
    e.pb.set_organizer_id("org-1");
    e.pb.set_media("https://img.example.com/ev-100.jpg");
    e.pb.set_timezone("Europe/Moscow");
    e.pb.set_description("Рок-опера");
    auto *v = e.pb.mutable_venue();
    v->set_name("Ленком");
    v->set_address("ул. Малая Дмитровка, 6");
    v->set_description("Зал");
    v->set_zipcode("127006");
    v->set_city_name("Москва");
    v->set_lat(std::stod(std::to_string(lat)));  // the same decimal the JSON carries
    v->set_lon(std::stod(std::to_string(lon)));
    return e;
}

}  // namespace

TEST_CASE("parity: an event with a known category gives the same rows", "[parity][event]") {
    EventPair e = full_event(R"("concert")", v1::CONCERT);
    Both r = both("tl.events", e.json, bytes_of(e.pb), std::string("ticketland"));
    REQUIRE(r.json.rec.types() == Names{"venue", "event"});
    check_same_rows(r.json.rec.entities, r.pb.rec.entities);
    CHECK(r.pb.rec.entities[1].str("category") == "concert");
    CHECK(r.pb.rec.entities[1].str("category_raw") == "concert");
    CHECK(r.pb.rec.entities[0].str("id") == "event:ev-100");
    CHECK(r.json.rec.tolerated == r.pb.rec.tolerated);
    CHECK(r.pb.rec.tolerated == Names{"new_channel application-id"});
}

TEST_CASE("parity: a known category spelled otherwise keeps its spelling in JSON only", "[parity][event]") {
    EventPair e = full_event(R"("develpoment")", v1::DEVELOPMENT);
    Both r = both("tl.events", e.json, bytes_of(e.pb));
    check_same_rows(r.json.rec.entities, r.pb.rec.entities, {"event.category_raw"});
    CHECK(r.json.rec.entities[1].str("category") == "development");
    CHECK(r.json.rec.entities[1].str("category_raw") == "develpoment");
    CHECK(r.pb.rec.entities[1].str("category_raw") == "development");
    CHECK(r.json.rec.tolerated == r.pb.rec.tolerated);
}

TEST_CASE("parity: an event with an unknown category: other in both, the raw value differs", "[parity][event]") {
    for (const std::string &json_category : {std::string(R"("opera")"), std::string("99")}) {
        INFO("JSON category " << json_category);
        EventPair e = full_event(json_category, 99);
        Both r = both("tl.events", e.json, bytes_of(e.pb));
        REQUIRE(r.json.rec.types() == Names{"venue", "event"});
        // A JSON number is kept as its JSON text, so 99 gives the same row as
        // vibe.v1's 99; a name is kept as sent.
        if (json_category == "99")
            check_same_rows(r.json.rec.entities, r.pb.rec.entities);
        else
            check_same_rows(r.json.rec.entities, r.pb.rec.entities, {"event.category_raw"});
        CHECK(r.json.rec.entities[1].str("category") == "other");
        CHECK(r.pb.rec.entities[1].str("category") == "other");
        CHECK(r.pb.rec.entities[1].str("category_raw") == "99");
        CHECK(r.json.rec.tolerated == r.pb.rec.tolerated);
        CHECK(r.pb.rec.tolerated == Names{"new_channel application-id", "unknown_category event.category"});
    }
}

TEST_CASE("parity: venue coordinates out of range: both NULL in both formats", "[parity][event]") {
    EventPair e = full_event(R"("theater")", v1::THEATER, 91.5, 37.6);
    Both r = both("tl.events", e.json, bytes_of(e.pb), std::nullopt);
    check_same_rows(r.json.rec.entities, r.pb.rec.entities);
    CHECK(r.pb.rec.entities[0].is_null("lat"));
    CHECK(r.pb.rec.entities[0].is_null("lon"));
    CHECK(r.json.rec.tolerated == r.pb.rec.tolerated);
    CHECK(r.pb.rec.tolerated == Names{"out_of_range event.venue.lat"});
}

TEST_CASE("parity: an event without an organizer lands the same", "[parity][event]") {
    v1::Event pb;
    pb.set_id("ev-1");
    pb.set_name("N");
    Both r = both("tl.events", R"({"id":"ev-1","name":"N"})", bytes_of(pb), std::nullopt);
    REQUIRE(r.json.rec.types() == Names{"event"});
    check_same_rows(r.json.rec.entities, r.pb.rec.entities);
    CHECK(r.pb.rec.entities[0].is_null("organizer_id"));
    CHECK(r.pb.rec.entities[0].is_null("category_raw"));
    CHECK(r.json.rec.tolerated.empty());
    CHECK(r.pb.rec.tolerated.empty());
}

TEST_CASE("parity: an order with an unknown currency, a ticket without price and a free one", "[parity][order]") {
    const std::string json = std::string(R"({"id":"ord-1","event_id":"ev-100","organizer_id":"org-1",)") +
                             kCustomerJson + R"(,"tickets":[
        {"id":"t-1","barcode":"4600000000011","number":"000123","series":"АБ","row":"5","seat":"12",
         "category":"Партер","description":"Вход с 18:00","price_nominal":350000,"currency":"KZT"},
        {"id":"t-2","barcode":"4600000000028","category":"Партер","currency":"RUB"},
        {"id":"t-3","barcode":"4600000000035","price_nominal":0,"currency":"usd"}]})";
    v1::Order pb;
    pb.set_id("ord-1");
    pb.set_event_id("ev-100");
    pb.set_organizer_id("org-1");
    *pb.mutable_customer() = customer();
    auto *t1 = pb.add_tickets();
    t1->set_id("t-1");
    t1->set_barcode("4600000000011");
    t1->set_number("000123");
    t1->set_series("АБ");
    t1->set_row("5");
    t1->set_seat("12");
    t1->set_category("Партер");
    t1->set_description("Вход с 18:00");
    t1->set_price_nominal(350000);
    t1->set_currency(static_cast<v1::Currency>(42));  // a currency newer than our schema
    auto *t2 = pb.add_tickets();
    t2->set_id("t-2");
    t2->set_barcode("4600000000028");
    t2->set_category("Партер");
    t2->set_currency(v1::RUB);
    auto *t3 = pb.add_tickets();
    t3->set_id("t-3");
    t3->set_barcode("4600000000035");
    t3->set_price_nominal(0);
    t3->set_currency(v1::USD);

    Both r = both("tl.orders", json, bytes_of(pb), std::string("bank-shop"));
    REQUIRE(r.json.rec.types() == Names{"order", "order_ticket", "order_ticket", "order_ticket"});
    check_same_rows(r.json.rec.entities, r.pb.rec.entities);
    const auto &es = r.pb.rec.entities;
    CHECK(es[0].str("channel") == "bank-shop");
    CHECK(es[1].is_null("currency"));
    CHECK(es[1].i64("price_nominal") == 350000);
    CHECK(es[2].is_null("price_nominal"));
    CHECK(es[2].str("currency") == "RUB");
    CHECK(es[3].i64("price_nominal") == 0);
    CHECK(es[3].str("currency") == "USD");
    for (size_t i = 1; i < 4; ++i) {
        CHECK(es[i].str("channel") == "bank-shop");
        CHECK(es[i].str("status") == "active");
        CHECK(es[i].str("customer_email") == "anna.petrova@example.com");
    }
    CHECK(r.json.rec.tolerated == r.pb.rec.tolerated);
    CHECK(r.pb.rec.tolerated == Names{"new_channel application-id", "unknown_value order.tickets[0].currency"});
}

TEST_CASE("parity: an order without tickets and without a channel", "[parity][order]") {
    v1::Order pb;
    pb.set_id("ord-2");
    pb.set_event_id("ev-1");
    Both r = both("tl.orders", R"({"id":"ord-2","event_id":"ev-1"})", bytes_of(pb), std::nullopt);
    REQUIRE(r.json.rec.types() == Names{"order"});
    check_same_rows(r.json.rec.entities, r.pb.rec.entities);
    CHECK(r.pb.rec.entities[0].is_null("channel"));
    CHECK(r.json.rec.tolerated.empty());
    CHECK(r.pb.rec.tolerated.empty());
}

TEST_CASE("parity: a ticket without status, price or known currency", "[parity][ticket]") {
    const std::string json = std::string(R"({"id":"t-500","barcode":"4600000000500",)") + kCustomerJson +
                             R"(,"event_id":"ev-100","organizer_id":"org-1","number":"000500","series":"ВГ",
        "row":"1","seat":"1","category":"Ложа","order_id":"ord-77","description":"VIP","currency":"JPY"})";
    v1::Ticket pb;
    pb.set_id("t-500");
    pb.set_barcode("4600000000500");
    *pb.mutable_customer() = customer();
    pb.set_event_id("ev-100");
    pb.set_organizer_id("org-1");
    pb.set_number("000500");
    pb.set_series("ВГ");
    pb.set_row("1");
    pb.set_seat("1");
    pb.set_category("Ложа");
    pb.set_order_id("ord-77");
    pb.set_description("VIP");
    pb.set_currency(static_cast<v1::Currency>(77));
    Both r = both("tl.tickets", json, bytes_of(pb), std::string("live"));
    REQUIRE(r.json.rec.types() == Names{"ticket"});
    check_same_rows(r.json.rec.entities, r.pb.rec.entities);
    CHECK(r.pb.rec.entities[0].is_null("status"));
    CHECK(r.pb.rec.entities[0].is_null("price_nominal"));
    CHECK(r.pb.rec.entities[0].is_null("currency"));
    CHECK(r.pb.rec.entities[0].str("channel") == "live");
    CHECK(r.json.rec.tolerated == r.pb.rec.tolerated);
    CHECK(r.pb.rec.tolerated ==
          Names{"new_channel application-id", "missing_value ticket.status", "unknown_value ticket.currency"});

    // With every field known, the rows are the same too.
    const std::string used = json.substr(0, json.size() - 1) + R"(,"status":"used","price_nominal":990000})";
    pb.set_status(v1::Ticket::USED);
    pb.set_price_nominal(990000);
    pb.set_currency(v1::EUR);
    std::string eur = used;
    eur.replace(eur.find("JPY"), 3, "EUR");
    Both ok = both("tl.tickets", eur, bytes_of(pb), std::string("live"));
    check_same_rows(ok.json.rec.entities, ok.pb.rec.entities);
    CHECK(ok.pb.rec.entities[0].str("status") == "used");
    CHECK(ok.pb.rec.tolerated == Names{"new_channel application-id"});
    CHECK(ok.json.rec.tolerated == ok.pb.rec.tolerated);
}

TEST_CASE("parity: an organizer with an unknown legal type", "[parity][organizer]") {
    v1::Organizer pb;
    pb.set_id("org-1");
    pb.set_name("Ленком");
    auto *l = pb.mutable_legals();
    l->set_name("ООО «Ленком»");
    l->set_type(static_cast<v1::Legals::LegalType>(9));
    l->set_inn("7701234567");
    l->set_ogrn("1027700000000");
    l->set_address("Москва");
    const std::string json = R"({"id":"org-1","name":"Ленком","legals":{"name":"ООО «Ленком»","type":"gmbh",
        "inn":"7701234567","ogrn":1027700000000,"address":"Москва"}})";
    Both r = both("tl.organizers", json, bytes_of(pb), std::string("ticketland"));
    REQUIRE(r.json.rec.types() == Names{"organizer"});
    check_same_rows(r.json.rec.entities, r.pb.rec.entities);
    CHECK(r.pb.rec.entities[0].is_null("legal_type"));
    CHECK(r.pb.rec.entities[0].str("legal_ogrn") == "1027700000000");
    CHECK(r.json.rec.tolerated == r.pb.rec.tolerated);
    CHECK(r.pb.rec.tolerated == Names{"new_channel application-id", "unknown_value organizer.legals.type"});
}

TEST_CASE("parity: a refund without a key refunds the same tickets under the same id", "[parity][refund]") {
    v1::Refund pb;
    *pb.mutable_customer() = customer();
    pb.add_ticket_ids("t-1");
    pb.add_ticket_ids("t-2");
    const std::string json = std::string("{") + kCustomerJson + R"(,"ticket_ids":["t-1","t-2"]})";
    Both r = both("tl.refunds", json, bytes_of(pb), std::string("bank-shop"), std::nullopt);
    REQUIRE(r.json.rec.types() ==
            Names{"refund", "refund_ticket", "refund_ticket", "ticket_status", "ticket_status"});
    check_same_rows(r.json.rec.entities, r.pb.rec.entities);
    CHECK(r.pb.rec.entities[0].str("id") == "kafka:tl.refunds:0:42");
    CHECK(r.pb.rec.entities[0].str("channel") == "bank-shop");
    CHECK(r.json.rec.tolerated == r.pb.rec.tolerated);
    CHECK(r.pb.rec.tolerated == Names{"new_channel application-id", "missing_key refund.key"});
}

TEST_CASE("parity: a refund without ticket ids: the same row, noted in JSON only", "[parity][refund]") {
    v1::Refund pb;
    *pb.mutable_customer() = customer();
    Both r = both("tl.refunds", std::string("{") + kCustomerJson + "}", bytes_of(pb), std::nullopt, std::string("rf-1"));
    REQUIRE(r.json.rec.types() == Names{"refund"});
    check_same_rows(r.json.rec.entities, r.pb.rec.entities);
    CHECK(r.json.rec.tolerated == Names{"missing_value refund.ticket_ids"});
    CHECK(r.pb.rec.tolerated.empty());  // proto3: an empty repeated field is all there is
}

TEST_CASE("parity: event times outside 1970..9999 are NULL in both formats", "[parity][event]") {
    v1::Event pb;
    pb.set_id("ev-1");
    pb.set_organizer_id("org-1");
    pb.set_start_at(-5);
    pb.set_finish_at(253402300800000);  // 10000-01-01
    Both r = both("tl.events", R"({"id":"ev-1","organizer_id":"org-1","start_at":-5,"finish_at":253402300800000})",
                  bytes_of(pb), std::nullopt);
    REQUIRE(r.json.rec.types() == Names{"event"});
    check_same_rows(r.json.rec.entities, r.pb.rec.entities);
    CHECK(r.pb.rec.entities[0].is_null("start_at"));
    CHECK(r.pb.rec.entities[0].is_null("finish_at"));
    CHECK(r.json.rec.tolerated == r.pb.rec.tolerated);
    CHECK(r.pb.rec.tolerated == Names{"out_of_range event.start_at", "out_of_range event.finish_at"});
}
