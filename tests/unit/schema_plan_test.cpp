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
    CHECK_THROWS_WITH(plan_table_migration(*m.table("t"), {{"note", "text", true, "utf8mb4", "utf8mb4_bin"}}),
                      Catch::Contains("table t: key column id is missing from the database"));
}
