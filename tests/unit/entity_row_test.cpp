#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "mapping/mapping.hpp"
#include "persistence/entity_row.hpp"
#include "persistence/entity_writer.hpp"
#include "persistence/parking_lot.hpp"
#include "temp_file.hpp"

using namespace vsink;

TEST_CASE("entity row: UTC datetime text, seconds and milliseconds", "[row]") {
    CHECK(format_utc_datetime(1740997200000) == "2025-03-03 10:20:00.000");
    CHECK(format_utc_datetime(1740997200123) == "2025-03-03 10:20:00.123");
    CHECK(format_utc_datetime(0) == "1970-01-01 00:00:00.000");
    CHECK(format_utc_datetime(-1) == "1969-12-31 23:59:59.999");
}

TEST_CASE("entity row: a parked row survives encoding, by column name", "[row]") {
    TempFile f("m.yaml", R"(tables:
  t:
    columns: {source: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, n: BIGINT, d: DOUBLE, ts: DATETIME(3), b: BOOLEAN, s: TEXT}
    key: [source, id]
entities:
  e: {table: t, columns: [source, id, n, d, ts, b, s]}
  narrower: {table: t, columns: [source, id, s]}
)");
    const Mapping m = Mapping::load({f.str()});
    EntityRow row;
    row.def = m.entity("e");
    row.values = {Value::str("tl"), Value::str("x\x01y"), Value::integer(-42), {}, {}, {}, Value::null()};
    row.values[3].kind = Value::Kind::Double;
    row.values[3].d = 55.75;
    row.values[4].kind = Value::Kind::TimestampMs;
    row.values[4].i = 1740997200123;
    row.values[5].kind = Value::Kind::Bool;
    row.values[5].i = 1;
    const std::string payload = encode_row(row);
    const EntityRow back = decode_row(*row.def, payload, {"topic", 2, 7});
    REQUIRE(back.values.size() == 7);
    CHECK(back.values[1].s == "x\x01y");
    CHECK(back.values[2].i == -42);
    CHECK(back.values[3].d == 55.75);
    CHECK(back.values[4].kind == Value::Kind::TimestampMs);
    CHECK(back.values[4].i == 1740997200123);
    CHECK(back.values[5].i == 1);
    CHECK(back.values[6].is_null());
    CHECK(back.origin.offset == 7);
    // A mapping that writes fewer columns reads what it knows.
    const EntityRow narrow = decode_row(*m.entity("narrower"), payload, {});
    CHECK(narrow.values[1].s == "x\x01y");
    CHECK(narrow.values[2].is_null());
    CHECK(back.key_text() == join_key({"tl", "x\x01y"}));
    CHECK_THROWS_WITH(decode_row(*row.def, payload.substr(0, payload.size() - 3), {}), Catch::Contains("truncated"));
}

TEST_CASE("entity row: a row parked under a column's old name reads as the renamed column", "[row]") {
    // The previous version keyed rows by `source`; this mapping renamed it.
    TempFile old_f("old.yaml", R"(tables:
  t:
    columns: {source: VARCHAR(16) NOT NULL, id: VARCHAR(8) NOT NULL, s: TEXT}
    key: [source, id]
entities:
  e: {table: t, columns: [source, id, s]}
)");
    TempFile new_f("new.yaml", R"(tables:
  t:
    columns: {system: VARCHAR(16) NOT NULL, id: VARCHAR(8) NOT NULL, s: TEXT, extra: TEXT}
    key: [system, id]
    renamed: {system: source}
entities:
  e: {table: t, columns: [system, id, s, extra]}
)");
    const Mapping before = Mapping::load({old_f.str()});
    const Mapping after = Mapping::load({new_f.str()});
    EntityRow row;
    row.def = before.entity("e");
    row.values = {Value::str("ticketland"), Value::str("ord-1"), Value::str("text")};
    const EntityRow back = decode_row(*after.entity("e"), encode_row(row), {"topic", 0, 3});
    REQUIRE(back.values.size() == 4);
    CHECK(back.values[0].s == "ticketland");
    CHECK(back.values[1].s == "ord-1");
    CHECK(back.values[2].s == "text");
    CHECK(back.values[3].is_null());
    CHECK(back.key_text() == join_key({"ticketland", "ord-1"}));
}

TEST_CASE("entity writer: a lookup fills only a column the entity left NULL", "[row]") {
    TempFile f("m.yaml", R"(tables:
  sets:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, name: VARCHAR(64)}
    key: [system, id]
  seats:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, set_id: VARCHAR(8), category: VARCHAR(64)}
    key: [system, id]
entities:
  seat:
    table: seats
    columns: [system, id, set_id, category]
    lookups:
      category: {table: sets, column: name, on: {system: system, id: set_id}}
)");
    const Mapping m = Mapping::load({f.str()});
    const Lookup &lk = m.entity("seat")->lookups.at(0);
    EntityRow row;
    row.def = m.entity("seat");
    row.values = {Value::str("tc"), Value::str("seat-1"), Value::str("set-9"), Value::null()};
    CHECK(lookup_key(row, lk) == std::vector<std::string>{"tc", "set-9"});
    row.values[3] = Value::str("Parterre");  // the record's own category wins: no lookup
    CHECK_FALSE(lookup_key(row, lk));
    row.values[3] = Value::null();
    row.values[2] = Value::null();  // no set to look in
    CHECK_FALSE(lookup_key(row, lk));
}

TEST_CASE("entity row: key texts, with and without a caller's buffer", "[row]") {
    TempFile f("k.yaml", R"(tables:
  p:
    columns: {a: BIGINT NOT NULL, b: VARCHAR(8) NOT NULL}
    key: [a, b]
  t:
    columns: {id: BIGINT NOT NULL, pa: BIGINT, pb: VARCHAR(8), d: DOUBLE, ts: DATETIME(3), flag: BOOLEAN}
    key: [id]
entities:
  pe: {table: p, columns: [a, b]}
  e:
    table: t
    columns: [id, pa, pb, d, ts, flag]
    parents:
      - {table: p, on: {a: pa, b: pb}}
)");
    const Mapping m = Mapping::load({f.str()});
    const EntityDef &def = *m.entity("e");
    REQUIRE(def.parents.size() == 1);
    const ParentRef &p = def.parents[0];
    for (int64_t v : {int64_t{0}, int64_t{7}, int64_t{-42}, INT64_MAX, INT64_MIN}) {
        Value x = Value::integer(v);
        CHECK(x.key_text() == std::to_string(v));
        x.kind = Value::Kind::TimestampMs;
        CHECK(x.key_text() == std::to_string(v));
    }
    Value d;
    d.kind = Value::Kind::Double;
    d.d = 0.1;
    CHECK(d.key_text() == "0.10000000000000001");
    Value b;
    b.kind = Value::Kind::Bool;
    b.i = 1;
    CHECK(b.key_text() == "1");
    CHECK(Value::null().key_text().empty());
    std::string out = "kept";
    Value::str("x\x01y").append_key_text(out);
    CHECK(out == "keptx\x01y");

    EntityRow row;
    row.def = &def;
    row.values = {Value::integer(-5), Value::integer(12), Value::str("b-1"), d, Value::null(), b};
    CHECK(row.key_text() == "-5");
    CHECK(row.parent_key_text(p) == join_key({"12", "b-1"}));
    std::string buf = "old contents";
    CHECK(row.parent_key_text(p, buf));
    CHECK(buf == join_key({"12", "b-1"}));
    // Any null part: no parent, an empty text.
    row.values[2] = Value::null();
    CHECK(row.parent_key_text(p).empty());
    CHECK_FALSE(row.parent_key_text(p, buf));
    CHECK(buf.empty());
    // An empty string is a value, not a null.
    row.values[2] = Value::str("");
    CHECK(row.parent_key_text(p) == "12\x1f");
    CHECK(row.parent_key_text(p, buf));
    CHECK(buf == "12\x1f");

    char t[48];
    CHECK(format_utc_datetime(1740997200123, t, sizeof t) == 23);
    CHECK(std::string(t) == "2025-03-03 10:20:00.123");
    CHECK(format_utc_datetime(-1, t, sizeof t) == 23);
    CHECK(std::string(t) == format_utc_datetime(-1));
}

namespace {

const char *kTwoEntitiesOneTable = R"(tables:
  tickets:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, status: VARCHAR(16)}
    key: [system, id]
entities:
  order_ticket: {table: tickets, columns: [system, id, status], keep_on_update: [status]}
  ticket_status: {table: tickets, mode: update, columns: [system, id, status]}
)";

EntityRow ticket_row(const Mapping &m, const char *entity, const char *id, const char *status) {
    EntityRow r;
    r.def = m.entity(entity);
    r.values = {Value::str("tl"), Value::str(id), Value::str(status)};
    return r;
}

std::vector<std::string> described(const std::vector<const EntityRow *> &rows) {
    std::vector<std::string> out;
    for (const EntityRow *r : rows) out.push_back(r->def->name + ":" + r->values[1].s);
    return out;
}

}  // namespace

TEST_CASE("write order: rows of one table are written entity by entity when no key changes order", "[writer]") {
    TempFile f("wo.yaml", kTwoEntitiesOneTable);
    const Mapping m = Mapping::load({f.str()});
    const std::vector<EntityRow> rows = {
        ticket_row(m, "order_ticket", "t1", "active"), ticket_row(m, "ticket_status", "t0", "refunded"),
        ticket_row(m, "order_ticket", "t2", "active"), ticket_row(m, "ticket_status", "t1", "refunded"),
        ticket_row(m, "order_ticket", "t3", "active")};
    std::vector<const EntityRow *> in;
    for (const auto &r : rows) in.push_back(&r);
    // t1's status comes after t1 itself in both orders: grouped.
    CHECK(described(write_order(in)) == std::vector<std::string>{"order_ticket:t1", "order_ticket:t2", "order_ticket:t3",
                                                                  "ticket_status:t0", "ticket_status:t1"});
}

TEST_CASE("write order: record order when grouping would put a key's later row before its earlier one", "[writer]") {
    TempFile f("wo2.yaml", kTwoEntitiesOneTable);
    const Mapping m = Mapping::load({f.str()});
    SECTION("a status of t1 between two order rows of t1") {
        const std::vector<EntityRow> rows = {
            ticket_row(m, "order_ticket", "t1", "active"), ticket_row(m, "ticket_status", "t1", "refunded"),
            ticket_row(m, "order_ticket", "t1", "active")};
        std::vector<const EntityRow *> in;
        for (const auto &r : rows) in.push_back(&r);
        CHECK(described(write_order(in)) ==
              std::vector<std::string>{"order_ticket:t1", "ticket_status:t1", "order_ticket:t1"});
    }
    SECTION("the first entity's row of a key after a later entity's row of it") {
        const std::vector<EntityRow> rows = {
            ticket_row(m, "ticket_status", "t0", "refunded"), ticket_row(m, "order_ticket", "t1", "active"),
            ticket_row(m, "ticket_status", "t1", "refunded")};
        std::vector<const EntityRow *> in;
        for (const auto &r : rows) in.push_back(&r);
        // Grouped, t1's status would be written before t1 itself.
        CHECK(described(write_order(in)) ==
              std::vector<std::string>{"ticket_status:t0", "order_ticket:t1", "ticket_status:t1"});
    }
}

TEST_CASE("write order: one entity, or none, keeps the rows as they are", "[writer]") {
    TempFile f("wo3.yaml", kTwoEntitiesOneTable);
    const Mapping m = Mapping::load({f.str()});
    const std::vector<EntityRow> rows = {ticket_row(m, "order_ticket", "t2", "a"), ticket_row(m, "order_ticket", "t1", "a"),
                                         ticket_row(m, "order_ticket", "t2", "b")};
    std::vector<const EntityRow *> in;
    for (const auto &r : rows) in.push_back(&r);
    CHECK(write_order(in) == in);
    CHECK(write_order({}).empty());
}
