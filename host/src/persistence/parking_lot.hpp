// Children whose parent row is not in the database yet wait here, durably, in
// the same transaction that would have written them (table sink_parked), and
// are applied in the transaction that brings their parent.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "persistence/database.hpp"
#include "persistence/entity_row.hpp"

namespace vsink {

// Parked rows are stored with their column names, so a mapping that gains or
// loses a column between parking and applying still reads them.
std::string encode_row(const EntityRow &row);
// A value stored under a column's old name (the table's `renamed`) reads as
// that column. Throws std::runtime_error on a damaged payload.
EntityRow decode_row(const EntityDef &def, const std::string &payload, RecordOrigin origin);

class ParkingLot {
public:
    ParkingLot(Database &db, const Mapping &mapping) : db_(db), mapping_(mapping) {}

    struct Waiting {
        const EntityRow *row;
        const TableDef *parent_table;
        std::string parent_key;
    };
    // Parks each row until its parent table has a row with its parent key,
    // in multi-row inserts; their order is the order they are applied in.
    // Returns the number of statements run.
    size_t park(const std::vector<Waiting> &rows);

    // Takes (deletes and returns, oldest first) every row waiting for one of
    // `keys` in `table`. Locks them, so two workers never apply one twice.
    // A row that cannot be read back (its entity gone from the mapping, a
    // damaged payload) is logged and left parked for an operator, never
    // thrown at the worker (C3, issue 8).
    std::vector<EntityRow> take_waiting_for(const TableDef &table, const std::set<std::string> &keys);

    // What waits, per entity and parent table: for `sinkhost parked`.
    struct Summary {
        std::string entity, parent_table;
        int64_t rows = 0;
        std::string oldest;  // parked_at of the oldest, UTC
        int64_t oldest_age_s = 0;
    };
    std::vector<Summary> summary();
    // The parked rows themselves, oldest first, without their payload (it
    // holds personal data): where each came from and what it waits for.
    struct Listed {
        int64_t id = 0;
        std::string entity, parent_table, parent_key, topic, parked_at;
        int32_t partition = 0;
        int64_t offset = 0;
    };
    std::vector<Listed> list(size_t limit);

private:
    Database &db_;
    const Mapping &mapping_;
};

}  // namespace vsink
