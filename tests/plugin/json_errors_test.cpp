// Ticketland JSON the decoder refuses: since the tolerant reader (CONTRACT.md
// §2) only what identifies a record (its id) or links it (a child's parent
// id), and text that is not a JSON object at all. Every refusal names the
// field and the problem, and no message ever carries a customer's email,
// phone or name. (What is tolerated instead: json_tolerant_test.cpp.)
#include <catch2/catch.hpp>

#include <functional>

#include "json_decoder.hpp"
#include "plugin_test_support.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

namespace {

// The customer data of the fixtures and of the inline documents below.
const std::vector<std::string> kPersonalData = {
    "anna.petrova@example.com", "+79001234567", "Анна", "Петрова", "ivan.sidorov@example.com",
    "+79007654321", "Иван", "Сидоров", "olga.ivanova@example.com", "+79005550000", "Ольга",
    "petr.smirnov@example.com", "+79001112233", "79001112233", "Пётр", "Смирнов",
};

// Runs f, which must throw DecodeError, and returns the message after
// checking that it holds no personal data.
std::string error_of(const std::function<void(vibe::Anomalies &)> &f) {
    vibe::Anomalies a;
    try {
        f(a);
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
    return error_of([&](vibe::Anomalies &a) { vibe::json::decode_order(json, a); });
}
std::string event_error(const std::string &json) {
    return error_of([&](vibe::Anomalies &a) { vibe::json::decode_event(json, a); });
}
std::string ticket_error(const std::string &json) {
    return error_of([&](vibe::Anomalies &a) { vibe::json::decode_ticket(json, a); });
}
std::string organizer_error(const std::string &json) {
    return error_of([&](vibe::Anomalies &a) { vibe::json::decode_organizer(json, a); });
}
std::string refund_error(const std::string &json, const std::string &id = "r") {
    return error_of([&](vibe::Anomalies &a) { vibe::json::decode_refund(json, id, a); });
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
    // A number too big for a double is no syntax error: it is read as out of
    // range (json_tolerant_test.cpp); in an id it is still refused.
    CHECK_THAT(event_error(R"({"id":1e400})"), Contains("event.id"));
    CHECK_THAT(event_error(R"({"id":"e","start_at":NaN})"), StartsWith("event: invalid JSON"));
}

TEST_CASE("a UTF-8 byte order mark is skipped", "[json]") {
    vibe::Anomalies a;
    CHECK(vibe::json::decode_organizer("\xEF\xBB\xBF{\"id\":\"o\"}", a).id == "o");
    CHECK(a.list().empty());
    // Error offsets still count from the start of the record value.
    CHECK_THAT(organizer_error("\xEF\xBB\xBF{\"id\":}"), Equals("organizer: invalid JSON at byte 9: Invalid value."));
}

TEST_CASE("a message or a ticket that is not an object", "[json][errors]") {
    CHECK_THAT(order_error("[1,2]"), Equals("order: expected an object, got array"));
    CHECK_THAT(order_error("null"), Equals("order: expected an object, got null"));
    CHECK_THAT(order_error(R"("anna.petrova@example.com")"), Equals("order: expected an object, got string"));
    CHECK_THAT(event_error("42"), Equals("event: expected an object, got number"));
    CHECK_THAT(ticket_error("true"), Equals("ticket: expected an object, got boolean"));
    CHECK_THAT(refund_error("[]"), Equals("refund: expected an object, got array"));
    // An order's ticket that is not an object has no id to identify it.
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[1]})"),
               Equals("order.tickets[0]: expected an object, got number"));
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[{"id":"a"},null]})"),
               Equals("order.tickets[1]: expected an object, got null"));
}

TEST_CASE("missing or empty ids", "[json][errors]") {
    CHECK_THAT(order_error(R"({"tickets":[]})"), Equals("order.id: missing"));
    CHECK_THAT(order_error(R"({"id":null,"tickets":[]})"), Equals("order.id: missing"));
    CHECK_THAT(order_error(R"({"id":"","tickets":[]})"), Equals("order.id: empty"));
    CHECK_THAT(order_error(std::string(R"({"id":"o",)") + kCustomer +
                           R"(,"event_id":"e","tickets":[{"id":"a"},{"id":"b"},{"barcode":"x"}]})"),
               Equals("order.tickets[2].id: missing"));
    CHECK_THAT(organizer_error(R"({"name":"x"})"), Equals("organizer.id: missing"));
    CHECK_THAT(event_error(R"({"name":"x"})"), Equals("event.id: missing"));
    CHECK_THAT(ticket_error(R"({"status":"active","event_id":"e"})"), Equals("ticket.id: missing"));
    CHECK_THAT(refund_error(R"({"ticket_ids":["a"]})", ""), Equals("refund: missing id (the record key)"));
}

TEST_CASE("missing parent links", "[json][errors]") {
    // A ticket of an order links to its event (its own, or the order's).
    CHECK_THAT(order_error(R"({"id":"o","tickets":[{"id":"a"}]})"),
               Equals("order.tickets[0].event_id: missing (and no order.event_id)"));
    CHECK_THAT(order_error(R"({"id":"o","tickets":[{"id":"a","event_id":"e"},{"id":"b","event_id":""}]})"),
               Equals("order.tickets[1].event_id: missing (and no order.event_id)"));
    // A ticket of the tickets topology links to its event.
    CHECK_THAT(ticket_error(R"({"id":"t","status":"active"})"), Equals("ticket.event_id: missing"));
    CHECK_THAT(ticket_error(R"({"id":"t","status":"active","event_id":null})"), Equals("ticket.event_id: missing"));
    // A refund links to its tickets: each listed id is required.
    CHECK_THAT(refund_error(R"({"ticket_ids":["a",""]})"), Equals("refund.ticket_ids[1]: empty"));
    CHECK_THAT(refund_error(R"({"ticket_ids":["a",null]})"), Equals("refund.ticket_ids[1]: missing"));
}

TEST_CASE("ids of a type that is neither a string nor an integer", "[json][errors]") {
    CHECK_THAT(event_error(R"({"id":true})"), Equals("event.id: expected a string or an integer, got boolean"));
    CHECK_THAT(event_error(R"({"id":1.5})"), Equals("event.id: expected a string or an integer, got number"));
    CHECK_THAT(order_error(R"({"id":{"v":"o"},"tickets":[]})"),
               Equals("order.id: expected a string or an integer, got object"));
    CHECK_THAT(order_error(R"({"id":"o","event_id":"e","tickets":[{"id":["t"]}]})"),
               Equals("order.tickets[0].id: expected a string or an integer, got array"));
    CHECK_THAT(ticket_error(R"({"id":"t","status":"active","event_id":false})"),
               Equals("ticket.event_id: expected a string or an integer, got boolean"));
    CHECK_THAT(refund_error(R"({"ticket_ids":["a",true]})"),
               Equals("refund.ticket_ids[1]: expected a string or an integer, got boolean"));
    // A number too large for an integer id is not one.
    CHECK_THAT(organizer_error(R"({"id":1e30})"), Equals("organizer.id: expected a string or an integer, got number"));
}

TEST_CASE("hostile input does not crash the decoder", "[json][errors]") {
    vibe::Anomalies a;
    // Deep nesting in an ignored member: parsed iteratively, not recursively.
    std::string deep = R"({"id":"o","event_id":"e","tickets":[],"x":)" + std::string(100000, '[') +
                       std::string(100000, ']') + "}";
    CHECK(vibe::json::decode_order(deep, a).id == "o");
    CHECK(a.list().empty());
    std::string unbalanced = std::string(100000, '[');
    CHECK_THAT(order_error(unbalanced), StartsWith("order: invalid JSON at byte "));
    // A raw NUL byte is never valid JSON, and must not end the document early.
    std::string nul("{\"id\":\"o\"}\0garbage", 18);
    CHECK_THAT(order_error(nul), Equals("order: invalid JSON at byte 10: a NUL byte"));
}

TEST_CASE("unknown members are ignored, null means absent and is not an anomaly", "[json]") {
    vibe::Anomalies a;
    auto o = vibe::json::decode_order(
        R"({"id":"o","event_id":"e","new_field":{"a":[1,2]},"customer":null,"tickets":[{"id":"t","barcode":null,"future":1}]})",
        a);
    CHECK(o.id == "o");
    CHECK_FALSE(o.customer.email);
    CHECK_FALSE(o.tickets[0].barcode);
    auto e = vibe::json::decode_event(R"({"id":"e","organizer_id":"o","status":null,"category":null,"venue":null})", a);
    CHECK(e.status == "active");
    CHECK(e.category == "other");
    CHECK_FALSE(e.category_raw);
    CHECK_FALSE(e.venue);
    CHECK(a.list().empty());
}

TEST_CASE("the fixtures decode without error or anomaly", "[json]") {
    vibe::Anomalies a;
    CHECK_NOTHROW(vibe::json::decode_organizer(vibe_test::fixture("organizer_a.json"), a));
    for (const char *f : {"event_a.json", "event_b.json"})
        CHECK_NOTHROW(vibe::json::decode_event(vibe_test::fixture(f), a));
    for (const char *f : {"order_a.json", "order_b.json"})
        CHECK_NOTHROW(vibe::json::decode_order(vibe_test::fixture(f), a));
    for (const char *f : {"refund_a.json", "refund_b.json"})
        CHECK_NOTHROW(vibe::json::decode_refund(vibe_test::fixture(f), "r", a));
    CHECK_NOTHROW(vibe::json::decode_ticket(vibe_test::fixture("ticket.json"), a));
    CHECK(vibe_test::noted(a).empty());
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
    size_t anomalies = 0;
    for (const char *name : {"organizer_a.json", "event_a.json", "event_b.json", "order_a.json", "order_b.json",
                             "refund_a.json", "refund_b.json", "ticket.json", "event_tolerant.json",
                             "order_tolerant.json", "ticket_tolerant.json", "refund_no_ticket_ids.json"}) {
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
            vibe::Anomalies a;
            try {
                vibe::json::decode_organizer(m, a);
                vibe::json::decode_event(m, a);
                vibe::json::decode_order(m, a);
                vibe::json::decode_refund(m, "r", a);
                vibe::json::decode_ticket(m, a);
            } catch (const vibe::DecodeError &) {
                // expected for most mutations
            } catch (const std::exception &e) {
                FAIL(name << " mutation " << i << ": unexpected " << e.what());
            }
            // An anomaly names a field, never a value: a path of member names
            // and indexes.
            for (const vibe::Anomaly &x : a.list()) {
                ++anomalies;
                INFO(name << " mutation " << i << ": " << x.kind << " " << x.field);
                CHECK(x.field.size() < 80);
                CHECK(x.field.find('"') == std::string::npos);
            }
        }
    }
    CHECK(anomalies > 0);  // the mutations did reach the tolerant paths
}
