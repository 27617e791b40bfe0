#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "mapping/mapping.hpp"
#include "persistence/entity_row.hpp"
#include "persistence/sql_text.hpp"
#include "temp_file.hpp"

using namespace vsink;

namespace {
Mapping sample() {
    static TempFile f("m.yaml", R"(tables:
  events:
    columns: {source: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, name: TEXT}
    key: [source, id]
  tickets:
    columns: {source: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, event_id: VARCHAR(8), status: VARCHAR(16) NOT NULL}
    key: [source, id]
entities:
  ticket:
    table: tickets
    columns: [source, id, event_id, status]
    keep_on_update: [status]
    parents: [{table: events, on: {source: source, id: event_id}}]
  ticket_status:
    table: tickets
    mode: update
    columns: [source, id, status]
)");
    return Mapping::load({f.str()});
}
}  // namespace

TEST_CASE("sql: CREATE TABLE from the mapping", "[sql]") {
    const Mapping m = sample();
    CHECK(create_table_sql(*m.table("events")) ==
          "CREATE TABLE IF NOT EXISTS `events` (\n"
          "  `source` VARCHAR(8) NOT NULL,\n"
          "  `id` VARCHAR(8) NOT NULL,\n"
          "  `name` TEXT,\n"
          "  PRIMARY KEY (`source`, `id`)\n"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
    const auto all = schema_sql(m);
    REQUIRE(all.size() == 4);  // two mapped tables, offsets, parked
    CHECK_THAT(all[0], Catch::Contains("`events`"));  // parents first
    CHECK_THAT(all[2], Catch::Contains("`sink_offsets`"));
    CHECK_THAT(all[3], Catch::Contains("`sink_parked`"));
}

TEST_CASE("sql: multi-row upsert, VALUES() on MariaDB and the row alias on MySQL 8.0.19+", "[sql]") {
    const Mapping m = sample();
    CHECK(upsert_sql(*m.entity("ticket"), 2) ==
          "INSERT INTO `tickets` (`source`, `id`, `event_id`, `status`) VALUES (?,?,?,?),(?,?,?,?)"
          " ON DUPLICATE KEY UPDATE `event_id` = VALUES(`event_id`)");
    CHECK(upsert_sql(*m.entity("ticket"), 2, SqlFlavour::ValuesFunction) == upsert_sql(*m.entity("ticket"), 2));
    CHECK(upsert_sql(*m.entity("ticket"), 2, SqlFlavour::RowAlias) ==
          "INSERT INTO `tickets` (`source`, `id`, `event_id`, `status`) VALUES (?,?,?,?),(?,?,?,?) AS `new`"
          " ON DUPLICATE KEY UPDATE `event_id` = `new`.`event_id`");
    // Replay (fill only what is missing): `key = key` names no new value, the same text on both.
    const std::string absent =
        "INSERT INTO `tickets` (`source`, `id`, `event_id`, `status`) VALUES (?,?,?,?)"
        " ON DUPLICATE KEY UPDATE `source` = `source`";
    CHECK(insert_absent_sql(*m.entity("ticket"), 1) == absent);
    CHECK(insert_absent_sql(*m.entity("ticket"), 1, SqlFlavour::RowAlias) == absent);
}

TEST_CASE("sql: an upsert's text around its rows, in both flavours and for replay", "[sql]") {
    const Mapping m = sample();
    const vsink::EntityDef &t = *m.entity("ticket");
    for (const auto flavour : {SqlFlavour::ValuesFunction, SqlFlavour::RowAlias})
        for (const bool absent : {false, true}) {
            const UpsertText u = upsert_text(t, flavour, absent);
            const std::string one = absent ? insert_absent_sql(t, 1, flavour) : upsert_sql(t, 1, flavour);
            CHECK(u.head + "(?,?,?,?)" + u.tail == one);
            CHECK(u.head == "INSERT INTO `tickets` (`source`, `id`, `event_id`, `status`) VALUES ");
        }
    CHECK(upsert_text(t, SqlFlavour::RowAlias, false).tail ==
          " AS `new` ON DUPLICATE KEY UPDATE `event_id` = `new`.`event_id`");
}

TEST_CASE("sql: values as literals that need no escaping whatever the sql_mode", "[sql]") {
    auto lit = [](const Value &v) {
        std::string out;
        append_literal(out, v);
        return out;
    };
    CHECK(lit(Value::null()) == "NULL");
    CHECK(lit(Value::str("ord-1")) == "'ord-1'");
    CHECK(lit(Value::str("")) == "''");
    CHECK(lit(Value::str("Партер, ряд 3 🎫")) == "'Партер, ряд 3 🎫'");  // valid UTF-8 goes as it is
    // A quote, a backslash, a control character or invalid UTF-8: hex.
    CHECK(lit(Value::str("O'Brien")) == "_binary X'4F27427269656E'");
    CHECK(lit(Value::str("a\\b")) == "_binary X'615C62'");
    CHECK(lit(Value::str("line\nnext")) == "_binary X'6C696E650A6E657874'");
    CHECK(lit(Value::str(std::string("n\0l", 3))) == "_binary X'6E006C'");
    CHECK(lit(Value::str("\x7f")) == "_binary X'7F'");
    CHECK(lit(Value::str("\xc3")) == "_binary X'C3'");              // truncated sequence
    CHECK(lit(Value::str("\xc0\xaf")) == "_binary X'C0AF'");        // overlong '/'
    CHECK(lit(Value::str("\xed\xa0\x80")) == "_binary X'EDA080'");  // a surrogate
    CHECK(lit(Value::str("\xf4\x90\x80\x80")) == "_binary X'F4908080'");  // past U+10FFFF
    CHECK(lit(Value::str("\xf0\x9f\x8e\xab")) == "'\xf0\x9f\x8e\xab'");
    Value i;
    i.kind = Value::Kind::Int;
    i.i = -9223372036854775807LL - 1;
    CHECK(lit(i) == "-9223372036854775808");
    Value b;
    b.kind = Value::Kind::Bool;
    b.i = 1;
    CHECK(lit(b) == "1");
    b.i = 0;
    CHECK(lit(b) == "0");
    Value d;
    d.kind = Value::Kind::Double;
    d.d = 55.75222;
    CHECK(std::stod(lit(d)) == 55.75222);  // 17 significant digits read back exactly
    d.d = -0.1;
    CHECK(std::stod(lit(d)) == -0.1);
    d.d = 1e300;
    CHECK(lit(d) == "1.0000000000000001e+300");
    d.d = std::numeric_limits<double>::infinity();
    CHECK(lit(d) == "NULL");
    d.d = std::numeric_limits<double>::quiet_NaN();
    CHECK(lit(d) == "NULL");
    Value ts;
    ts.kind = Value::Kind::TimestampMs;
    ts.i = 1740997200123;
    CHECK(lit(ts) == "'2025-03-03 10:20:00.123'");
}

TEST_CASE("sql: the upsert flavour follows the server's VERSION()", "[sql]") {
    CHECK(sql_flavour_for("10.11.6-MariaDB-0+deb12u1") == SqlFlavour::ValuesFunction);
    CHECK(sql_flavour_for("11.4.2-MariaDB") == SqlFlavour::ValuesFunction);
    CHECK(sql_flavour_for("5.5.5-10.11.6-MariaDB-log") == SqlFlavour::ValuesFunction);
    CHECK(sql_flavour_for("8.0.18") == SqlFlavour::ValuesFunction);
    CHECK(sql_flavour_for("8.0.19") == SqlFlavour::RowAlias);
    CHECK(sql_flavour_for("8.0.36-0ubuntu0.22.04.1") == SqlFlavour::RowAlias);
    CHECK(sql_flavour_for("8.4.0") == SqlFlavour::RowAlias);
    CHECK(sql_flavour_for("9.1.0") == SqlFlavour::RowAlias);
    CHECK(sql_flavour_for("5.7.44-log") == SqlFlavour::ValuesFunction);
    CHECK(sql_flavour_for("") == SqlFlavour::ValuesFunction);  // not connected yet: the form both accept
}

TEST_CASE("sql: declared indexes in CREATE TABLE and in ALTER TABLE", "[sql]") {
    TempFile f("m.yaml", R"(tables:
  orders:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, event_id: VARCHAR(8), number: VARCHAR(8)}
    key: [system, id]
    indexes:
      - {name: by_event, columns: [system, event_id]}
      - {name: by_number, columns: [system, number], unique: true}
)");
    const Mapping m = Mapping::load({f.str()});
    const TableDef &t = *m.table("orders");
    CHECK(create_table_sql(t) ==
          "CREATE TABLE IF NOT EXISTS `orders` (\n"
          "  `system` VARCHAR(8) NOT NULL,\n"
          "  `id` VARCHAR(8) NOT NULL,\n"
          "  `event_id` VARCHAR(8),\n"
          "  `number` VARCHAR(8),\n"
          "  PRIMARY KEY (`system`, `id`),\n"
          "  KEY `by_event` (`system`, `event_id`),\n"
          "  UNIQUE KEY `by_number` (`system`, `number`)\n"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
    CHECK(add_index_sql(t, t.indexes[0]) == "ALTER TABLE `orders` ADD INDEX `by_event` (`system`, `event_id`)");
    CHECK(add_index_sql(t, t.indexes[1]) == "ALTER TABLE `orders` ADD UNIQUE INDEX `by_number` (`system`, `number`)");
}

TEST_CASE("sql: update-mode entity changes only existing rows", "[sql]") {
    const Mapping m = sample();
    CHECK(update_sql(*m.entity("ticket_status")) == "UPDATE `tickets` SET `status` = ? WHERE `source` = ? AND `id` = ?");
}

TEST_CASE("sql: parent existence check is an IN list under the leading key columns and locks what it reads", "[sql]") {
    const Mapping m = sample();
    CHECK(exists_sql(*m.table("events"), 2) ==
          "SELECT `source`, `id` FROM `events` WHERE `source` = ? AND `id` IN (?,?) LOCK IN SHARE MODE");
    CHECK(exists_sql(*m.table("events"), 1) ==
          "SELECT `source`, `id` FROM `events` WHERE `source` = ? AND `id` IN (?) LOCK IN SHARE MODE");
}

TEST_CASE("sql: parent existence check of a one-column and of a three-column key", "[sql]") {
    TempFile f("m3.yaml", R"(tables:
  codes:
    columns: {code: VARCHAR(8) NOT NULL}
    key: [code]
  links:
    columns: {system: VARCHAR(8) NOT NULL, a: VARCHAR(8) NOT NULL, b: VARCHAR(8) NOT NULL}
    key: [system, a, b]
entities:
  code: {table: codes, columns: [code]}
  link: {table: links, columns: [system, a, b]}
)");
    const Mapping m = Mapping::load({f.str()});
    CHECK(exists_sql(*m.table("codes"), 3) == "SELECT `code` FROM `codes` WHERE `code` IN (?,?,?) LOCK IN SHARE MODE");
    CHECK(exists_sql(*m.table("links"), 2) ==
          "SELECT `system`, `a`, `b` FROM `links` WHERE `system` = ? AND `a` = ? AND `b` IN (?,?) LOCK IN SHARE MODE");
}

TEST_CASE("sql: keys grouped by their leading columns for the existence check", "[sql]") {
    const auto k = [](std::vector<std::string> parts) { return join_key(parts); };
    SECTION("two systems, keys once each, groups in the order of their leading values") {
        const auto g = group_keys({k({"tl", "e2"}), k({"tc", "x"}), k({"tl", "e1"}), k({"tl", "e2"}), k({"tc", "y"})}, 2);
        REQUIRE(g.size() == 2);
        CHECK(g[0].leading == std::vector<std::string>{"tc"});
        CHECK(g[0].last == std::vector<std::string>{"x", "y"});
        CHECK(g[1].leading == std::vector<std::string>{"tl"});
        CHECK(g[1].last == std::vector<std::string>{"e2", "e1"});
    }
    SECTION("three columns: grouped by the first two") {
        const auto g = group_keys({k({"s", "a", "1"}), k({"s", "b", "1"}), k({"s", "a", "2"})}, 3);
        REQUIRE(g.size() == 2);
        CHECK(g[0].leading == std::vector<std::string>{"s", "a"});
        CHECK(g[0].last == std::vector<std::string>{"1", "2"});
        CHECK(g[1].leading == std::vector<std::string>{"s", "b"});
        CHECK(g[1].last == std::vector<std::string>{"1"});
    }
    SECTION("one column: one group without leading values") {
        const auto g = group_keys({"b", "a", "b"}, 1);
        REQUIRE(g.size() == 1);
        CHECK(g[0].leading.empty());
        CHECK(g[0].last == std::vector<std::string>{"b", "a"});
    }
    SECTION("a key of another number of parts is skipped, an empty value kept") {
        const auto g = group_keys({k({"tl"}), k({"tl", "a", "b"}), k({"tl", ""})}, 2);
        REQUIRE(g.size() == 1);
        CHECK(g[0].leading == std::vector<std::string>{"tl"});
        CHECK(g[0].last == std::vector<std::string>{""});
    }
    SECTION("nothing") { CHECK(group_keys({}, 2).empty()); }
}

TEST_CASE("sql: IN lists take a power of two up to the limit", "[sql]") {
    CHECK(in_list_size(0, 1024) == 1);
    CHECK(in_list_size(1, 1024) == 1);
    CHECK(in_list_size(2, 1024) == 2);
    CHECK(in_list_size(3, 1024) == 4);
    CHECK(in_list_size(200, 1024) == 256);
    CHECK(in_list_size(256, 1024) == 256);
    CHECK(in_list_size(257, 1024) == 512);
    CHECK(in_list_size(1024, 1024) == 1024);
    CHECK(in_list_size(5000, 1024) == 1024);
    CHECK(in_list_size(150, 200) == 200);  // a limit that is no power of two caps the size
    CHECK(in_list_size(99, 200) == 128);
}

TEST_CASE("sql: an update-mode entity with `unless` leaves protected rows alone", "[sql]") {
    TempFile f("m.yaml", R"(tables:
  tickets:
    columns: {source: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, status: VARCHAR(16) NOT NULL}
    key: [source, id]
entities:
  ticket_status:
    table: tickets
    mode: update
    columns: [source, id, status]
    unless: {status: [refunded, used]}
)");
    const Mapping m = Mapping::load({f.str()});
    CHECK(update_sql(*m.entity("ticket_status")) ==
          "UPDATE `tickets` SET `status` = ? WHERE `source` = ? AND `id` = ?"
          " AND (`status` IS NULL OR `status` NOT IN (?,?))");
}

TEST_CASE("sql: a keep_when_null column keeps its stored value over a NULL", "[sql]") {
    TempFile f("m.yaml", R"(tables:
  venues:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, name: TEXT, lat: DOUBLE, note: TEXT}
    key: [system, id]
entities:
  venue:
    table: venues
    columns: [system, id, name, lat, note]
    keep_when_null: [name, lat]
  venue_fix:
    table: venues
    mode: update
    columns: [system, id, name, note]
    keep_when_null: all
)");
    const Mapping m = Mapping::load({f.str()});
    // COALESCE(VALUES(c), c) on MariaDB, COALESCE(`new`.c, c) on MySQL 8.0.19+.
    CHECK(upsert_sql(*m.entity("venue"), 1) ==
          "INSERT INTO `venues` (`system`, `id`, `name`, `lat`, `note`) VALUES (?,?,?,?,?) ON DUPLICATE KEY UPDATE "
          "`name` = COALESCE(VALUES(`name`), `name`), `lat` = COALESCE(VALUES(`lat`), `lat`), `note` = VALUES(`note`)");
    CHECK(upsert_sql(*m.entity("venue"), 1, SqlFlavour::RowAlias) ==
          "INSERT INTO `venues` (`system`, `id`, `name`, `lat`, `note`) VALUES (?,?,?,?,?) AS `new` ON DUPLICATE KEY "
          "UPDATE `name` = COALESCE(`new`.`name`, `name`), `lat` = COALESCE(`new`.`lat`, `lat`), "
          "`note` = `new`.`note`");
    CHECK(update_sql(*m.entity("venue_fix")) ==
          "UPDATE `venues` SET `name` = COALESCE(?, `name`), `note` = COALESCE(?, `note`)"
          " WHERE `system` = ? AND `id` = ?");
}
