#include <catch2/catch.hpp>

#include "mapping/mapping.hpp"
#include "persistence/schema_migrator.hpp"
#include "temp_file.hpp"

using namespace vsink;

namespace {

Mapping sample() {
    static TempFile f("m.yaml", R"(tables:
  tickets:
    columns:
      system: VARCHAR(64) NOT NULL
      id: VARCHAR(128) NOT NULL
      order_id: VARCHAR(128)
      channel: VARCHAR(128)
      status: VARCHAR(16)
      barcode: VARCHAR(128)
      kind: VARCHAR(8) not  null
    key: [system, id]
    renamed: {system: source}
)");
    return Mapping::load({f.str()});
}

// The table as the previous version created it.
std::vector<DbColumn> previous_tickets() {
    return {{"source", "varchar(64)", false, "utf8mb4", "utf8mb4_bin"},
            {"id", "varchar(128)", false, "utf8mb4", "utf8mb4_bin"},
            {"order_id", "varchar(128)", true, "utf8mb4", "utf8mb4_bin"},
            {"status", "varchar(16)", false, "utf8mb4", "utf8mb4_bin"},
            {"barcode", "varchar(128)", true, "utf8mb4", "utf8mb4_bin"},
            {"kind", "varchar(8)", false, "utf8mb4", "utf8mb4_bin"},
            {"legacy", "int(11)", true, "", ""}};
}

std::vector<std::string> sql_of(const TablePlan &p) {
    std::vector<std::string> out;
    for (const auto &c : p.changes) out.push_back(c.sql);
    return out;
}

}  // namespace

TEST_CASE("schema plan: NOT NULL in a mapping type, any case and spacing", "[schema]") {
    CHECK(sql_type_nullable("VARCHAR(16)"));
    CHECK(sql_type_nullable("DATETIME(3) NULL"));
    CHECK_FALSE(sql_type_nullable("VARCHAR(64) NOT NULL"));
    CHECK_FALSE(sql_type_nullable("varchar(8) not  null"));
}

TEST_CASE("schema plan: a previous version's table is renamed, completed and relaxed", "[schema]") {
    const Mapping m = sample();
    const TablePlan p = plan_table_migration(*m.table("tickets"), previous_tickets());
    CHECK(sql_of(p) == std::vector<std::string>{
                           "ALTER TABLE `tickets` RENAME COLUMN `source` TO `system`",
                           "ALTER TABLE `tickets` ADD COLUMN `channel` VARCHAR(128) AFTER `order_id`",
                           // the database's own type, character set and collation: nothing narrows
                           "ALTER TABLE `tickets` MODIFY COLUMN `status` varchar(16) CHARACTER SET utf8mb4 COLLATE "
                           "utf8mb4_bin NULL",
                       });
    REQUIRE(p.changes.size() == 3);
    CHECK(p.changes[0].kind == SchemaChange::Kind::Rename);
    CHECK(p.changes[1].kind == SchemaChange::Kind::Add);
    CHECK(p.changes[2].kind == SchemaChange::Kind::Relax);
    // Never dropped, only reported.
    CHECK(p.unknown == std::vector<std::string>{"legacy"});
}

TEST_CASE("schema plan: an up-to-date table needs nothing", "[schema]") {
    const Mapping m = sample();
    std::vector<DbColumn> now = previous_tickets();
    now[0].name = "system";
    now[3].nullable = true;
    now.insert(now.begin() + 3, {"channel", "varchar(128)", true, "utf8mb4", "utf8mb4_bin"});
    const TablePlan p = plan_table_migration(*m.table("tickets"), now);
    CHECK(p.changes.empty());
    CHECK(p.unknown == std::vector<std::string>{"legacy"});
}

TEST_CASE("schema plan: names compare as the server does, without case", "[schema]") {
    const Mapping m = sample();
    std::vector<DbColumn> cols = previous_tickets();
    cols[0].name = "SOURCE";
    cols[2].name = "Order_Id";
    const TablePlan p = plan_table_migration(*m.table("tickets"), cols);
    REQUIRE(p.changes.size() == 3);
    CHECK(p.changes[0].sql == "ALTER TABLE `tickets` RENAME COLUMN `SOURCE` TO `system`");
    CHECK(p.changes[1].sql == "ALTER TABLE `tickets` ADD COLUMN `channel` VARCHAR(128) AFTER `order_id`");
}

TEST_CASE("schema plan: old and new name both present: no rename, the old one is reported", "[schema]") {
    const Mapping m = sample();
    std::vector<DbColumn> cols = previous_tickets();
    cols.insert(cols.begin(), {"system", "varchar(64)", false, "utf8mb4", "utf8mb4_bin"});
    const TablePlan p = plan_table_migration(*m.table("tickets"), cols);
    REQUIRE_FALSE(p.changes.empty());
    CHECK(p.changes[0].kind == SchemaChange::Kind::Add);
    CHECK(p.unknown == std::vector<std::string>{"source", "legacy"});
}

TEST_CASE("schema plan: a missing first column goes FIRST, a missing key column is refused", "[schema]") {
    TempFile f("m.yaml", R"(tables:
  t:
    columns: {system: VARCHAR(8) NOT NULL, id: INT NOT NULL, note: TEXT}
    key: [id]
)");
    const Mapping m = Mapping::load({f.str()});
    const TablePlan p = plan_table_migration(*m.table("t"), {{"id", "int(11)", false, "", ""}});
    CHECK(sql_of(p) == std::vector<std::string>{"ALTER TABLE `t` ADD COLUMN `system` VARCHAR(8) NOT NULL FIRST",
                                                 "ALTER TABLE `t` ADD COLUMN `note` TEXT AFTER `id`"});
    CHECK(p.refused.empty());
    const TablePlan k = plan_table_migration(*m.table("t"), {{"note", "text", true, "utf8mb4", "utf8mb4_bin"}});
    REQUIRE(k.refused.size() == 1);
    CHECK(k.refused[0].kind == SchemaChange::Kind::Refused);
    CHECK(k.refused[0].severity == SchemaChange::Severity::Fail);
    CHECK_THAT(k.refused[0].what, Catch::Contains("key column t.id is missing"));
    CHECK(k.refused[0].sql == "ALTER TABLE `t` ADD COLUMN `id` INT NOT NULL AFTER `system`, DROP PRIMARY KEY, ADD PRIMARY KEY (`id`)");
    CHECK(sql_of(k) == std::vector<std::string>{"ALTER TABLE `t` ADD COLUMN `system` VARCHAR(8) NOT NULL FIRST"});
}

TEST_CASE("schema plan: how a database type stands to the mapping's", "[schema]") {
    CHECK(compare_type("varchar(64)", "VARCHAR(64) NOT NULL") == TypeFit::Same);
    CHECK(compare_type("int(11)", "INT") == TypeFit::Same);
    CHECK(compare_type("int", "INTEGER") == TypeFit::Same);
    CHECK(compare_type("tinyint(1)", "BOOLEAN") == TypeFit::Same);
    CHECK(compare_type("bigint(20)", "BIGINT") == TypeFit::Same);
    CHECK(compare_type("datetime(3)", "DATETIME(3)") == TypeFit::Same);
    CHECK(compare_type("double", "DOUBLE") == TypeFit::Same);
    CHECK(compare_type("text", "TEXT") == TypeFit::Same);
    CHECK(compare_type("char(3)", "CHAR(3)") == TypeFit::Same);
    // The database's holds fewer values: converting loses nothing.
    CHECK(compare_type("varchar(32)", "VARCHAR(64)") == TypeFit::Narrower);
    CHECK(compare_type("int(11)", "BIGINT") == TypeFit::Narrower);
    CHECK(compare_type("int(10) unsigned", "BIGINT") == TypeFit::Narrower);
    CHECK(compare_type("datetime", "DATETIME(3)") == TypeFit::Narrower);
    CHECK(compare_type("varchar(255)", "TEXT") == TypeFit::Narrower);
    CHECK(compare_type("float", "DOUBLE") == TypeFit::Narrower);
    CHECK(compare_type("decimal(10,2)", "DECIMAL(12,2)") == TypeFit::Narrower);
    CHECK(compare_type("char(3)", "VARCHAR(3)") == TypeFit::Narrower);
    // The database's holds more: the mapping's would narrow it.
    CHECK(compare_type("varchar(128)", "VARCHAR(64)") == TypeFit::Wider);
    CHECK(compare_type("bigint(20)", "INT") == TypeFit::Wider);
    CHECK(compare_type("text", "VARCHAR(255)") == TypeFit::Wider);
    CHECK(compare_type("datetime(6)", "DATETIME(3)") == TypeFit::Wider);
    CHECK(compare_type("decimal(12,4)", "DECIMAL(12,2)") == TypeFit::Incompatible);  // fewer integer digits, more fraction
    // Another kind.
    CHECK(compare_type("varchar(64)", "INT") == TypeFit::Incompatible);
    CHECK(compare_type("int(11)", "INT UNSIGNED") == TypeFit::Incompatible);
    CHECK(compare_type("timestamp(3)", "DATETIME(3)") == TypeFit::Incompatible);
    CHECK(compare_type("blob", "TEXT") == TypeFit::Incompatible);
    CHECK(compare_type("json", "TEXT") == TypeFit::Incompatible);
    CHECK(mapping_base_type("VARCHAR(64) NOT NULL") == "VARCHAR(64)");
    CHECK(mapping_base_type("INT NULL DEFAULT NULL") == "INT DEFAULT NULL");
}

TEST_CASE("schema plan: a wider mapping type widens, a narrower or another one is refused", "[schema]") {
    TempFile f("m.yaml", R"(tables:
  t:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(64) NOT NULL, code: VARCHAR(16), price: INT, note: VARCHAR(64) NOT NULL, at: DATETIME(3)}
    key: [system, id]
)");
    const Mapping m = Mapping::load({f.str()});
    const std::vector<DbColumn> db = {
        {"system", "varchar(8)", false, "utf8mb4", "utf8mb4_bin"},
        {"id", "varchar(32)", false, "utf8mb4", "utf8mb4_bin"},       // narrower key column: widened, NOT NULL kept
        {"code", "varchar(64)", true, "latin1", "latin1_swedish_ci"},   // wider: refused
        {"price", "varchar(16)", true, "utf8mb4", "utf8mb4_bin"},     // another kind: refused
        {"note", "varchar(64)", true, "utf8mb4", "utf8mb4_bin"},      // nullable where the mapping says NOT NULL: left
        {"at", "datetime", true, "", ""},                             // fewer fraction digits: widened
    };
    const TablePlan p = plan_table_migration(*m.table("t"), db);
    CHECK(sql_of(p) == std::vector<std::string>{
                           "ALTER TABLE `t` MODIFY COLUMN `id` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL",
                           "ALTER TABLE `t` MODIFY COLUMN `at` DATETIME(3) NULL",
                       });
    CHECK(p.changes[0].kind == SchemaChange::Kind::Widen);
    CHECK(p.changes[0].what == "column t.id is varchar(32), the mapping says VARCHAR(64)");
    REQUIRE(p.refused.size() == 2);
    CHECK(p.refused[0].sql ==
          "ALTER TABLE `t` MODIFY COLUMN `code` VARCHAR(16) CHARACTER SET latin1 COLLATE latin1_swedish_ci NULL");
    CHECK(p.refused[0].severity == SchemaChange::Severity::Warn);  // run still works: every value fits
    CHECK_THAT(p.refused[0].what, Catch::Contains("would narrow it"));
    CHECK(p.refused[1].sql == "ALTER TABLE `t` MODIFY COLUMN `price` INT NULL");
    CHECK(p.refused[1].severity == SchemaChange::Severity::Fail);
    CHECK_THAT(describe_change(p.refused[1]),
               Catch::StartsWith("refused: column t.price is varchar(16), the mapping says INT") &&
                   Catch::EndsWith("to run by hand after deciding: ALTER TABLE `t` MODIFY COLUMN `price` INT NULL;"));
}

TEST_CASE("schema plan: indexes missing, present under another name, different, unknown, and the primary key",
          "[schema]") {
    TempFile f("m.yaml", R"(tables:
  t:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL, a: VARCHAR(8), b: VARCHAR(8), c: INT}
    key: [system, id]
    indexes:
      - {name: by_a, columns: [system, a]}
      - {name: by_b, columns: [system, b], unique: true}
      - {name: by_c, columns: [c]}
)");
    const Mapping m = Mapping::load({f.str()});
    DbTable db;
    db.keys_known = true;
    db.columns = {{"system", "varchar(8)", false, "utf8mb4", "utf8mb4_bin"},
                  {"id", "varchar(8)", false, "utf8mb4", "utf8mb4_bin"},
                  {"a", "varchar(8)", true, "utf8mb4", "utf8mb4_bin"},
                  {"b", "varchar(8)", true, "utf8mb4", "utf8mb4_bin"},
                  {"c", "int(11)", true, "", ""}};
    db.primary_key = {"system", "id"};
    db.indexes = {{"a_idx", {"system", "a"}, false}, {"BY_B", {"b"}, false}, {"mine", {"c", "a"}, false}};
    const TablePlan p = plan_table_migration(*m.table("t"), db);
    // by_a is there as a_idx; by_b differs (refused); by_c is missing (added); `mine` is left.
    CHECK(sql_of(p) == std::vector<std::string>{"ALTER TABLE `t` ADD INDEX `by_c` (`c`)"});
    CHECK(p.changes[0].kind == SchemaChange::Kind::AddIndex);
    CHECK(p.changes[0].severity == SchemaChange::Severity::Warn);
    REQUIRE(p.refused.size() == 1);
    CHECK(p.refused[0].sql == "ALTER TABLE `t` DROP INDEX `BY_B`, ADD UNIQUE INDEX `by_b` (`system`, `b`)");
    REQUIRE(p.extras.size() == 1);
    CHECK(p.extras[0].what == "index t.mine (c, a) is not in the mapping; left as it is");

    // Another primary key is never changed by --apply.
    db.primary_key = {"id"};
    db.indexes = {{"by_a", {"system", "a"}, false}, {"by_b", {"system", "b"}, true}, {"by_c", {"c"}, false}};
    const TablePlan k = plan_table_migration(*m.table("t"), db);
    CHECK(k.changes.empty());
    REQUIRE(k.refused.size() == 1);
    CHECK(k.refused[0].severity == SchemaChange::Severity::Fail);
    CHECK(k.refused[0].sql == "ALTER TABLE `t` DROP PRIMARY KEY, ADD PRIMARY KEY (`system`, `id`)");
    CHECK(k.refused[0].what == "table t: primary key is (id), the mapping says (system, id)");
    // A renamed key column still counts as the key.
    TempFile g("m.yaml", R"(tables:
  t:
    columns: {system: VARCHAR(8) NOT NULL, id: VARCHAR(8) NOT NULL}
    key: [system, id]
    renamed: {system: source}
    indexes: [{name: by_sys, columns: [system]}]
)");
    const Mapping mg = Mapping::load({g.str()});
    DbTable old;
    old.keys_known = true;
    old.columns = {{"source", "varchar(8)", false, "utf8mb4", "utf8mb4_bin"},
                   {"id", "varchar(8)", false, "utf8mb4", "utf8mb4_bin"}};
    old.primary_key = {"source", "id"};
    old.indexes = {{"by_sys", {"source"}, false}};
    const TablePlan r = plan_table_migration(*mg.table("t"), old);
    CHECK(sql_of(r) == std::vector<std::string>{"ALTER TABLE `t` RENAME COLUMN `source` TO `system`"});
    CHECK(r.refused.empty());
    CHECK(r.extras.empty());
}

TEST_CASE("schema plan: indexes in the mapping are validated at load, naming file and line", "[schema]") {
    auto load_error = [](const std::string &indexes) {
        TempFile f("bad.yaml", "tables:\n  t:\n    columns: {system: VARCHAR(8) NOT NULL, id: INT NOT NULL, "
                               "note: TEXT}\n    key: [system, id]\n    indexes:\n" +
                                   indexes);
        try {
            Mapping::load({f.str()});
        } catch (const std::exception &e) {
            return std::string(e.what());
        }
        return std::string("loaded");
    };
    CHECK_THAT(load_error("      - {name: by_x, columns: [system, x]}\n"),
               Catch::Contains("bad.yaml:6: ") &&
                   Catch::Contains("index by_x names 'x', which is not a column"));
    CHECK_THAT(load_error("      - {name: by_note, columns: [note]}\n"),
               Catch::Contains("bad.yaml:6: ") && Catch::Contains("column note is TEXT"));
    CHECK_THAT(load_error("      - {name: by_id, columns: [id]}\n      - {name: BY_ID, columns: [system]}\n"),
               Catch::Contains("bad.yaml:7: ") && Catch::Contains("index 'BY_ID' is defined twice"));
    CHECK_THAT(load_error("      - {name: PRIMARY, columns: [id]}\n"), Catch::Contains("is not a valid identifier"));
    CHECK_THAT(load_error("      - {name: by_id, columns: []}\n"), Catch::Contains("'columns' must be a non-empty list"));
    CHECK_THAT(load_error("      - {name: by_id, columns: [id], unique: maybe}\n"),
               Catch::Contains("unique must be true or false"));
    CHECK_THAT(load_error("      - {name: by_id, cols: [id]}\n"), Catch::Contains("cols"));
    CHECK(load_error("      - {name: by_id, columns: [id, system], unique: true}\n") == "loaded");
}

TEST_CASE("schema plan: the Vibe mapping indexes every reference column", "[schema]") {
    const Mapping m = Mapping::load({std::string(VSINK_SOURCE_DIR) + "/mappings/vibe-tables.yaml"});
    auto indexed = [&](const std::string &table, const std::string &column) {
        for (const IndexDef &ix : m.table(table)->indexes)
            if (ix.columns == std::vector<std::string>{"system", column}) return true;
        return false;
    };
    CHECK(indexed("orders", "event_id"));
    CHECK(indexed("orders", "organizer_id"));
    CHECK(indexed("tickets", "order_id"));
    CHECK(indexed("tickets", "event_id"));
    CHECK(indexed("tickets", "organizer_id"));
    CHECK(indexed("tickets", "set_id"));
    CHECK(indexed("refund_tickets", "ticket_id"));
    CHECK(indexed("refunds", "order_id"));
    CHECK(indexed("events", "organizer_id"));
    CHECK(indexed("events", "venue_id"));
    CHECK(indexed("ticket_sets", "event_id"));
    // Every parent link and lookup of every entity is covered (as system + the column).
    for (const char *e : {"event", "order", "order_ticket", "ticket"}) {
        const EntityDef *d = m.entity(e);
        REQUIRE(d);
        for (const ParentRef &p : d->parents) {
            if (p.table == d->table) continue;
            const std::string &field = d->fields[p.field_index[1]];
            INFO(e << " -> " << p.table->name << " via " << field);
            CHECK(indexed(d->table->name, field));
        }
    }
}
