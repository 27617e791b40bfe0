#include <catch2/catch.hpp>

#include <vsink/plugin.hpp>

#include "mapping/mapping.hpp"
#include "temp_file.hpp"
#include "worker/entity_collector.hpp"

using namespace vsink;

namespace {
Mapping sample() {
    static TempFile f("m.yaml", R"(tables:
  t:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL}
    key: [system, id]
entities:
  e: {table: t, columns: [system, id]}
)");
    return Mapping::load({f.str()});
}
}  // namespace

TEST_CASE("collector: tolerated anomalies are counted per topic and kind", "[collector]") {
    const Mapping m = sample();
    EntityCollector c(m);
    const vsink_emitter &out = c.emitter();
    REQUIRE(out.tolerated);
    c.begin_record({"tl.events", 0, 10});
    tolerated(out, "unknown_category", "event.category");
    tolerated(out, "out_of_range", "event.venue.lat");
    c.begin_record({"tl.events", 1, 11});
    tolerated(out, "unknown_category", "event.category");
    c.begin_record({"tl.orders", 0, 5});
    tolerated(out, "new_channel", "headers.application-id");
    // A kind with control characters cannot forge a log line or a key.
    tolerated(out, std::string_view("bad\nkind", 8), "");
    const ToleratedCounts counts = c.take_tolerated();
    CHECK(counts == ToleratedCounts{{{"tl.events", "out_of_range"}, 1},
                                    {{"tl.events", "unknown_category"}, 2},
                                    {{"tl.orders", "bad?kind"}, 1},
                                    {{"tl.orders", "new_channel"}, 1}});
    CHECK(c.take_tolerated().empty());  // taken
    CHECK(format_tolerated(counts) ==
          "tl.events out_of_range=1 unknown_category=2; tl.orders bad?kind=1 new_channel=1");
    CHECK(format_tolerated({}).empty());
}

TEST_CASE("collector: counts made for a record stay when the record is then refused", "[collector]") {
    const Mapping m = sample();
    EntityCollector c(m);
    c.begin_record({"tl.orders", 0, 1});
    tolerated(c.emitter(), "channel_refused", "headers.application-id");
    // The plugin then refuses the record; the host drops its rows, not its counts.
    c.begin_record({"tl.orders", 0, 2});
    CHECK(c.take_tolerated() == ToleratedCounts{{{"tl.orders", "channel_refused"}, 1}});
}

TEST_CASE("collector: entities still become rows next to tolerated reports", "[collector]") {
    const Mapping m = sample();
    EntityCollector c(m);
    c.begin_record({"tl.orders", 0, 1});
    EntityBuilder b("e");
    b.str("system", std::string_view("ticketland")).str("id", std::string_view("x1"));
    tolerated(c.emitter(), "wrong_type", "order.number");
    REQUIRE(b.emit(c.emitter()));
    const auto rows = c.take_rows();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].values[0].s == "ticketland");
    CHECK(rows[0].values[1].s == "x1");
    CHECK(rows[0].origin.offset == 1);
}

TEST_CASE("collector: an id holding U+001F, the key separator, is a record error, not a stalled batch (C6)",
          "[collector]") {
    const Mapping m = sample();
    EntityCollector c(m);
    c.begin_record({"tl.orders", 0, 7});
    vsink::EntityBuilder good("e");
    good.str("system", std::string_view("tl")).str("id", std::string_view("ok-1"));
    CHECK(good.emit(c.emitter()));
    CHECK(c.record_error().empty());
    vsink::EntityBuilder bad("e");
    bad.str("system", std::string_view("tl")).str("id", std::string_view("a\x1f" "b"));
    CHECK_FALSE(bad.emit(c.emitter()));
    CHECK(c.record_error() == "entity 'e': the id in column 'id' holds the control character U+001F, which no id may hold");
    CHECK(c.take_rows().size() == 1);  // only the good one
}

TEST_CASE("collector: fields go to their columns by name, in any order, one field to several columns", "[collector]") {
    static TempFile f("m2.yaml", R"(tables:
  t:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, n: BIGINT, copy_of_id: VARCHAR(8), note: TEXT}
    key: [system, id]
entities:
  e: {table: t, columns: [system, id, n, {copy_of_id: id}, note]}
)");
    const Mapping m = Mapping::load({f.str()});
    EntityCollector c(m);
    for (int round = 0; round < 2; ++round) {  // the second row goes through the per-entity index built by the first
        c.begin_record({"tl.t", 0, 3 + round});
        EntityBuilder b("e");
        b.str("note", std::string_view(""))
            .i64("n", -7 - round)
            .str("unknown_field", std::string_view("ignored"))
            .str("id", std::string_view(round ? "id-two" : "id-one"))
            .str("system", std::string_view("tl"))
            .null("note");  // a later NULL wins over the earlier empty string
        REQUIRE(b.emit(c.emitter()));
        const auto rows = c.take_rows();
        REQUIRE(rows.size() == 1);
        const EntityRow &r = rows[0];
        REQUIRE(r.values.size() == 5);
        CHECK(r.values[0].s == "tl");
        CHECK(r.values[1].s == (round ? "id-two" : "id-one"));
        CHECK(r.values[2].kind == Value::Kind::Int);
        CHECK(r.values[2].i == -7 - round);
        CHECK(r.values[3].kind == Value::Kind::String);
        CHECK(r.values[3].s == r.values[1].s);
        CHECK(r.values[4].is_null());
        CHECK(r.origin.topic == "tl.t");
        CHECK(r.origin.offset == 3 + round);
    }
    // An empty string stays a string, not a NULL.
    c.begin_record({"tl.t", 0, 9});
    EntityBuilder e("e");
    e.str("system", std::string_view("tl")).str("id", std::string_view("x")).str("note", std::string_view(""));
    REQUIRE(e.emit(c.emitter()));
    const auto rows = c.take_rows();
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].values[4].kind == Value::Kind::String);
    CHECK(rows[0].values[4].s.empty());
    CHECK(rows[0].values[2].is_null());  // never emitted
    // An unknown entity type is still a broken setup.
    EntityBuilder u("nope");
    u.str("id", std::string_view("x"));
    CHECK_FALSE(u.emit(c.emitter()));
    CHECK(c.unknown_entity_error() == "the plugin emitted entity 'nope', which no mapping file defines");
}

TEST_CASE("collector: a missing key value names the entity and the column", "[collector]") {
    const Mapping m = sample();
    EntityCollector c(m);
    c.begin_record({"tl.orders", 0, 1});
    EntityBuilder b("e");
    b.str("system", std::string_view("tl")).null("id");
    CHECK_FALSE(b.emit(c.emitter()));
    CHECK(c.record_error() == "entity 'e' has no value for key column 'id'");
}

TEST_CASE("collector: an entity whose fields come in another order or under other names than last time goes to the right columns",
          "[collector]") {
    static TempFile f("m3.yaml", R"(tables:
  t:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, a: BIGINT, b: VARCHAR(8)}
    key: [system, id]
entities:
  e: {table: t, columns: [system, id, a, b]}
)");
    const Mapping m = Mapping::load({f.str()});
    EntityCollector c(m);
    struct Want {
        int64_t a;
        std::string b;
    };
    auto check = [&](const std::vector<EntityRow> &rows, const std::string &id, const Want &w) {
        REQUIRE(rows.size() == 1);
        const EntityRow &r = rows[0];
        REQUIRE(r.values.size() == 4);
        CHECK(r.values[0].s == "tl");
        CHECK(r.values[1].s == id);
        CHECK(r.values[2].kind == Value::Kind::Int);
        CHECK(r.values[2].i == w.a);
        CHECK(r.values[3].kind == Value::Kind::String);
        CHECK(r.values[3].s == w.b);
    };
    // 1: the usual order, remembered per position.
    c.begin_record({"tl.t", 0, 1});
    EntityBuilder one("e");
    one.str("system", std::string_view("tl")).str("id", std::string_view("r1")).i64("a", 1).str("b", std::string_view("x1"));
    REQUIRE(one.emit(c.emitter()));
    check(c.take_rows(), "r1", {1, "x1"});
    // 2: the same names at other positions, an unknown field where `a` was, more fields than before.
    c.begin_record({"tl.t", 0, 2});
    EntityBuilder two("e");
    two.str("b", std::string_view("x2"))
        .str("system", std::string_view("tl"))
        .str("other", std::string_view("ignored"))
        .str("id", std::string_view("r2"))
        .i64("a", 2)
        .i64("a", 22);  // given twice: the last wins
    REQUIRE(two.emit(c.emitter()));
    check(c.take_rows(), "r2", {22, "x2"});
    // 3: fewer fields, back in the first order.
    c.begin_record({"tl.t", 0, 3});
    EntityBuilder three("e");
    three.str("system", std::string_view("tl")).str("id", std::string_view("r3")).i64("a", 3).str("b", std::string_view("x3"));
    REQUIRE(three.emit(c.emitter()));
    check(c.take_rows(), "r3", {3, "x3"});
    // A refused entity leaves no row behind, the accepted one before it stays.
    c.begin_record({"tl.t", 0, 4});
    EntityBuilder good("e"), bad("e");
    good.str("system", std::string_view("tl")).str("id", std::string_view("r4")).i64("a", 4).str("b", std::string_view("x4"));
    bad.str("system", std::string_view("tl")).null("id").i64("a", 5).str("b", std::string_view("x5"));
    REQUIRE(good.emit(c.emitter()));
    CHECK_FALSE(bad.emit(c.emitter()));
    check(c.take_rows(), "r4", {4, "x4"});
}
