#include "persistence/entity_writer.hpp"

#include "log/log.hpp"
#include "persistence/sql_text.hpp"

#include <algorithm>
#include <functional>
#include <unordered_map>

namespace vsink {

namespace {

// Rows per multi-row UPDATE (write_updates). A few fixed sizes keep the
// number of distinct prepared statements small: N rows = a*500 + the binary
// digits of the rest (the earlier 500/100/10/1 took up to 27 statements for
// 999 rows: round trips, issue 9).
constexpr size_t kChunkSizes[] = {500, 256, 128, 64, 32, 16, 8, 4, 2, 1};
// Rows per multi-row upsert (write_run): its text has the values inline, so
// any number of rows up to this is one statement.
constexpr size_t kMaxUpsertRows = 500;
// Keys per parent existence check: its IN list takes a power of two up to this.
constexpr size_t kKeysPerExistsQuery = 1024;

// bind_value() (database.cpp) through one reused SQLString: a string or a
// timestamp no longer costs a temporary std::string and an SQLString of its
// own (two mallocs and copies) before Connector/C++ copies it into its
// parameter buffer (host CPU per record, issue 9). Same types, same NULLs.
using EntityKeyHash = EntityWriter::EntityKeyHash;

class Binder {
public:
    explicit Binder(sql::PreparedStatement &st) : st_(st) {}
    void operator()(unsigned index, const Value &v) {
        switch (v.kind) {
        case Value::Kind::Null: st_.setNull(index, sql::DataType::VARCHAR); break;
        case Value::Kind::Int: st_.setInt64(index, v.i); break;
        case Value::Kind::Double: st_.setDouble(index, v.d); break;
        case Value::Kind::String:
            scratch_ = v.s;
            st_.setString(index, scratch_);
            break;
        case Value::Kind::Bool: st_.setBoolean(index, v.i != 0); break;
        case Value::Kind::TimestampMs: {
            char b[48];
            format_utc_datetime(v.i, b, sizeof b);
            scratch_ = b;
            st_.setString(index, scratch_);
            break;
        }
        }
    }

private:
    sql::PreparedStatement &st_;
    sql::SQLString scratch_;
};

}  // namespace

std::optional<std::vector<std::string>> lookup_key(const EntityRow &row, const Lookup &lk) {
    if (!row.values[lk.column_index].is_null()) return std::nullopt;
    std::vector<std::string> key;
    for (size_t fi : lk.field_index) {
        if (row.values[fi].is_null()) return std::nullopt;
        key.push_back(row.values[fi].key_text());
    }
    return key;
}

void WriteStats::add(WriteStats &&o) {
    for (const auto &[t, n] : o.rows_by_table) rows_by_table[t] += n;
    parked += o.parked;
    unparked += o.unparked;
    superseded += o.superseded;
    rejected_parked += o.rejected_parked;
    for (auto &r : o.rejected) rejected.push_back(std::move(r));
    absorbed += o.absorbed;
    statements += o.statements;
}

EntityWriter::EntityWriter(Database &db, const Mapping &mapping) : db_(db), mapping_(mapping), parking_(db, mapping) {}

WriteStats EntityWriter::apply(const std::vector<EntityRow> &rows) {
    std::vector<const EntityRow *> ptrs;
    ptrs.reserve(rows.size());
    for (const auto &r : rows) ptrs.push_back(&r);
    return apply(ptrs);
}

namespace {

// Parked rows applied per round of EntityWriter::apply(): bounds the memory
// an unpark takes (each row with the record it came from).
constexpr size_t kUnparkRowsPerRound = 1000;

// A parked row whose entity a record of this transaction wrote for the same
// key is older than that record (it was parked by an earlier batch): applying
// it now would put an older version over a newer one (C1, issue 8), so it is
// dropped. Unless the newer row leaves a keep_when_null column NULL where the
// older one has a value: that value is not superseded, and the older row is
// applied first as before.
template <class EntityKeys>
bool superseded(const EntityRow &parked, const EntityKeys &written_now) {
    const EntityDef &def = *parked.def;
    if (def.mode != WriteMode::Upsert) return false;  // a change (a refund) still applies
    auto newer = written_now.find({&def, parked.key_text()});
    if (newer == written_now.end()) return false;
    for (size_t i = 0; i < def.columns.size(); ++i)
        if (def.keep_when_null[i] && newer->second->values[i].is_null() && !parked.values[i].is_null()) return false;
    return true;
}

}  // namespace

WriteStats EntityWriter::apply(const std::vector<const EntityRow *> &rows) {
    WriteStats stats;
    Written written;
    EntityKeys written_now;
    written_now.reserve(rows.size());
    // What an earlier apply() in this transaction found may not hold any
    // more: the transaction writer applies a batch under a savepoint and, when
    // the database refuses a row, rolls back to it (rows this transaction
    // wrote gone, parked rows it took back again) and applies halves.
    present_.clear();
    parking_.forget_probes();
    {
        // Which of the batch's entities have rows parked (older versions to
        // absorb), and which of the tables it writes rows wait for (children
        // to unpark): one locking statement for all of them, rather than one
        // per table written and one per round.
        std::vector<const EntityDef *> defs;
        std::vector<const TableDef *> tables;
        for (const EntityRow *r : rows)
            if (r->def->mode == WriteMode::Upsert && (defs.empty() || defs.back() != r->def) &&
                std::find(defs.begin(), defs.end(), r->def) == defs.end()) {
                defs.push_back(r->def);
                if (std::find(tables.begin(), tables.end(), r->def->table) == tables.end()) tables.push_back(r->def->table);
            }
        parking_.probe(defs, tables, stats.statements);
    }
    write_rows(rows, written, stats, &written_now);

    // Apply the children waiting for what was just written; they may in turn
    // be parents of other parked rows (order -> ticket -> ticket status).
    // Level by level: one locking SELECT finds every row waiting for what
    // the previous level wrote (issue 9: one for all tables, oldest first),
    // then they are read and applied in rounds of at most
    // kUnparkRowsPerRound rows, so that a parking storm (a parent topic read
    // long after its children) is applied in bounded memory.
    while (!written.empty()) {
        const std::vector<int64_t> ids = parking_.waiting_for(written, stats.statements);
        if (ids.empty()) break;
        Written newly;
        for (size_t from = 0; from < ids.size(); from += kUnparkRowsPerRound) {
            std::vector<EntityRow> ready;
            for (auto &t : parking_.take(ids, from, kUnparkRowsPerRound, stats.statements)) {
                if (superseded(t, written_now)) {
                    ++stats.superseded;
                    continue;
                }
                ready.push_back(std::move(t));
            }
            stats.unparked += ready.size();
            std::vector<const EntityRow *> next;
            next.reserve(ready.size());
            for (const auto &r : ready) next.push_back(&r);
            const size_t rejected_before = stats.rejected.size();
            if (!next.empty()) write_unparked(next, newly, stats);
            // Only the records of rows the database refused outlive the round.
            std::vector<RecordOrigin *> keep;
            for (size_t i = rejected_before; i < stats.rejected.size(); ++i) keep.push_back(&stats.rejected[i].origin);
            parking_.end_round(keep);
        }
        written = std::move(newly);
    }
    return stats;
}

void EntityWriter::write_unparked(const std::vector<const EntityRow *> &rows, Written &written, WriteStats &stats) {
    db_.execute("SAVEPOINT vsink_unpark");
    try {
        write_rows(rows, written, stats);
        db_.execute("RELEASE SAVEPOINT vsink_unpark");
        return;
    } catch (const sql::SQLException &e) {
        if (classify(e) != DbFailure::RowRejected) throw;
        db_.execute("ROLLBACK TO SAVEPOINT vsink_unpark");
        present_.clear();  // found inside what was rolled back: asked again
    }
    // One at a time: a row the database refuses is dropped (logged with the
    // record it came from), the others are applied in order (C2, issue 8).
    // Only what was written releases its own waiting children.
    for (const EntityRow *r : rows) {
        Written mine;
        db_.execute("SAVEPOINT vsink_unpark");
        try {
            write_rows({r}, mine, stats);
            db_.execute("RELEASE SAVEPOINT vsink_unpark");
        } catch (const sql::SQLException &e) {
            if (classify(e) != DbFailure::RowRejected) throw;
            db_.execute("ROLLBACK TO SAVEPOINT vsink_unpark");
            present_.clear();
            ++stats.rejected_parked;
            stats.rejected.push_back({r->origin, r->def->name, error_class_name(e), describe_rejection(e)});
            logger()->warn("parked row rejected by the database, dead-lettered: topic={} partition={} offset={} entity={}: {}",
                           r->origin.topic, r->origin.partition, r->origin.offset, r->def->name, describe_rejection(e));
            continue;
        }
        for (auto &[table, keys] : mine) written[table].insert(keys.begin(), keys.end());
    }
}

EntityWriter::KeySet EntityWriter::existing_keys(const TableDef &table, const KeySet &candidates, WriteStats &stats) {
    // One statement per leading key value (the system) and per
    // kKeysPerExistsQuery keys: `system` = ? AND `id` IN (...), a range of
    // the primary key per key, its IN list padded (the last key repeated) to
    // a power of two, so that a few cached texts serve every batch.
    KeySet found;
    const std::vector<KeyGroup> groups = group_keys(std::vector<std::string>(candidates.begin(), candidates.end()),
                                                    table.key.size());
    std::vector<std::string> parts;
    for (const KeyGroup &g : groups) {
        for (size_t start = 0; start < g.last.size(); start += kKeysPerExistsQuery) {
            const size_t n = std::min(kKeysPerExistsQuery, g.last.size() - start);
            const size_t padded = in_list_size(n, kKeysPerExistsQuery);
            std::string &text = exists_texts_[std::make_pair(&table, padded)];
            if (text.empty()) text = exists_sql(table, padded);
            auto &st = db_.prepare(text);
            unsigned p = 1;
            for (const std::string &v : g.leading) st.setString(p++, v);
            for (size_t i = 0; i < padded; ++i) st.setString(p++, g.last[start + std::min(i, n - 1)]);
            std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
            ++stats.statements;
            while (rs->next()) {
                parts.clear();
                for (size_t k = 0; k < table.key.size(); ++k) parts.push_back(rs->getString(static_cast<unsigned>(k + 1)));
                found.insert(join_key(parts));
            }
        }
    }
    return found;
}

std::vector<const EntityRow *> write_order(const std::vector<const EntityRow *> &rows) {
    // The entities in the order each first appears.
    std::vector<const EntityDef *> defs;
    for (const EntityRow *r : rows)
        if (std::find(defs.begin(), defs.end(), r->def) == defs.end()) defs.push_back(r->def);
    if (defs.size() < 2) return rows;
    const auto group = [&](const EntityRow *r) {
        return static_cast<size_t>(std::find(defs.begin(), defs.end(), r->def) - defs.begin());
    };
    // Grouping moves a row of a later entity after every row of an earlier
    // one: refused when that reorders two rows of one key.
    std::unordered_map<std::string, size_t> last_group;  // key -> highest group seen so far
    last_group.reserve(rows.size());
    for (const EntityRow *r : rows) {
        const size_t g = group(r);
        auto [it, added] = last_group.emplace(r->key_text(), g);
        if (added) continue;
        if (g < it->second) return rows;
        it->second = g;
    }
    std::vector<const EntityRow *> out;
    out.reserve(rows.size());
    for (size_t g = 0; g < defs.size(); ++g)
        for (const EntityRow *r : rows)
            if (group(r) == g) out.push_back(r);
    return out;
}

void EntityWriter::write_rows(const std::vector<const EntityRow *> &rows, Written &written, WriteStats &stats,
                              EntityKeys *direct) {
    for (const TableDef *table : mapping_.tables_in_write_order()) {
        std::vector<const EntityRow *> mine;
        for (const EntityRow *r : rows)
            if (r->def->table == table) mine.push_back(r);
        if (mine.empty()) continue;
        std::deque<EntityRow> patched;
        mine = resolve_lookups(mine, patched, stats);
        // An older row of the same key waiting in the lot must never be
        // applied over these: it is absorbed into them instead.
        mine = parking_.absorb_older(mine, patched, stats.statements, stats.absorbed);

        // Which parents are neither written in this transaction nor already
        // in the database? Ask the database once per parent table.
        std::map<const TableDef *, KeySet> to_check;
        std::string k;  // one buffer for every parent key text (issue 9)
        for (const EntityRow *r : mine)
            for (const ParentRef &p : r->def->parents) {
                r->parent_key_text(p, k);
                if (k.empty()) continue;
                const auto w = written.find(p.table);
                if (w != written.end() && w->second.count(k)) continue;
                const auto known = present_.find(p.table);
                if (known != present_.end() && known->second.count(k)) continue;
                to_check[p.table].insert(k);
            }
        for (const auto &[pt, keys] : to_check) {
            KeySet found = existing_keys(*pt, keys, stats);
            present_[pt].insert(found.begin(), found.end());
        }

        // Walk in record order: a row whose parents are all present is
        // written (in runs of one entity, see write_order()), others are parked.
        std::vector<const EntityRow *> to_write;
        to_write.reserve(mine.size());
        std::vector<ParkingLot::Waiting> waiting;
        std::vector<size_t> waiting_at;  // index in `mine` of each waiting row
        // key -> index in `mine`; hashed: only ever looked up, never walked
        std::unordered_map<std::pair<const EntityDef *, std::string>, size_t, EntityKeyHash> last_written;
        last_written.reserve(mine.size());
        KeySet *written_here = nullptr;  // written[table], made on the first row written
        for (size_t idx = 0; idx < mine.size(); ++idx) {
            const EntityRow *r = mine[idx];
            const ParentRef *missing = nullptr;
            std::string missing_key;
            for (const ParentRef &p : r->def->parents) {
                r->parent_key_text(p, k);
                if (k.empty()) continue;
                const auto w = written.find(p.table);
                if (w != written.end() && w->second.count(k)) continue;
                const auto known = present_.find(p.table);
                if (known != present_.end() && known->second.count(k)) continue;
                missing = &p;
                missing_key = k;
                break;
            }
            if (missing) {
                // Parked rows are applied only after their parent is written,
                // so they need not split the current run.
                waiting.push_back({r, missing->table, missing_key});
                waiting_at.push_back(idx);
                continue;
            }
            to_write.push_back(r);
            if (r->def->mode == WriteMode::Upsert) {
                std::string key = r->key_text();  // built once, not once per map
                if (!written_here) written_here = &written[table];
                written_here->insert(key);
                if (direct) (*direct)[{r->def, key}] = r;
                last_written[{r->def, std::move(key)}] = idx;
            }
        }
        {
            std::vector<const EntityRow *> run;
            for (const EntityRow *r : write_order(to_write)) {
                if (!run.empty() && run.front()->def != r->def) {
                    write_run(run, stats);
                    run.clear();
                }
                run.push_back(r);
            }
            if (!run.empty()) write_run(run, stats);
        }
        // A waiting row that a later record of this batch wrote directly is
        // older than what is now stored: it is not parked.
        {
            std::vector<ParkingLot::Waiting> keep;
            for (size_t w = 0; w < waiting.size(); ++w) {
                const EntityRow *r = waiting[w].row;
                auto it = r->def->mode == WriteMode::Upsert ? last_written.find({r->def, r->key_text()})
                                                            : last_written.end();
                if (it != last_written.end() && it->second > waiting_at[w]) {
                    ++stats.superseded;
                    continue;
                }
                keep.push_back(std::move(waiting[w]));
            }
            waiting = std::move(keep);
        }
        validate_waiting(waiting, stats);
        stats.statements += parking_.park(waiting);
        stats.parked += waiting.size();
    }
}

std::vector<const EntityRow *> EntityWriter::resolve_lookups(const std::vector<const EntityRow *> &rows,
                                                            std::deque<EntityRow> &patched, WriteStats &stats) {
    std::vector<const EntityRow *> out = rows;
    for (size_t i = 0; i < out.size(); ++i) {
        const EntityRow *r = out[i];
        if (r->def->lookups.empty()) continue;
        EntityRow *copy = nullptr;
        for (const Lookup &lk : r->def->lookups) {
            // A value of the entity's own also spares a SELECT per row.
            const auto key = lookup_key(*r, lk);
            if (!key) continue;
            std::string q = "SELECT " + quote_ident(lk.source_column) + " FROM " + quote_ident(lk.table->name) + " WHERE ";
            for (size_t k = 0; k < lk.table->key.size(); ++k) q += (k ? " AND " : "") + quote_ident(lk.table->key[k]) + " = ?";
            auto &st = db_.prepare(q);
            for (size_t k = 0; k < key->size(); ++k) st.setString(static_cast<unsigned>(k + 1), (*key)[k]);
            std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
            ++stats.statements;
            if (!rs->next() || rs->isNull(1)) continue;
            if (!copy) {
                patched.push_back(*r);
                copy = &patched.back();
            }
            copy->values[lk.column_index] = Value::str(rs->getString(1));
        }
        if (copy) out[i] = copy;
    }
    return out;
}

void EntityWriter::validate_waiting(const std::vector<ParkingLot::Waiting> &waiting, WriteStats &stats) {
    // Each run of one upsert entity is written under a savepoint and rolled
    // back: the database says now whether it would take these rows.
    std::vector<const EntityRow *> run;
    WriteStats scratch;
    bool opened = false;
    auto check = [&] {
        if (run.empty()) return;
        if (!opened) {
            db_.execute("SAVEPOINT vsink_park_check");
            opened = true;
        }
        write_run(run, scratch);
        run.clear();
    };
    for (const auto &w : waiting) {
        if (w.row->def->mode != WriteMode::Upsert) continue;
        if (!run.empty() && run.front()->def != w.row->def) check();
        run.push_back(w.row);
    }
    check();
    if (opened) db_.execute("ROLLBACK TO SAVEPOINT vsink_park_check");
    stats.statements += scratch.statements;
}

namespace {

// Statement sizing by bytes (C6, issue 8). What the server measures against
// max_allowed_packet is one packet: for a prepared statement executed by
// Connector/C++ 1.1 (server-side binding), the COM_STMT_EXECUTE packet with
// every parameter inline: per value 2 bytes of type, a bit of the NULL
// bitmap, and its data (a string with a length prefix of up to 9 bytes; a
// string over 256 KiB goes ahead in COM_STMT_SEND_LONG_DATA packets instead,
// still counted here). A packet over the limit is refused with 1153 or, as
// often, the server just closes the connection (2006, 2013, 08S01) while the
// client is still sending: the same statement then failed at every retry
// and the partition stalled for ever.
//
// The budget is half the limit: the server may also write the statement
// with its values inlined, quoted and escaped (binary log, general and slow
// query logs), which can double a string; and it leaves room for the
// estimate being rough. The statement's text (sent once, at prepare) is
// counted as well.
constexpr size_t kValueOverhead = 16;  // type, NULL bit, length prefix; quotes and comma when inlined

size_t value_bytes(const Value &v) {
    switch (v.kind) {
    case Value::Kind::Null: return 0;
    case Value::Kind::String: return v.s.size();  // bytes, not characters
    case Value::Kind::TimestampMs: return 23;     // "YYYY-MM-DD HH:MM:SS.mmm"
    case Value::Kind::Int:
    case Value::Kind::Double:
    case Value::Kind::Bool: return 24;  // 8 bytes bound, at most ~24 as text
    }
    return 24;
}

size_t row_bytes(const EntityRow &r) {
    size_t n = 0;
    for (const Value &v : r.values) n += kValueOverhead + value_bytes(v);
    return n;
}

}  // namespace

namespace {

// Several rows of an update entity in one statement: the rows as a derived
// table joined to the target on its key. The same SET and `unless` as
// update_sql(), so `n` rows do what `n` single UPDATEs did, provided no key
// appears twice in one statement (the caller cuts there).
//   UPDATE `t` AS t JOIN (SELECT ? AS `k0`, ? AS `c1` UNION ALL SELECT ?, ? ...) AS v
//     ON t.`system` = v.`k0` AND ... SET t.`status` = v.`c1` WHERE <unless>
std::string update_rows_sql(const EntityDef &e, size_t rows) {
    auto is_key = [&](size_t i) { return std::find(e.key_index.begin(), e.key_index.end(), i) != e.key_index.end(); };
    std::string first = "SELECT ", more = " UNION ALL SELECT ", on, set, where;
    for (size_t i = 0; i < e.columns.size(); ++i) {
        const std::string alias = quote_ident("v" + std::to_string(i));
        first += (i ? ", ? AS " : "? AS ") + alias;
        more += i ? ", ?" : "?";
        const std::string c = "t." + quote_ident(e.columns[i]);
        if (is_key(i)) {
            on += (on.empty() ? "" : " AND ") + c + " = v." + alias;
        } else {
            set += (set.empty() ? "" : ", ") + c + " = " +
                   (e.keep_when_null[i] ? "COALESCE(v." + alias + ", " + c + ")" : "v." + alias);
        }
    }
    std::string derived = first;
    for (size_t r = 1; r < rows; ++r) derived += more;
    for (const auto &[col, vals] : e.unless) {
        const std::string c = "t." + quote_ident(col);
        where += (where.empty() ? " WHERE (" : " AND (") + c + " IS NULL OR " + c + " NOT IN (";
        for (size_t i = 0; i < vals.size(); ++i) where += i ? ",?" : "?";
        where += "))";
    }
    return "UPDATE " + quote_ident(e.table->name) + " AS t JOIN (" + derived + ") AS v ON " + on + " SET " + set + where;
}

}  // namespace

void EntityWriter::write_updates(const std::vector<const EntityRow *> &run, WriteStats &stats) {
    const EntityDef &def = *run.front()->def;
    const size_t budget = db_.max_packet() / 2;
    // Rows [a, b) share no key: a statement never updates a row twice.
    size_t a = 0;
    while (a < run.size()) {
        std::set<std::string> keys;
        size_t b = a;
        while (b < run.size() && keys.insert(run[b]->key_text()).second) ++b;
        // Fixed chunk sizes under the byte budget, as for upserts.
        size_t pos = a;
        while (pos < b) {
            const size_t left = b - pos;
            size_t chunk = 1;
            for (size_t c : kChunkSizes) {
                if (c > left) continue;
                size_t bytes = 0;
                for (size_t r = pos; r < pos + c; ++r) bytes += row_bytes(*run[r]);
                if (c > 1 && bytes > budget) continue;
                chunk = c;
                break;
            }
            if (chunk == 1) {
                auto &st = db_.prepare(update_sql(def));
                Binder bind(st);
                const EntityRow *r = run[pos];
                unsigned p = 1;
                for (size_t i = 0; i < def.columns.size(); ++i)
                    if (std::find(def.key_index.begin(), def.key_index.end(), i) == def.key_index.end())
                        bind(p++, r->values[i]);
                for (size_t ki : def.key_index) bind(p++, r->values[ki]);
                for (const auto &u : def.unless)
                    for (const std::string &v : u.second) st.setString(p++, v);
                st.executeUpdate();
            } else {
                std::string &text = statement_texts_[std::make_tuple(&def, chunk, false, -1)];  // -1: update
                if (text.empty()) text = update_rows_sql(def, chunk);
                auto &st = db_.prepare(text);
                Binder bind(st);
                unsigned p = 1;
                for (size_t r = pos; r < pos + chunk; ++r)
                    for (const Value &v : run[r]->values) bind(p++, v);
                for (const auto &u : def.unless)
                    for (const std::string &v : u.second) st.setString(p++, v);
                st.executeUpdate();
            }
            ++stats.statements;
            pos += chunk;
        }
        a = b;
    }
}

const UpsertText &EntityWriter::upsert_text_for(const EntityDef &def) {
    const SqlFlavour flavour = sql_flavour_for(db_.server_version());
    auto key = std::make_tuple(&def, replay_, static_cast<int>(flavour));
    auto it = upsert_texts_.find(key);
    if (it == upsert_texts_.end()) it = upsert_texts_.emplace(key, upsert_text(def, flavour, replay_)).first;
    return it->second;
}

void EntityWriter::write_run(const std::vector<const EntityRow *> &run, WriteStats &stats) {
    const EntityDef &def = *run.front()->def;
    stats.rows_by_table[def.table->name] += run.size();
    if (def.mode == WriteMode::Update) {
        write_updates(run, stats);
        return;
    }
    // Multi-row upserts with the values as literals (upsert_text): up to
    // kMaxUpsertRows rows per statement, fewer when the statement would pass
    // the byte budget (C6, issue 8: half the server's max_allowed_packet, as
    // the server may log the statement again); a single row over it goes
    // alone (a row the server refuses as too big is then isolated by the
    // caller).
    const UpsertText &t = upsert_text_for(def);
    const size_t budget = db_.max_packet() / 2;
    size_t pos = 0;
    while (pos < run.size()) {
        sql_.assign(t.head);
        size_t n = 0;
        while (pos + n < run.size() && n < kMaxUpsertRows) {
            const size_t before = sql_.size();
            if (n) sql_ += ',';
            sql_ += '(';
            const std::vector<Value> &values = run[pos + n]->values;
            for (size_t i = 0; i < values.size(); ++i) {
                if (i) sql_ += ',';
                append_literal(sql_, values[i]);
            }
            sql_ += ')';
            if (n && sql_.size() + t.tail.size() > budget) {
                sql_.resize(before);
                break;
            }
            ++n;
        }
        sql_ += t.tail;
        db_.execute(sql_);
        ++stats.statements;
        pos += n;
    }
}

}  // namespace vsink
