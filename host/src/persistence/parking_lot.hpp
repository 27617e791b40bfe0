// Children whose parent row is not in the database yet wait here, durably, in
// the same transaction that would have written them (table sink_parked), and
// are applied in the transaction that brings their parent.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
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

// A parked row as taken back from the lot, with the record it came from
// (owned by the lot until its next begin_transaction()).
struct ParkedRow {
    EntityRow row;
    std::string parent_table, parent_key;
    int64_t age_s = 0;
};

class ParkingLot {
public:
    ParkingLot(Database &db, const Mapping &mapping) : db_(db), mapping_(mapping) {}

    // Forgets what the previous transaction read (cached emptiness, the
    // records of rows taken back).
    void begin_transaction();
    // Forgets what the probes found (not the records of rows taken back): a
    // rollback to a savepoint taken before them may have brought back rows
    // this transaction had deleted (the transaction writer's bisection).
    void forget_probes();

    // Finds, in one locking statement (two when some had rows parked at
    // their last probe: see the .cpp), which of `entities` (upsert mode) have
    // no row parked (for absorb_older()) and which of `parent_tables` no row
    // waits for (for waiting_for()), for the rest of the transaction:
    // with none, the probe's exclusive next-key lock on the index gap keeps
    // every other transaction (another worker, another connection of this
    // one) from parking one until this transaction ends; what this one parks
    // is noted by park(). What is already known is not asked again.
    // `statements` counts the probe (none when nothing is asked).
    void probe(const std::vector<const EntityDef *> &entities, const std::vector<const TableDef *> &parent_tables,
               size_t &statements);

    struct Waiting {
        const EntityRow *row;
        const TableDef *parent_table;
        std::string parent_key;
    };
    // Parks each row until its parent table has a row with its parent key,
    // in multi-row inserts; their order is the order they are applied in.
    // One parked row per entity key: a row of an upsert entity replaces the
    // one parked before it for the same key (latest wins; a keep_when_null
    // column it leaves NULL keeps the older value). The record each row came
    // from is stored with it, for the dead-letter queue. Returns the number
    // of statements run.
    size_t park(const std::vector<Waiting> &rows);

    // Rows about to be written whose entity key has an older row parked:
    // those parked rows are deleted (they must never be applied over the
    // newer row, C1 of issue 8), and their keep_when_null values fill the
    // newer row's NULLs (a copy in `patched`). Returns `rows`, patched.
    // An entity with nothing parked (probe(), asked here for those
    // not known yet) costs nothing more; one with rows parked, one locking
    // SELECT per 4096 keys.
    std::vector<const EntityRow *> absorb_older(const std::vector<const EntityRow *> &rows,
                                                std::deque<EntityRow> &patched, size_t &statements, size_t &absorbed);

    // The ids of the rows waiting for one of `keys` (per parent table),
    // oldest first, locked, so that two workers never apply one twice: one
    // locking SELECT for all the tables (per 4096 keys); `statements` counts it.
    std::vector<int64_t> waiting_for(const std::map<const TableDef *, std::set<std::string>> &keys,
                                     size_t &statements);
    // Takes (reads, deletes and returns, in order) the rows of ids[from]
    // .. ids[from + count - 1], ids from waiting_for(): the caller applies a
    // long list in rounds of bounded memory. A row that cannot be read back
    // (its entity gone from the mapping, a damaged payload) is logged and
    // left parked for an operator, never thrown at the worker (C3, issue 8).
    // The records the rows came from (origin.source) live until end_round().
    std::vector<EntityRow> take(const std::vector<int64_t> &ids, size_t from, size_t count, size_t &statements);
    // Ends a round of take(): the records of the rows it took are
    // freed, so that a parking storm is applied in rounds of bounded memory,
    // but those `keep` point to (rows the database refused, for the
    // dead-letter queue), which stay until the next begin_transaction(): each
    // of `keep` is repointed to the kept copy.
    void end_round(const std::vector<RecordOrigin *> &keep);

    // Takes (deletes and returns, oldest first) at most `limit` rows parked
    // more than `max_age_s` seconds ago, for the dead-letter queue.
    std::vector<ParkedRow> take_expired(int64_t max_age_s, size_t limit);

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

    // A parked row's record, owned by the lot.
    struct OwnedSource {
        std::optional<std::string> key, value;
        std::vector<std::pair<std::string, std::optional<std::string>>> headers;
        SourceRecord view;
    };

private:
    // Reads a row's record columns (record_key ... record_timestamp, at
    // result columns `first`..`first`+3) into `into` (sources_ or
    // round_sources_); nullptr for a row parked by an earlier version.
    const SourceRecord *keep_source(sql::ResultSet &rs, unsigned first, std::deque<OwnedSource> &into);
    // Finds which of `tables` no row waits for (probe()), into
    // none_waiting_for_ for the rest of the transaction; `statements` counts it.
    void probe_waiting_for(const std::vector<const TableDef *> &tables, size_t &statements);
    void probe_entities(const std::vector<const EntityDef *> &entities, size_t &statements);

    Database &db_;
    const Mapping &mapping_;
    // Records of rows handed out in this transaction, until the next
    // begin_transaction(); those of the current take() round,
    // until end_round().
    std::deque<OwnedSource> sources_, round_sources_;
    // Upsert entities probed in this transaction: true when rows of it may be
    // parked, false when none is (and none can be, but by this transaction).
    std::map<const EntityDef *, bool> entity_parked_;
    // Statement texts built once: (with payload, IN-list size) for
    // absorb_older(); the IN-list sizes per table for waiting_for().
    std::map<std::pair<bool, size_t>, std::string> absorb_texts_;
    std::map<std::vector<size_t>, std::string> waiting_texts_;
    std::map<size_t, std::string> fetch_texts_;  // by IN-list size, for take()
    std::map<size_t, std::string> delete_texts_;
    // Deletes the rows of `ids` (IN lists padded like the SELECTs'); returns
    // the number of statements run.
    size_t delete_ids(const std::vector<int64_t> &ids);
    std::set<const TableDef *> none_waiting_for_;  // parent tables nothing waits for, in this transaction
    std::set<const TableDef *> waiting_probed_;    // parent tables probed in this transaction
    // Entities and parent tables that had rows parked when last probed (or
    // parked into), across transactions: probe() first reads those without
    // a lock. A hint only: whatever it says, "none" is only ever concluded
    // from a locking read.
    std::set<const void *> recently_parked_;
};

// The record's headers as stored in sink_parked.record_headers, and back.
std::string encode_headers(const SourceRecord &r);
std::vector<std::pair<std::string, std::optional<std::string>>> decode_headers(const std::string &blob);

}  // namespace vsink
