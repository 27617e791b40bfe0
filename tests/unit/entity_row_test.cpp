#include <catch2/catch.hpp>

#include "mapping/mapping.hpp"
#include "persistence/entity_row.hpp"
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
