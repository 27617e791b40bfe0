// Bad Ticketland JSON: every refusal names the field and the problem, and no
// message ever carries a customer's email, phone or name.
#include <catch2/catch.hpp>

#include <functional>

#include "entity_recorder.hpp"
#include "json_decoder.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

namespace {

// The customer data of the fixtures and of the inline documents below.
const std::vector<std::string> kPersonalData = {
    "anna.petrova@example.com", "+79001234567", "Анна", "Петрова", "ivan.sidorov@example.com",
    "+79007654321", "Иван", "Сидоров", "olga.ivanova@example.com", "+79005550000", "Ольга",
};

// Runs f, which must throw DecodeError, and returns the message after
// checking that it holds no personal data.
std::string error_of(const std::function<void()> &f) {
    try {
        f();
    } catch (const vibe::DecodeError &e) {
        std::string msg = e.what();
        for (const std::string &pii : kPersonalData) {
            INFO("message: " << msg);
            CHECK(msg.find(pii) == std::string::npos);
        }
        return msg;
    }
    FAIL("no DecodeError thrown");
    return {};
}

std::string order_error(const std::string &json) {
    return error_of([&] { vibe::json::decode_order(json); });
}
std::string event_error(const std::string &json) {
    return error_of([&] { vibe::json::decode_event(json); });
}
std::string ticket_error(const std::string &json) {
    return error_of([&] { vibe::json::decode_ticket(json); });
}

const char *kCustomer = R"("customer":{"email":"anna.petrova@example.com","phone":"+79001234567","name":"Анна Петрова"})";

}  // namespace

TEST_CASE("invalid JSON: RapidJSON's reason and the byte offset", "[json][errors]") {
    std::string truncated = std::string(R"({"id":"o1",)") + kCustomer;
    truncated.pop_back();
    CHECK_THAT(order_error(truncated), StartsWith("order: invalid JSON at byte "));
    CHECK_THAT(order_error(""), Equals("order: invalid JSON at byte 0: The document is empty."));
    CHECK_THAT(order_error("{} x"), Contains("must not be followed by other values"));
    CHECK_THAT(order_error(R"({"id":"o1",})"), Equals("order: invalid JSON at byte 11: Missing a name for object member."));
    CHECK_THAT(event_error("{\"id\":\"e\xff\"}"), Contains("Invalid encoding in string"));
    CHECK_THAT(event_error(R"({"id":"e","start_at":1e400})"), Contains("Number too big"));
    CHECK_THAT(event_error(R"({"id":"e","start_at":NaN})"), StartsWith("event: invalid JSON"));
}

TEST_CASE("a UTF-8 byte order mark is skipped", "[json]") {
    CHECK(vibe::json::decode_organizer("\xEF\xBB\xBF{\"id\":\"o\"}").id == "o");
    // Error offsets still count from the start of the record value.
    CHECK_THAT(error_of([] { vibe::json::decode_organizer("\xEF\xBB\xBF{\"id\":}"); }),
               Equals("organizer: invalid JSON at byte 9: Invalid value."));
}

TEST_CASE("a value that is not an object", "[json][errors]") {
    CHECK_THAT(order_error("[1,2]"), Equals("order: expected an object, got array"));
    CHECK_THAT(order_error("null"), Equals("order: expected an object, got null"));
    CHECK_THAT(order_error(R"("anna.petrova@example.com")"), Equals("order: expected an object, got string"));
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[1]})"),
               Equals("order.tickets[0]: expected an object, got number"));
    CHECK_THAT(order_error(R"({"id":"o","customer":"anna.petrova@example.com","tickets":[]})"),
               Equals("order.customer: expected an object, got string"));
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","venue":[]})"),
               Equals("event.venue: expected an object, got array"));
}

TEST_CASE("missing ids", "[json][errors]") {
    CHECK_THAT(order_error(R"({"tickets":[]})"), Equals("order.id: missing"));
    CHECK_THAT(order_error(R"({"id":null,"tickets":[]})"), Equals("order.id: missing"));
    CHECK_THAT(order_error(R"({"id":"","tickets":[]})"), Equals("order.id: empty"));
    CHECK_THAT(order_error(std::string(R"({"id":"o",)") + kCustomer +
                           R"(,"event_id":"e","tickets":[{"id":"a"},{"id":"b"},{"barcode":"x"}]})"),
               Equals("order.tickets[2].id: missing"));
    CHECK_THAT(order_error(R"({"id":"o","tickets":[{"id":"a"}]})"),
               Equals("order.tickets[0].event_id: missing (and no order.event_id)"));
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e"})"), Equals("order.tickets: missing"));
    CHECK_THAT(error_of([] { vibe::json::decode_organizer(R"({"name":"x"})"); }), Equals("organizer.id: missing"));
    CHECK_THAT(event_error(R"({"name":"x"})"), Equals("event.id: missing"));
    CHECK_THAT(event_error(R"({"id":"e"})"), Equals("event.organizer_id: missing (and no event.organizer)"));
    CHECK_THAT(event_error(R"({"id":"e","organizer":{"name":"x"}})"), Equals("event.organizer.id: missing"));
    CHECK_THAT(ticket_error(R"({"id":"t","event_id":"e"})"), Equals("ticket.status: missing"));
    CHECK_THAT(ticket_error(R"({"status":"active","event_id":"e"})"), Equals("ticket.id: missing"));
    CHECK_THAT(ticket_error(R"({"id":"t","status":"active"})"), Equals("ticket.event_id: missing"));
    CHECK_THAT(error_of([] { vibe::json::decode_refund(R"({"ticket_ids":["a"]})", ""); }),
               Equals("refund: missing id (the record key)"));
    CHECK_THAT(error_of([] { vibe::json::decode_refund(R"({"customer":null})", "r"); }),
               Equals("refund.ticket_ids: missing"));
    CHECK_THAT(error_of([] { vibe::json::decode_refund(R"({"ticket_ids":["a",""]})", "r"); }),
               Equals("refund.ticket_ids[1]: empty"));
}

TEST_CASE("wrong types of the fields we use", "[json][errors]") {
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","start_at":"1740997200"})"),
               Equals("event.start_at: expected a number, got string"));
    CHECK_THAT(event_error(R"({"id":42})"), Equals("event.id: expected a string, got number"));
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","name":true})"),
               Equals("event.name: expected a string, got boolean"));
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","offset":"+3"})"),
               Equals("event.offset: expected a number, got string"));
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","venue":{"lat":"55.7"}})"),
               Equals("event.venue.lat: expected a number, got string"));
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":{}})"),
               Equals("order.tickets: expected an array, got object"));
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[{"id":"t","price_nominal":"100"}]})"),
               Equals("order.tickets[0].price_nominal: expected an integer, got string"));
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[{"id":"t","price_nominal":12.5}]})"),
               Equals("order.tickets[0].price_nominal: expected an integer, got a fractional number"));
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[{"id":"t","row":{"n":1}}]})"),
               Equals("order.tickets[0].row: expected a string or an integer, got object"));
    CHECK_THAT(error_of([] { vibe::json::decode_refund(R"({"ticket_ids":["a",7]})", "r"); }),
               Equals("refund.ticket_ids[1]: expected a string, got number"));
}

TEST_CASE("customer fields of the wrong type: the message names the field, never the value", "[json][errors]") {
    CHECK_THAT(order_error(R"({"id":"o","customer":{"email":["anna.petrova@example.com"]},"tickets":[]})"),
               Equals("order.customer.email: expected a string, got array"));
    CHECK_THAT(order_error(R"({"id":"o","customer":{"phone":79001234567},"tickets":[]})"),
               Equals("order.customer.phone: expected a string, got number"));
    CHECK_THAT(ticket_error(R"({"id":"t","status":"active","event_id":"e","customer":{"name":{"first":"Анна"}}})"),
               Equals("ticket.customer.name: expected a string, got object"));
    CHECK_THAT(error_of([] {
                   vibe::json::decode_refund(R"({"customer":{"first_name":1,"last_name":"Петрова"},"ticket_ids":[]})",
                                             "r");
               }),
               Equals("refund.customer.first_name: expected a string, got number"));
}

TEST_CASE("dictionary values: unknown ones are named, unless they look like personal data", "[json][errors]") {
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","status":"draft"})"),
               Equals("event.status: unknown value 'draft' (expected one of active, paused, finished, cancelled)"));
    CHECK_THAT(ticket_error(R"({"id":"t","status":"lost","event_id":"e"})"),
               StartsWith("ticket.status: unknown value 'lost'"));
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[{"id":"t","currency":"KZT"}]})"),
               StartsWith("order.tickets[0].currency: unknown value 'KZT'"));
    CHECK_THAT(error_of([] { vibe::json::decode_organizer(R"({"id":"o","legals":{"type":"gmbh"}})"); }),
               StartsWith("organizer.legals.type: unknown value 'gmbh'"));
    // A producer that puts a customer's data in the wrong field.
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[{"id":"t","currency":"anna.petrova@example.com"}]})"),
               StartsWith("order.tickets[0].currency: unknown value (not shown)"));
}

TEST_CASE("numbers out of range", "[json][errors]") {
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[{"id":"t","price_nominal":18446744073709551615}]})"),
               Equals("order.tickets[0].price_nominal: out of range"));
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[{"id":"t","price_nominal":1e30}]})"),
               Equals("order.tickets[0].price_nominal: out of range"));
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","start_at":99999999999999999999})"),
               Equals("event.start_at: out of range"));
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","start_at":1e300})"), Equals("event.start_at: out of range"));
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","finish_at":-5})"),
               StartsWith("event.finish_at: out of range"));
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","start_at":9223372036854775807})"),
               StartsWith("event.start_at: out of range"));
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","offset":100})"), StartsWith("event.offset: out of range"));
    CHECK_THAT(event_error(R"({"id":"e","organizer_id":"o","venue":{"lat":91}})"),
               Equals("event.venue.lat: out of range"));
    // Still fine: the largest integer, and a timestamp in year 9999.
    CHECK(*vibe::json::decode_order(
                R"({"id":"o","event_id":"e","tickets":[{"id":"t","price_nominal":9223372036854775807}]})")
               .tickets[0]
               .price_nominal == INT64_MAX);
    CHECK(*vibe::json::decode_event(R"({"id":"e","organizer_id":"o","start_at":253402300799999})").start_at_ms ==
          253402300799999);
}

TEST_CASE("hostile input does not crash the decoder", "[json][errors]") {
    // Deep nesting in an ignored member: parsed iteratively, not recursively.
    std::string deep = R"({"id":"o","event_id":"e","tickets":[],"x":)" + std::string(100000, '[') +
                       std::string(100000, ']') + "}";
    CHECK(vibe::json::decode_order(deep).id == "o");
    std::string unbalanced = std::string(100000, '[');
    CHECK_THAT(order_error(unbalanced), StartsWith("order: invalid JSON at byte "));
    // A raw NUL byte is never valid JSON, and must not end the document early.
    std::string nul("{\"id\":\"o\"}\0garbage", 18);
    CHECK_THAT(order_error(nul), Equals("order: invalid JSON at byte 10: a NUL byte"));
}

TEST_CASE("unknown members are ignored, null means absent", "[json]") {
    auto o = vibe::json::decode_order(
        R"({"id":"o","event_id":"e","new_field":{"a":[1,2]},"customer":null,"tickets":[{"id":"t","barcode":null,"future":1}]})");
    CHECK(o.id == "o");
    CHECK_FALSE(o.customer.email);
    CHECK_FALSE(o.tickets[0].barcode);
    auto e = vibe::json::decode_event(R"({"id":"e","organizer_id":"o","status":null,"category":null,"venue":null})");
    CHECK(e.status == "active");
    CHECK(e.category == "other");
    CHECK_FALSE(e.venue);
}

TEST_CASE("the fixtures decode without error", "[json]") {
    CHECK_NOTHROW(vibe::json::decode_organizer(vibe_test::fixture("organizer_a.json")));
    for (const char *f : {"event_a.json", "event_b.json"}) CHECK_NOTHROW(vibe::json::decode_event(vibe_test::fixture(f)));
    for (const char *f : {"order_a.json", "order_b.json"}) CHECK_NOTHROW(vibe::json::decode_order(vibe_test::fixture(f)));
    for (const char *f : {"refund_a.json", "refund_b.json"})
        CHECK_NOTHROW(vibe::json::decode_refund(vibe_test::fixture(f), "r"));
    CHECK_NOTHROW(vibe::json::decode_ticket(vibe_test::fixture("ticket.json")));
}

TEST_CASE("mutated fixtures either decode or fail with a DecodeError", "[json][errors]") {
    // Deterministic byte flips, truncations and insertions of JSON syntax.
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    const char syntax[] = "{}[]\",:0-e.ntfu\\ ";
    for (const char *name : {"organizer_a.json", "event_a.json", "event_b.json", "order_a.json", "order_b.json",
                             "refund_a.json", "refund_b.json", "ticket.json"}) {
        const std::string original = vibe_test::fixture(name);
        for (int i = 0; i < 500; ++i) {
            std::string m = original;
            for (int k = 0, n = 1 + static_cast<int>(next() % 4); k < n && !m.empty(); ++k) {
                const size_t at = next() % m.size();
                switch (next() % 4) {
                    case 0: m[at] = syntax[next() % (sizeof syntax - 1)]; break;
                    case 1: m[at] = static_cast<char>(next()); break;
                    case 2: m.resize(at); break;
                    default: m.insert(at, 1, syntax[next() % (sizeof syntax - 1)]); break;
                }
            }
            try {
                vibe::json::decode_organizer(m);
                vibe::json::decode_event(m);
                vibe::json::decode_order(m);
                vibe::json::decode_refund(m, "r");
                vibe::json::decode_ticket(m);
            } catch (const vibe::DecodeError &) {
                // expected for most mutations
            } catch (const std::exception &e) {
                FAIL(name << " mutation " << i << ": unexpected " << e.what());
            }
        }
    }
}
