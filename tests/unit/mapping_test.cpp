#include <catch2/catch.hpp>

#include "config/yaml_doc.hpp"
#include "mapping/mapping.hpp"
#include "temp_file.hpp"

using namespace vsink;

namespace {
const std::string kRepoMappings = std::string(VSINK_SOURCE_DIR) + "/mappings/";

std::string error_of(const std::string &text) {
    TempFile f("m.yaml", text);
    try {
        Mapping::load({f.str()});
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "no error";
}

const std::string kTables = R"(tables:
  parents:
    columns: {source: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL}
    key: [source, id]
  kids:
    columns: {source: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, parent_id: VARCHAR(8), state: VARCHAR(8)}
    key: [source, id]
)";
}  // namespace

TEST_CASE("mapping: the project's own mapping files load together", "[mapping]") {
    const Mapping m = Mapping::load({kRepoMappings + "vibe-tables.yaml", kRepoMappings + "orders.yaml",
                                     kRepoMappings + "tickets.yaml", kRepoMappings + "ticketscloud.yaml"});
    CHECK(m.tables().size() == 8);
    CHECK(m.topics().size() == 11);
    const EntityDef *ot = m.entity("order_ticket");
    REQUIRE(ot);
    CHECK(ot->table->name == "tickets");
    const auto status = std::find(ot->columns.begin(), ot->columns.end(), "status") - ot->columns.begin();
    CHECK(ot->keep_on_update[static_cast<size_t>(status)]);
    const EntityDef *ts = m.entity("ticket_status");
    REQUIRE(ts);
    CHECK(ts->mode == WriteMode::Update);
    REQUIRE(ts->parents.size() == 1);  // its own row
    CHECK(ts->parents[0].table->name == "tickets");
    // Parents are written first.
    const auto order = m.tables_in_write_order();
    auto pos = [&](const std::string &n) {
        return std::find_if(order.begin(), order.end(), [&](const TableDef *t) { return t->name == n; }) - order.begin();
    };
    CHECK(pos("organizers") < pos("events"));
    CHECK(pos("events") < pos("orders"));
    CHECK(pos("events") < pos("tickets"));
}

TEST_CASE("mapping: parents are resolved to the entity's fields", "[mapping]") {
    TempFile f("m.yaml", kTables + R"(entities:
  kid:
    table: kids
    columns: [source, id, {parent_id: parent}, state]
    keep_on_update: [state]
    parents:
      - table: parents
        on: {source: source, id: parent}
)");
    const Mapping m = Mapping::load({f.str()});
    const EntityDef *k = m.entity("kid");
    REQUIRE(k);
    CHECK(k->columns == std::vector<std::string>{"source", "id", "parent_id", "state"});
    CHECK(k->fields == std::vector<std::string>{"source", "id", "parent", "state"});
    REQUIRE(k->parents.size() == 1);
    CHECK(k->parents[0].field_index == std::vector<size_t>{0, 2});
    CHECK(m.table("kids")->depth == 1);
    CHECK(m.table("parents")->depth == 0);
}

TEST_CASE("mapping: mistakes are errors with file and line", "[mapping]") {
    CHECK_THAT(error_of(kTables + "entities:\n  kid:\n    table: nope\n    columns: [source, id]\n"),
               Catch::Contains("m.yaml:10: entity kid: unknown table 'nope'"));
    CHECK_THAT(error_of(kTables + "entities:\n  kid:\n    table: kids\n    columns: [source, id, color]\n"),
               Catch::Contains("table kids has no column 'color'"));
    CHECK_THAT(error_of(kTables + "entities:\n  kid:\n    table: kids\n    columns: [source, state]\n"),
               Catch::Contains("must write key column 'id'"));
    CHECK_THAT(error_of(kTables + "entities:\n  kid:\n    table: kids\n    colums: [source, id]\n"),
               Catch::Contains("m.yaml:11: unknown key 'colums' in entity kid"));
    CHECK_THAT(error_of(kTables + "entities:\n  kid:\n    table: kids\n    columns: [source, id]\n    parents:\n"
                                  "      - table: parents\n        on: {source: source, id: parent_id}\n"),
               Catch::Contains("parent key field 'parent_id' is not one of its fields"));
    CHECK_THAT(error_of("tables:\n  bad-name:\n    columns: {a: INT}\n    key: [a]\n"),
               Catch::Contains("not a valid identifier"));
    CHECK_THAT(error_of("tables:\n  t:\n    columns: {a: 'INT; DROP TABLE x'}\n    key: [a]\n"),
               Catch::Contains("bad SQL type"));
    CHECK_THAT(error_of("tables:\n  t:\n    columns: {a: INT}\n    key: [b]\n"),
               Catch::Contains("key column 'b' is not a column"));
    CHECK_THAT(error_of("topcs: {}\n"), Catch::Contains("m.yaml:1: unknown key 'topcs' in the mapping"));
}

TEST_CASE("mapping: a topic mapped in two files is refused", "[mapping]") {
    TempFile a("a.yaml", "topics:\n  t1: {message: order}\n");
    TempFile b("b.yaml", "topics:\n  t1: {message: event}\n");
    CHECK_THROWS_WITH(Mapping::load({a.str(), b.str()}), Catch::Contains("topic 't1' is mapped twice"));
}

TEST_CASE("mapping: a lookup column reads another table and deepens the entity's table", "[mapping]") {
    TempFile f("m.yaml", R"(tables:
  sets:
    columns: {source: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, name: VARCHAR(64)}
    key: [source, id]
  seats:
    columns: {source: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, set_id: VARCHAR(8), category: VARCHAR(64)}
    key: [source, id]
entities:
  seat:
    table: seats
    columns: [source, id, set_id, category]
    lookups:
      category: {table: sets, column: name, on: {source: source, id: set_id}}
)");
    const Mapping m = Mapping::load({f.str()});
    const EntityDef *e = m.entity("seat");
    REQUIRE(e->lookups.size() == 1);
    CHECK(e->lookups[0].column_index == 3);
    CHECK(e->lookups[0].table->name == "sets");
    CHECK(e->lookups[0].source_column == "name");
    CHECK(e->lookups[0].field_index == std::vector<size_t>{0, 2});
    CHECK(m.table("seats")->depth == 1);
    CHECK_THAT(error_of(R"(tables:
  t:
    columns: {source: INT, id: INT, c: INT}
    key: [source, id]
entities:
  e:
    table: t
    columns: [source, id, c]
    lookups:
      c: {table: t, column: nope, on: {source: source, id: id}}
)"), Catch::Contains("table t has no column 'nope'"));
}

TEST_CASE("mapping: the project's tables are keyed by system, once called source", "[mapping]") {
    const Mapping m = Mapping::load({kRepoMappings + "vibe-tables.yaml"});
    for (const auto &t : m.tables()) {
        INFO(t->name);
        CHECK(t->key.front() == "system");
        REQUIRE(t->renamed.size() == 1);
        CHECK(t->renamed[0] == std::make_pair(std::string("system"), std::string("source")));
    }
    // A nested organizer updates only what it carries; the ticket of the
    // tickets topology keeps its stored status when it has none.
    const EntityDef *no = m.entity("nested_organizer");
    REQUIRE(no);
    CHECK(no->keep_when_null == std::vector<bool>{false, false, true, true, true, true, true, true});
    const EntityDef *t = m.entity("ticket");
    REQUIRE(t);
    for (size_t i = 0; i < t->columns.size(); ++i) CHECK(t->keep_when_null[i] == (t->columns[i] == "status"));
    CHECK(std::none_of(m.entity("order")->keep_when_null.begin(), m.entity("order")->keep_when_null.end(),
                       [](bool b) { return b; }));
}

TEST_CASE("mapping: renamed records each column's old name", "[mapping]") {
    TempFile f("m.yaml", R"(tables:
  t:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, label: TEXT}
    key: [system, id]
    renamed: {system: source, label: title}
)");
    const Mapping m = Mapping::load({f.str()});
    const TableDef *t = m.table("t");
    REQUIRE(t->renamed.size() == 2);
    CHECK(t->renamed[0] == std::make_pair(std::string("system"), std::string("source")));
    CHECK(t->renamed[1] == std::make_pair(std::string("label"), std::string("title")));
    REQUIRE(t->renamed_from("title"));
    CHECK(*t->renamed_from("title") == "label");
    CHECK(t->renamed_from("label") == nullptr);
    CHECK(t->renamed_from("nope") == nullptr);
}

TEST_CASE("mapping: a bad renamed entry is an error with file and line", "[mapping]") {
    const std::string head = "tables:\n  t:\n    columns: {system: INT, id: INT, label: TEXT}\n    key: [system, id]\n";
    CHECK_THAT(error_of(head + "    renamed: {color: colour}\n"),
               Catch::Contains("m.yaml:5: table t: renamed names 'color', which is not a column"));
    CHECK_THAT(error_of(head + "    renamed:\n      system: 'bad name'\n"),
               Catch::Contains("m.yaml:6: table t: the old name of column system is not a valid identifier"));
    CHECK_THAT(error_of(head + "    renamed:\n      system: source\n      label: id\n"),
               Catch::Contains("m.yaml:7: table t: the old name 'id' of column label is a current column"));
    CHECK_THAT(error_of(head + "    renamed:\n      system: source\n      label: source\n"),
               Catch::Contains("m.yaml:7: table t: renamed lists column 'source' twice"));
    CHECK_THAT(error_of(head + "    renamed: [system, source]\n"),
               Catch::Contains("m.yaml:5: table t renamed must be a map"));
}

TEST_CASE("mapping: keep_when_null lists columns, or all non-key ones", "[mapping]") {
    TempFile f("m.yaml", kTables + R"(entities:
  some:
    table: kids
    columns: [source, id, parent_id, state]
    keep_when_null: [state]
  every:
    table: kids
    columns: [source, id, parent_id, state]
    keep_when_null: all
  every_but_kept:
    table: kids
    columns: [source, id, parent_id, state]
    keep_on_update: [state]
    keep_when_null: all
)");
    const Mapping m = Mapping::load({f.str()});
    CHECK(m.entity("some")->keep_when_null == std::vector<bool>{false, false, false, true});
    CHECK(m.entity("every")->keep_when_null == std::vector<bool>{false, false, true, true});
    // keep_on_update already never overwrites, NULL or not.
    CHECK(m.entity("every_but_kept")->keep_when_null == std::vector<bool>{false, false, true, false});
    CHECK(m.entity("every_but_kept")->keep_on_update == std::vector<bool>{false, false, false, true});
}

TEST_CASE("mapping: a bad keep_when_null is an error with file and line", "[mapping]") {
    const std::string head = kTables + "entities:\n  kid:\n    table: kids\n    columns: [source, id, state]\n";
    CHECK_THAT(error_of(head + "    keep_when_null: [parent_id]\n"),
               Catch::Contains("m.yaml:12: entity kid: keep_when_null names 'parent_id', which it does not write"));
    CHECK_THAT(error_of(head + "    keep_when_null: [id]\n"),
               Catch::Contains("m.yaml:12: entity kid: keep_when_null names key column 'id'"));
    CHECK_THAT(error_of(head + "    keep_on_update: [state]\n    keep_when_null: [state]\n"),
               Catch::Contains("m.yaml:13: entity kid: column 'state' is in both keep_on_update and keep_when_null"));
    CHECK_THAT(error_of(head + "    keep_when_null: everything\n"),
               Catch::Contains("m.yaml:12: entity kid: keep_when_null must be a list of columns or `all`"));
    CHECK_THAT(error_of(head + "    keep_on_update: [source]\n"),
               Catch::Contains("m.yaml:12: entity kid: keep_on_update names key column 'source'"));
}

namespace {
// A one-table mapping whose column `c` has this SQL type (on line 3).
std::string type_error(const std::string &type) {
    return error_of("tables:\n  t:\n    columns:\n      c: \"" + type + "\"\n      k: VARCHAR(8) NOT NULL\n    key: [k]\n");
}
}  // namespace

TEST_CASE("mapping: the SQL types of the MySQL and MariaDB grammar load", "[mapping][sqltype]") {
    for (const char *good :
         {"INT", "INT UNSIGNED", "BIGINT", "BIGINT UNSIGNED NOT NULL", "int(11) unsigned", "TINYINT(1)", "BOOLEAN",
          "BOOL", "DECIMAL(10,2)", "DECIMAL(10, 2) NOT NULL", "DECIMAL(65,30)", "NUMERIC(5)", "DECIMAL",
          "VARCHAR(255)", "VARCHAR(64) NOT NULL", "CHAR(3)", "CHAR", "TEXT", "MEDIUMTEXT", "LONGTEXT", "TINYTEXT",
          "DATETIME", "DATETIME(3)", "DATETIME(6) NULL", "TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)",
          "DATE", "DOUBLE", "DOUBLE PRECISION", "FLOAT", "JSON", "ENUM('a','b')", "ENUM('it''s', 'x y') NOT NULL",
          "VARCHAR(16) NOT NULL DEFAULT 'new'", "INT DEFAULT 0", "DECIMAL(4,1) DEFAULT -1.5", "BOOLEAN DEFAULT FALSE",
          "VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", "TEXT CHARSET latin1", "BLOB", "VARBINARY(16)"}) {
        INFO(good);
        CHECK(type_error(good) == "no error");
    }
}

TEST_CASE("mapping: a bad SQL type fails at load with file and line", "[mapping][sqltype]") {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"DECIMAL(10,2", "DECIMAL: missing ')'"},
        {"DECIMAL(10,20)", "scale 20 exceeds precision 10"},
        {"DECIMAL(66,2)", "precision 66 is out of range 1..65"},
        {"VARCHAR", "VARCHAR needs a length"},
        {"VARCHAR()", "VARCHAR: expected length"},
        {"VARCHAR(0)", "out of range"},
        {"VARCHR(10)", "unknown type 'VARCHR'"},
        {"STRING", "unknown type 'STRING'"},
        {"DATETIME(7)", "DATETIME: length 7 is out of range 0..6"},
        {"INT NOT", "expected NULL after NOT"},
        {"INT NULL NOT NULL", "both NULL and NOT NULL"},
        {"INT NOT NULL NOT NULL", "NOT NULL is given twice"},
        {"ENUM()", "ENUM: expected a quoted value"},
        {"ENUM('a','b'", "ENUM: missing ')'"},
        {"ENUM('a", "unterminated quoted value"},
        {"VARCHAR(8) DEFAULT 'a\\\\'", "backslash"},
        {"INT; DROP TABLE x", "unexpected character ';'"},
        {"INT AUTO_INCREMENT", "unexpected 'AUTO_INCREMENT'"},
        {"VARCHAR(8) COLLATE", "COLLATE needs a name"},
        {"INT DEFAULT", "DEFAULT needs"},
        {"", "empty type"},
    };
    for (const auto &[type, why] : bad) {
        INFO(type);
        const std::string e = type_error(type);
        CHECK_THAT(e, Catch::Contains("m.yaml:4: column t.c: bad SQL type") && Catch::Contains(why));
    }
}

TEST_CASE("mapping: a duplicate key is an error with file, line and column", "[mapping][duplicate]") {
    CHECK_THAT(error_of("tables:\n  t:\n    columns: {a: INT, b: INT, a: TEXT}\n    key: [a]\n"),
               Catch::Contains("m.yaml:3:31: duplicate key 'tables.t.columns.a' (first given at line 3)"));
    CHECK_THAT(error_of(kTables + "entities:\n  kid:\n    table: kids\n    columns: [source, id]\n    table: parents\n"),
               Catch::Contains("m.yaml:12:5: duplicate key 'entities.kid.table' (first given at line 10)"));
    CHECK_THAT(error_of("topics:\n  t1: {message: order}\n  t1: {message: event}\n"),
               Catch::Contains("m.yaml:3:3: duplicate key 'topics.t1'"));
}
