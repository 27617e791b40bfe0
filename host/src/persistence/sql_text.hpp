// The SQL the host generates from the mapping. It runs on MySQL 8 and
// MariaDB 10.11 alike, except the upserts' ON DUPLICATE KEY UPDATE, which
// takes the server's flavour: MySQL 8.0.19+ deprecates VALUES(c) (8.0.20)
// for the row alias (`AS new ... c = new.c`), which MariaDB does not have.
#pragma once

#include <string>
#include <vector>

#include "mapping/mapping.hpp"
#include "persistence/entity_row.hpp"

namespace vsink {

std::string quote_ident(const std::string &id);

// How an upsert names the row it would have inserted.
enum class SqlFlavour {
    ValuesFunction,  // c = VALUES(c): MariaDB, MySQL before 8.0.19
    RowAlias         // VALUES (...) AS new ... c = new.c: MySQL 8.0.19 and later
};
// The flavour for a server's VERSION() text: "…MariaDB…" or unparsable or
// MySQL before 8.0.19 → ValuesFunction; MySQL 8.0.19+ → RowAlias.
SqlFlavour sql_flavour_for(const std::string &server_version);

// ALTER TABLE `t` ADD [UNIQUE] INDEX `name` (`a`, `b`).
std::string add_index_sql(const TableDef &t, const IndexDef &ix);

// CREATE TABLE IF NOT EXISTS for one mapped table, with its indexes.
std::string create_table_sql(const TableDef &t);
// The host's own tables: stored offsets and parked rows.
std::vector<std::string> system_tables_sql();
// A column or index (`name`) of a host table added after its first version,
// and the ALTER that adds it.
struct SystemTableUpgrade {
    std::string table, name, sql;
};
std::vector<SystemTableUpgrade> system_tables_upgrades();
// Every statement `schema --apply` runs, in order.
std::vector<std::string> schema_sql(const Mapping &m);

// INSERT ... VALUES (?..),(?..) ON DUPLICATE KEY UPDATE for `rows` rows:
// c = VALUES(c), or c = COALESCE(VALUES(c), c) for a keep_when_null column;
// with RowAlias: VALUES (?..) AS `new` ... c = `new`.c, COALESCE(`new`.c, c).
std::string upsert_sql(const EntityDef &e, size_t rows, SqlFlavour flavour = SqlFlavour::ValuesFunction);
// INSERT ... ON DUPLICATE KEY UPDATE <first key column> = itself: inserts the
// rows that do not exist yet and leaves existing ones as they are. For a
// replay from the dead-letter queue, which must never overwrite what a later
// record wrote.
// The same text in both flavours (it names no new value).
std::string insert_absent_sql(const EntityDef &e, size_t rows, SqlFlavour flavour = SqlFlavour::ValuesFunction);
// An upsert_sql() (or, `insert_absent`, insert_absent_sql()) as the text
// around its rows: head + "(..),(..)" + tail, each row's values written as
// literals (append_literal): one text for any number of rows, nothing to
// prepare, bind or cache (issue 9: Connector/C++ allocated and freed every
// bound value, and each cached statement held ~250 bytes per parameter).
struct UpsertText {
    std::string head, tail;
};
UpsertText upsert_text(const EntityDef &e, SqlFlavour flavour, bool insert_absent);
// Appends `v` as an SQL literal that reads the same whatever the session's
// sql_mode: NULL; an integer; a double with 17 significant digits (NULL when
// not finite: SQL has no literal for it); 1 or 0; a timestamp as
// 'YYYY-MM-DD HH:MM:SS.mmm' (UTC); a string in single quotes when it is
// valid UTF-8 without control characters, quotes or backslashes (nothing to
// escape), otherwise as a hex literal of its bytes, _binary X'..' (a string
// in every context, converted to the column's character set on the way in:
// invalid UTF-8 is refused with 1366 as a bound parameter would be).
void append_literal(std::string &out, const Value &v);

// UPDATE ... SET non-key columns (COALESCE(?, c) when keep_when_null) WHERE
// key columns (one row) [AND the `unless` columns hold none of their values:
// bound after the key].
std::string update_sql(const EntityDef &e);
// SELECT key columns of the rows whose key columns but the last equal one
// value each and whose last key column is one of `values` values:
//   SELECT `system`, `id` FROM `events` WHERE `system` = ? AND `id` IN (?,?) LOCK IN SHARE MODE
// One range of the primary key per value (an OR of per-key AND groups cost
// the server ~15 ms per 200 keys: issue 9), with a shared lock so a parent
// that another worker is inserting is waited for, not missed (REPEATABLE
// READ next-key locks: a missing key's gap stays locked until commit).
std::string exists_sql(const TableDef &t, size_t values);

// Candidate keys (join_key texts of `columns` parts) grouped by their
// leading parts (every key column but the last), for exists_sql(): groups
// in the order of their leading parts, each group's last parts in the
// order of `keys`, each once. A key of another number of parts is skipped.
struct KeyGroup {
    std::vector<std::string> leading;  // columns - 1 values
    std::vector<std::string> last;     // the last column's values
};
std::vector<KeyGroup> group_keys(const std::vector<std::string> &keys, size_t columns);

// The number of values an IN list of at most `max` values holds for `n`
// values: the smallest power of two >= n (at least 1), at most `max`. The
// caller repeats the last value up to it, so that a few statement texts
// serve every batch (they are prepared and cached by text).
size_t in_list_size(size_t n, size_t max);

}  // namespace vsink
