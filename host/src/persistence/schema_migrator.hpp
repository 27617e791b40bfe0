// `sinkhost schema --diff` and `--apply`: what the database lacks against the
// mappings, and the changes that bring it there without losing a row.
//
// Safe, and run by --apply: create a missing table (with its indexes), rename
// a column the mapping lists in `renamed`, add a missing column, relax NOT
// NULL on a column the mapping declares nullable, widen a column whose type
// holds fewer values than the mapping's (VARCHAR(64) -> VARCHAR(128), INT ->
// BIGINT, DATETIME -> DATETIME(3), VARCHAR -> TEXT), add a missing index.
//
// Refused, never run (each printed with the exact statement an operator runs
// after deciding): narrowing a type, changing it to another kind, changing the
// primary key, a missing key column, an index of the same name on other
// columns. Columns and indexes the mapping does not know are reported and
// left; nothing is ever dropped. Running it again changes nothing.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "mapping/mapping.hpp"
#include "persistence/database.hpp"

namespace vsink {

// A column as the database has it (information_schema.COLUMNS).
struct DbColumn {
    std::string name;
    std::string column_type;  // COLUMN_TYPE, e.g. "varchar(16)"
    bool nullable = true;     // IS_NULLABLE = 'YES'
    std::string charset;      // CHARACTER_SET_NAME; empty for a non-text column
    std::string collation;    // COLLATION_NAME
};

// A secondary index as the database has it (information_schema.STATISTICS);
// a prefix column reads "col(255)".
struct DbIndex {
    std::string name;
    std::vector<std::string> columns;
    bool unique = false;
};

// A table as the database has it.
struct DbTable {
    std::vector<DbColumn> columns;        // in database order
    std::vector<std::string> primary_key;  // empty: none
    std::vector<DbIndex> indexes;         // PRIMARY excluded
    bool keys_known = false;              // primary_key and indexes were read
};

struct SchemaChange {
    enum class Kind {
        Rename,       // RENAME COLUMN (the mapping's `renamed`)
        Add,          // ADD COLUMN
        Relax,        // MODIFY ... NULL
        Widen,        // MODIFY to a type that holds every value the column holds
        AddIndex,     // ADD INDEX
        CreateTable,  // CREATE TABLE IF NOT EXISTS
        Refused,      // would lose data or change a key: printed, never run
        Extra         // a column or index the mapping does not know: left as it is
    };
    // How `check` rates what the change stands for while it is not made:
    // Fail = `run` cannot work (a missing table or column, a type that cannot
    // hold the mapping's values, another key); Warn = `run` works (a missing
    // index, a column wider than the mapping's type); Info = nothing to do.
    enum class Severity { Fail, Warn, Info };
    Kind kind;
    std::string sql;   // one statement; empty for Extra
    std::string what;  // what the database lacks, one line: "column orders.channel is missing"
    Severity severity = Severity::Fail;
    std::string table;

    bool safe() const { return kind != Kind::Refused && kind != Kind::Extra; }
};

struct TablePlan {
    std::vector<SchemaChange> changes;  // the safe ones, in the order they must run
    std::vector<SchemaChange> refused;  // never run
    std::vector<SchemaChange> extras;   // columns and indexes the mapping does not know
    std::vector<std::string> unknown;   // database columns the mapping does not know
};

// The changes that bring existing table `t` up to the mapping. The overload
// with only the columns leaves the primary key and indexes out.
TablePlan plan_table_migration(const TableDef &t, const DbTable &existing);
TablePlan plan_table_migration(const TableDef &t, const std::vector<DbColumn> &existing);

// True when the mapping's SQL type text allows NULL (has no NOT NULL).
bool sql_type_nullable(const std::string &sql_type);

// How a database column's type (COLUMN_TYPE) stands to the mapping's:
enum class TypeFit {
    Same,          // the same values (display widths and BOOLEAN/TINYINT(1) aside)
    Narrower,      // the database's holds fewer: converting to the mapping's loses nothing
    Wider,         // the database's holds more: converting would narrow it
    Incompatible   // another kind, or each holds values the other cannot
};
TypeFit compare_type(const std::string &db_column_type, const std::string &mapping_type);
// The mapping's type without its NULL / NOT NULL: "VARCHAR(64) NOT NULL" -> "VARCHAR(64)".
std::string mapping_base_type(const std::string &sql_type);

// Everything the database lacks or has otherwise than the mappings say:
// mapped tables (parents first), then the host's tables. Reads
// information_schema only.
std::vector<SchemaChange> diff_schema(Database &db, const Mapping &mapping);

// A change's statement on one line (CREATE TABLE spans several).
std::string one_line(const std::string &sql);
// The line `schema --diff` prints for a change.
std::string describe_change(const SchemaChange &c);

struct SchemaReport {
    size_t tables = 0;  // mapped and host tables present afterwards
    size_t created = 0;
    size_t added = 0;  // columns
    size_t renamed = 0;
    size_t relaxed = 0;
    size_t widened = 0;
    size_t indexes = 0;  // indexes added to existing tables
    size_t refused = 0;
};

// Runs each safe change of diff_schema, writing each statement it runs, each
// refused change (with its statement) and each unknown column or index to
// `out`, one line each. Throws sql::SQLException (each ALTER commits on its
// own: a failed run can simply be run again).
SchemaReport apply_schema(Database &db, const Mapping &mapping, std::ostream &out);

}  // namespace vsink
