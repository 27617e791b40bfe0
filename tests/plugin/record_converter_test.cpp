// RecordConverter: one Kafka record -> entities, without the C ABI around it.
// Identity by the topic's system, the application-id as the sales channel
// (allow-list, unreadable values, the first record of a channel), schema
// versions as MAJOR.MINOR, refunds without a key, and how a record's
// anomalies reach the host (vsink_emitter::tolerated) before its entities,
// refused records included.
#include <catch2/catch.hpp>

#include <ticketscloud/event.pb.h>
#include <ticketscloud/order.pb.h>
#include <ticketscloud/partner.pb.h>
#include <ticketscloud/refund_request.pb.h>
#include <vibe/v1/order.pb.h>
#include <vibe/v1/refund.pb.h>

#include "plugin_test_support.hpp"
#include "protobuf_wire.hpp"

using Catch::Matchers::Equals;
using Catch::Matchers::Matches;
using Catch::Matchers::StartsWith;
using vibe_test::check_row;
using vibe_test::Converted;
using vibe_test::fixture;
using vibe_test::json_record;
using vibe_test::Names;
using vibe_test::noted;
using vibe_test::Null;
using vibe_test::protobuf_record;
using vibe_test::Record;
using vibe_test::S;
using vibe_test::T;
using vibe_test::types;

namespace {

vibe::TopicConfig topic(const std::string &name, const std::string &yaml) {
    return vibe::parse_topic_config(name, yaml, "test.yaml", 1);
}

std::vector<vibe::TopicConfig> topics() {
    return {
        topic("tl.organizers", "message: organizer\nsystem: ticketland\n"),
        topic("tl.events", "message: event\nsystem: ticketland\n"),
        topic("tl.orders", "message: order\nsystem: ticketland\nschema_versions: [\"1\"]\n"),
        topic("tl.orders.allow", "message: order\nsystem: ticketland\nchannels: [box_office, live]\n"),
        topic("tl.refunds", "message: refund\nsystem: ticketland\n"),
        topic("tl.refunds.pb", "message: refund\nsystem: ticketland\nformat: protobuf\n"),
        topic("tl.tickets", "message: ticket\nsystem: ticketland\n"),
        topic("tc.partners", "message: ticketscloud.partner\nsystem: ticketscloud\n"),
        topic("tc.events", "message: ticketscloud.event\nsystem: ticketscloud\ncategories: {c-1: concert}\n"),
        topic("tc.orders", "message: ticketscloud.order\nsystem: ticketscloud\n"),
        topic("tc.refunds", "message: ticketscloud.refund_request\nsystem: ticketscloud\n"),
    };
}

Converted run(const vibe::RecordConverter &conv, Record r) { return vibe_test::convert(conv, r); }

// decode() with its anomalies, or the error.
struct Decoded {
    vibe::Entities entities;
    Names anomalies;
    std::string error;
};
Decoded decode(const vibe::RecordConverter &conv, Record r) {
    Decoded d;
    vibe::Anomalies a;
    try {
        d.entities = conv.decode(r.get(), a);
    } catch (const std::exception &e) {
        d.error = e.what();
    }
    d.anomalies = noted(a);
    return d;
}

const char *kOrder = R"({"id":"o1","event_id":"e1","tickets":[{"id":"t1"}]})";

}  // namespace

// ---------------------------------------------------------------- identity

TEST_CASE("converter: every entity carries the topic's system, the channel is the application-id",
          "[converter][channel]") {
    vibe::RecordConverter conv(topics());
    Converted c = run(conv, json_record("tl.orders", fixture("order_a.json"), std::string("bank-shop")));
    INFO(c.error);
    REQUIRE(c.error.empty());
    REQUIRE(c.rec.types() == Names{"order", "order_ticket", "order_ticket"});
    for (const auto &e : c.rec.entities) {
        CHECK(e.str("system") == "ticketland");
        CHECK(e.str("channel") == "bank-shop");
    }
    // An event's application-id is the constant `ticketland`: not stored on it.
    Converted ev = run(conv, json_record("tl.events", fixture("event_b.json"), std::string("ticketland")));
    REQUIRE(ev.rec.types() == Names{"nested_organizer", "venue", "event"});
    for (const auto &e : ev.rec.entities) {
        CHECK(e.str("system") == "ticketland");
        CHECK_FALSE(e.fields.count("channel"));
    }
    // Ticketscloud topics: system ticketscloud.
    ticketscloud::Partner p;
    p.set_id("p1");
    Converted tc = run(conv, protobuf_record("tc.partners", protobuf_wire::bytes_of(p)));
    REQUIRE(tc.rec.types() == Names{"organizer"});
    CHECK(tc.rec.entities[0].str("system") == "ticketscloud");
}

TEST_CASE("converter: a missing, empty or null application-id is no channel, and no reason to refuse",
          "[converter][channel]") {
    vibe::RecordConverter conv(topics());
    for (auto header : std::vector<std::optional<std::optional<std::string>>>{
             std::nullopt,                              // no header
             std::optional<std::string>(std::string()),  // empty value
             std::optional<std::string>(std::nullopt)}) {  // a header with a null value
        Record r = json_record("tl.orders", kOrder);
        if (header) r.header("application-id", *header);
        Converted c = run(conv, r);
        INFO(c.error);
        REQUIRE(c.error.empty());
        REQUIRE(c.rec.types() == Names{"order", "order_ticket"});
        CHECK(c.rec.entities[0].is_null("channel"));
        CHECK(c.rec.entities[1].is_null("channel"));
        CHECK(c.rec.tolerated.empty());
    }
}

TEST_CASE("converter: an unreadable application-id is NULL, unreadable_channel", "[converter][channel]") {
    vibe::RecordConverter conv(topics());
    const std::string ok128(128, 'c');
    for (const std::string &bad : {std::string("bank\xff"), std::string("\xc3"), std::string("\xed\xa0\x80"),
                                   std::string(129, 'c')}) {
        Converted c = run(conv, json_record("tl.orders", kOrder, bad));
        INFO(c.error);
        REQUIRE(c.error.empty());
        CHECK(c.rec.entities[0].is_null("channel"));
        CHECK(c.rec.entities[1].is_null("channel"));
        CHECK(c.rec.tolerated == Names{"unreadable_channel application-id"});
    }
    // 128 bytes of valid UTF-8 is a channel; so is any language.
    Converted fits = run(conv, json_record("tl.orders", kOrder, ok128));
    CHECK(fits.rec.entities[0].str("channel") == ok128);
    Converted cyr = run(conv, json_record("tl.orders", kOrder, std::string("касса")));
    CHECK(cyr.rec.entities[0].str("channel") == "касса");
}

TEST_CASE("converter: the first record of each channel on a topic notes new_channel", "[converter][channel]") {
    vibe::RecordConverter conv(topics());
    auto tolerated = [&](const std::string &topic, const std::string &json, std::optional<std::string> channel) {
        return run(conv, json_record(topic, json, channel)).rec.tolerated;
    };
    CHECK(tolerated("tl.orders", kOrder, std::string("live")) == Names{"new_channel application-id"});
    CHECK(tolerated("tl.orders", kOrder, std::string("live")).empty());
    CHECK(tolerated("tl.orders", kOrder, std::string("box_office")) == Names{"new_channel application-id"});
    CHECK(tolerated("tl.orders", kOrder, std::nullopt).empty());  // no channel is not a channel
    CHECK(tolerated("tl.orders", kOrder, std::string("live")).empty());
    // Per topic: the same channel on another topic is new there.
    CHECK(tolerated("tl.tickets", R"({"id":"t","status":"used","event_id":"e"})", std::string("live")) ==
          Names{"new_channel application-id"});
    // Channels are told apart exactly (case matters).
    CHECK(tolerated("tl.orders", kOrder, std::string("Live")) == Names{"new_channel application-id"});
    // Per converter instance: a new plugin instance has seen nothing.
    vibe::RecordConverter fresh(topics());
    CHECK(run(fresh, json_record("tl.orders", kOrder, std::string("live"))).rec.tolerated ==
          Names{"new_channel application-id"});
}

TEST_CASE("converter: new_channel is noted once even when that record is then refused", "[converter][channel]") {
    // The channel was seen: a refused record (here for its schema version)
    // still reports it, and the next record of that channel is not new.
    vibe::RecordConverter conv(topics());
    Record bad = json_record("tl.orders", kOrder, std::string("bank-shop"));
    bad.header("schema-version", std::string("2.0"));
    Converted refused = run(conv, bad);
    CHECK_THAT(refused.error, StartsWith("schema-version '2.0'"));
    CHECK(refused.rec.entities.empty());
    CHECK(refused.rec.tolerated == Names{"new_channel application-id"});
    CHECK(run(conv, json_record("tl.orders", kOrder, std::string("bank-shop"))).rec.tolerated.empty());
}

TEST_CASE("converter: the channels remembered per topic are bounded", "[converter][channel]") {
    // A producer sending a fresh application-id per record cannot grow the
    // converter without end: after 1000 channels on a topic, no more are
    // remembered (nor reported as new).
    vibe::RecordConverter conv(topics());
    size_t reported = 0;
    for (int i = 0; i < 1005; ++i) {
        Decoded d = decode(conv, json_record("tl.orders", kOrder, "channel-" + std::to_string(i)));
        REQUIRE(d.error.empty());
        reported += d.anomalies.size();
    }
    CHECK(reported == 1000);
    // Another topic has its own 1000.
    CHECK(decode(conv, json_record("tl.tickets", R"({"id":"t","status":"used","event_id":"e"})", std::string("x")))
              .anomalies == Names{"new_channel application-id"});
}

TEST_CASE("converter: the ticket of the tickets topology keeps its own record's channel", "[converter][channel]") {
    vibe::RecordConverter conv(topics());
    Converted c = run(conv, json_record("tl.tickets", fixture("ticket.json"), std::string("live")));
    REQUIRE(c.rec.types() == Names{"ticket"});
    CHECK(c.rec.entities[0].str("channel") == "live");
    CHECK(c.rec.entities[0].str("system") == "ticketland");
}

// ---------------------------------------------------------------- allow-list

TEST_CASE("converter: a channel outside the topic's allow-list is refused, channel_refused noted",
          "[converter][channel]") {
    vibe::RecordConverter conv(topics());
    Converted ok = run(conv, json_record("tl.orders.allow", kOrder, std::string("live")));
    INFO(ok.error);
    REQUIRE(ok.error.empty());
    CHECK(ok.rec.entities[0].str("channel") == "live");
    CHECK(ok.rec.tolerated == Names{"new_channel application-id"});

    Converted other = run(conv, json_record("tl.orders.allow", kOrder, std::string("bank-shop")));
    CHECK_THAT(other.error, Equals("application-id 'bank-shop' is not in the channels allowed on topic tl.orders.allow"));
    CHECK(other.rec.entities.empty());
    CHECK(other.rec.tolerated == Names{"channel_refused application-id"});

    Converted none = run(conv, json_record("tl.orders.allow", kOrder));
    CHECK_THAT(none.error,
               Equals("a record without an application-id is not in the channels allowed on topic tl.orders.allow"));
    CHECK(none.rec.entities.empty());
    CHECK(none.rec.tolerated == Names{"channel_refused application-id"});

    // An unreadable channel is no channel: refused too, both noted.
    Converted bad = run(conv, json_record("tl.orders.allow", kOrder, std::string("live\xff")));
    CHECK_THAT(bad.error, StartsWith("a record without an application-id is not in the channels allowed"));
    CHECK(bad.rec.tolerated == Names{"unreadable_channel application-id", "channel_refused application-id"});

    // A refused record does not make its channel seen.
    Converted again = run(conv, json_record("tl.orders.allow", kOrder, std::string("bank-shop")));
    CHECK(again.rec.tolerated == Names{"channel_refused application-id"});
    // The error quotes an untrusted value short and printable.
    Converted odd = run(conv, json_record("tl.orders.allow", kOrder, std::string("a\nb") + std::string(100, 'x')));
    CHECK_THAT(odd.error, StartsWith("application-id 'a?bxxx"));
    CHECK_THAT(odd.error, Matches("application-id 'a\\?bx{61}\\.\\.\\.' is not in the channels allowed .*"));
}

// ---------------------------------------------------------------- schema versions

TEST_CASE("converter: schema-version MAJOR.MINOR of an accepted major is read as that major",
          "[converter][schema-version]") {
    vibe::RecordConverter conv(topics());
    for (const char *v : {"1", "1.0", "1.7", "1.123", " 1.0 ", "01.0"}) {
        Record r = json_record("tl.orders", kOrder);
        r.headers.clear();
        r.header("content-type", std::string("application/json")).header("schema-version", std::string(v));
        Converted c = run(conv, r);
        INFO("schema-version '" << v << "': " << c.error);
        CHECK(c.error.empty());
        CHECK(c.rec.types() == Names{"order", "order_ticket"});
    }
    // No header: read as the topic's default version.
    Record none("tl.orders", std::string(kOrder));
    Converted c = run(conv, none);
    INFO(c.error);
    CHECK(c.error.empty());
    CHECK(c.rec.types() == Names{"order", "order_ticket"});
}

TEST_CASE("converter: an unknown major or a malformed schema-version is refused", "[converter][schema-version]") {
    vibe::RecordConverter conv(topics());
    auto error = [&](const std::string &v) {
        Record r("tl.orders", std::string(kOrder));
        r.header("schema-version", v);
        Converted c = run(conv, r);
        CHECK(c.rec.entities.empty());
        return c.error;
    };
    CHECK_THAT(error("2.0"), Equals("schema-version '2.0': major version 2 is not accepted on topic tl.orders"));
    CHECK_THAT(error("2"), Equals("schema-version '2': major version 2 is not accepted on topic tl.orders"));
    CHECK_THAT(error("0.9"), Equals("schema-version '0.9': major version 0 is not accepted on topic tl.orders"));
    for (const char *bad : {"x", "1.0.1", "v1", "1.", "", "1,0", "1.0-beta"})
        CHECK_THAT(error(bad), Equals(std::string("schema-version '") + bad + "' is not MAJOR.MINOR"));
}

// ---------------------------------------------------------------- refunds

TEST_CASE("converter: a refund's key is its id", "[converter][refund]") {
    vibe::RecordConverter conv(topics());
    Record r = json_record("tl.refunds", fixture("refund_a.json"), std::string("bank-shop"));
    r.key = "возврат-1";
    Converted c = run(conv, r);
    INFO(c.error);
    REQUIRE(c.rec.types() == Names{"refund", "refund_ticket", "refund_ticket", "ticket_status", "ticket_status"});
    CHECK(c.rec.entities[0].str("id") == "возврат-1");
    CHECK(c.rec.entities[0].str("channel") == "bank-shop");
    CHECK(c.rec.entities[1].str("refund_id") == "возврат-1");

    r.key = std::string("r\xc3");
    CHECK_THAT(run(conv, r).error,
               Equals("refund: the record key (the refund id) is not valid UTF-8 of at most 128 bytes"));
    r.key = std::string(129, 'k');
    CHECK_THAT(run(conv, r).error,
               Equals("refund: the record key (the refund id) is not valid UTF-8 of at most 128 bytes"));
    r.key = std::string(128, 'k');
    CHECK(run(conv, r).rec.entities[0].str("id") == std::string(128, 'k'));
}

TEST_CASE("converter: a refund without a key is keyed by its position and still refunds its tickets",
          "[converter][refund]") {
    vibe::RecordConverter conv(topics());
    for (std::optional<std::string> key : {std::optional<std::string>(), std::optional<std::string>("")}) {
        Record r = json_record("tl.refunds", fixture("refund_a.json"), std::string("bank-shop"));
        r.key = key;
        r.partition = 3;
        r.offset = 1234;
        Converted c = run(conv, r);
        INFO(c.error);
        REQUIRE(c.error.empty());
        REQUIRE(c.rec.types() ==
                Names{"refund", "refund_ticket", "refund_ticket", "ticket_status", "ticket_status"});
        check_row(c.rec.entities[0], "refund",
                  {{"system", S("ticketland")},
                   {"id", S("kafka:tl.refunds:3:1234")},
                   {"order_id", Null()},
                   {"event_id", Null()},
                   {"channel", S("bank-shop")},
                   {"status", Null()},
                   {"customer_email", S("anna.petrova@example.com")},
                   {"customer_phone", S("+79001234567")},
                   {"customer_name", S("Анна Петрова")},
                   {"customer_first_name", Null()},
                   {"customer_last_name", Null()},
                   {"created_at", Null()},
                   {"finished_at", Null()}});
        CHECK(c.rec.entities[1].str("refund_id") == "kafka:tl.refunds:3:1234");
        CHECK(c.rec.entities[2].str("refund_id") == "kafka:tl.refunds:3:1234");
        check_row(c.rec.entities[3], "ticket_status",
                  {{"system", S("ticketland")}, {"id", S("t-1")}, {"status", S("refunded")}});
        check_row(c.rec.entities[4], "ticket_status",
                  {{"system", S("ticketland")}, {"id", S("t-2")}, {"status", S("refunded")}});
        // new_channel only the first time.
        CHECK(c.rec.tolerated.back() == "missing_key refund.key");
    }
    // Protobuf the same.
    vibe::v1::Refund pb;
    pb.add_ticket_ids("t-9");
    Record r = protobuf_record("tl.refunds.pb", protobuf_wire::bytes_of(pb));
    r.key = std::nullopt;
    r.partition = 0;
    r.offset = 7;
    Converted c = run(conv, r);
    INFO(c.error);
    REQUIRE(c.rec.types() == Names{"refund", "refund_ticket", "ticket_status"});
    CHECK(c.rec.entities[0].str("id") == "kafka:tl.refunds.pb:0:7");
    CHECK(c.rec.entities[2].str("id") == "t-9");
    CHECK(c.rec.tolerated == Names{"missing_key refund.key"});
}

TEST_CASE("refund_id_from_position: deterministic, fits the id column", "[converter][refund]") {
    using vibe::RecordConverter;
    CHECK(RecordConverter::refund_id_from_position("tl.refunds", 0, 0) == "kafka:tl.refunds:0:0");
    CHECK(RecordConverter::refund_id_from_position("tl.refunds", 2147483647, 9223372036854775807LL) ==
          "kafka:tl.refunds:2147483647:9223372036854775807");
    // Up to 128 bytes in full; a longer one names its topic by a hash.
    const std::string where = ":1:2";
    const std::string fits(128 - 6 - where.size(), 't');  // "kafka:" + topic + where == 128
    CHECK(RecordConverter::refund_id_from_position(fits, 1, 2) == "kafka:" + fits + where);
    const std::string too_long = fits + "u";
    const std::string hashed = RecordConverter::refund_id_from_position(too_long, 1, 2);
    CHECK_THAT(hashed, Matches("kafka:#[0-9a-f]{16}:1:2"));
    CHECK(hashed == RecordConverter::refund_id_from_position(too_long, 1, 2));  // stable
    CHECK(hashed != RecordConverter::refund_id_from_position(too_long + "v", 1, 2));
    const std::string huge(5000, 'x');
    const std::string big = RecordConverter::refund_id_from_position(huge, 2147483647, 9223372036854775807LL);
    CHECK(big.size() <= 128);
    CHECK_THAT(big, Matches("kafka:#[0-9a-f]{16}:2147483647:9223372036854775807"));
    // FNV-1a 64 of the topic name: the same value in every build and run.
    CHECK(RecordConverter::refund_id_from_position(std::string(200, 'a'), 0, 1) ==
          RecordConverter::refund_id_from_position(std::string(200, 'a'), 0, 1));
}

// ---------------------------------------------------------------- reporting anomalies

TEST_CASE("converter: anomalies reach the host before the record's first entity, in order", "[converter][tolerated]") {
    vibe::RecordConverter conv(topics());
    Converted c = run(conv, json_record("tl.orders", fixture("order_tolerant.json"), std::string("bank-shop")));
    INFO(c.error);
    REQUIRE(c.error.empty());
    CHECK(c.rec.types() == Names{"order", "order_ticket", "order_ticket", "order_ticket"});
    CHECK(c.rec.tolerated == Names{"new_channel application-id", "wrong_type order.customer.phone",
                                   "unknown_value order.tickets[0].currency",
                                   "out_of_range order.tickets[2].price_nominal",
                                   "wrong_type order.tickets[2].currency"});
    CHECK(c.rec.tolerated_after == std::vector<size_t>(5, 0));

    // decode() gives the same anomalies without reporting them.
    vibe::RecordConverter conv2(topics());
    Decoded d = decode(conv2, json_record("tl.orders", fixture("order_tolerant.json"), std::string("bank-shop")));
    CHECK(d.anomalies == c.rec.tolerated);
    CHECK(d.entities.size() == 4);
}

TEST_CASE("converter: a refused record still reports what it tolerated, and emits nothing", "[converter][tolerated]") {
    vibe::RecordConverter conv(topics());
    // Ticket 0 has an unknown currency (tolerated); ticket 1 has no id (refused).
    const std::string order = R"({"id":"o","event_id":"e","tickets":[{"id":"t1","currency":"KZT"},{"barcode":"x"}]})";
    Converted c = run(conv, json_record("tl.orders", order, std::string("live")));
    CHECK_THAT(c.error, Equals("order.tickets[1].id: missing"));
    CHECK(c.rec.entities.empty());
    CHECK(c.rec.tolerated == Names{"new_channel application-id", "unknown_value order.tickets[0].currency"});

    // A host that refuses an entity: the anomalies were already reported.
    Record r = json_record("tl.orders", fixture("order_tolerant.json"));
    vibe_test::EntityRecorder rec;
    rec.refuse_at = 1;
    vsink_emitter out = rec.emitter();
    try {
        conv.convert(r.get(), out);
        FAIL("no error");
    } catch (const vibe::RecordError &e) {
        CHECK_THAT(e.what(), Equals("the host refused entity 'order_ticket' (#2 of 4)"));
    }
    CHECK(rec.entities.size() == 1);
    CHECK(rec.tolerated.size() == 4);

    // A host without tolerated() (the callback is optional): nothing breaks.
    vibe_test::EntityRecorder quiet;
    vsink_emitter no_cb = quiet.emitter_without_tolerated();
    Record again = json_record("tl.orders", fixture("order_tolerant.json"));
    CHECK_NOTHROW(conv.convert(again.get(), no_cb));
    CHECK(quiet.entities.size() == 4);
    CHECK(quiet.tolerated.empty());
}

// ---------------------------------------------------------------- Ticketscloud

TEST_CASE("converter: Ticketscloud event categories through the topic's dictionary", "[converter][ticketscloud]") {
    vibe::RecordConverter conv(topics());
    ticketscloud::Event e;
    e.set_id("ev-1");
    e.set_status(ticketscloud::Event::PUBLIC);
    e.set_org("p1");
    e.set_category("c-1");
    Converted known = run(conv, protobuf_record("tc.events", protobuf_wire::bytes_of(e)));
    INFO(known.error);
    REQUIRE(known.rec.types() == Names{"event"});
    CHECK(known.rec.entities[0].str("category") == "concert");
    CHECK(known.rec.entities[0].str("category_raw") == "c-1");
    CHECK(known.rec.tolerated.empty());

    e.set_category("c-2");
    Converted unknown = run(conv, protobuf_record("tc.events", protobuf_wire::bytes_of(e)));
    REQUIRE(unknown.rec.types() == Names{"event"});
    CHECK(unknown.rec.entities[0].str("category") == "other");
    CHECK(unknown.rec.entities[0].str("category_raw") == "c-2");
    CHECK(unknown.rec.tolerated == Names{"unknown_category event.category"});
}

TEST_CASE("converter: Ticketscloud partner fields land on the organizer row", "[converter][ticketscloud]") {
    vibe::RecordConverter conv(topics());
    ticketscloud::Partner p;
    p.set_id("p1");
    p.set_name("Bank Tickets");
    p.set_role("distributor");
    p.set_status(ticketscloud::Partner::INACTIVE);
    p.set_hidden(true);
    p.set_currency("RUB");
    p.mutable_updated_at()->set_seconds(1740000000);
    Converted c = run(conv, protobuf_record("tc.partners", protobuf_wire::bytes_of(p)));
    INFO(c.error);
    REQUIRE(c.rec.types() == Names{"organizer"});
    check_row(c.rec.entities[0], "organizer",
              {{"system", S("ticketscloud")},
               {"id", S("p1")},
               {"name", S("Bank Tickets")},
               {"legal_name", Null()},
               {"legal_type", Null()},
               {"legal_inn", Null()},
               {"legal_ogrn", Null()},
               {"legal_address", Null()},
               {"status", S("inactive")},
               {"hidden", vibe_test::B(true)},
               {"role", S("distributor")},
               {"currency", S("RUB")},
               {"updated_at", T(1740000000000)}});
    CHECK(c.rec.tolerated.empty());
}

TEST_CASE("converter: Ticketscloud unknown statuses are tolerated, and move no ticket", "[converter][ticketscloud]") {
    vibe::RecordConverter conv(topics());
    ticketscloud::Order o;
    o.set_id("o1");
    o.set_status(static_cast<ticketscloud::Order::Status>(9));
    o.set_event("ev-1");
    o.add_tickets()->set_id("tk-1");
    Converted order = run(conv, protobuf_record("tc.orders", protobuf_wire::bytes_of(o)));
    INFO(order.error);
    REQUIRE(order.rec.types() == Names{"order"});  // the order row only
    CHECK(order.rec.entities[0].is_null("status"));
    CHECK(order.rec.tolerated == Names{"unknown_value order.status"});

    ticketscloud::RefundRequest r;
    r.set_id("rr-1");
    r.add_tickets()->set_id("tk-1");
    for (auto [status, entities, tolerated] : std::vector<std::tuple<int, Names, Names>>{
             {ticketscloud::RefundRequest::APPROVED, {"refund", "refund_ticket", "ticket_status"}, {}},
             {ticketscloud::RefundRequest::NEW, {"refund", "refund_ticket"}, {}},
             {ticketscloud::RefundRequest::REJECTED, {"refund", "refund_ticket"}, {}},
             {7, {"refund", "refund_ticket"}, {"unknown_value refund_request.status"}}}) {
        INFO("refund request status " << status);
        r.set_status(static_cast<ticketscloud::RefundRequest::Status>(status));
        Converted c = run(conv, protobuf_record("tc.refunds", protobuf_wire::bytes_of(r)));
        CHECK(c.rec.types() == entities);
        CHECK(c.rec.tolerated == tolerated);
    }

    ticketscloud::Partner p;
    p.set_id("p1");
    p.set_status(static_cast<ticketscloud::Partner::Status>(5));
    Converted partner = run(conv, protobuf_record("tc.partners", protobuf_wire::bytes_of(p)));
    REQUIRE(partner.rec.types() == Names{"organizer"});
    CHECK(partner.rec.entities[0].is_null("status"));
    CHECK(partner.rec.tolerated == Names{"unknown_value partner.status"});
}

TEST_CASE("converter: configuring a topic twice is an error", "[converter]") {
    auto ts = topics();
    ts.push_back(topic("tl.orders", "message: event\nsystem: ticketland\n"));
    CHECK_THROWS_WITH(vibe::RecordConverter(ts), "topic 'tl.orders' is configured twice");
}
