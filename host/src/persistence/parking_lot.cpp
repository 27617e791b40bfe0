#include "persistence/parking_lot.hpp"

#include "log/log.hpp"
#include "persistence/sql_text.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace vsink {

namespace {

void put_u32(std::string &out, uint32_t v) { out.append(reinterpret_cast<const char *>(&v), 4); }
void put_i64(std::string &out, int64_t v) { out.append(reinterpret_cast<const char *>(&v), 8); }

struct Reader {
    std::string_view s;
    size_t pos = 0;
    void need(size_t n) {
        if (pos + n > s.size()) throw std::runtime_error("parked row payload is truncated");
    }
    uint32_t u32() {
        need(4);
        uint32_t v;
        std::memcpy(&v, s.data() + pos, 4);
        pos += 4;
        return v;
    }
    int64_t i64() {
        need(8);
        int64_t v;
        std::memcpy(&v, s.data() + pos, 8);
        pos += 8;
        return v;
    }
    uint8_t u8() {
        need(1);
        return static_cast<uint8_t>(s[pos++]);
    }
    std::string str() { return std::string(view()); }
    // The next string without a copy (valid while the payload is).
    std::string_view view() {
        const uint32_t n = u32();
        need(n);
        std::string_view v = s.substr(pos, n);
        pos += n;
        return v;
    }
};

constexpr size_t kKeysPerQuery = 200;
// Keys bound per locking SELECT of sink_parked (absorb_older,
// waiting_for, take): IN lists padded to a power of two up to this.
constexpr size_t kKeysPerLookup = 4096;

}  // namespace

std::string encode_row(const EntityRow &row) {
    // Sized once: no regrowth while appending (host CPU per record, issue 9).
    size_t size = 4;
    for (size_t i = 0; i < row.values.size(); ++i)
        size += 4 + row.def->columns[i].size() + 1 + 8 + (row.values[i].kind == Value::Kind::String ? row.values[i].s.size() : 0);
    std::string out;
    out.reserve(size);
    put_u32(out, static_cast<uint32_t>(row.values.size()));
    for (size_t i = 0; i < row.values.size(); ++i) {
        const std::string &col = row.def->columns[i];
        const Value &v = row.values[i];
        put_u32(out, static_cast<uint32_t>(col.size()));
        out += col;
        out += static_cast<char>(v.kind);
        switch (v.kind) {
        case Value::Kind::Null: break;
        case Value::Kind::Int:
        case Value::Kind::Bool:
        case Value::Kind::TimestampMs: put_i64(out, v.i); break;
        case Value::Kind::Double: {
            int64_t bits;
            std::memcpy(&bits, &v.d, 8);
            put_i64(out, bits);
            break;
        }
        case Value::Kind::String:
            put_u32(out, static_cast<uint32_t>(v.s.size()));
            out += v.s;
            break;
        }
    }
    return out;
}

namespace {

// decode_row() on a payload seen in place (a result set's buffer).
EntityRow decode_row_view(const EntityDef &def, std::string_view payload, RecordOrigin origin) {
    EntityRow row;
    row.def = &def;
    row.origin = std::move(origin);
    row.values.assign(def.columns.size(), Value::null());
    Reader r{payload};
    const uint32_t n = r.u32();
    Value unknown;  // a value of a column the entity no longer writes: read, then dropped
    for (uint32_t k = 0; k < n; ++k) {
        // Column names and string values are read in place, not copied into
        // temporaries (host CPU per record, issue 9). Rows are encoded in the
        // entity's column order, so column k is tried first.
        const std::string_view col = r.view();
        size_t at = def.columns.size();
        if (k < def.columns.size() && def.columns[k] == col) {
            at = k;
        } else {
            for (size_t i = 0; i < def.columns.size(); ++i)
                if (def.columns[i] == col) {
                    at = i;
                    break;
                }
            if (at == def.columns.size()) {
                // A row parked by an earlier version may name a column by its old name.
                const std::string name(col);
                const std::string *renamed = def.table->column(name) ? nullptr : def.table->renamed_from(name);
                if (renamed)
                    for (size_t i = 0; i < def.columns.size(); ++i)
                        if (def.columns[i] == *renamed) {
                            at = i;
                            break;
                        }
            }
        }
        Value &v = at < def.columns.size() ? row.values[at] : unknown;
        v.s.clear();  // a fresh value, as if assigned (a column given twice: the last wins)
        v.i = 0;
        v.d = 0;
        const uint8_t kind = r.u8();
        if (kind > static_cast<uint8_t>(Value::Kind::TimestampMs)) throw std::runtime_error("parked row: bad value kind");
        v.kind = static_cast<Value::Kind>(kind);
        switch (v.kind) {
        case Value::Kind::Null: break;
        case Value::Kind::Int:
        case Value::Kind::Bool:
        case Value::Kind::TimestampMs: v.i = r.i64(); break;
        case Value::Kind::Double: {
            const int64_t bits = r.i64();
            std::memcpy(&v.d, &bits, 8);
            break;
        }
        case Value::Kind::String: {
            const std::string_view sv = r.view();
            v.s.assign(sv.data(), sv.size());
            break;
        }
        }
    }
    return row;
}

}  // namespace

EntityRow decode_row(const EntityDef &def, const std::string &payload, RecordOrigin origin) {
    return decode_row_view(def, payload, std::move(origin));
}

void ParkingLot::begin_transaction() {
    sources_.clear();
    round_sources_.clear();
    entity_parked_.clear();
    none_waiting_for_.clear();
    waiting_probed_.clear();
}

void ParkingLot::forget_probes() {
    entity_parked_.clear();
    none_waiting_for_.clear();
    waiting_probed_.clear();
}

void ParkingLot::probe_waiting_for(const std::vector<const TableDef *> &tables, size_t &statements) {
    probe({}, tables, statements);
}

void ParkingLot::probe_entities(const std::vector<const EntityDef *> &entities, size_t &statements) {
    probe(entities, {}, statements);
}

void ParkingLot::probe(const std::vector<const EntityDef *> &entities, const std::vector<const TableDef *> &tables,
                       size_t &statements) {
    std::vector<const EntityDef *> ask_entities;
    for (const EntityDef *e : entities)
        if (e->mode == WriteMode::Upsert && !entity_parked_.count(e) &&
            std::find(ask_entities.begin(), ask_entities.end(), e) == ask_entities.end())
            ask_entities.push_back(e);
    std::vector<const TableDef *> ask_tables;
    for (const TableDef *t : tables)
        if (!waiting_probed_.count(t) && !none_waiting_for_.count(t) &&
            std::find(ask_tables.begin(), ask_tables.end(), t) == ask_tables.end())
            ask_tables.push_back(t);
    if (ask_entities.empty() && ask_tables.empty()) return;
    // One row per entity (index `by_entity`) and per parent table (index
    // `by_parent`), all in one statement: instead of a locking SELECT
    // binding every key written (five 200-key statements per 1000-row
    // batch; host CPU per record, issue 9). "None" must hold until this
    // transaction ends, so that read locks: with no row, every key of the
    // entity or table falls in the same gap of the index, and the next-key
    // lock on the record after it (or the supremum) keeps any other
    // transaction (another worker, another connection) from parking a row
    // there until this one ends (except for what this transaction parks:
    // park() notes it). With a row, the keyed SELECT follows, and it locks
    // what it needs. Exclusive, not shared: on a record, the second
    // transaction then waits at its probe instead of both parking into the
    // gap and deadlocking. On the supremum (nothing parked past the gap) both
    // still get it, since gap locks do not conflict: two workers that both
    // park there deadlock, and the transaction writer retries the one rolled
    // back (seen with two workers on an empty lot, orders topology; issue 9).
    // FORCE INDEX: on a small table the optimizer would rather scan (and
    // lock) every row.
    //
    // But a locking read that finds a row locks that row, the first of its
    // entity or table in the index: every other worker's probe of it then
    // waited for this transaction to end, and while rows stayed parked, two
    // workers of one group wrote one after the other (orders topology, two
    // processes: 650 lock waits, 9.6 s waiting, no faster than one; issue 9).
    // So what had rows parked at its last probe is first asked without a
    // lock (a row there, even one deleted since, only means the keyed
    // SELECT runs); only what that read finds empty is asked again, locking.
    struct Asked {
        std::string name;
        bool entity;   // index by_entity, else by_parent
        bool found = false;
        const void *id;
    };
    std::vector<Asked> asked;
    for (const EntityDef *e : ask_entities) asked.push_back({e->name, true, false, e});
    for (const TableDef *t : ask_tables) asked.push_back({t->name, false, false, t});
    const auto read = [&](const std::vector<Asked *> &items, bool locking) {
        if (items.empty()) return;
        std::string q;
        for (size_t i = 0; i < items.size(); ++i) {
            if (i) q += " UNION ALL ";
            q += "(SELECT " + std::to_string(i) +
                 (items[i]->entity ? " FROM `sink_parked` FORCE INDEX (`by_entity`) WHERE `entity` = ?"
                                   : " FROM `sink_parked` FORCE INDEX (`by_parent`) WHERE `parent_table` = ?") +
                 (locking ? " LIMIT 1 FOR UPDATE)" : " LIMIT 1)");
        }
        auto &st = db_.prepare(q);
        for (size_t i = 0; i < items.size(); ++i) st.setString(static_cast<unsigned>(i + 1), items[i]->name);
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        ++statements;
        while (rs->next()) {
            const int64_t i = rs->getInt64(1);
            if (i >= 0 && static_cast<size_t>(i) < items.size()) items[static_cast<size_t>(i)]->found = true;
        }
    };
    std::vector<Asked *> hinted, locked;
    for (Asked &a : asked) (recently_parked_.count(a.id) ? hinted : locked).push_back(&a);
    read(hinted, false);
    for (Asked *a : hinted)
        if (!a->found) locked.push_back(a);
    read(locked, true);
    for (const Asked &a : asked) {
        if (a.found) recently_parked_.insert(a.id);
        else recently_parked_.erase(a.id);
    }
    for (size_t i = 0; i < ask_entities.size(); ++i) entity_parked_[ask_entities[i]] = asked[i].found;
    for (size_t i = 0; i < ask_tables.size(); ++i) {
        waiting_probed_.insert(ask_tables[i]);
        if (!asked[ask_entities.size() + i].found) none_waiting_for_.insert(ask_tables[i]);
    }
}

std::string encode_headers(const SourceRecord &r) {
    std::string out;
    put_u32(out, static_cast<uint32_t>(r.headers.size()));
    for (const auto &h : r.headers) {
        put_u32(out, static_cast<uint32_t>(h.key.size()));
        out.append(h.key.data(), h.key.size());
        out += static_cast<char>(h.value ? 1 : 0);
        if (h.value) {
            put_u32(out, static_cast<uint32_t>(h.value->size()));
            out.append(h.value->data(), h.value->size());
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::optional<std::string>>> decode_headers(const std::string &blob) {
    std::vector<std::pair<std::string, std::optional<std::string>>> out;
    Reader r{blob};
    const uint32_t n = r.u32();
    for (uint32_t i = 0; i < n; ++i) {
        std::string key = r.str();
        std::optional<std::string> value;
        if (r.u8()) value = r.str();
        out.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

namespace {

// Points the view at the strings it owns (again, after a move).
void bind_view(ParkingLot::OwnedSource &o) {
    o.view.key = o.key ? std::optional<std::string_view>(*o.key) : std::nullopt;
    o.view.value = o.value ? std::optional<std::string_view>(*o.value) : std::nullopt;
    o.view.headers.clear();
    o.view.headers.reserve(o.headers.size());
    for (const auto &[k, v] : o.headers)
        o.view.headers.push_back({k, v ? std::optional<std::string_view>(*v) : std::nullopt});
}

}  // namespace

const SourceRecord *ParkingLot::keep_source(sql::ResultSet &rs, unsigned first, std::deque<OwnedSource> &into) {
    // A row parked by a version that did not keep the record has none.
    if (rs.isNull(first + 1) && rs.isNull(first + 2) && rs.isNull(first + 3)) return nullptr;
    OwnedSource &o = into.emplace_back();
    if (!rs.isNull(first)) o.key.emplace(rs.getString(first).asStdString());
    if (!rs.isNull(first + 1)) o.value.emplace(rs.getString(first + 1).asStdString());
    if (!rs.isNull(first + 2)) o.headers = decode_headers(rs.getString(first + 2).asStdString());
    bind_view(o);
    o.view.timestamp_ms = rs.isNull(first + 3) ? -1 : rs.getInt64(first + 3);
    return &o.view;
}

void ParkingLot::end_round(const std::vector<RecordOrigin *> &keep) {
    if (!keep.empty()) {
        std::unordered_map<const SourceRecord *, const SourceRecord *> moved;
        std::unordered_map<const SourceRecord *, OwnedSource *> in_round;
        for (OwnedSource &o : round_sources_) in_round[&o.view] = &o;
        for (RecordOrigin *origin : keep) {
            if (!origin->source) continue;
            if (const auto m = moved.find(origin->source); m != moved.end()) {
                origin->source = m->second;
                continue;
            }
            const auto r = in_round.find(origin->source);
            if (r == in_round.end()) continue;  // not from this round
            OwnedSource &kept = sources_.emplace_back(std::move(*r->second));
            bind_view(kept);
            moved[origin->source] = &kept.view;
            origin->source = &kept.view;
        }
    }
    round_sources_.clear();
}

namespace {

// The newer row's NULLs in keep_when_null columns take the older row's value:
// what the two records would have left, had they been applied in order.
void merge_older(EntityRow &newer, const EntityRow &older) {
    const EntityDef &def = *newer.def;
    for (size_t i = 0; i < def.columns.size(); ++i)
        if (def.keep_when_null[i] && newer.values[i].is_null() && !older.values[i].is_null())
            newer.values[i] = older.values[i];
}

struct EntityKeyViewHash {
    size_t operator()(const std::pair<const EntityDef *, std::string_view> &k) const {
        return std::hash<std::string_view>()(k.second) ^ (std::hash<const EntityDef *>()(k.first) * 31);
    }
};

bool has_keep_when_null(const EntityDef &def) {
    return std::find(def.keep_when_null.begin(), def.keep_when_null.end(), true) != def.keep_when_null.end();
}


}  // namespace

std::vector<const EntityRow *> ParkingLot::absorb_older(const std::vector<const EntityRow *> &rows,
                                                        std::deque<EntityRow> &patched, size_t &statements,
                                                        size_t &absorbed) {
    if (rows.empty()) return rows;
    // Which entities of these rows have anything parked: one locking probe
    // for those not known yet in this transaction; none, no key is built
    // at all (host CPU per record, issue 9).
    std::vector<const EntityDef *> defs;
    for (const EntityRow *r : rows)
        if (r->def->mode == WriteMode::Upsert && (defs.empty() || defs.back() != r->def) &&
            std::find(defs.begin(), defs.end(), r->def) == defs.end())
            defs.push_back(r->def);
    probe_entities(defs, statements);
    if (std::none_of(defs.begin(), defs.end(), [&](const EntityDef *d) { return entity_parked_.at(d); })) return rows;
    std::vector<const EntityRow *> out = rows;
    // (entity) -> key -> indexes into `out`
    std::map<const EntityDef *, std::map<std::string, std::vector<size_t>>> wanted;
    for (size_t i = 0; i < out.size(); ++i)
        if (out[i]->def->mode == WriteMode::Upsert && entity_parked_.at(out[i]->def))
            wanted[out[i]->def][out[i]->key_text()].push_back(i);
    for (const auto &[def, keys] : wanted) {
        std::vector<const std::string *> list;
        list.reserve(keys.size());
        for (const auto &kv : keys) list.push_back(&kv.first);
        for (size_t start = 0; start < list.size(); start += kKeysPerLookup) {
            const size_t n = std::min(kKeysPerLookup, list.size() - start);
            const size_t padded = in_list_size(n, kKeysPerLookup);
            const bool merge = has_keep_when_null(*def);
            // FORCE INDEX: on a small table the optimizer would rather read
            // (and lock) every row in `id` order than the keys' ranges.
            std::string &q = absorb_texts_[{merge, padded}];
            if (q.empty()) {
                q = std::string("SELECT `id`, `entity_key`") + (merge ? ", `payload`" : "") +
                    " FROM `sink_parked` FORCE INDEX (`by_entity`) WHERE `entity` = ? AND `entity_key` IN (";
                for (size_t i = 0; i < padded; ++i) q += i ? ",?" : "?";
                q += ") ORDER BY `id` FOR UPDATE";
            }
            auto &st = db_.prepare(q);
            st.setString(1, def->name);
            for (size_t i = 0; i < padded; ++i)
                st.setString(static_cast<unsigned>(i + 2), *list[start + std::min(i, n - 1)]);
            std::vector<int64_t> ids;
            {
                std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
                ++statements;
                while (rs->next()) {
                    ids.push_back(rs->getInt64(1));
                    if (!merge) continue;
                    const std::string key = rs->getString(2);
                    EntityRow older;
                    try {
                        older = decode_row_view(*def, rs->getString(3).asStdString(), {});
                    } catch (const std::exception &) {
                        continue;  // unreadable: dropped, the newer row stands
                    }
                    // Only the first row of this key in the batch is later
                    // than the parked one and earlier than the rest.
                    const size_t i = keys.at(key).front();
                    patched.push_back(*out[i]);
                    merge_older(patched.back(), older);
                    out[i] = &patched.back();
                }
            }
            absorbed += ids.size();
            statements += delete_ids(ids);
        }
    }
    return out;
}

size_t ParkingLot::park(const std::vector<Waiting> &in) {
    if (in.empty()) return 0;
    // One parked row per entity key within the batch too: the latest wins,
    // and takes the keep_when_null values of the ones it replaces.
    std::deque<EntityRow> merged;
    std::vector<Waiting> rows;
    {
        // Each row's key is built once (it was built three times, and looked
        // up in ordered maps: host CPU per record, issue 9).
        std::vector<std::string> key(in.size());
        std::unordered_map<std::pair<const EntityDef *, std::string_view>, size_t, EntityKeyViewHash> last;
        last.reserve(in.size());
        for (size_t i = 0; i < in.size(); ++i)
            if (in[i].row->def->mode == WriteMode::Upsert) {
                key[i] = in[i].row->key_text();
                last[{in[i].row->def, key[i]}] = i;
            }
        std::unordered_map<size_t, std::vector<size_t>> replaced;  // latest -> the earlier ones, in order
        std::vector<char> keep(in.size(), 1);
        for (size_t i = 0; i < in.size(); ++i) {
            if (in[i].row->def->mode != WriteMode::Upsert) continue;
            const size_t l = last.at({in[i].row->def, key[i]});
            if (l != i) {
                replaced[l].push_back(i);
                keep[i] = 0;
            }
        }
        rows.reserve(in.size());
        for (size_t i = 0; i < in.size(); ++i) {
            if (!keep[i]) continue;
            const EntityRow *r = in[i].row;
            Waiting w = in[i];
            if (auto it = replaced.find(i); it != replaced.end() && has_keep_when_null(*r->def)) {
                merged.push_back(*r);
                for (auto e = it->second.rbegin(); e != it->second.rend(); ++e) merge_older(merged.back(), *in[*e].row);
                w.row = &merged.back();
            }
            rows.push_back(std::move(w));
        }
    }
    for (const Waiting &w : rows) {
        none_waiting_for_.erase(w.parent_table);
        entity_parked_[w.row->def] = true;
        recently_parked_.insert(w.parent_table);
        recently_parked_.insert(w.row->def);
    }

    constexpr size_t kRowsPerInsert = 100;
    const std::string now = format_utc_datetime(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    std::chrono::system_clock::now().time_since_epoch()).count());
    struct Encoded {
        std::string payload, headers;
        size_t bytes = 0;
    };
    std::vector<Encoded> enc(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        enc[i].payload = encode_row(*rows[i].row);
        const SourceRecord *src = rows[i].row->origin.source;
        if (src) enc[i].headers = encode_headers(*src);
        enc[i].bytes = 256 + enc[i].payload.size() + enc[i].headers.size() + rows[i].parent_key.size() +
                       (src && src->key ? src->key->size() : 0) + (src && src->value ? src->value->size() : 0);
    }
    // Parked rows carry their whole record: statements are cut by size as
    // well as by rows, under the server's max_allowed_packet.
    const size_t budget = db_.max_packet() / 2;
    size_t statements = 0;
    for (size_t start = 0; start < rows.size();) {
        size_t n = 0, bytes = 0;
        while (start + n < rows.size() && n < kRowsPerInsert && (n == 0 || bytes + enc[start + n].bytes <= budget))
            bytes += enc[start + n++].bytes;
        std::string q =
            "INSERT INTO `sink_parked` (`parent_table`, `parent_key`, `entity`, `payload`, `topic`, `kafka_partition`, "
            "`kafka_offset`, `parked_at`, `entity_key`, `record_key`, `record_value`, `record_headers`, "
            "`record_timestamp`) VALUES ";
        for (size_t i = 0; i < n; ++i) q += i ? ",(?,?,?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?,?,?)";
        auto &st = db_.prepare(q);
        unsigned p = 1;
        for (size_t i = start; i < start + n; ++i) {
            const Waiting &w = rows[i];
            const SourceRecord *src = w.row->origin.source;
            st.setString(p++, w.parent_table->name);
            st.setString(p++, w.parent_key);
            st.setString(p++, w.row->def->name);
            st.setString(p++, enc[i].payload);
            st.setString(p++, w.row->origin.topic);
            st.setInt(p++, w.row->origin.partition);
            st.setInt64(p++, w.row->origin.offset);
            st.setString(p++, now);
            if (w.row->def->mode == WriteMode::Upsert)
                st.setString(p++, w.row->key_text());
            else
                st.setNull(p++, sql::DataType::VARCHAR);
            // One copy into the bound string, not two (host CPU, issue 9).
            if (src && src->key)
                st.setString(p++, sql::SQLString(src->key->data(), src->key->size()));
            else
                st.setNull(p++, sql::DataType::VARCHAR);
            if (src && src->value)
                st.setString(p++, sql::SQLString(src->value->data(), src->value->size()));
            else
                st.setNull(p++, sql::DataType::VARCHAR);
            if (src)
                st.setString(p++, enc[i].headers);
            else
                st.setNull(p++, sql::DataType::VARCHAR);
            if (src && src->timestamp_ms >= 0)
                st.setInt64(p++, src->timestamp_ms);
            else
                st.setNull(p++, sql::DataType::BIGINT);
        }
        st.executeUpdate();
        ++statements;
        start += n;
    }
    return statements;
}

std::vector<ParkingLot::Summary> ParkingLot::summary() {
    std::unique_ptr<sql::ResultSet> rs(db_.prepare(
        "SELECT `entity`, `parent_table`, COUNT(*), DATE_FORMAT(MIN(`parked_at`), '%Y-%m-%d %H:%i:%s'), "
        "TIMESTAMPDIFF(SECOND, MIN(`parked_at`), UTC_TIMESTAMP(3)) FROM `sink_parked` "
        "GROUP BY `entity`, `parent_table` ORDER BY MIN(`parked_at`)").executeQuery());
    std::vector<Summary> out;
    while (rs->next())
        out.push_back({rs->getString(1), rs->getString(2), rs->getInt64(3), rs->getString(4), rs->getInt64(5)});
    return out;
}

std::vector<ParkingLot::Listed> ParkingLot::list(size_t limit) {
    auto &st = db_.prepare(
        "SELECT `id`, `entity`, `parent_table`, `parent_key`, `topic`, `kafka_partition`, `kafka_offset`, "
        "DATE_FORMAT(`parked_at`, '%Y-%m-%d %H:%i:%s') FROM `sink_parked` ORDER BY `id` LIMIT ?");
    st.setUInt64(1, limit);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    std::vector<Listed> out;
    while (rs->next()) {
        Listed l;
        l.id = rs->getInt64(1);
        l.entity = rs->getString(2);
        l.parent_table = rs->getString(3);
        l.parent_key = rs->getString(4);
        l.topic = rs->getString(5);
        l.partition = rs->getInt(6);
        l.offset = rs->getInt64(7);
        l.parked_at = rs->getString(8);
        out.push_back(std::move(l));
    }
    return out;
}

size_t ParkingLot::delete_ids(const std::vector<int64_t> &ids) {
    size_t statements = 0;
    for (size_t start = 0; start < ids.size(); start += kKeysPerLookup) {
        const size_t n = std::min(kKeysPerLookup, ids.size() - start);
        const size_t padded = in_list_size(n, kKeysPerLookup);
        std::string &q = delete_texts_[padded];
        if (q.empty()) {
            q = "DELETE FROM `sink_parked` WHERE `id` IN (";
            for (size_t i = 0; i < padded; ++i) q += i ? ",?" : "?";
            q += ")";
        }
        auto &st = db_.prepare(q);
        for (size_t i = 0; i < padded; ++i) st.setInt64(static_cast<unsigned>(i + 1), ids[start + std::min(i, n - 1)]);
        st.executeUpdate();
        ++statements;
    }
    return statements;
}

std::vector<int64_t> ParkingLot::waiting_for(const std::map<const TableDef *, std::set<std::string>> &keys,
                                             size_t &statements) {
    std::vector<int64_t> ids;
    // More than kKeysPerQuery keys: first ask, in one statement, which of
    // the tables anything waits for at all (usually none), and bind the keys
    // of those only. Fewer: the one keyed statement asks as cheaply.
    size_t total = 0;
    std::vector<const TableDef *> unknown;
    for (const auto &[table, ks] : keys)
        if (!ks.empty() && !none_waiting_for_.count(table)) {
            total += ks.size();
            unknown.push_back(table);
        }
    if (total > kKeysPerQuery) probe_waiting_for(unknown, statements);
    // Each table's keys in IN lists of a power of two (the last key
    // repeated), at most kKeysPerLookup keys per statement, consecutive
    // tables sharing one: usually one statement for the whole round, its
    // text one of a few (cached by the sizes of its lists).
    struct Part {
        const TableDef *table;
        std::vector<const std::string *> keys;
        size_t padded;
    };
    std::vector<std::vector<Part>> stmts;
    size_t in_last = 0;  // padded keys in stmts.back()
    for (const auto &[table, ks] : keys) {
        if (ks.empty() || none_waiting_for_.count(table)) continue;
        auto it = ks.begin();
        while (it != ks.end()) {
            Part part{table, {}, 0};
            while (it != ks.end() && part.keys.size() < kKeysPerLookup) part.keys.push_back(&*it++);
            part.padded = in_list_size(part.keys.size(), kKeysPerLookup);
            if (stmts.empty() || in_last + part.padded > kKeysPerLookup) {
                stmts.emplace_back();
                in_last = 0;
            }
            in_last += part.padded;
            stmts.back().push_back(std::move(part));
        }
    }
    for (const std::vector<Part> &parts : stmts) {
        std::vector<size_t> shape;
        for (const Part &part : parts) shape.push_back(part.padded);
        std::string &q = waiting_texts_[shape];
        if (q.empty()) {
            q = "SELECT `id` FROM `sink_parked` FORCE INDEX (`by_parent`) WHERE ";
            for (size_t g = 0; g < shape.size(); ++g) {
                q += g ? " OR (`parent_table` = ? AND `parent_key` IN (" : "(`parent_table` = ? AND `parent_key` IN (";
                for (size_t k = 0; k < shape[g]; ++k) q += k ? ",?" : "?";
                q += "))";
            }
            q += " ORDER BY `id` FOR UPDATE";
        }
        auto &st = db_.prepare(q);
        unsigned p = 1;
        for (const Part &part : parts) {
            st.setString(p++, part.table->name);
            for (size_t k = 0; k < part.padded; ++k) st.setString(p++, *part.keys[std::min(k, part.keys.size() - 1)]);
        }
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        ++statements;
        while (rs->next()) ids.push_back(rs->getInt64(1));
    }
    if (stmts.size() > 1) std::sort(ids.begin(), ids.end());
    return ids;
}

std::vector<EntityRow> ParkingLot::take(const std::vector<int64_t> &ids, size_t from, size_t count,
                                        size_t &statements) {
    std::vector<EntityRow> rows;
    std::vector<int64_t> taken;
    const size_t end = std::min(ids.size(), from + count);
    for (size_t start = from; start < end; start += kKeysPerLookup) {
        const size_t n = std::min(kKeysPerLookup, end - start);
        const size_t padded = in_list_size(n, kKeysPerLookup);
        std::string &q = fetch_texts_[padded];
        if (q.empty()) {
            q = "SELECT `id`, `entity`, `payload`, `topic`, `kafka_partition`, `kafka_offset`, `record_key`, "
                "`record_value`, `record_headers`, `record_timestamp` FROM `sink_parked` WHERE `id` IN (";
            for (size_t i = 0; i < padded; ++i) q += i ? ",?" : "?";
            // A locking read, like waiting_for()'s: it reads the latest
            // version, where a plain SELECT would read the transaction's
            // snapshot and miss a row another worker parked after it began.
            q += ") ORDER BY `id` FOR UPDATE";
        }
        auto &st = db_.prepare(q);
        for (size_t i = 0; i < padded; ++i) st.setInt64(static_cast<unsigned>(i + 1), ids[start + std::min(i, n - 1)]);
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        ++statements;
        while (rs->next()) {
            const int64_t id = rs->getInt64(1);
            const sql::SQLString entity = rs->getString(2);
            RecordOrigin o{rs->getString(4), rs->getInt(5), rs->getInt64(6), nullptr};
            const EntityDef *def = mapping_.entity(entity.asStdString());
            try {
                if (!def) throw std::runtime_error("its entity '" + entity.asStdString() + "' is not in the mapping any more");
                o.source = keep_source(*rs, 7, round_sources_);
                const sql::SQLString payload = rs->getString(3);  // decoded in place, not copied again
                rows.push_back(decode_row_view(*def, payload.asStdString(), std::move(o)));
                taken.push_back(id);
            } catch (const std::exception &e) {
                logger()->warn("parked row {} cannot be applied, left in sink_parked: topic={} partition={} offset={}: {}",
                               id, rs->getString(4).asStdString(), rs->getInt(5), rs->getInt64(6), e.what());
            }
        }
    }
    if (!taken.empty()) statements += delete_ids(taken);
    return rows;
}

std::vector<ParkedRow> ParkingLot::take_expired(int64_t max_age_s, size_t limit) {
    auto &st = db_.prepare(
        "SELECT `id`, `entity`, `payload`, `topic`, `kafka_partition`, `kafka_offset`, `record_key`, `record_value`, "
        "`record_headers`, `record_timestamp`, `parent_table`, `parent_key`, "
        "TIMESTAMPDIFF(SECOND, `parked_at`, UTC_TIMESTAMP(3)) FROM `sink_parked` "
        "WHERE `parked_at` < UTC_TIMESTAMP(3) - INTERVAL ? SECOND ORDER BY `id` LIMIT ? FOR UPDATE");
    st.setInt64(1, max_age_s);
    st.setUInt64(2, limit);
    std::vector<int64_t> ids;
    std::vector<ParkedRow> out;
    {
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        while (rs->next()) {
            const int64_t id = rs->getInt64(1);
            ids.push_back(id);
            const std::string entity = rs->getString(2);
            RecordOrigin o{rs->getString(4), rs->getInt(5), rs->getInt64(6), nullptr};
            ParkedRow p;
            p.parent_table = rs->getString(11);
            p.parent_key = rs->getString(12);
            p.age_s = rs->getInt64(13);
            try {
                o.source = keep_source(*rs, 7, sources_);
            } catch (const std::exception &) {
                o.source = nullptr;  // damaged headers: the letter goes without the record
            }
            const EntityDef *def = mapping_.entity(entity);
            p.row.origin = o;
            if (def) {
                try {
                    p.row = decode_row(*def, rs->getString(3), o);
                } catch (const std::exception &) {
                    p.row.def = def;  // the letter still names where it came from
                }
            }
            out.push_back(std::move(p));
        }
    }
    if (ids.empty()) return out;
    std::string q = "DELETE FROM `sink_parked` WHERE `id` IN (";
    for (size_t i = 0; i < ids.size(); ++i) q += i ? ",?" : "?";
    q += ")";
    auto &del = db_.prepare(q);
    for (size_t i = 0; i < ids.size(); ++i) del.setInt64(static_cast<unsigned>(i + 1), ids[i]);
    del.executeUpdate();
    return out;
}

}  // namespace vsink
