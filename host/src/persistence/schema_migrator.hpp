// `sinkhost schema --apply`: creates the tables the mappings need and brings
// tables made by an earlier version up to date without losing a row. It only
// ever renames a column (the mapping's `renamed`), adds a missing column and
// relaxes NOT NULL on a column the mapping declares nullable; it never drops
// a column and never changes a type, so rows and values are kept as they are.
// Columns the mapping does not know are left and reported. Running it again
// changes nothing. Stop the workers of the earlier version first: they would
// write the old column names.
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

struct SchemaChange {
    enum class Kind { Rename, Add, Relax };
    Kind kind;
    std::string sql;  // one ALTER TABLE statement
};

struct TablePlan {
    std::vector<SchemaChange> changes;  // in the order they must run
    std::vector<std::string> unknown;   // database columns the mapping does not know
};

// The changes that bring existing table `t` (its columns `existing`, in
// database order) up to the mapping. Throws std::runtime_error when that is
// not possible without a person deciding (a key column is missing).
TablePlan plan_table_migration(const TableDef &t, const std::vector<DbColumn> &existing);

// True when the mapping's SQL type text allows NULL (has no NOT NULL).
bool sql_type_nullable(const std::string &sql_type);

struct SchemaReport {
    size_t tables = 0;  // mapped and host tables present
    size_t added = 0;
    size_t renamed = 0;
    size_t relaxed = 0;
};

// Runs every CREATE TABLE IF NOT EXISTS, then each mapped table's plan,
// writing each ALTER it runs and each unknown column to `out`, one line each.
// Throws sql::SQLException (each ALTER commits on its own: a failed run can
// simply be run again).
SchemaReport apply_schema(Database &db, const Mapping &mapping, std::ostream &out);

}  // namespace vsink
