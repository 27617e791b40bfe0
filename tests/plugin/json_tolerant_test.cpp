// The tolerant reader on Ticketland JSON (CONTRACT.md §2, §3): a field that
// is missing, null, of another type or outside its enum is stored as NULL
// (a category as `other`, its raw value kept), noted as an anomaly with its
// path, and never refuses the rest of the record. Each rule is checked on the
// entities (every column) and on the anomalies noted (kind and path, in the
// order met).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "json_decoder.hpp"
#include "plugin_test_support.hpp"

using vibe_test::B;
using vibe_test::check_row;
using vibe_test::D;
using vibe_test::emitted;
using vibe_test::fixture;
using vibe_test::I;
using vibe_test::Names;
using vibe_test::noted;
using vibe_test::Null;
using vibe_test::RecordedEntity;
using vibe_test::Row;
using vibe_test::S;
using vibe_test::T;
using vibe_test::ticketland;
using vibe_test::types;

namespace {

// Entities and anomalies of one message.
struct Result {
    std::vector<RecordedEntity> entities;
    Names anomalies;
};

Result event(const std::string &json) {
    vibe::Anomalies a;
    auto e = vibe::json::decode_event(json, a);
    return {emitted(e), noted(a)};
}
Result organizer(const std::string &json) {
    vibe::Anomalies a;
    auto o = vibe::json::decode_organizer(json, a);
    return {emitted(o), noted(a)};
}
Result order(const std::string &json, vibe::Opt channel = std::nullopt) {
    vibe::Anomalies a;
    auto o = vibe::json::decode_order(json, a);
    return {emitted(o, ticketland(channel)), noted(a)};
}
Result refund(const std::string &json, const std::string &id, vibe::Opt channel = std::nullopt) {
    vibe::Anomalies a;
    auto r = vibe::json::decode_refund(json, id, a);
    return {emitted(r, ticketland(channel)), noted(a)};
}
Result ticket(const std::string &json, vibe::Opt channel = std::nullopt) {
    vibe::Anomalies a;
    auto t = vibe::json::decode_ticket(json, a);
    return {emitted(t, ticketland(channel)), noted(a)};
}

Row event_row(const std::string &id, std::vector<std::pair<std::string, vibe_test::FieldValue>> changes) {
    Row r = {{"system", S("ticketland")},
             {"id", S(id)},
             {"group_id", Null()},
             {"organizer_id", Null()},
             {"venue_id", Null()},
             {"name", Null()},
             {"status", S("active")},
             {"category", S("other")},
             {"category_raw", Null()},
             {"start_at", Null()},
             {"finish_at", Null()},
             {"timezone", Null()},
             {"utc_offset_hours", Null()},
             {"media", Null()},
             {"description", Null()},
             {"age_rating", Null()},
             {"legal_name", Null()},
             {"legal_type", Null()},
             {"legal_inn", Null()},
             {"legal_ogrn", Null()},
             {"legal_address", Null()}};
    for (auto &[name, value] : changes) {
        bool set = false;
        for (auto &kv : r)
            if (kv.first == name) kv.second = value, set = true;
        REQUIRE(set);
    }
    return r;
}

}  // namespace

// ---------------------------------------------------------------- fixtures

TEST_CASE("tolerant event fixture: every column, every anomaly", "[json][tolerant][event]") {
    Result r = event(fixture("event_tolerant.json"));
    REQUIRE(types(r.entities) == Names{"nested_organizer", "venue", "event"});
    check_row(r.entities[0], "nested_organizer",
              {{"system", S("ticketland")},
               {"id", S("org-3")},
               {"name", S("Ice Show")},
               {"legal_name", S("Ice Show")},  // defaulted to the organizer's name
               {"legal_type", Null()},         // unknown: NULL, not the ru_ltd default
               {"legal_inn", S("7700000001")},  // an integer, as its digits
               {"legal_ogrn", Null()},
               {"legal_address", Null()}});
    check_row(r.entities[1], "venue",
              {{"system", S("ticketland")},
               {"id", S("venue-3")},
               {"name", S("Арена")},
               {"address", Null()},
               {"description", Null()},
               {"zipcode", Null()},
               {"city_name", Null()},
               {"lat", Null()},  // out of range
               {"lon", Null()}}); // in range, but a pair with one bad half locates nothing
    check_row(r.entities[2], "event",
              event_row("9001", {{"organizer_id", S("org-3")},
                                 {"venue_id", S("venue-3")},
                                 {"name", S("Цирк на льду")},
                                 {"status", Null()},
                                 {"category", S("other")},
                                 {"category_raw", S("42")},
                                 {"finish_at", T(1772395200000)}}));
    CHECK(r.anomalies == Names{"unknown_value event.status", "unknown_category event.category",
                               "wrong_type event.start_at", "out_of_range event.offset", "wrong_type event.media",
                               "unknown_value event.organizer.legals.type", "out_of_range event.venue.lat"});
}

TEST_CASE("tolerant order fixture: every column, every anomaly", "[json][tolerant][order]") {
    Result r = order(fixture("order_tolerant.json"), std::string("bank-shop"));
    REQUIRE(types(r.entities) == Names{"order", "order_ticket", "order_ticket", "order_ticket"});
    check_row(r.entities[0], "order",
              {{"system", S("ticketland")},
               {"id", S("1001")},      // an integer id, as its decimal text
               {"number", S("42")},
               {"event_id", S("9001")},
               {"organizer_id", S("org-3")},
               {"channel", S("bank-shop")},
               {"status", Null()},
               {"customer_email", S("petr.smirnov@example.com")},
               {"customer_phone", Null()},  // a number: not the string the contract promises
               {"customer_name", S("Пётр Смирнов")},
               {"customer_first_name", Null()},
               {"customer_last_name", Null()},
               {"created_at", Null()},
               {"done_at", Null()}});
    auto ticket_row = [](const std::string &id, vibe_test::FieldValue barcode, vibe_test::FieldValue row,
                         vibe_test::FieldValue seat, vibe_test::FieldValue category, vibe_test::FieldValue price,
                         vibe_test::FieldValue currency) {
        return Row{{"system", S("ticketland")},
                   {"id", S(id)},
                   {"order_id", S("1001")},
                   {"event_id", S("9001")},
                   {"organizer_id", S("org-3")},
                   {"channel", S("bank-shop")},
                   {"status", S("active")},
                   {"barcode", barcode},
                   {"number", Null()},
                   {"series", Null()},
                   {"seat_row", row},
                   {"seat", seat},
                   {"category", category},
                   {"set_id", Null()},
                   {"description", Null()},
                   {"price_nominal", price},
                   {"currency", currency},
                   {"customer_email", S("petr.smirnov@example.com")},
                   {"customer_phone", Null()},
                   {"customer_name", S("Пётр Смирнов")}};
    };
    // Unknown currency: NULL, the price kept.
    check_row(r.entities[1], "order_ticket",
              ticket_row("5001", S("B-5001"), S("3"), S("7"), S("Партер"), I(150000), Null()));
    // No price: NULL (not 0); a lower-case currency is read.
    check_row(r.entities[2], "order_ticket",
              ticket_row("t-5002", S("B-5002"), Null(), Null(), S("Партер"), Null(), S("USD")));
    // A fractional price and a currency of another type: both NULL.
    check_row(r.entities[3], "order_ticket",
              ticket_row("t-5003", S("B-5003"), Null(), Null(), Null(), Null(), Null()));
    CHECK(r.anomalies == Names{"wrong_type order.customer.phone", "unknown_value order.tickets[0].currency",
                               "out_of_range order.tickets[2].price_nominal", "wrong_type order.tickets[2].currency"});
}

TEST_CASE("tolerant ticket fixture: no status, every column, every anomaly", "[json][tolerant][ticket]") {
    Result r = ticket(fixture("ticket_tolerant.json"), std::string("live"));
    REQUIRE(types(r.entities) == Names{"ticket"});
    check_row(r.entities[0], "ticket",
              {{"system", S("ticketland")},
               {"id", S("7001")},
               {"order_id", S("1001")},
               {"event_id", S("9001")},
               {"organizer_id", S("org-3")},
               {"channel", S("live")},
               {"status", Null()},  // the mapping keeps the stored status
               {"barcode", S("B-7001")},
               {"number", Null()},
               {"series", Null()},
               {"seat_row", Null()},
               {"seat", Null()},
               {"category", S("Партер")},
               {"description", Null()},
               {"price_nominal", Null()},
               {"currency", Null()},
               {"customer_email", S("petr.smirnov@example.com")},
               {"customer_phone", S("+79001112233")},
               {"customer_name", S("Пётр Смирнов")}});
    CHECK(r.anomalies ==
          Names{"missing_value ticket.status", "wrong_type ticket.price_nominal", "unknown_value ticket.currency"});
}

TEST_CASE("refund without ticket_ids: the refund row, missing_value", "[json][tolerant][refund]") {
    Result r = refund(fixture("refund_no_ticket_ids.json"), "rf-7", std::string("bank-shop"));
    REQUIRE(types(r.entities) == Names{"refund"});
    check_row(r.entities[0], "refund",
              {{"system", S("ticketland")},
               {"id", S("rf-7")},
               {"order_id", Null()},
               {"event_id", Null()},
               {"channel", S("bank-shop")},
               {"status", Null()},
               {"customer_email", S("petr.smirnov@example.com")},
               {"customer_phone", S("+79001112233")},
               {"customer_name", S("Пётр Смирнов")},
               {"customer_first_name", S("Пётр")},
               {"customer_last_name", S("Смирнов")},
               {"created_at", Null()},
               {"finished_at", Null()}});
    CHECK(r.anomalies == Names{"missing_value refund.ticket_ids"});

    // null is absent too; an empty list is a list (nothing to note).
    CHECK(refund(R"({"ticket_ids":null})", "r").anomalies == Names{"missing_value refund.ticket_ids"});
    Result empty = refund(R"({"ticket_ids":[]})", "r");
    CHECK(types(empty.entities) == Names{"refund"});
    CHECK(empty.anomalies.empty());
    // Not a list: noted for its type (once), the refund row still lands.
    Result text = refund(R"({"ticket_ids":"t-1"})", "r");
    CHECK(types(text.entities) == Names{"refund"});
    CHECK(text.anomalies == Names{"wrong_type refund.ticket_ids"});
}

// ---------------------------------------------------------------- categories

TEST_CASE("category: known names keep the raw spelling, unknown ones are other", "[json][tolerant][category]") {
    struct Case {
        std::string json_value;  // the category member as JSON text
        std::string category, raw;
        bool noted;
    };
    const std::string long_ascii(300, 'x');
    std::string long_cyrillic;
    for (int i = 0; i < 200; ++i) long_cyrillic += "я";  // 2 bytes each
    for (const Case &c : std::vector<Case>{
             {R"("concert")", "concert", "concert", false},
             {R"("CONCERT")", "concert", "CONCERT", false},
             {R"("develpoment")", "development", "develpoment", false},
             {R"("workshops")", "workshop", "workshops", false},
             {R"("circus")", "circus", "circus", false},
             {R"("other")", "other", "other", false},
             {R"("opera")", "other", "opera", true},
             {R"("Цирк")", "other", "Цирк", true},
             {R"("")", "other", "", true},
             {"42", "other", "42", true},  // a number: its JSON text
             {"-3.5", "other", "-3.5", true},
             {"true", "other", "true", true},
             {R"({"id":5,"name":"concert"})", "other", R"({"id":5,"name":"concert"})", true},
             {R"(["concert"])", "other", R"(["concert"])", true},
             // The raw value fits events.category_raw (255 bytes), cut at a
             // character boundary.
             {"\"" + long_ascii + "\"", "other", std::string(255, 'x'), true},
             {"\"" + long_cyrillic + "\"", "other", long_cyrillic.substr(0, 254), true},
         }) {
        INFO("category " << c.json_value);
        Result r = event(R"({"id":"e","organizer_id":"o","category":)" + c.json_value + "}");
        REQUIRE(types(r.entities) == Names{"event"});
        check_row(r.entities[0], "event",
                  event_row("e", {{"organizer_id", S("o")}, {"category", S(c.category)}, {"category_raw", S(c.raw)}}));
        CHECK(r.anomalies == (c.noted ? Names{"unknown_category event.category"} : Names{}));
    }
}

// ---------------------------------------------------------------- organizers

TEST_CASE("event without an organizer lands with organizer_id NULL", "[json][tolerant][event]") {
    Result r = event(R"({"id":"e","name":"N","category":"show"})");
    REQUIRE(types(r.entities) == Names{"event"});
    check_row(r.entities[0], "event",
              event_row("e", {{"name", S("N")}, {"category", S("show")}, {"category_raw", S("show")}}));
    CHECK(r.anomalies.empty());  // shape B before mid-2026: allowed, not an anomaly
    // organizer null, organizer_id null or empty: the same.
    for (const char *json : {R"({"id":"e","organizer":null,"organizer_id":null})", R"({"id":"e","organizer_id":""})"}) {
        Result n = event(json);
        REQUIRE(types(n.entities) == Names{"event"});
        CHECK(n.entities[0].is_null("organizer_id"));
        CHECK(n.anomalies.empty());
    }
}

TEST_CASE("nested organizer without an id identifies nothing: the event keeps A's link", "[json][tolerant][event]") {
    Result r = event(R"({"id":"e","organizer_id":"org-a","organizer":{"name":"No Id","legals":{"inn":"1"}}})");
    REQUIRE(types(r.entities) == Names{"event"});  // no nested_organizer row
    CHECK(r.entities[0].str("organizer_id") == "org-a");
    CHECK(r.anomalies == Names{"missing_value event.organizer.id"});

    Result none = event(R"({"id":"e","organizer":{"name":"No Id"}})");
    REQUIRE(types(none.entities) == Names{"event"});
    CHECK(none.entities[0].is_null("organizer_id"));
    CHECK(none.anomalies == Names{"missing_value event.organizer.id"});

    // Not an object: noted for its type.
    Result text = event(R"({"id":"e","organizer_id":"org-a","organizer":"org-b"})");
    REQUIRE(types(text.entities) == Names{"event"});
    CHECK(text.entities[0].str("organizer_id") == "org-a");
    CHECK(text.anomalies == Names{"wrong_type event.organizer"});
}

TEST_CASE("nested organizer with an integer id", "[json][tolerant][event]") {
    Result r = event(R"({"id":"e","organizer":{"id":77,"name":"N"}})");
    REQUIRE(types(r.entities) == Names{"nested_organizer", "event"});
    CHECK(r.entities[0].str("id") == "77");
    CHECK(r.entities[1].str("organizer_id") == "77");
    CHECK(r.anomalies.empty());
}

TEST_CASE("unknown legal type: NULL and unknown_value, never the ru_ltd default", "[json][tolerant][organizer]") {
    Result own = organizer(R"({"id":"o","name":"N","legals":{"name":"X GmbH","type":"gmbh","inn":"1"}})");
    REQUIRE(types(own.entities) == Names{"organizer"});
    check_row(own.entities[0], "organizer",
              {{"system", S("ticketland")},
               {"id", S("o")},
               {"name", S("N")},
               {"legal_name", S("X GmbH")},
               {"legal_type", Null()},
               {"legal_inn", S("1")},
               {"legal_ogrn", Null()},
               {"legal_address", Null()},
               {"status", Null()},
               {"hidden", Null()},
               {"role", Null()},
               {"currency", Null()},
               {"updated_at", Null()}});
    CHECK(own.anomalies == Names{"unknown_value organizer.legals.type"});

    // Any letter case of a known type is that type.
    Result upper = organizer(R"({"id":"o","legals":{"type":"RU_LP"}})");
    CHECK(upper.entities[0].str("legal_type") == "ru_lp");
    CHECK(upper.anomalies.empty());
    // Not a string: wrong_type.
    Result number = organizer(R"({"id":"o","legals":{"type":2}})");
    CHECK(number.entities[0].is_null("legal_type"));
    CHECK(number.anomalies == Names{"wrong_type organizer.legals.type"});
    // legals not an object: every legal column NULL.
    Result text = organizer(R"({"id":"o","legals":"ООО Ромашка"})");
    for (const char *f : {"legal_name", "legal_type", "legal_inn", "legal_ogrn", "legal_address"})
        CHECK(text.entities[0].is_null(f));
    CHECK(text.anomalies == Names{"wrong_type organizer.legals"});
}

// ---------------------------------------------------------------- offsets, times

TEST_CASE("offset: fractional, out of -12..14, or not a number is NULL", "[json][tolerant][event]") {
    for (auto [value, kind] : std::vector<std::pair<std::string, std::string>>{{"5.5", "out_of_range"},
                                                                                {"-3.5", "out_of_range"},
                                                                                {"15", "out_of_range"},
                                                                                {"-13", "out_of_range"},
                                                                                {"14.01", "out_of_range"},
                                                                                {"180", "out_of_range"},
                                                                                {"10800", "out_of_range"},
                                                                                {"1e300", "out_of_range"},
                                                                                {R"("+3")", "wrong_type"},
                                                                                {"true", "wrong_type"}}) {
        INFO("offset " << value);
        Result r = event(R"({"id":"e","organizer_id":"o","name":"N","offset":)" + value + "}");
        REQUIRE(types(r.entities) == Names{"event"});
        check_row(r.entities[0], "event", event_row("e", {{"organizer_id", S("o")}, {"name", S("N")}}));
        CHECK(r.anomalies == Names{kind + " event.offset"});
    }
}

TEST_CASE("timestamps of another type or outside 1970..9999 are NULL", "[json][tolerant][event]") {
    for (auto [member, value, kind] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"start_at", R"("1740997200")", "wrong_type"},
             {"start_at", "99999999999999999999", "out_of_range"},
             {"start_at", "1e300", "out_of_range"},
             {"start_at", "9223372036854775807", "out_of_range"},
             {"start_at", "253402300800000", "out_of_range"},  // 10000-01-01
             {"finish_at", "-5", "out_of_range"},
             {"finish_at", "-0.5", "out_of_range"},
             {"finish_at", "{}", "wrong_type"}}) {
        INFO(member << " " << value);
        Result r = event(R"({"id":"e","organizer_id":"o",")" + member + "\":" + value + "}");
        REQUIRE(types(r.entities) == Names{"event"});
        CHECK(r.entities[0].is_null(member));
        CHECK(r.anomalies == Names{kind + " event." + member});
    }
    // The last instant a DATETIME(3) holds is fine.
    Result last = event(R"({"id":"e","organizer_id":"o","start_at":253402300799999})");
    CHECK(last.entities[0].timestamp_ms("start_at") == 253402300799999);
    CHECK(last.anomalies.empty());
}

// ---------------------------------------------------------------- venues

TEST_CASE("venue coordinates out of range: both NULL, each bad one noted", "[json][tolerant][venue]") {
    struct Case {
        std::string lat, lon;
        Names anomalies;
    };
    for (const Case &c : std::vector<Case>{{"91", "37.6", {"out_of_range event.venue.lat"}},
                                           {"-90.0001", "37.6", {"out_of_range event.venue.lat"}},
                                           {"55.7", "180.5", {"out_of_range event.venue.lon"}},
                                           {"55.7", "-181", {"out_of_range event.venue.lon"}},
                                           {"1000", "-1000",
                                            {"out_of_range event.venue.lat", "out_of_range event.venue.lon"}}}) {
        INFO("lat " << c.lat << " lon " << c.lon);
        Result r = event(R"({"id":"e","organizer_id":"o","venue":{"id":"v","name":"Hall","lat":)" + c.lat +
                         ",\"lon\":" + c.lon + "}}");
        REQUIRE(types(r.entities) == Names{"venue", "event"});
        check_row(r.entities[0], "venue",
                  {{"system", S("ticketland")},
                   {"id", S("v")},
                   {"name", S("Hall")},
                   {"address", Null()},
                   {"description", Null()},
                   {"zipcode", Null()},
                   {"city_name", Null()},
                   {"lat", Null()},
                   {"lon", Null()}});
        CHECK(r.entities[1].str("venue_id") == "v");
        CHECK(r.anomalies == c.anomalies);
    }
    // The bounds themselves are coordinates.
    Result edge = event(R"({"id":"e","organizer_id":"o","venue":{"lat":-90,"lon":180}})");
    CHECK(edge.entities[0].f64("lat") == -90);
    CHECK(edge.entities[0].f64("lon") == 180);
    CHECK(edge.anomalies.empty());
}

TEST_CASE("venue coordinate of another type: that one NULL, wrong_type", "[json][tolerant][venue]") {
    // Unlike an out-of-range value, a coordinate that is not a number is just
    // absent: the other one is kept, as when a producer omits one.
    Result r = event(R"({"id":"e","organizer_id":"o","venue":{"lat":"55.7","lon":37.6}})");
    REQUIRE(types(r.entities) == Names{"venue", "event"});
    CHECK(r.entities[0].is_null("lat"));
    CHECK(r.entities[0].f64("lon") == Approx(37.6));
    CHECK(r.anomalies == Names{"wrong_type event.venue.lat"});

    // A venue that is not an object: no venue row, no venue_id.
    Result arr = event(R"({"id":"e","organizer_id":"o","venue":[]})");
    REQUIRE(types(arr.entities) == Names{"event"});
    CHECK(arr.entities[0].is_null("venue_id"));
    CHECK(arr.anomalies == Names{"wrong_type event.venue"});
}

// ---------------------------------------------------------------- enums

TEST_CASE("event status: unknown values and other types are NULL", "[json][tolerant][event]") {
    for (auto [value, expected, anomalies] : std::vector<std::tuple<std::string, vibe_test::FieldValue, Names>>{
             {R"("active")", S("active"), {}},
             {R"("Cancelled")", S("cancelled"), {}},
             {R"("FINISHED")", S("finished"), {}},
             {"null", S("active"), {}},  // absent: shape A, active
             {R"("draft")", Null(), {"unknown_value event.status"}},
             {R"("canceled")", Null(), {"unknown_value event.status"}},
             {"1", Null(), {"wrong_type event.status"}}}) {
        INFO("status " << value);
        Result r = event(R"({"id":"e","organizer_id":"o","status":)" + value + "}");
        REQUIRE(types(r.entities) == Names{"event"});
        check_row(r.entities[0], "event", event_row("e", {{"organizer_id", S("o")}, {"status", expected}}));
        CHECK(r.anomalies == anomalies);
    }
}

TEST_CASE("ticket status (tickets topology): missing, unknown or another type is NULL", "[json][tolerant][ticket]") {
    for (auto [member, expected, anomalies] : std::vector<std::tuple<std::string, vibe_test::FieldValue, Names>>{
             {R"(,"status":"USED")", S("used"), {}},
             {R"(,"status":"cancelled")", S("cancelled"), {}},
             {"", Null(), {"missing_value ticket.status"}},
             {R"(,"status":null)", Null(), {"missing_value ticket.status"}},
             {R"(,"status":"lost")", Null(), {"unknown_value ticket.status"}},
             {R"(,"status":3)", Null(), {"wrong_type ticket.status"}}}) {
        INFO("member " << member);
        Result r = ticket(R"({"id":"t","event_id":"e")" + member + "}");
        REQUIRE(types(r.entities) == Names{"ticket"});
        CHECK(same_value(r.entities[0].at("status"), expected));
        CHECK(r.entities[0].str("id") == "t");
        CHECK(r.entities[0].str("event_id") == "e");
        CHECK(r.anomalies == anomalies);
    }
}

TEST_CASE("currency: any case of a known one, unknown or another type is NULL", "[json][tolerant][currency]") {
    for (auto [value, expected, kind] : std::vector<std::tuple<std::string, vibe_test::FieldValue, std::string>>{
             {R"("usd")", S("USD"), ""},
             {R"("Eur")", S("EUR"), ""},
             {R"("CNY")", S("CNY"), ""},
             {R"("GBP")", S("GBP"), ""},
             {R"("KZT")", Null(), "unknown_value"},
             {R"("RUR")", Null(), "unknown_value"},
             {R"("")", Null(), "unknown_value"},
             {"643", Null(), "wrong_type"}}) {
        INFO("currency " << value);
        Result o = order(R"({"id":"o","event_id":"e","tickets":[{"id":"t","price_nominal":100,"currency":)" + value +
                         "}]}");
        REQUIRE(types(o.entities) == Names{"order", "order_ticket"});
        CHECK(same_value(o.entities[1].at("currency"), expected));
        CHECK(o.entities[1].i64("price_nominal") == 100);  // the rest of the ticket stays
        CHECK(o.anomalies == (kind.empty() ? Names{} : Names{kind + " order.tickets[0].currency"}));

        Result t = ticket(R"({"id":"t","status":"active","event_id":"e","currency":)" + value + "}");
        REQUIRE(types(t.entities) == Names{"ticket"});
        CHECK(same_value(t.entities[0].at("currency"), expected));
        CHECK(t.anomalies == (kind.empty() ? Names{} : Names{kind + " ticket.currency"}));
    }
}

// ---------------------------------------------------------------- prices

TEST_CASE("price: absent is NULL, 0 is 0, another type or out of range is NULL", "[json][tolerant][price]") {
    for (auto [member, expected, anomalies] : std::vector<std::tuple<std::string, vibe_test::FieldValue, Names>>{
             {"", Null(), {}},
             {R"(,"price_nominal":null)", Null(), {}},
             {R"(,"price_nominal":0)", I(0), {}},
             {R"(,"price_nominal":150000)", I(150000), {}},
             {R"(,"price_nominal":150000.0)", I(150000), {}},
             {R"(,"price_nominal":9223372036854775807)", I(INT64_MAX), {}},
             {R"(,"price_nominal":"100")", Null(), {"wrong_type order.tickets[0].price_nominal"}},
             {R"(,"price_nominal":12.5)", Null(), {"out_of_range order.tickets[0].price_nominal"}},
             {R"(,"price_nominal":1e30)", Null(), {"out_of_range order.tickets[0].price_nominal"}},
             {R"(,"price_nominal":18446744073709551615)", Null(), {"out_of_range order.tickets[0].price_nominal"}}}) {
        INFO("member " << member);
        Result r = order(R"({"id":"o","event_id":"e","tickets":[{"id":"t")" + member + "}]}");
        REQUIRE(types(r.entities) == Names{"order", "order_ticket"});
        CHECK(same_value(r.entities[1].at("price_nominal"), expected));
        CHECK(r.anomalies == anomalies);
    }
}

// ---------------------------------------------------------------- ids

TEST_CASE("ids and parent links may be integers: their decimal text", "[json][tolerant][ids]") {
    Result o = organizer(R"({"id":7})");
    CHECK(o.entities[0].str("id") == "7");
    Result e = event(R"({"id":42,"group_id":5,"organizer_id":7,"venue":{"id":3}})");
    REQUIRE(types(e.entities) == Names{"venue", "event"});
    CHECK(e.entities[0].str("id") == "3");
    CHECK(e.entities[1].str("id") == "42");
    CHECK(e.entities[1].str("group_id") == "5");
    CHECK(e.entities[1].str("organizer_id") == "7");
    CHECK(e.entities[1].str("venue_id") == "3");
    Result ord = order(R"({"id":-1,"tickets":[{"id":18446744073709551615,"event_id":42,"organizer_id":7}]})");
    REQUIRE(types(ord.entities) == Names{"order", "order_ticket"});
    CHECK(ord.entities[0].str("id") == "-1");
    CHECK(ord.entities[0].str("event_id") == "42");  // the event its tickets share
    CHECK(ord.entities[0].str("organizer_id") == "7");
    CHECK(ord.entities[1].str("id") == "18446744073709551615");
    CHECK(ord.entities[1].str("order_id") == "-1");
    Result t = ticket(R"({"id":1,"status":"active","event_id":2,"organizer_id":3,"order_id":4})");
    CHECK(t.entities[0].str("id") == "1");
    CHECK(t.entities[0].str("event_id") == "2");
    CHECK(t.entities[0].str("organizer_id") == "3");
    CHECK(t.entities[0].str("order_id") == "4");
    for (const Result *r : {&o, &e, &ord, &t}) CHECK(r->anomalies.empty());
}

TEST_CASE("optional ids of another type are NULL, noted", "[json][tolerant][ids]") {
    Result e = event(R"({"id":"e","group_id":true,"organizer_id":1.5})");
    REQUIRE(types(e.entities) == Names{"event"});
    CHECK(e.entities[0].is_null("group_id"));
    CHECK(e.entities[0].is_null("organizer_id"));
    CHECK(e.anomalies == Names{"wrong_type event.group_id", "wrong_type event.organizer_id"});
    // A ticket whose own event id is unusable falls back to the order's.
    Result o = order(R"({"id":"o","event_id":"e","tickets":[{"id":"t","event_id":{"id":"x"}}]})");
    REQUIRE(types(o.entities) == Names{"order", "order_ticket"});
    CHECK(o.entities[1].str("event_id") == "e");
    CHECK(o.anomalies == Names{"wrong_type order.tickets[0].event_id"});
}

// ---------------------------------------------------------------- orders

TEST_CASE("order without tickets: the order row only", "[json][tolerant][order]") {
    for (auto [json, anomalies] : std::vector<std::pair<std::string, Names>>{
             {R"({"id":"o","event_id":"e","organizer_id":"g"})", {}},
             {R"({"id":"o","event_id":"e","organizer_id":"g","tickets":null})", {}},
             {R"({"id":"o","event_id":"e","organizer_id":"g","tickets":{"id":"t"}})", {"wrong_type order.tickets"}}}) {
        INFO(json);
        Result r = order(json, std::string("live"));
        REQUIRE(types(r.entities) == Names{"order"});
        check_row(r.entities[0], "order",
                  {{"system", S("ticketland")},
                   {"id", S("o")},
                   {"number", Null()},
                   {"event_id", S("e")},
                   {"organizer_id", S("g")},
                   {"channel", S("live")},
                   {"status", Null()},
                   {"customer_email", Null()},
                   {"customer_phone", Null()},
                   {"customer_name", Null()},
                   {"customer_first_name", Null()},
                   {"customer_last_name", Null()},
                   {"created_at", Null()},
                   {"done_at", Null()}});
        CHECK(r.anomalies == anomalies);
    }
}

TEST_CASE("customer of another type: its columns NULL on the order and its tickets", "[json][tolerant][customer]") {
    Result r = order(R"({"id":"o","event_id":"e","customer":"anna.petrova@example.com","tickets":[{"id":"t"}]})");
    REQUIRE(types(r.entities) == Names{"order", "order_ticket"});
    for (const char *f : {"customer_email", "customer_phone", "customer_name", "customer_first_name",
                          "customer_last_name"})
        CHECK(r.entities[0].is_null(f));
    for (const char *f : {"customer_email", "customer_phone", "customer_name"}) CHECK(r.entities[1].is_null(f));
    CHECK(r.anomalies == Names{"wrong_type order.customer"});

    // One customer field of another type: only that one; the anomaly names
    // the field, never the value.
    Result email = order(
        R"({"id":"o","event_id":"e","customer":{"email":["anna.petrova@example.com"],"phone":"+79001234567"},"tickets":[]})");
    CHECK(email.entities[0].is_null("customer_email"));
    CHECK(email.entities[0].str("customer_phone") == "+79001234567");
    CHECK(email.anomalies == Names{"wrong_type order.customer.email"});
    Result first = refund(R"({"customer":{"first_name":1,"last_name":"Петрова"},"ticket_ids":[]})", "r");
    CHECK(first.entities[0].is_null("customer_first_name"));
    CHECK(first.entities[0].str("customer_last_name") == "Петрова");
    CHECK(first.entities[0].str("customer_name") == "Петрова");
    CHECK(first.anomalies == Names{"wrong_type refund.customer.first_name"});
    Result name = ticket(R"({"id":"t","status":"active","event_id":"e","customer":{"name":{"first":"Анна"}}})");
    CHECK(name.entities[0].is_null("customer_name"));
    CHECK(name.anomalies == Names{"wrong_type ticket.customer.name"});
}

TEST_CASE("other fields of another type are NULL, the record lands", "[json][tolerant]") {
    Result e = event(R"({"id":"e","organizer_id":"o","name":true,"timezone":3,"description":["x"]})");
    REQUIRE(types(e.entities) == Names{"event"});
    check_row(e.entities[0], "event", event_row("e", {{"organizer_id", S("o")}}));
    CHECK(e.anomalies ==
          Names{"wrong_type event.name", "wrong_type event.timezone", "wrong_type event.description"});

    Result o = order(R"({"id":"o","event_id":"e","number":{"n":1},"tickets":[{"id":"t","row":{"n":1},"seat":2.5,
                        "barcode":4600000000011,"description":false}]})");
    REQUIRE(types(o.entities) == Names{"order", "order_ticket"});
    CHECK(o.entities[0].is_null("number"));
    CHECK(o.entities[1].is_null("seat_row"));
    CHECK(o.entities[1].is_null("seat"));
    CHECK(o.entities[1].is_null("barcode"));  // a barcode is text: a number is not read as one
    CHECK(o.entities[1].is_null("description"));
    CHECK(o.anomalies == Names{"wrong_type order.number", "wrong_type order.tickets[0].barcode",
                               "wrong_type order.tickets[0].row", "wrong_type order.tickets[0].seat",
                               "wrong_type order.tickets[0].description"});
}

TEST_CASE("anomalies name fields, never their values", "[json][tolerant]") {
    const std::string pii_order =
        R"({"id":"o","event_id":"e","customer":{"email":1,"phone":["+79001234567"],"name":{"n":"Анна Петрова"}},
            "tickets":[{"id":"t","currency":"anna.petrova@example.com","category":{"Анна":1}}]})";
    Result r = order(pii_order);
    CHECK(r.anomalies == Names{"wrong_type order.customer.email", "wrong_type order.customer.phone",
                               "wrong_type order.customer.name", "wrong_type order.tickets[0].category",
                               "unknown_value order.tickets[0].currency"});
    for (const std::string &a : r.anomalies)
        for (const char *pii : {"anna", "+7900", "Анна", "Петрова"}) CHECK(a.find(pii) == std::string::npos);
}

TEST_CASE("a number too large for a double in an optional field is NULL, never a refused record",
          "[json][tolerant][event]") {
    // RapidJSON refuses 1e400 for the whole document; it is read as out of range.
    for (auto [member, value] : std::vector<std::pair<std::string, std::string>>{
             {"start_at", "1e400"}, {"finish_at", "-1e400"}, {"offset", "1E+999"}}) {
        INFO(member << " " << value);
        Result r = event(R"({"id":"e","organizer_id":"o",")" + member + "\":" + value + "}");
        REQUIRE(types(r.entities) == Names{"event"});
        CHECK(r.entities[0].is_null(member == "offset" ? "utc_offset_hours" : member));
        CHECK(r.anomalies == Names{"out_of_range event." + member});
    }
    Result two = event(R"({"id":"e","organizer_id":"o","start_at":1e400,"finish_at":2e999})");
    CHECK(two.anomalies == Names{"out_of_range event.start_at", "out_of_range event.finish_at"});
    Result t = ticket(R"({"id":"t1","event_id":"e1","price_nominal":1e400})");
    REQUIRE(types(t.entities) == Names{"ticket"});
    CHECK(t.entities[0].is_null("price_nominal"));
    CHECK(t.anomalies == Names{"missing_value ticket.status", "out_of_range ticket.price_nominal"});
}

TEST_CASE("a lone low surrogate escape is malformed JSON, as a lone high one is, and a pair is read",
          "[json][errors]") {
    for (const std::string text : {R"(bad \udc00 text)", R"(\uDFFF)", R"(\ud83d x \ude00)"}) {
        INFO(text);
        try {
            event(R"({"id":"e","organizer_id":"o","description":")" + text + R"("})");
            FAIL("accepted");
        } catch (const vibe::DecodeError &e) {
            CHECK(e.kind == "malformed");
            CHECK_THAT(e.what(), Catch::Contains("surrogate"));
        }
    }
    CHECK_THROWS_AS(event(R"({"id":"e","organizer_id":"o","description":"\ud800 alone"})"), vibe::DecodeError);
    Result ok = event(R"({"id":"e","organizer_id":"o","description":"smile \ud83d\ude00 \\udc00 is text"})");
    REQUIRE(types(ok.entities) == Names{"event"});
    CHECK(ok.entities[0].str("description") == "smile \xF0\x9F\x98\x80 \\udc00 is text");
}
