#include "persistence/parking_lot.hpp"

#include "log/log.hpp"

#include <algorithm>
#include <chrono>
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

size_t ParkingLot::park(const std::vector<Waiting> &rows) {
    constexpr size_t kRowsPerInsert = 100;
    const std::string now = format_utc_datetime(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    std::chrono::system_clock::now().time_since_epoch()).count());
    size_t statements = 0;
    for (size_t start = 0; start < rows.size(); start += kRowsPerInsert) {
        const size_t n = std::min(kRowsPerInsert, rows.size() - start);
        std::string q =
            "INSERT INTO `sink_parked` (`parent_table`, `parent_key`, `entity`, `payload`, `topic`, `kafka_partition`, "
            "`kafka_offset`, `parked_at`) VALUES ";
        for (size_t i = 0; i < n; ++i) q += i ? ",(?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?)";
        auto &st = db_.prepare(q);
        unsigned p = 1;
        for (size_t i = start; i < start + n; ++i) {
            const Waiting &w = rows[i];
            st.setString(p++, w.parent_table->name);
            st.setString(p++, w.parent_key);
            st.setString(p++, w.row->def->name);
            st.setString(p++, encode_row(*w.row));
            st.setString(p++, w.row->origin.topic);
            st.setInt(p++, w.row->origin.partition);
            st.setInt64(p++, w.row->origin.offset);
            st.setString(p++, now);
        }
        st.executeUpdate();
        ++statements;
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
    struct Taken {
        int64_t id;
        EntityRow row;
    };
    std::vector<Taken> taken;
    std::vector<std::string> list(keys.begin(), keys.end());
    for (size_t start = 0; start < list.size(); start += kKeysPerQuery) {
        const size_t n = std::min(kKeysPerQuery, list.size() - start);
        std::string q =
            "SELECT `id`, `entity`, `payload`, `topic`, `kafka_partition`, `kafka_offset` FROM `sink_parked` "
            "WHERE `parent_table` = ? AND `parent_key` IN (";
        for (size_t i = 0; i < n; ++i) q += i ? ",?" : "?";
        q += ") ORDER BY `id` FOR UPDATE";
        auto &st = db_.prepare(q);
        st.setString(1, table.name);
        for (size_t i = 0; i < n; ++i) st.setString(static_cast<unsigned>(i + 2), list[start + i]);
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        while (rs->next()) {
            const int64_t id = rs->getInt64(1);
            const std::string entity = rs->getString(2);
            RecordOrigin o{rs->getString(4), rs->getInt(5), rs->getInt64(6)};
            const EntityDef *def = mapping_.entity(entity);
            try {
                if (!def) throw std::runtime_error("its entity '" + entity + "' is not in the mapping any more");
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
    }
    std::vector<EntityRow> rows;
    rows.reserve(taken.size());
    for (auto &t : taken) rows.push_back(std::move(t.row));
    return rows;
}

}  // namespace vsink
