// `sinkhost schema --apply` on a database made by the previous version
// (mappings/vibe-tables.yaml at the release before `system`): key column
// `source`, events.status and tickets.status NOT NULL, no channel,
// category_raw or partner columns. It must end up as a fresh database would
// be, with every row and value kept, and rows parked under the old column
// name must still apply.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "sink_fixture.hpp"

using namespace vsink::test;

namespace {

// The previous version's CREATE TABLE statements (its `schema --apply`).
const char *const kPreviousTables[] = {
    "CREATE TABLE `organizers` (`source` VARCHAR(64) NOT NULL, `id` VARCHAR(128) NOT NULL, `name` VARCHAR(512),"
    " `legal_name` VARCHAR(512), `legal_type` VARCHAR(16), `legal_inn` VARCHAR(32), `legal_ogrn` VARCHAR(32),"
    " `legal_address` VARCHAR(1024), PRIMARY KEY (`source`, `id`))"
    " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    "CREATE TABLE `events` (`source` VARCHAR(64) NOT NULL, `id` VARCHAR(128) NOT NULL, `group_id` VARCHAR(128),"
    " `organizer_id` VARCHAR(128), `venue_id` VARCHAR(128), `name` VARCHAR(1024), `status` VARCHAR(16) NOT NULL,"
    " `category` VARCHAR(32) NOT NULL, `start_at` DATETIME(3), `finish_at` DATETIME(3), `timezone` VARCHAR(64),"
    " `utc_offset_hours` INT, `media` VARCHAR(2048), `description` TEXT, `age_rating` VARCHAR(16),"
    " `legal_name` VARCHAR(512), `legal_type` VARCHAR(16), `legal_inn` VARCHAR(32), `legal_ogrn` VARCHAR(32),"
    " `legal_address` VARCHAR(1024), PRIMARY KEY (`source`, `id`))"
    " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    "CREATE TABLE `orders` (`source` VARCHAR(64) NOT NULL, `id` VARCHAR(128) NOT NULL, `number` VARCHAR(64),"
    " `event_id` VARCHAR(128), `organizer_id` VARCHAR(128), `status` VARCHAR(16), `customer_email` VARCHAR(320),"
    " `customer_phone` VARCHAR(32), `customer_name` VARCHAR(512), `customer_first_name` VARCHAR(255),"
    " `customer_last_name` VARCHAR(255), `created_at` DATETIME(3), `done_at` DATETIME(3), PRIMARY KEY (`source`, `id`))"
    " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    "CREATE TABLE `tickets` (`source` VARCHAR(64) NOT NULL, `id` VARCHAR(128) NOT NULL, `order_id` VARCHAR(128),"
    " `event_id` VARCHAR(128), `organizer_id` VARCHAR(128), `status` VARCHAR(16) NOT NULL, `barcode` VARCHAR(128),"
    " `number` VARCHAR(64), `series` VARCHAR(64), `seat_row` VARCHAR(64), `seat` VARCHAR(64), `category` VARCHAR(255),"
    " `set_id` VARCHAR(128), `description` TEXT, `price_nominal` BIGINT, `currency` CHAR(3),"
    " `customer_email` VARCHAR(320), `customer_phone` VARCHAR(32), `customer_name` VARCHAR(512),"
    " PRIMARY KEY (`source`, `id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
};

// The columns each of these tables gains, which the previous version's rows must hold as NULL.
const std::map<std::string, std::vector<std::string>> kNewColumns = {
    {"organizers", {"status", "hidden", "role", "currency", "updated_at"}},
    {"events", {"category_raw"}},
    {"orders", {"channel"}},
    {"tickets", {"channel"}},
};

const char *const kRows[] = {
    "INSERT INTO organizers VALUES ('ticketland', 'org-1', 'Ленком', 'ООО Ленком', 'ru_ltd', '7701', '1027700', 'Москва'),"
    " ('ticketscloud', 'org-1', 'TC partner', NULL, NULL, NULL, NULL, NULL)",
    "INSERT INTO events (source, id, organizer_id, name, status, category, start_at, utc_offset_hours, description)"
    " VALUES ('ticketland', 'ev-1', 'org-1', 'Юнона и Авось', 'active', 'theatre', '2025-03-03 10:20:00.123', 3, 'opera'),"
    " ('ticketscloud', 'ev-1', 'org-1', 'Concert', 'cancelled', 'concert', NULL, NULL, NULL)",
    "INSERT INTO orders (source, id, number, event_id, organizer_id, status, customer_email, created_at)"
    " VALUES ('ticketland', 'ord-1', '1001', 'ev-1', 'org-1', NULL, 'a@example.com', '2025-03-01 09:00:00.000')",
    "INSERT INTO tickets (source, id, order_id, event_id, organizer_id, status, barcode, price_nominal, currency)"
    " VALUES ('ticketland', 'tkt-1', 'ord-1', 'ev-1', 'org-1', 'refunded', 'B1', 150000, 'RUB'),"
    " ('ticketscloud', 'tkt-1', NULL, 'ev-1', 'org-1', 'active', NULL, NULL, NULL)",
};

// A parked row as host/src/persistence/parking_lot.cpp encodes it: the
// column count, then per column its name, a kind byte and the value (native
// little-endian integers).
struct Payload {
    std::string bytes;
    uint32_t count = 0;
    void u32(uint32_t v) { bytes.append(reinterpret_cast<const char *>(&v), 4); }
    void name(const std::string &n, uint8_t kind) {
        ++count;
        u32(static_cast<uint32_t>(n.size()));
        bytes += n;
        bytes += static_cast<char>(kind);
    }
    Payload &str(const std::string &n, const std::string &v) {
        name(n, 3);
        u32(static_cast<uint32_t>(v.size()));
        bytes += v;
        return *this;
    }
    Payload &timestamp_ms(const std::string &n, int64_t ms) {
        name(n, 5);
        bytes.append(reinterpret_cast<const char *>(&ms), 8);
        return *this;
    }
    Payload &null(const std::string &n) {
        name(n, 0);
        return *this;
    }
    std::string hex() const {
        std::string all(reinterpret_cast<const char *>(&count), 4);
        all += bytes;
        std::ostringstream out;
        for (unsigned char ch : all) out << "0123456789ABCDEF"[ch >> 4] << "0123456789ABCDEF"[ch & 15];
        return out.str();
    }
};

std::string column_layout(SinkFixture &f) {
    std::string out;
    for (const Row &r : f.rows("SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLLATION_NAME"
                               " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN"
                               " ('organizers', 'events', 'orders', 'tickets') ORDER BY TABLE_NAME, ORDINAL_POSITION"))
        out += col(r, "TABLE_NAME") + "." + col(r, "COLUMN_NAME") + " " + col(r, "COLUMN_TYPE") + " " +
               col(r, "IS_NULLABLE") + " " + col(r, "COLLATION_NAME") + "\n";
    return out;
}

std::string primary_keys(SinkFixture &f) {
    std::string out;
    for (const Row &r : f.rows("SELECT TABLE_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS k"
                               " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
                               " AND INDEX_NAME = 'PRIMARY' GROUP BY TABLE_NAME ORDER BY TABLE_NAME"))
        out += col(r, "TABLE_NAME") + "(" + col(r, "k") + ") ";
    return out;
}

// Every secondary index of the test's tables: name, uniqueness, columns.
std::string index_layout(SinkFixture &f) {
    std::string out;
    for (const Row &r : f.rows("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE,"
                               " GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS k FROM information_schema.STATISTICS"
                               " WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY'"
                               " GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE ORDER BY TABLE_NAME, INDEX_NAME"))
        out += col(r, "TABLE_NAME") + "." + col(r, "INDEX_NAME") + (col(r, "NON_UNIQUE") == "0" ? " unique" : "") +
               " (" + col(r, "k") + ")\n";
    return out;
}

size_t count_lines_starting(const std::string &text, const std::string &prefix) {
    std::istringstream in(text);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.rfind(prefix, 0) == 0;
    return n;
}

}  // namespace

TEST_CASE("schema migration: a previous version's database is brought up to date, every row kept",
          "[integration][schema-migration]") {
    SinkFixture f;  // a fresh database, as this version creates it: the reference
    const std::string fresh_layout = column_layout(f);
    const std::string fresh_keys = primary_keys(f);
    const std::string fresh_indexes = index_layout(f);
    REQUIRE_THAT(fresh_indexes, Catch::Contains("tickets.by_order (system,order_id)\n") &&
                                    Catch::Contains("orders.by_event (system,event_id)\n") &&
                                    Catch::Contains("sink_parked.by_age (parked_at)\n"));
    REQUIRE_THAT(fresh_layout, Catch::Contains("tickets.system varchar(64) NO utf8mb4_bin"));

    // Turn it into the previous version's database, with rows.
    f.db().exec("DROP TABLE organizers, events, orders, tickets");
    for (const char *ddl : kPreviousTables) f.db().exec(ddl);
    for (const char *ins : kRows) f.db().exec(ins);
    std::map<std::string, std::vector<Row>> before;
    for (const auto &[table, added] : kNewColumns)
        before[table] = f.rows("SELECT * FROM " + table + " ORDER BY source, id");

    // Stored by the previous version: an order waiting for its event, its key column named `source`.
    const std::string payload = Payload{}
                                    .str("source", "ticketland")
                                    .str("id", "ord-parked")
                                    .str("number", "2002")
                                    .str("event_id", "ev-late")
                                    .str("organizer_id", "org-1")
                                    .str("customer_email", "late@example.com")
                                    .timestamp_ms("created_at", 1740997200123)
                                    .null("done_at")
                                    .hex();
    // The previous version's parking lot: no record columns, no entity key.
    f.db().exec("DROP TABLE sink_parked");
    f.db().exec("CREATE TABLE `sink_parked` (`id` BIGINT NOT NULL AUTO_INCREMENT, `parent_table` VARCHAR(64) NOT NULL,"
                " `parent_key` VARBINARY(1024) NOT NULL, `entity` VARCHAR(64) NOT NULL, `payload` MEDIUMBLOB NOT NULL,"
                " `topic` VARCHAR(249) NOT NULL, `kafka_partition` INT NOT NULL, `kafka_offset` BIGINT NOT NULL,"
                " `parked_at` DATETIME(3) NOT NULL, PRIMARY KEY (`id`),"
                " KEY `by_parent` (`parent_table`, `parent_key`(255))) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
                " COLLATE=utf8mb4_bin");
    f.db().exec("INSERT INTO sink_parked (parent_table, parent_key, entity, payload, topic, kafka_partition,"
                " kafka_offset, parked_at) VALUES ('events', CONCAT('ticketland', CHAR(31), 'ev-late'), 'order', X'" +
                payload + "', 'old.topic', 0, 41, UTC_TIMESTAMP(3))");  // recent: within the age limit

    auto [first, out] = f.run_cli({"schema", "--apply"});
    INFO(out);
    REQUIRE(first.success());
    // Indexes are counted as indexes, not columns: the previous tables had none of the mapping's 8 (events 2,
    // orders 2, tickets 4) nor the parking lot's by_entity and by_age.
    CHECK_THAT(out, Catch::Contains("schema applied: 10 table(s) present (0 created), 13 column(s) added, 4 renamed, "
                                    "2 relaxed, 0 widened, 10 index(es) added, 0 change(s) refused in database " +
                                    f.database() + "\n"));
    CHECK(count_lines_starting(out, "ALTER TABLE ") == 29);
    CHECK_THAT(out, Catch::Contains("ALTER TABLE `tickets` ADD INDEX `by_order` (`system`, `order_id`)\n"));
    // The parking lot gains the record columns and indexes of this version.
    CHECK_THAT(out, Catch::Contains("ALTER TABLE `sink_parked` ADD COLUMN `record_value` MEDIUMBLOB NULL\n") &&
                        Catch::Contains("ALTER TABLE `sink_parked` ADD KEY `by_entity` (`entity`, `entity_key`(255))\n"));
    CHECK_THAT(out, Catch::Contains("ALTER TABLE `events` RENAME COLUMN `source` TO `system`\n"));
    CHECK_THAT(out, Catch::Contains("ALTER TABLE `orders` ADD COLUMN `channel` VARCHAR(128) AFTER `organizer_id`\n"));
    CHECK_THAT(out, Catch::Contains("ALTER TABLE `tickets` MODIFY COLUMN `status` varchar(16) CHARACTER SET utf8mb4 "
                                    "COLLATE utf8mb4_bin NULL\n"));

    // The tables are now exactly what a fresh database has: names, order,
    // types, nullability (events.status, tickets.status) and primary keys.
    CHECK(column_layout(f) == fresh_layout);
    CHECK(primary_keys(f) == fresh_keys);
    CHECK(index_layout(f) == fresh_indexes);
    CHECK_THAT(primary_keys(f), Catch::Contains("tickets(system,id)") && Catch::Contains("events(system,id)"));
    CHECK(f.scalar("SELECT IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                   " AND TABLE_NAME = 'events' AND COLUMN_NAME = 'status'") == "YES");

    // Every row kept with every value; `system` holds what `source` held; the new columns are NULL.
    for (const auto &[table, added] : kNewColumns) {
        INFO(table);
        const auto after = f.rows("SELECT * FROM " + table + " ORDER BY system, id");
        REQUIRE(after.size() == before[table].size());
        for (size_t i = 0; i < after.size(); ++i) {
            for (const auto &[column, value] : before[table][i]) {
                INFO(column);
                CHECK(after[i].at(column == "source" ? "system" : column) == value);
            }
            for (const std::string &c : added) CHECK(col(after[i], c) == "NULL");
            CHECK(after[i].size() == before[table][i].size() + added.size());
        }
    }
    CHECK(f.scalar("SELECT GROUP_CONCAT(system ORDER BY system) FROM tickets WHERE id = 'tkt-1'") ==
          "ticketland,ticketscloud");
    CHECK(f.scalar("SELECT CONCAT_WS('|', name, legal_inn, legal_address) FROM organizers"
                   " WHERE system = 'ticketland' AND id = 'org-1'") == "Ленком|7701|Москва");
    CHECK(f.scalar("SELECT CONCAT_WS('|', status, price_nominal, currency) FROM tickets"
                   " WHERE system = 'ticketland'") == "refunded|150000|RUB");
    CHECK(f.scalar("SELECT start_at FROM events WHERE system = 'ticketland'") == "2025-03-03 10:20:00.123");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "1");  // untouched
    // What the previous version could not store: a ticket without a status.
    f.db().exec("INSERT INTO tickets (system, id) VALUES ('ticketland', 'tkt-no-status')");

    // A second run changes nothing.
    auto [second, again] = f.run_cli({"schema", "--apply"});
    INFO(again);
    REQUIRE(second.success());
    CHECK_THAT(again, Catch::Contains("schema applied: 10 table(s) present (0 created), 0 column(s) added, 0 renamed, "
                                      "0 relaxed, 0 widened, 0 index(es) added, 0 change(s) refused"));
    CHECK(count_lines_starting(again, "ALTER TABLE ") == 0);
    CHECK(column_layout(f) == fresh_layout);
    auto [diff, dout] = f.run_cli({"schema", "--diff"});
    INFO(dout);
    CHECK(diff.code == 0);
    CHECK_THAT(dout, Catch::Contains("schema up to date: database " + f.database()));

    // The parked order, stored under `source`, applies once its event arrives.
    f.produce("ticketland.orders.events", "ev-late",
              R"({"id":"ev-late","name":"Late","category":"concert","organizer_id":"org-1","start_at":1740997200})");
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    REQUIRE(f.wait_scalar("SELECT COUNT(*) FROM orders WHERE id = 'ord-parked'", "1"));
    f.stop_sink();
    const auto parked = f.rows("SELECT * FROM orders WHERE id = 'ord-parked'");
    REQUIRE(parked.size() == 1);
    CHECK(col(parked[0], "system") == "ticketland");
    CHECK(col(parked[0], "number") == "2002");
    CHECK(col(parked[0], "event_id") == "ev-late");
    CHECK(col(parked[0], "customer_email") == "late@example.com");
    CHECK(col(parked[0], "created_at") == "2025-03-03 10:20:00.123");
    CHECK(col(parked[0], "done_at") == "NULL");
    CHECK(col(parked[0], "channel") == "NULL");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");
    CHECK(f.scalar("SELECT system FROM events WHERE id = 'ev-late'") == "ticketland");
}

namespace {

std::string read_text(const std::string &path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string replaced(std::string text, const std::string &from, const std::string &to) {
    const size_t at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("'" + from + "' is not in the text");
    return text.replace(at, from.size(), to);
}

std::vector<std::string> lines_of(const std::string &out) {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) v.push_back(line);
    return v;
}

const char *kEvent = R"({"id":"evt-1","name":"Concert","category":"concert","start_at":1740997200})";
const char *kOrder = R"({"id":"ord-1","number":"N-77","event_id":"evt-1","tickets":[]})";

}  // namespace

TEST_CASE("schema: a column added to the mapping: diff and check say so, run fails until apply, then writes it",
          "[integration][schema-migration][schema-diff]") {
    SinkFixture f;
    // The mapping of a next version: orders gain number_copy, filled from the order's number.
    const std::string src = std::string(std::getenv("VSINK_SOURCE_DIR")) + "/mappings/vibe-tables.yaml";
    std::string mapping = read_text(src);
    mapping = replaced(mapping, "      done_at: DATETIME(3)\n", "      done_at: DATETIME(3)\n      number_copy: VARCHAR(64)\n");
    mapping = replaced(mapping, "customer_last_name, created_at,\n              done_at]",
                       "customer_last_name, created_at,\n              done_at, {number_copy: number}]");
    const std::string next = f.config_path() + ".next-tables.yaml";
    std::ofstream(next) << mapping;
    f.use_config(replaced(read_text(f.config_path()), src, next), {}, f.group());

    const std::string add = "ALTER TABLE `orders` ADD COLUMN `number_copy` VARCHAR(64) AFTER `done_at`";
    auto [diff, dout] = f.run_cli({"schema", "--diff"});
    INFO(dout);
    CHECK(diff.code == 1);
    CHECK(lines_of(dout) == std::vector<std::string>{"column orders.number_copy is missing: " + add + ";",
                                                     "schema differs: database " + f.database() +
                                                         " lacks 1 thing(s) `schema --apply` adds; 0 change(s) it "
                                                         "refuses"});
    auto [check, cout_] = f.run_cli({"check"});
    INFO(cout_);
    CHECK(check.code == 1);
    CHECK_THAT(cout_, Catch::Contains("FAIL database " + f.database() + ": column orders.number_copy is missing"));

    // `run` on the old schema stops with the README's code for a database error.
    f.produce("ticketland.orders.events", "evt-1", kEvent);
    f.produce("ticketland.orders.orders", "ord-1", kOrder);
    f.flush();
    f.start_sink();
    const auto stopped = f.sink().wait(60000);
    INFO(f.sink().log());
    REQUIRE(stopped);
    CHECK(stopped->code == 5);
    CHECK_THAT(f.sink().log(), Catch::Contains("Unknown column"));
    CHECK(f.scalar("SELECT COUNT(*) FROM orders") == "0");

    auto [apply, aout] = f.run_cli({"schema", "--apply"});
    INFO(aout);
    CHECK(apply.code == 0);
    CHECK(lines_of(aout).front() == add);
    CHECK_THAT(aout, Catch::Contains(", 1 column(s) added, 0 renamed, 0 relaxed, 0 widened, 0 index(es) added, "
                                     "0 change(s) refused"));
    auto [check2, cout2] = f.run_cli({"check"});
    INFO(cout2);
    CHECK(check2.code == 0);

    f.start_sink();
    REQUIRE(f.wait_caught_up());
    REQUIRE(f.wait_scalar("SELECT COUNT(*) FROM orders", "1"));
    f.stop_sink();
    const auto rows = f.rows("SELECT * FROM orders");
    CHECK(col(rows[0], "id") == "ord-1");
    CHECK(col(rows[0], "number") == "N-77");
    CHECK(col(rows[0], "number_copy") == "N-77");
    CHECK(col(rows[0], "event_id") == "evt-1");
}

TEST_CASE("schema: an index added, a type widened, a narrowing refused with its statement and the data untouched",
          "[integration][schema-migration][schema-diff]") {
    SinkFixture f;
    f.db().exec("ALTER TABLE orders DROP INDEX by_event");
    f.db().exec("ALTER TABLE orders MODIFY COLUMN customer_name VARCHAR(2000)");
    f.db().exec("ALTER TABLE orders MODIFY COLUMN number VARCHAR(16)");
    f.db().exec("ALTER TABLE tickets ADD COLUMN legacy INT");
    f.db().exec("INSERT INTO orders (system, id, number, customer_name) VALUES ('ticketland', 'ord-1', 'N-16', "
                "REPEAT('ж', 1000))");

    const std::string widen = "ALTER TABLE `orders` MODIFY COLUMN `number` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE "
                              "utf8mb4_bin NULL";
    const std::string narrow = "ALTER TABLE `orders` MODIFY COLUMN `customer_name` VARCHAR(512) CHARACTER SET utf8mb4 "
                               "COLLATE utf8mb4_bin NULL";
    const std::string index = "ALTER TABLE `orders` ADD INDEX `by_event` (`system`, `event_id`)";
    const std::string refused = "refused: column orders.customer_name is varchar(2000), the mapping says VARCHAR(512): "
                                "converting would narrow it and lose what does not fit; not run by --apply, to run by "
                                "hand after deciding: " + narrow + ";";
    auto [diff, dout] = f.run_cli({"schema", "--diff"});
    INFO(dout);
    CHECK(diff.code == 1);
    CHECK(lines_of(dout) ==
          std::vector<std::string>{
              "column orders.number is varchar(16), the mapping says VARCHAR(64): " + widen + ";",
              "index orders.by_event (system, event_id) is missing: " + index + ";",
              refused,
              "info: column tickets.legacy is not in the mapping; left as it is",
              "schema differs: database " + f.database() + " lacks 2 thing(s) `schema --apply` adds; 1 change(s) it "
              "refuses"});

    auto [check, cout_] = f.run_cli({"check"});
    INFO(cout_);
    CHECK(check.code == 1);  // varchar(16) cannot hold every number the mapping allows
    CHECK_THAT(cout_, Catch::Contains("FAIL database " + f.database() + ": column orders.number is varchar(16)"));
    CHECK_THAT(cout_, Catch::Contains("WARN database " + f.database() + ": column orders.customer_name is "
                                      "varchar(2000)") &&
                          Catch::Contains("WARN database " + f.database() + ": index orders.by_event"));

    auto [apply, aout] = f.run_cli({"schema", "--apply"});
    INFO(aout);
    CHECK(apply.code == 1);  // something was refused
    CHECK(lines_of(aout) ==
          std::vector<std::string>{widen, index, refused, "info: column tickets.legacy is not in the mapping; left as it is",
                                   "schema applied: 10 table(s) present (0 created), 0 column(s) added, 0 renamed, "
                                   "0 relaxed, 1 widened, 1 index(es) added, 1 change(s) refused in database " +
                                       f.database()});
    auto type_of = [&](const std::string &c) {
        return f.scalar("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                        "TABLE_NAME = 'orders' AND COLUMN_NAME = '" + c + "'");
    };
    CHECK(type_of("number") == "varchar(64)");
    CHECK(type_of("customer_name") == "varchar(2000)");  // untouched
    CHECK(f.scalar("SELECT CONCAT(number, '|', CHAR_LENGTH(customer_name), '|', customer_name = REPEAT('ж', 1000))"
                   " FROM orders WHERE id = 'ord-1'") == "N-16|1000|1");
    CHECK(f.scalar("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE "
                   "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders' AND INDEX_NAME = 'by_event'") ==
          "system,event_id");
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets WHERE legacy IS NULL") == "0");  // the column is still there

    // Idempotent: only the refusal and the unknown column remain.
    auto [again, out2] = f.run_cli({"schema", "--apply"});
    INFO(out2);
    CHECK(again.code == 1);
    CHECK(lines_of(out2) ==
          std::vector<std::string>{refused, "info: column tickets.legacy is not in the mapping; left as it is",
                                   "schema applied: 10 table(s) present (0 created), 0 column(s) added, 0 renamed, "
                                   "0 relaxed, 0 widened, 0 index(es) added, 1 change(s) refused in database " +
                                       f.database()});
    auto [check2, cout2] = f.run_cli({"check"});
    INFO(cout2);
    CHECK(check2.code == 0);  // a wider column only warns
    CHECK_THAT(cout2, Catch::EndsWith("all checks passed, 1 warning(s)\n"));

    // The operator decides: the long name is cut by hand, then the refused statement runs.
    f.db().exec("UPDATE orders SET customer_name = LEFT(customer_name, 512)");
    f.db().exec(narrow);
    auto [diff3, dout3] = f.run_cli({"schema", "--diff"});
    INFO(dout3);
    CHECK(diff3.code == 0);
}
