// Writes a batch of entity rows inside the caller's open transaction:
// parents before children (mapping table depth), record order within a
// table, prepared multi-row upserts, children without their parent parked,
// and parked children applied once the parent is written.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "persistence/database.hpp"
#include "persistence/entity_row.hpp"
#include "persistence/parking_lot.hpp"
#include "persistence/sql_text.hpp"

namespace vsink {

// A row the database refused, with the record it came from (origin.source)
// and the reason without its value: for the dead-letter queue.
struct RejectedRow {
    RecordOrigin origin;
    std::string entity;
    std::string error_class;  // e.g. ER_DATA_TOO_LONG
    std::string reason;       // describe_rejection()
};

struct WriteStats {
    std::map<std::string, size_t> rows_by_table;  // upserted or updated
    size_t parked = 0;
    size_t unparked = 0;
    size_t superseded = 0;  // parked rows dropped: a newer record of the same key was written
    size_t rejected_parked = 0;  // parked rows the database refused when applied: dead-lettered
    std::vector<RejectedRow> rejected;  // those rows
    size_t absorbed = 0;  // older parked rows replaced by a newer row of the same key

    // Adds `o` (a part of the same transaction) to these.
    void add(WriteStats &&o);
    size_t statements = 0;
};

// The key of the row lookup `lk` reads for `row`, or nothing when there is
// nothing to look up: the entity gave the column a value of its own (which
// wins), or an `on` field is NULL.
std::optional<std::vector<std::string>> lookup_key(const EntityRow &row, const Lookup &lk);

// The order rows of one table are written in: entity by entity, each in
// record order, the entities in the order each first appears (an order's
// tickets, then a refund's ticket statuses): fewer runs, so fewer statements
// (each run is cut into fixed chunk sizes). Record order when that would
// write two rows of one key in another order than their records.
std::vector<const EntityRow *> write_order(const std::vector<const EntityRow *> &rows);

class EntityWriter {
public:
    // Hash of an (entity, key) pair, for the hashed maps of written rows.
    struct EntityKeyHash {
        size_t operator()(const std::pair<const EntityDef *, std::string> &k) const {
            return std::hash<std::string>()(k.second) ^ (std::hash<const EntityDef *>()(k.first) * 31);
        }
    };
    EntityWriter(Database &db, const Mapping &mapping);

    // Call at the start of every transaction (and every retry of one).
    void begin_transaction() {
        parking_.begin_transaction();
        present_.clear();
    }
    // Replay from the dead-letter queue: upserts insert missing rows and
    // leave existing ones as they are (an older record never overwrites).
    void set_replay(bool on) { replay_ = on; }
    ParkingLot &parking() { return parking_; }

    // Throws sql::SQLException (the caller rolls back and classifies). A row
    // that waits for its parent is first tried against its table under a
    // savepoint, so that a row the database would refuse is refused now
    // (its record goes to the dead-letter queue) rather than when applied.
    WriteStats apply(const std::vector<const EntityRow *> &rows);
    WriteStats apply(const std::vector<EntityRow> &rows);

private:
    using KeySet = std::set<std::string>;
    using Written = std::map<const TableDef *, KeySet>;
    // (entity, key) -> the last row of it upserted; hashed: one entry per row
    // written, only ever looked up (host CPU per record, issue 9).
    using EntityKeys = std::unordered_map<std::pair<const EntityDef *, std::string>, const EntityRow *, EntityKeyHash>;

    // Writes rows, parks those whose parent is missing. `written` gains the
    // keys upserted per table; `direct`, if given, each row upserted by its
    // (entity, key).
    void write_rows(const std::vector<const EntityRow *> &rows, Written &written, WriteStats &stats,
                    EntityKeys *direct = nullptr);
    KeySet existing_keys(const TableDef &table, const KeySet &candidates, WriteStats &stats);
    void write_run(const std::vector<const EntityRow *> &run, WriteStats &stats);
    // A run of an update entity: multi-row UPDATEs (one per chunk), never
    // two rows of one key in a statement.
    void write_updates(const std::vector<const EntityRow *> &run, WriteStats &stats);
    // The upsert (or, in replay, insert-if-absent) text around `def`'s rows.
    const UpsertText &upsert_text_for(const EntityDef &def);
    // Throws the database's refusal of a row about to be parked.
    void validate_waiting(const std::vector<ParkingLot::Waiting> &waiting, WriteStats &stats);
    // Applies rows taken from the parking lot under a savepoint; if the
    // database rejects one, they are applied one at a time and the rejected
    // ones are dropped and logged, so that they never block their parent.
    void write_unparked(const std::vector<const EntityRow *> &rows, Written &written, WriteStats &stats);
    // Rows with their lookup columns filled from the database (tables written earlier).
    std::vector<const EntityRow *> resolve_lookups(const std::vector<const EntityRow *> &rows,
                                                   std::deque<EntityRow> &patched, WriteStats &stats);

    Database &db_;
    const Mapping &mapping_;
    ParkingLot parking_;
    bool replay_ = false;
    // (entity, rows, replay, flavour) -> statement text, built once.
    std::map<std::tuple<const EntityDef *, size_t, bool, int>, std::string> statement_texts_;
    // (entity, replay, flavour) -> the upsert's text around its rows, built once.
    std::map<std::tuple<const EntityDef *, bool, int>, UpsertText> upsert_texts_;
    std::string sql_;  // the upsert being built: its buffer is reused
    // Parent keys found in the database in this apply() (under a shared
    // lock: they stay until the transaction ends, unless a rollback to a
    // savepoint removes what this transaction wrote: cleared then), not asked
    // again for the next table.
    std::map<const TableDef *, KeySet> present_;
    // (parent table, IN-list size) -> exists_sql() text, built once.
    std::map<std::pair<const TableDef *, size_t>, std::string> exists_texts_;
};

}  // namespace vsink
