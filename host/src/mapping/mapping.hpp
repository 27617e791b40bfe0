// The mapping: which topics feed the plugin, which tables exist, and which
// entity fills which table's columns (mappings/*.yaml). The host reads the
// tables and entities; each topic's entry is handed to the plugin as is.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vsink {

struct ColumnDef {
    std::string name;
    std::string sql_type;  // e.g. "VARCHAR(64) NOT NULL"
};

// A secondary index declared in the mapping (`indexes:`): created with the
// table, added by `schema --apply` to an existing one.
struct IndexDef {
    std::string name;
    std::vector<std::string> columns;
    bool unique = false;
};

struct TableDef {
    std::string name;
    std::vector<ColumnDef> columns;
    std::vector<std::string> key;  // primary key columns
    int depth = 0;                 // 0 = no parents; parents are written before children
    // {column, old name}: the column was called `old name` in databases made
    // by earlier versions. `schema --apply` renames it there, and rows parked
    // under the old name still read as the column.
    std::vector<std::pair<std::string, std::string>> renamed;
    std::vector<IndexDef> indexes;

    const ColumnDef *column(const std::string &n) const;
    // The current name of a column once called `old`, or nullptr.
    const std::string *renamed_from(const std::string &old) const;
};

struct ParentRef {
    const TableDef *table = nullptr;
    // For each key column of the parent table, the index of the entity field
    // that holds its value (into EntityDef::fields).
    std::vector<size_t> field_index;
};

// A column filled from another table's row at write time, e.g. a ticket's
// category is the name of its ticket set, but only when the entity itself
// gives the column no value (NULL): what the record says wins. The looked-up
// row should also be a parent, so the entity waits for it.
struct Lookup {
    size_t column_index = 0;  // into EntityDef::columns
    const TableDef *table = nullptr;
    std::string source_column;       // the column of `table` to read
    std::vector<size_t> field_index;  // entity fields giving `table`'s key
};

enum class WriteMode { Upsert, Update };

struct EntityDef {
    std::string name;
    const TableDef *table = nullptr;
    WriteMode mode = WriteMode::Upsert;
    std::vector<std::string> columns;  // table columns this entity writes
    std::vector<std::string> fields;   // entity field feeding each column (same index)
    std::vector<bool> keep_on_update;  // per column: set on insert only
    // Per column: a NULL this entity carries never overwrites the stored
    // value (a partial copy of a row updates only what it carries): SQL
    // `c = COALESCE(new, c)`, in upsert and update mode alike.
    std::vector<bool> keep_when_null;
    std::vector<size_t> key_index;     // index into columns for each table key column
    std::vector<ParentRef> parents;    // an Update entity's own row is its implicit parent
    std::vector<Lookup> lookups;
    // Update mode: rows whose column holds one of these values are left as
    // they are (a late cancellation never overrides a refund).
    std::vector<std::pair<std::string, std::vector<std::string>>> unless;

    int field_index(const std::string &field) const;  // -1 if absent
};

struct TopicDef {
    std::string name;
    std::string yaml;  // the entry, re-emitted as YAML text for the plugin
    std::string file;
    int line = 0;
};

class Mapping {
public:
    // Loads and merges several files; throws ConfigError naming file and line.
    static Mapping load(const std::vector<std::string> &paths);

    const std::vector<std::unique_ptr<TableDef>> &tables() const { return tables_; }
    const EntityDef *entity(const std::string &name) const;
    const TableDef *table(const std::string &name) const;
    const std::vector<TopicDef> &topics() const { return topics_; }
    // Tables ordered parents first (by depth, then name).
    std::vector<const TableDef *> tables_in_write_order() const;

private:
    std::vector<std::unique_ptr<TableDef>> tables_;
    std::map<std::string, std::unique_ptr<EntityDef>> entities_;
    std::vector<TopicDef> topics_;
};

// True for a safe SQL identifier: [A-Za-z_][A-Za-z0-9_]*, at most 64 chars.
bool is_identifier(const std::string &s);

}  // namespace vsink
