// The decoders and the entity builder reuse memory from record to record
// (issue 9: a per-thread RapidJSON arena and in-place parse, a per-thread
// protobuf arena, a stock of builder buffers). These tests check that nothing
// of one record survives into the next, that inputs larger than the reused
// buffers decode in full, and that a reused builder emits only its own fields.
#include <catch2/catch.hpp>

#include <string>

#include <ticketscloud/order.pb.h>
#include <vibe/v1/order.pb.h>

#include "json_decoder.hpp"
#include "plugin_test_support.hpp"
#include "protobuf_decoder.hpp"
#include "ticketscloud_decoder.hpp"

using vibe_test::EntityRecorder;
using vibe_test::Names;
using vibe_test::noted;

namespace {

std::string vibe_order(bool full) {
    vibe::v1::Order o;
    o.set_id(full ? "ord-full" : "ord-bare");
    o.set_event_id("ev-1");
    if (full) {
        o.set_organizer_id("org-1");
        o.mutable_customer()->set_email("someone.with.a.long.address@example.com");
        o.mutable_customer()->set_name("A name longer than sixteen bytes");
    }
    for (int k = 0; k < (full ? 3 : 1); ++k) {
        auto *t = o.add_tickets();
        t->set_id("t-" + std::to_string(k));
        if (full) {
            t->set_barcode("barcode-longer-than-sixteen-" + std::to_string(k));
            t->set_price_nominal(1000 + k);
            t->set_currency(vibe::v1::EUR);
        }
    }
    return o.SerializeAsString();
}

std::string tc_order(bool full) {
    ticketscloud::Order o;
    o.set_id(full ? "tc-full" : "tc-bare");
    o.set_status(ticketscloud::Order::DONE);
    o.set_event("ev-1");
    if (full) {
        o.set_org("org-1");
        o.mutable_created_at()->set_seconds(1767225600);
        auto *c = o.mutable_settings()->mutable_customer();
        c->set_email("someone.with.a.long.address@example.com");
        c->set_name("A name longer than sixteen bytes");
    }
    for (int k = 0; k < (full ? 3 : 1); ++k) {
        auto *t = o.add_tickets();
        t->set_id("tk-" + std::to_string(k));
        if (full) {
            t->mutable_seat()->set_row("row " + std::to_string(k));
            t->mutable_seat()->set_number("seat " + std::to_string(k));
            t->set_barcode("barcode-longer-than-sixteen-" + std::to_string(k));
        }
    }
    return o.SerializeAsString();
}

}  // namespace

TEST_CASE("vibe.v1: a record decoded after a fuller one keeps nothing of it", "[reuse][protobuf]") {
    const std::string full = vibe_order(true), bare = vibe_order(false);
    for (int round = 0; round < 3; ++round) {
        vibe::Anomalies a;
        const vibe::Order f = vibe::pb::decode_order(full, a);
        REQUIRE(f.tickets.size() == 3);
        CHECK(f.customer.email == std::optional<std::string>("someone.with.a.long.address@example.com"));
        CHECK(f.tickets[2].barcode == std::optional<std::string>("barcode-longer-than-sixteen-2"));
        CHECK(f.tickets[2].price_nominal == std::optional<int64_t>(1002));

        const vibe::Order b = vibe::pb::decode_order(bare, a);
        CHECK(b.id == "ord-bare");
        REQUIRE(b.tickets.size() == 1);
        CHECK(b.tickets[0].id == "t-0");
        CHECK_FALSE(b.organizer_id);
        CHECK_FALSE(b.customer.email);
        CHECK_FALSE(b.customer.name);
        CHECK_FALSE(b.tickets[0].barcode);
        CHECK_FALSE(b.tickets[0].price_nominal);
        CHECK_FALSE(b.tickets[0].currency);
        CHECK(noted(a).empty());
    }
}

TEST_CASE("Ticketscloud: a record decoded after a fuller one keeps nothing of it", "[reuse][protobuf]") {
    const std::string full = tc_order(true), bare = tc_order(false);
    for (int round = 0; round < 3; ++round) {
        vibe::Anomalies a;
        const vibe::Order f = vibe::tc::decode_order(full, a);
        REQUIRE(f.tickets.size() == 3);
        CHECK(f.customer.name == std::optional<std::string>("A name longer than sixteen bytes"));
        CHECK(f.tickets[1].row == std::optional<std::string>("row 1"));
        CHECK(f.created_at_ms == std::optional<int64_t>(1767225600000));

        const vibe::Order b = vibe::tc::decode_order(bare, a);
        CHECK(b.id == "tc-bare");
        REQUIRE(b.tickets.size() == 1);
        CHECK_FALSE(b.organizer_id);
        CHECK_FALSE(b.customer.email);
        CHECK_FALSE(b.customer.name);
        CHECK_FALSE(b.created_at_ms);
        CHECK_FALSE(b.tickets[0].row);
        CHECK_FALSE(b.tickets[0].seat);
        CHECK_FALSE(b.tickets[0].barcode);
    }
}

TEST_CASE("JSON: a record decoded after a fuller one keeps nothing of it", "[reuse][json]") {
    const std::string full = R"({"id":"o-full","event_id":"ev-1","customer":{"email":"someone.with.a.long.address@example.com",)"
                             R"("name":"A name longer than sixteen bytes"},"tickets":[{"id":"t-1","barcode":"b1","price_nominal":5},)"
                             R"({"id":"t-2","barcode":"b2"}]})";
    const std::string bare = R"({"id":"o-bare","event_id":"ev-2","tickets":[{"id":"t-9"}]})";
    for (int round = 0; round < 3; ++round) {
        vibe::Anomalies a;
        const vibe::Order f = vibe::json::decode_order(full, a);
        REQUIRE(f.tickets.size() == 2);
        CHECK(f.customer.email == std::optional<std::string>("someone.with.a.long.address@example.com"));
        CHECK(f.tickets[0].price_nominal == std::optional<int64_t>(5));
        const vibe::Order b = vibe::json::decode_order(bare, a);
        CHECK(b.id == "o-bare");
        CHECK(b.event_id == std::optional<std::string>("ev-2"));
        REQUIRE(b.tickets.size() == 1);
        CHECK(b.tickets[0].id == "t-9");
        CHECK_FALSE(b.customer.email);
        CHECK_FALSE(b.customer.name);
        CHECK_FALSE(b.tickets[0].barcode);
        CHECK_FALSE(b.tickets[0].price_nominal);
        CHECK(noted(a).empty());
    }
}

TEST_CASE("JSON larger than the reused parse buffers decodes in full, and so does the next record",
          "[reuse][json]") {
    // 3000 tickets: a DOM far over the 64 KiB arena; then a 2 MiB string,
    // over what the thread keeps of its copy of the text.
    std::string many = R"({"id":"o-many","event_id":"ev-1","tickets":[)";
    for (int i = 0; i < 3000; ++i)
        many += (i ? "," : "") + std::string(R"({"id":"t-)") + std::to_string(i) + R"(","seat":")" + std::to_string(i) + "\"}";
    many += "]}";
    const std::string long_text(2 * 1024 * 1024, 'x');
    const std::string huge = R"({"id":"t-huge","event_id":"ev-1","description":")" + long_text + "\"}";
    const std::string small = R"({"id":"t-small","event_id":"ev-1","seat":"7"})";

    vibe::Anomalies a;
    const vibe::Order m = vibe::json::decode_order(many, a);
    REQUIRE(m.tickets.size() == 3000);
    CHECK(m.tickets[0].id == "t-0");
    CHECK(m.tickets[2999].id == "t-2999");
    CHECK(m.tickets[2999].seat == std::optional<std::string>("2999"));

    const vibe::Ticket h = vibe::json::decode_ticket(huge, a);
    CHECK(h.id == "t-huge");
    REQUIRE(h.description);
    CHECK(h.description->size() == long_text.size());
    CHECK(*h.description == long_text);

    const vibe::Ticket s = vibe::json::decode_ticket(small, a);
    CHECK(s.id == "t-small");
    CHECK(s.seat == std::optional<std::string>("7"));
    CHECK_FALSE(s.description);
}

TEST_CASE("JSON: invalid UTF-8 and syntax errors are reported as by the validating parse", "[reuse][json]") {
    // Valid UTF-8 with a syntax error (the fast path refuses it, the
    // validating parse names it), and invalid UTF-8 before a syntax error:
    // the first problem in the text is the one reported.
    auto error = [](const std::string &json) {
        vibe::Anomalies a;
        try {
            vibe::json::decode_order(json, a);
        } catch (const vibe::DecodeError &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error(R"({"id":"o1",})") == "order: invalid JSON at byte 11: Missing a name for object member.");
    CHECK(error("{\"id\":\"o\xff\",}") == "order: invalid JSON at byte 8: Invalid encoding in string.");
    CHECK(error("{\"id\":\"o1\",} \xff") == "order: invalid JSON at byte 11: Missing a name for object member.");
    CHECK(error("{\"id\":\"o1\"} \xff") == "order: invalid JSON at byte 12: The document root must not be followed by other values.");
}

TEST_CASE("entity builder: a builder on reused buffers emits only its own fields", "[reuse][builder]") {
    for (int round = 0; round < 3; ++round) {
        {
            vsink::EntityBuilder big("big_entity");
            const std::string value(40, 'v');
            for (int i = 0; i < 100; ++i) big.str("field_" + std::to_string(i), std::string_view(value));
            EntityRecorder rec;
            REQUIRE(big.emit(rec.emitter()));
            REQUIRE(rec.entities.size() == 1);
            CHECK(rec.entities[0].field_order.size() == 100);
        }
        vsink::EntityBuilder a("a");
        vsink::EntityBuilder b("b");
        a.str("s", std::string_view("alpha")).null("n").i64("i", 7).str("e", std::string_view(""));
        b.boolean("flag", true).timestamp_ms("at", int64_t{1767225600000});
        EntityRecorder rec;
        REQUIRE(a.emit(rec.emitter()));
        REQUIRE(b.emit(rec.emitter()));
        REQUIRE(rec.entities.size() == 2);
        const auto &ea = rec.entities[0];
        CHECK(ea.type == "a");
        CHECK(ea.field_order == Names{"s", "n", "i", "e"});
        CHECK(ea.str("s") == "alpha");
        CHECK(ea.is_null("n"));
        CHECK(ea.i64("i") == 7);
        CHECK(ea.str("e").empty());
        const auto &eb = rec.entities[1];
        CHECK(eb.type == "b");
        CHECK(eb.field_order == Names{"flag", "at"});
        CHECK(eb.boolean("flag"));
        CHECK(eb.timestamp_ms("at") == 1767225600000);
    }
}

TEST_CASE("entity builder: an empty string is a string with a non-null pointer, not NULL", "[reuse][builder]") {
    vsink::EntityBuilder e("e");
    e.str("empty", std::string_view(""));
    struct Seen {
        int32_t kind = -1;
        bool non_null = false;
        size_t len = 99;
    } seen;
    vsink_emitter out{&seen,
                      [](void *ctx, const vsink_entity *ent) {
                          auto *s = static_cast<Seen *>(ctx);
                          s->kind = ent->fields[0].value.kind;
                          s->non_null = ent->fields[0].value.str.ptr != nullptr;
                          s->len = ent->fields[0].value.str.len;
                          return 0;
                      },
                      nullptr};
    REQUIRE(e.emit(out));
    CHECK(seen.kind == VSINK_STRING);
    CHECK(seen.non_null);
    CHECK(seen.len == 0);
}
