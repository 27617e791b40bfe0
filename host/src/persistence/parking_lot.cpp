#include "persistence/parking_lot.hpp"

#include "log/log.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <cstring>
#include <stdexcept>

namespace vsink {

namespace {

void put_u32(std::string &out, uint32_t v) { out.append(reinterpret_cast<const char *>(&v), 4); }
void put_i64(std::string &out, int64_t v) { out.append(reinterpret_cast<const char *>(&v), 8); }

struct Reader {
    const std::string &s;
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
    std::string str() {
        const uint32_t n = u32();
        need(n);
        std::string v = s.substr(pos, n);
        pos += n;
        return v;
    }
};

constexpr size_t kKeysPerQuery = 200;

}  // namespace

std::string encode_row(const EntityRow &row) {
    std::string out;
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

EntityRow decode_row(const EntityDef &def, const std::string &payload, RecordOrigin origin) {
    EntityRow row;
    row.def = &def;
    row.origin = std::move(origin);
    row.values.assign(def.columns.size(), Value::null());
    Reader r{payload};
    const uint32_t n = r.u32();
    for (uint32_t k = 0; k < n; ++k) {
        const std::string col = r.str();
        Value v;
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
        case Value::Kind::String: v.s = r.str(); break;
        }
        // A row parked by an earlier version may name a column by its old name.
        const std::string *renamed = def.table->column(col) ? nullptr : def.table->renamed_from(col);
        const std::string &name = renamed ? *renamed : col;
        for (size_t i = 0; i < def.columns.size(); ++i)
            if (def.columns[i] == name) row.values[i] = std::move(v);
    }
    return row;
}

void ParkingLot::begin_transaction() {
    sources_.clear();
    anything_parked_ = -1;
}

bool ParkingLot::anything_parked() {
    if (anything_parked_ < 0) {
        std::unique_ptr<sql::ResultSet> rs(db_.prepare("SELECT EXISTS (SELECT 1 FROM `sink_parked`)").executeQuery());
        anything_parked_ = rs->next() && rs->getInt(1) ? 1 : 0;
    }
    return anything_parked_ == 1;
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

const SourceRecord *ParkingLot::keep_source(sql::ResultSet &rs, unsigned first) {
    // A row parked by a version that did not keep the record has none.
    if (rs.isNull(first + 1) && rs.isNull(first + 2) && rs.isNull(first + 3)) return nullptr;
    OwnedSource &o = sources_.emplace_back();
    if (!rs.isNull(first)) o.key = std::string(rs.getString(first));
    if (!rs.isNull(first + 1)) o.value = std::string(rs.getString(first + 1));
    if (!rs.isNull(first + 2)) o.headers = decode_headers(rs.getString(first + 2));
    if (o.key) o.view.key = std::string_view(*o.key);
    if (o.value) o.view.value = std::string_view(*o.value);
    for (const auto &[k, v] : o.headers)
        o.view.headers.push_back({k, v ? std::optional<std::string_view>(*v) : std::nullopt});
    o.view.timestamp_ms = rs.isNull(first + 3) ? -1 : rs.getInt64(first + 3);
    return &o.view;
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

bool has_keep_when_null(const EntityDef &def) {
    return std::find(def.keep_when_null.begin(), def.keep_when_null.end(), true) != def.keep_when_null.end();
}


}  // namespace

std::vector<const EntityRow *> ParkingLot::absorb_older(const std::vector<const EntityRow *> &rows,
                                                        std::deque<EntityRow> &patched, size_t &statements,
                                                        size_t &absorbed) {
    if (rows.empty()) return rows;
    std::vector<const EntityRow *> out = rows;
    // (entity) -> key -> indexes into `out`
    std::map<const EntityDef *, std::map<std::string, std::vector<size_t>>> wanted;
    for (size_t i = 0; i < out.size(); ++i)
        if (out[i]->def->mode == WriteMode::Upsert) wanted[out[i]->def][out[i]->key_text()].push_back(i);
    if (wanted.empty() || !anything_parked()) return out;
    ++statements;
    for (const auto &[def, keys] : wanted) {
        std::vector<std::string> list;
        for (const auto &kv : keys) list.push_back(kv.first);
        for (size_t start = 0; start < list.size(); start += kKeysPerQuery) {
            const size_t n = std::min(kKeysPerQuery, list.size() - start);
            const bool merge = has_keep_when_null(*def);
            std::string q = std::string("SELECT `id`, `entity_key`") + (merge ? ", `payload`" : "") +
                            " FROM `sink_parked` WHERE `entity` = ? AND `entity_key` IN (";
            for (size_t i = 0; i < n; ++i) q += i ? ",?" : "?";
            q += ") ORDER BY `id` FOR UPDATE";
            auto &st = db_.prepare(q);
            st.setString(1, def->name);
            for (size_t i = 0; i < n; ++i) st.setString(static_cast<unsigned>(i + 2), list[start + i]);
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
                        older = decode_row(*def, rs->getString(3), {});
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
            for (size_t k = 0; k < ids.size(); k += kKeysPerQuery) {
                const size_t m = std::min(kKeysPerQuery, ids.size() - k);
                std::string d = "DELETE FROM `sink_parked` WHERE `id` IN (";
                for (size_t i = 0; i < m; ++i) d += i ? ",?" : "?";
                d += ")";
                auto &del = db_.prepare(d);
                for (size_t i = 0; i < m; ++i) del.setInt64(static_cast<unsigned>(i + 1), ids[k + i]);
                del.executeUpdate();
                ++statements;
            }
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
        std::map<std::pair<const EntityDef *, std::string>, size_t> last;
        for (size_t i = 0; i < in.size(); ++i)
            if (in[i].row->def->mode == WriteMode::Upsert) last[{in[i].row->def, in[i].row->key_text()}] = i;
        std::map<size_t, std::vector<size_t>> replaced;  // latest -> the earlier ones, in order
        for (size_t i = 0; i < in.size(); ++i) {
            if (in[i].row->def->mode != WriteMode::Upsert) continue;
            const size_t l = last[{in[i].row->def, in[i].row->key_text()}];
            if (l != i) replaced[l].push_back(i);
        }
        for (size_t i = 0; i < in.size(); ++i) {
            const EntityRow *r = in[i].row;
            if (r->def->mode == WriteMode::Upsert && last[{r->def, r->key_text()}] != i) continue;
            Waiting w = in[i];
            if (auto it = replaced.find(i); it != replaced.end() && has_keep_when_null(*r->def)) {
                merged.push_back(*r);
                for (auto e = it->second.rbegin(); e != it->second.rend(); ++e) merge_older(merged.back(), *in[*e].row);
                w.row = &merged.back();
            }
            rows.push_back(std::move(w));
        }
    }
    anything_parked_ = 1;

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
            if (src && src->key)
                st.setString(p++, std::string(*src->key));
            else
                st.setNull(p++, sql::DataType::VARCHAR);
            if (src && src->value)
                st.setString(p++, std::string(*src->value));
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

std::vector<EntityRow> ParkingLot::take_waiting_for(const TableDef &table, const std::set<std::string> &keys) {
    size_t statements = 0;
    return take_waiting_for(std::map<const TableDef *, std::set<std::string>>{{&table, keys}}, statements);
}

std::vector<EntityRow> ParkingLot::take_waiting_for(const std::map<const TableDef *, std::set<std::string>> &keys,
                                                    size_t &statements) {
    struct Taken {
        int64_t id;
        EntityRow row;
    };
    std::vector<Taken> taken;
    // (parent table, key) pairs, cut into statements of kKeysPerQuery keys;
    // each statement asks for all the tables it covers at once.
    std::vector<std::pair<const TableDef *, const std::string *>> list;
    for (const auto &[table, ks] : keys)
        for (const std::string &k : ks) list.emplace_back(table, &k);
    for (size_t start = 0; start < list.size(); start += kKeysPerQuery) {
        const size_t n = std::min(kKeysPerQuery, list.size() - start);
        std::string q =
            "SELECT `id`, `entity`, `payload`, `topic`, `kafka_partition`, `kafka_offset`, `record_key`, "
            "`record_value`, `record_headers`, `record_timestamp` FROM `sink_parked` WHERE ";
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && list[start + j].first == list[start + i].first) ++j;
            q += i ? " OR (`parent_table` = ? AND `parent_key` IN (" : "(`parent_table` = ? AND `parent_key` IN (";
            for (size_t k = i; k < j; ++k) q += k > i ? ",?" : "?";
            q += "))";
            i = j;
        }
        q += " ORDER BY `id` FOR UPDATE";
        auto &st = db_.prepare(q);
        unsigned p = 1;
        for (size_t i = 0; i < n; ++i) {
            if (i == 0 || list[start + i].first != list[start + i - 1].first) st.setString(p++, list[start + i].first->name);
            st.setString(p++, *list[start + i].second);
        }
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        ++statements;
        while (rs->next()) {
            const int64_t id = rs->getInt64(1);
            const std::string entity = rs->getString(2);
            RecordOrigin o{rs->getString(4), rs->getInt(5), rs->getInt64(6), nullptr};
            const EntityDef *def = mapping_.entity(entity);
            try {
                if (!def) throw std::runtime_error("its entity '" + entity + "' is not in the mapping any more");
                o.source = keep_source(*rs, 7);
                taken.push_back({id, decode_row(*def, rs->getString(3), o)});
            } catch (const std::exception &e) {
                logger()->warn("parked row {} cannot be applied, left in sink_parked: topic={} partition={} offset={}: {}",
                               id, o.topic, o.partition, o.offset, e.what());
            }
        }
    }
    if (taken.empty()) return {};
    std::sort(taken.begin(), taken.end(), [](const Taken &a, const Taken &b) { return a.id < b.id; });
    for (size_t start = 0; start < taken.size(); start += kKeysPerQuery) {
        const size_t n = std::min(kKeysPerQuery, taken.size() - start);
        std::string q = "DELETE FROM `sink_parked` WHERE `id` IN (";
        for (size_t i = 0; i < n; ++i) q += i ? ",?" : "?";
        q += ")";
        auto &st = db_.prepare(q);
        for (size_t i = 0; i < n; ++i) st.setInt64(static_cast<unsigned>(i + 1), taken[start + i].id);
        st.executeUpdate();
        ++statements;
    }
    std::vector<EntityRow> rows;
    rows.reserve(taken.size());
    for (auto &t : taken) rows.push_back(std::move(t.row));
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
                o.source = keep_source(*rs, 7);
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
