#include "persistence/sql_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "persistence/entity_row.hpp"

namespace vsink {

std::string quote_ident(const std::string &id) { return "`" + id + "`"; }

namespace {

std::string column_list(const std::vector<std::string> &cols) {
    std::string s;
    for (size_t i = 0; i < cols.size(); ++i) s += (i ? ", " : "") + quote_ident(cols[i]);
    return s;
}

}  // namespace

SqlFlavour sql_flavour_for(const std::string &v) {
    if (v.find("MariaDB") != std::string::npos || v.find("mariadb") != std::string::npos)
        return SqlFlavour::ValuesFunction;
    unsigned major = 0, minor = 0, patch = 0;
    if (std::sscanf(v.c_str(), "%u.%u.%u", &major, &minor, &patch) != 3) return SqlFlavour::ValuesFunction;
    const bool alias = major > 8 || (major == 8 && (minor > 0 || patch >= 19));
    return alias ? SqlFlavour::RowAlias : SqlFlavour::ValuesFunction;
}

std::string add_index_sql(const TableDef &t, const IndexDef &ix) {
    return "ALTER TABLE " + quote_ident(t.name) + " ADD " + (ix.unique ? "UNIQUE " : "") + "INDEX " +
           quote_ident(ix.name) + " (" + column_list(ix.columns) + ")";
}

std::string create_table_sql(const TableDef &t) {
    std::string s = "CREATE TABLE IF NOT EXISTS " + quote_ident(t.name) + " (\n";
    for (const auto &c : t.columns) s += "  " + quote_ident(c.name) + " " + c.sql_type + ",\n";
    s += "  PRIMARY KEY (" + column_list(t.key) + ")";
    for (const IndexDef &ix : t.indexes)
        s += ",\n  " + std::string(ix.unique ? "UNIQUE " : "") + "KEY " + quote_ident(ix.name) + " (" +
             column_list(ix.columns) + ")";
    s += "\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    return s;
}

std::vector<std::string> system_tables_sql() {
    return {
        "CREATE TABLE IF NOT EXISTS `sink_offsets` (\n"
        "  `group_id` VARCHAR(255) NOT NULL,\n"
        "  `topic` VARCHAR(249) NOT NULL,\n"
        "  `kafka_partition` INT NOT NULL,\n"
        "  `next_offset` BIGINT NOT NULL,\n"
        "  `updated_at` DATETIME(3) NOT NULL,\n"
        "  PRIMARY KEY (`group_id`, `topic`, `kafka_partition`)\n"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
        "CREATE TABLE IF NOT EXISTS `sink_parked` (\n"
        "  `id` BIGINT NOT NULL AUTO_INCREMENT,\n"
        "  `parent_table` VARCHAR(64) NOT NULL,\n"
        "  `parent_key` VARBINARY(1024) NOT NULL,\n"
        "  `entity` VARCHAR(64) NOT NULL,\n"
        "  `payload` MEDIUMBLOB NOT NULL,\n"
        "  `topic` VARCHAR(249) NOT NULL,\n"
        "  `kafka_partition` INT NOT NULL,\n"
        "  `kafka_offset` BIGINT NOT NULL,\n"
        "  `parked_at` DATETIME(3) NOT NULL,\n"
        "  `entity_key` VARBINARY(1024) NULL,\n"
        "  `record_key` MEDIUMBLOB NULL,\n"
        "  `record_value` MEDIUMBLOB NULL,\n"
        "  `record_headers` MEDIUMBLOB NULL,\n"
        "  `record_timestamp` BIGINT NULL,\n"
        "  PRIMARY KEY (`id`),\n"
        "  KEY `by_parent` (`parent_table`, `parent_key`(255)),\n"
        "  KEY `by_entity` (`entity`, `entity_key`(255)),\n"
        "  KEY `by_age` (`parked_at`)\n"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    };
}

std::vector<SystemTableUpgrade> system_tables_upgrades() {
    // Columns and indexes later versions added to the host's own tables:
    // `schema --apply` adds the missing ones to a database made earlier.
    return {
        {"sink_parked", "entity_key", "ALTER TABLE `sink_parked` ADD COLUMN `entity_key` VARBINARY(1024) NULL"},
        {"sink_parked", "record_key", "ALTER TABLE `sink_parked` ADD COLUMN `record_key` MEDIUMBLOB NULL"},
        {"sink_parked", "record_value", "ALTER TABLE `sink_parked` ADD COLUMN `record_value` MEDIUMBLOB NULL"},
        {"sink_parked", "record_headers", "ALTER TABLE `sink_parked` ADD COLUMN `record_headers` MEDIUMBLOB NULL"},
        {"sink_parked", "record_timestamp", "ALTER TABLE `sink_parked` ADD COLUMN `record_timestamp` BIGINT NULL"},
        {"sink_parked", "by_entity", "ALTER TABLE `sink_parked` ADD KEY `by_entity` (`entity`, `entity_key`(255))"},
        {"sink_parked", "by_age", "ALTER TABLE `sink_parked` ADD KEY `by_age` (`parked_at`)"},
    };
}

std::vector<std::string> schema_sql(const Mapping &m) {
    std::vector<std::string> out;
    for (const TableDef *t : m.tables_in_write_order()) out.push_back(create_table_sql(*t));
    for (auto &s : system_tables_sql()) out.push_back(std::move(s));
    return out;
}

std::string upsert_sql(const EntityDef &e, size_t rows, SqlFlavour flavour) {
    const bool alias = flavour == SqlFlavour::RowAlias;
    std::string cols, one = "(";
    for (size_t i = 0; i < e.columns.size(); ++i) {
        cols += (i ? ", " : "") + quote_ident(e.columns[i]);
        one += i ? ",?" : "?";
    }
    one += ")";
    std::string s = "INSERT INTO " + quote_ident(e.table->name) + " (" + cols + ") VALUES ";
    s.reserve(s.size() + rows * (one.size() + 1) + 256);
    for (size_t r = 0; r < rows; ++r) {
        if (r) s += ",";
        s += one;
    }
    std::string upd;
    for (size_t i = 0; i < e.columns.size(); ++i) {
        bool is_key = false;
        for (size_t ki : e.key_index) is_key = is_key || ki == i;
        if (is_key || e.keep_on_update[i]) continue;
        const std::string c = quote_ident(e.columns[i]);
        // In ON DUPLICATE KEY UPDATE a bare `c` is the stored value.
        const std::string v = alias ? "`new`." + c : "VALUES(" + c + ")";
        upd += (upd.empty() ? "" : ", ") + c + " = " + (e.keep_when_null[i] ? "COALESCE(" + v + ", " + c + ")" : v);
    }
    // Nothing to update (all key or keep columns): a no-op keeps the row.
    if (upd.empty()) upd = quote_ident(e.columns[e.key_index[0]]) + " = " + quote_ident(e.columns[e.key_index[0]]);
    return s + (alias ? " AS `new`" : "") + " ON DUPLICATE KEY UPDATE " + upd;
}

std::string insert_absent_sql(const EntityDef &e, size_t rows, SqlFlavour) {
    // `key = key` names no new value: the text needs no alias on either server.
    std::string s = upsert_sql(e, rows, SqlFlavour::ValuesFunction);
    s.resize(s.find(" ON DUPLICATE KEY UPDATE "));
    const std::string k = quote_ident(e.columns[e.key_index[0]]);
    return s + " ON DUPLICATE KEY UPDATE " + k + " = " + k;
}

UpsertText upsert_text(const EntityDef &e, SqlFlavour flavour, bool insert_absent) {
    const std::string one = insert_absent ? insert_absent_sql(e, 1, flavour) : upsert_sql(e, 1, flavour);
    const size_t open = one.find(" VALUES (") + 8;  // the one row's "(?,..,?)"
    const size_t close = one.find(')', open) + 1;
    return {one.substr(0, open), one.substr(close)};
}

namespace {

// Valid UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF)
// without control characters, ' or \: safe between single quotes as it is.
bool quotable(const std::string &s) {
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const auto *end = p + s.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') return false;
            ++p;
            continue;
        }
        size_t n;
        unsigned lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) n = 1;
        else if (c == 0xe0) n = 2, lo = 0xa0;
        else if (c == 0xed) n = 2, hi = 0x9f;
        else if (c >= 0xe1 && c <= 0xef) n = 2;
        else if (c == 0xf0) n = 3, lo = 0x90;
        else if (c >= 0xf1 && c <= 0xf3) n = 3;
        else if (c == 0xf4) n = 3, hi = 0x8f;
        else return false;
        if (static_cast<size_t>(end - p) <= n) return false;
        if (p[1] < lo || p[1] > hi) return false;
        for (size_t k = 2; k <= n; ++k)
            if (p[k] < 0x80 || p[k] > 0xbf) return false;
        p += n + 1;
    }
    return true;
}

}  // namespace

void append_literal(std::string &out, const Value &v) {
    char buf[40];
    switch (v.kind) {
    case Value::Kind::Null: out += "NULL"; return;
    case Value::Kind::Bool: out += v.i ? '1' : '0'; return;
    case Value::Kind::Int: {
        const auto r = std::to_chars(buf, buf + sizeof buf, v.i);
        out.append(buf, r.ptr);
        return;
    }
    case Value::Kind::Double: {
        if (!std::isfinite(v.d)) {
            out += "NULL";
            return;
        }
        const int n = std::snprintf(buf, sizeof buf, "%.17g", v.d);
        out.append(buf, static_cast<size_t>(n));
        // "1e+300" and "5" are numbers too; MariaDB reads "1e+300" as a double.
        return;
    }
    case Value::Kind::TimestampMs: {
        const size_t n = format_utc_datetime(v.i, buf, sizeof buf);
        out += '\'';
        out.append(buf, n);
        out += '\'';
        return;
    }
    case Value::Kind::String:
        if (quotable(v.s)) {
            out += '\'';
            out += v.s;
            out += '\'';
            return;
        }
        {
            static const char hex[] = "0123456789ABCDEF";
            if (v.s.empty()) {
                out += "''";
                return;
            }
            out += "_binary X'";  // a string, also where a bare X'..' would be a number
            for (const unsigned char c : v.s) {
                out += hex[c >> 4];
                out += hex[c & 15];
            }
            out += '\'';
        }
        return;
    }
}

std::string update_sql(const EntityDef &e) {
    std::string set, where;
    for (size_t i = 0; i < e.columns.size(); ++i) {
        bool is_key = false;
        for (size_t ki : e.key_index) is_key = is_key || ki == i;
        if (is_key) continue;
        // keep_when_null: the same rule as in upsert mode, with the same parameters.
        const std::string c = quote_ident(e.columns[i]);
        set += (set.empty() ? "" : ", ") + c + " = " + (e.keep_when_null[i] ? "COALESCE(?, " + c + ")" : "?");
    }
    for (size_t ki : e.key_index) where += (where.empty() ? "" : " AND ") + quote_ident(e.columns[ki]) + " = ?";
    for (const auto &[col, vals] : e.unless) {
        where += " AND (" + quote_ident(col) + " IS NULL OR " + quote_ident(col) + " NOT IN (";
        for (size_t i = 0; i < vals.size(); ++i) where += i ? ",?" : "?";
        where += "))";
    }
    return "UPDATE " + quote_ident(e.table->name) + " SET " + set + " WHERE " + where;
}

std::string exists_sql(const TableDef &t, size_t values) {
    std::string s = "SELECT " + column_list(t.key) + " FROM " + quote_ident(t.name) + " WHERE ";
    for (size_t i = 0; i + 1 < t.key.size(); ++i) s += quote_ident(t.key[i]) + " = ? AND ";
    s += quote_ident(t.key.back()) + " IN (";
    s.reserve(s.size() + 2 * values + 24);
    for (size_t v = 0; v < values; ++v) s += v ? ",?" : "?";
    return s + ") LOCK IN SHARE MODE";
}

std::vector<KeyGroup> group_keys(const std::vector<std::string> &keys, size_t columns) {
    std::vector<KeyGroup> out;
    if (columns == 0) return out;
    std::map<std::vector<std::string>, size_t> at;  // leading parts -> index in out
    std::map<std::vector<std::string>, std::set<std::string>> seen;
    for (const std::string &k : keys) {
        std::vector<std::string> parts = split_key(k);
        if (parts.size() != columns) continue;
        std::string last = std::move(parts.back());
        parts.pop_back();
        if (!seen[parts].insert(last).second) continue;
        auto it = at.find(parts);
        if (it == at.end()) it = at.emplace(parts, at.size()).first;
        if (it->second == out.size()) out.push_back({parts, {}});
        out[it->second].last.push_back(std::move(last));
    }
    // Groups in the order of their leading parts.
    std::vector<KeyGroup> sorted;
    sorted.reserve(out.size());
    for (const auto &[leading, i] : at) sorted.push_back(std::move(out[i]));
    return sorted;
}

size_t in_list_size(size_t n, size_t max) {
    size_t s = 1;
    while (s < n && s < max) s *= 2;
    return std::min(s, max);
}

}  // namespace vsink
