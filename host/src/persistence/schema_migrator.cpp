#include "persistence/schema_migrator.hpp"

#include "persistence/sql_text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace vsink {

namespace {

// MySQL and MariaDB compare column and index names case-insensitively.
bool same_name(const std::string &a, const std::string &b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool same_names(const std::vector<std::string> &a, const std::vector<std::string> &b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same_name);
}

DbColumn *find_column(std::vector<DbColumn> &cols, const std::string &name) {
    for (auto &c : cols)
        if (same_name(c.name, name)) return &c;
    return nullptr;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return s;
}

std::string join(const std::vector<std::string> &v, const std::string &sep) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
    return s;
}

std::string quoted_list(const std::vector<std::string> &v) {
    std::vector<std::string> q;
    for (const auto &c : v) q.push_back(quote_ident(c));
    return join(q, ", ");
}

// A type reduced to what decides which values it holds.
struct ParsedType {
    std::string name;  // lower case, aliases resolved: int, tinyint, varchar, text, decimal, datetime, ...
    std::vector<long long> args;
    bool is_unsigned = false;
};

ParsedType parse_type(const std::string &text) {
    ParsedType t;
    const std::string s = lower(text);
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) t.name += s[i++];
    while (i < s.size() && s[i] == ' ') ++i;
    if (i < s.size() && s[i] == '(') {
        const size_t close = s.find(')', i);
        std::string inner = s.substr(i + 1, close == std::string::npos ? std::string::npos : close - i - 1);
        std::istringstream parts(inner);
        for (std::string p; std::getline(parts, p, ',');) t.args.push_back(std::atoll(p.c_str()));
        i = close == std::string::npos ? s.size() : close + 1;
    }
    const std::string rest = " " + s.substr(i) + " ";
    t.is_unsigned = rest.find(" unsigned ") != std::string::npos;
    if (t.name == "double" && rest.find(" precision ") != std::string::npos) t.args.clear();
    if (t.name == "bool" || t.name == "boolean") t = {"tinyint", {1}, false};
    if (t.name == "integer") t.name = "int";
    if (t.name == "dec" || t.name == "numeric" || t.name == "fixed") t.name = "decimal";
    if (t.name == "real") t.name = "double";
    return t;
}

// The values a type holds, as a box: `a` fits in `b` when each bound of a is
// at most b's. Kinds whose boxes compare: integers (negative and positive
// bits), decimals (integer and fraction digits), floating point, temporal
// (fraction digits, per kind), character (chars and bytes in utf8mb4) and
// binary strings (bytes).
struct Capacity {
    std::string family;  // empty: compare the text only
    std::vector<long double> bounds;
};

Capacity capacity(const ParsedType &t) {
    auto arg = [&](size_t i, long long dflt) { return i < t.args.size() ? t.args[i] : dflt; };
    static const std::map<std::string, int> int_bytes = {
        {"tinyint", 1}, {"smallint", 2}, {"mediumint", 3}, {"int", 4}, {"bigint", 8}};
    if (auto it = int_bytes.find(t.name); it != int_bytes.end()) {
        const long double bits = 8.0L * it->second;
        return {"int", {t.is_unsigned ? -1 : bits - 1, t.is_unsigned ? bits : bits - 1}};
    }
    if (t.name == "decimal") {
        const long long p = arg(0, 10), s = arg(1, 0);
        return {"decimal", {static_cast<long double>(p - s), static_cast<long double>(s)}};
    }
    if (t.name == "float") return {"float", {4}};
    if (t.name == "double") return {"float", {8}};
    if (t.name == "datetime" || t.name == "timestamp" || t.name == "time")
        return {t.name, {static_cast<long double>(arg(0, 0))}};
    if (t.name == "char" || t.name == "varchar") {
        const long double n = static_cast<long double>(arg(0, 1));
        return {"text", {n, 4 * n}};
    }
    static const std::map<std::string, long double> text_bytes = {
        {"tinytext", 255.0L}, {"text", 65535.0L}, {"mediumtext", 16777215.0L}, {"longtext", 4294967295.0L}};
    if (auto it = text_bytes.find(t.name); it != text_bytes.end()) return {"text", {it->second, it->second}};
    if (t.name == "binary" || t.name == "varbinary") return {"binary", {static_cast<long double>(arg(0, 1))}};
    static const std::map<std::string, long double> blob_bytes = {
        {"tinyblob", 255.0L}, {"blob", 65535.0L}, {"mediumblob", 16777215.0L}, {"longblob", 4294967295.0L}};
    if (auto it = blob_bytes.find(t.name); it != blob_bytes.end()) return {"binary", {it->second}};
    return {};
}

bool fits(const Capacity &a, const Capacity &b) {
    for (size_t i = 0; i < a.bounds.size(); ++i)
        if (a.bounds[i] > b.bounds[i]) return false;
    return true;
}

bool is_string_type(const std::string &mapping_type) {
    const std::string f = capacity(parse_type(mapping_type)).family;
    return f == "text";
}

// The column's definition for MODIFY: the mapping's type, the database's
// character set and collation (a conversion never re-encodes), NULL unless
// the database has NOT NULL and the mapping keeps it.
std::string modify_sql(const TableDef &t, const DbColumn &d, const ColumnDef &c, bool nullable) {
    std::string s = "ALTER TABLE " + quote_ident(t.name) + " MODIFY COLUMN " + quote_ident(d.name) + " " +
                    mapping_base_type(c.sql_type);
    if (is_string_type(c.sql_type) && !d.charset.empty()) {
        s += " CHARACTER SET " + d.charset;
        if (!d.collation.empty()) s += " COLLATE " + d.collation;
    }
    return s + (nullable ? " NULL" : " NOT NULL");
}

std::string column_ref(const TableDef &t, const std::string &c) { return t.name + "." + c; }

}  // namespace

bool sql_type_nullable(const std::string &sql_type) {
    std::istringstream words(sql_type);
    std::string w, prev;
    while (words >> w) {
        std::transform(w.begin(), w.end(), w.begin(), [](unsigned char ch) { return std::toupper(ch); });
        if (prev == "NOT" && w == "NULL") return false;
        prev = w;
    }
    return true;
}

std::string mapping_base_type(const std::string &sql_type) {
    std::istringstream words(sql_type);
    std::vector<std::string> kept;
    for (std::string w; words >> w;) {
        const std::string up = lower(w);
        if (up == "null" && !kept.empty() && lower(kept.back()) == "not") {
            kept.pop_back();
            continue;
        }
        if (up == "null" && !(kept.size() && lower(kept.back()) == "default")) continue;
        kept.push_back(w);
    }
    return join(kept, " ");
}

TypeFit compare_type(const std::string &db_column_type, const std::string &mapping_type) {
    const ParsedType d = parse_type(db_column_type), m = parse_type(mapping_base_type(mapping_type));
    const Capacity dc = capacity(d), mc = capacity(m);
    if (dc.family.empty() || mc.family.empty()) {
        if (dc.family.empty() && mc.family.empty() && d.name == m.name && d.args == m.args &&
            d.is_unsigned == m.is_unsigned)
            return TypeFit::Same;
        return TypeFit::Incompatible;
    }
    if (dc.family != mc.family) return TypeFit::Incompatible;
    const bool d_in_m = fits(dc, mc), m_in_d = fits(mc, dc);
    if (d_in_m && m_in_d) {
        // The same values; CHAR and VARCHAR (or TEXT and VARCHAR(16383)) differ in kind all the same.
        const bool fixed_d = d.name == "char", fixed_m = m.name == "char";
        return fixed_d == fixed_m ? TypeFit::Same : TypeFit::Narrower;
    }
    if (d_in_m) return TypeFit::Narrower;
    if (m_in_d) return TypeFit::Wider;
    return TypeFit::Incompatible;
}

TablePlan plan_table_migration(const TableDef &t, const std::vector<DbColumn> &existing) {
    DbTable d;
    d.columns = existing;
    TablePlan p = plan_table_migration(t, d);
    return p;
}

TablePlan plan_table_migration(const TableDef &t, const DbTable &existing) {
    using K = SchemaChange::Kind;
    using S = SchemaChange::Severity;
    TablePlan plan;
    std::vector<DbColumn> cols = existing.columns;  // the table as it will be after the changes so far
    std::vector<std::string> pk = existing.primary_key;
    std::vector<DbIndex> indexes = existing.indexes;
    const std::string table = quote_ident(t.name);
    auto is_key = [&](const std::string &c) {
        return std::any_of(t.key.begin(), t.key.end(), [&](const std::string &k) { return same_name(k, c); });
    };
    auto add = [&](K kind, S sev, std::string sql, std::string what) {
        SchemaChange c{kind, std::move(sql), std::move(what), sev, t.name};
        if (kind == K::Refused) plan.refused.push_back(std::move(c));
        else if (kind == K::Extra) plan.extras.push_back(std::move(c));
        else plan.changes.push_back(std::move(c));
    };

    // Renames first, so a renamed column is not added afresh. A rename keeps
    // the column's type, values and place in the primary key and indexes.
    for (const auto &[now, old] : t.renamed) {
        DbColumn *before = find_column(cols, old);
        if (!before || find_column(cols, now)) continue;
        add(K::Rename, S::Fail,
            "ALTER TABLE " + table + " RENAME COLUMN " + quote_ident(before->name) + " TO " + quote_ident(now),
            "column " + column_ref(t, before->name) + " is called " + now + " in the mapping");
        auto rename_in = [&](std::vector<std::string> &names) {
            for (auto &n : names)
                if (same_name(n, before->name)) n = now;
        };
        rename_in(pk);
        for (auto &ix : indexes) rename_in(ix.columns);
        before->name = now;
    }
    // Missing columns, each after the mapping column before it (for readers
    // of the table; rows get NULL, or the type's implicit default).
    std::string prev;
    std::vector<std::string> added_now;
    for (const ColumnDef &c : t.columns) {
        if (!find_column(cols, c.name)) {
            const std::string place = prev.empty() ? "FIRST" : "AFTER " + quote_ident(prev);
            const std::string sql =
                "ALTER TABLE " + table + " ADD COLUMN " + quote_ident(c.name) + " " + c.sql_type + " " + place;
            if (is_key(c.name)) {
                // A key column cannot come into a primary key by itself: the
                // rows would all get the same value for it.
                add(K::Refused, S::Fail,
                    sql + ", DROP PRIMARY KEY, ADD PRIMARY KEY (" + quoted_list(t.key) + ")",
                    "key column " + column_ref(t, c.name) +
                        " is missing; adding it to the primary key needs a value for every row (or its old name in "
                        "`renamed`)");
            } else {
                add(K::Add, S::Fail, sql, "column " + column_ref(t, c.name) + " is missing");
                added_now.push_back(c.name);
            }
            cols.push_back({c.name, mapping_base_type(c.sql_type), sql_type_nullable(c.sql_type), "", ""});
        }
        prev = c.name;
    }
    // Types, then NOT NULL the mapping no longer asks for. A conversion keeps
    // the database's character set and collation: it never re-encodes.
    for (const ColumnDef &c : t.columns) {
        const DbColumn *d = find_column(cols, c.name);
        if (!d || std::find(added_now.begin(), added_now.end(), c.name) != added_now.end()) continue;
        const bool relax = d->nullable == false && !is_key(c.name) && sql_type_nullable(c.sql_type);
        const bool nullable = d->nullable || relax;
        const TypeFit fit = compare_type(d->column_type, c.sql_type);
        const std::string now = column_ref(t, d->name) + " is " + d->column_type + ", the mapping says " +
                                mapping_base_type(c.sql_type);
        switch (fit) {
        case TypeFit::Same: break;
        case TypeFit::Narrower:
            add(K::Widen, S::Fail, modify_sql(t, *d, c, nullable), "column " + now);
            continue;  // the MODIFY relaxes too
        case TypeFit::Wider:
            add(K::Refused, S::Warn, modify_sql(t, *d, c, nullable),
                "column " + now + ": converting would narrow it and lose what does not fit");
            break;
        case TypeFit::Incompatible:
            add(K::Refused, S::Fail, modify_sql(t, *d, c, nullable),
                "column " + now + ": another kind of type; converting may lose or alter values");
            break;
        }
        if (relax) {
            std::string type = d->column_type;
            if (!d->charset.empty()) type += " CHARACTER SET " + d->charset;
            if (!d->collation.empty()) type += " COLLATE " + d->collation;
            add(K::Relax, S::Fail,
                "ALTER TABLE " + table + " MODIFY COLUMN " + quote_ident(d->name) + " " + type + " NULL",
                "column " + column_ref(t, d->name) + " is NOT NULL, the mapping allows NULL");
        }
    }
    for (const DbColumn &d : cols) {
        const bool mapped = std::any_of(t.columns.begin(), t.columns.end(),
                                        [&](const ColumnDef &c) { return same_name(c.name, d.name); });
        if (!mapped) {
            plan.unknown.push_back(d.name);
            add(K::Extra, S::Info, "", "column " + column_ref(t, d.name) + " is not in the mapping; left as it is");
        }
    }
    // The primary key and indexes, when the caller read them.
    if (!existing.keys_known) return plan;
    if (!same_names(pk, t.key)) {
        add(K::Refused, S::Fail,
            "ALTER TABLE " + table + (pk.empty() ? "" : " DROP PRIMARY KEY,") + " ADD PRIMARY KEY (" +
                quoted_list(t.key) + ")",
            "table " + t.name + ": primary key is (" + (pk.empty() ? std::string("none") : join(pk, ", ")) +
                "), the mapping says (" + join(t.key, ", ") + ")");
    }
    std::set<std::string> matched;  // lower-case names of database indexes the mapping accounts for
    for (const IndexDef &ix : t.indexes) {
        const std::string want = (ix.unique ? "unique index " : "index ") + t.name + "." + ix.name + " (" +
                                 join(ix.columns, ", ") + ")";
        const DbIndex *by_name = nullptr, *same_cols = nullptr;
        for (const DbIndex &d : indexes) {
            if (same_name(d.name, ix.name)) by_name = &d;
            else if (same_names(d.columns, ix.columns) && d.unique == ix.unique && !same_cols) same_cols = &d;
        }
        if (by_name) {
            matched.insert(lower(by_name->name));
            if (same_names(by_name->columns, ix.columns) && by_name->unique == ix.unique) continue;
            add(K::Refused, S::Warn,
                "ALTER TABLE " + table + " DROP INDEX " + quote_ident(by_name->name) + ", ADD " +
                    (ix.unique ? "UNIQUE " : "") + "INDEX " + quote_ident(ix.name) + " (" + quoted_list(ix.columns) +
                    ")",
                want + " is " + (by_name->unique ? "unique " : "") + "(" + join(by_name->columns, ", ") +
                    ") in the database; replacing an index is left to a person");
            continue;
        }
        if (same_cols) {
            matched.insert(lower(same_cols->name));
            continue;  // the same index under another name serves as well
        }
        add(K::AddIndex, S::Warn, add_index_sql(t, ix), want + " is missing");
    }
    for (const DbIndex &d : indexes)
        if (!matched.count(lower(d.name)))
            add(K::Extra, S::Info, "",
                "index " + t.name + "." + d.name + " (" + join(d.columns, ", ") +
                    ") is not in the mapping; left as it is");
    return plan;
}

namespace {

std::set<std::string> read_tables(Database &db) {
    auto &st = db.prepare("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()");
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    std::set<std::string> out;
    while (rs->next()) out.insert(rs->getString(1));
    return out;
}

DbTable read_table(Database &db, const std::string &table) {
    DbTable t;
    t.keys_known = true;
    {
        auto &st = db.prepare(
            "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, COLLATION_NAME "
            "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? "
            "ORDER BY ORDINAL_POSITION");
        st.setString(1, table);
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        while (rs->next())
            t.columns.push_back({rs->getString(1), rs->getString(2), rs->getString(3) == "YES",
                                 rs->isNull(4) ? "" : std::string(rs->getString(4)),
                                 rs->isNull(5) ? "" : std::string(rs->getString(5))});
    }
    auto &st = db.prepare(
        "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX");
    st.setString(1, table);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    while (rs->next()) {
        const std::string name = rs->getString(1);
        std::string column = rs->getString(3);
        if (!rs->isNull(4)) column += "(" + std::string(rs->getString(4)) + ")";
        if (name == "PRIMARY") {
            t.primary_key.push_back(column);
            continue;
        }
        if (t.indexes.empty() || t.indexes.back().name != name) t.indexes.push_back({name, {}, rs->getInt(2) == 0});
        t.indexes.back().columns.push_back(column);
    }
    return t;
}

// The host table's name in one of its CREATE statements.
std::string created_table(const std::string &create_sql) {
    const size_t a = create_sql.find('`'), b = create_sql.find('`', a + 1);
    return create_sql.substr(a + 1, b - a - 1);
}

}  // namespace

std::vector<SchemaChange> diff_schema(Database &db, const Mapping &mapping) {
    using K = SchemaChange::Kind;
    using S = SchemaChange::Severity;
    std::vector<SchemaChange> out;
    const std::set<std::string> present = read_tables(db);
    for (const TableDef *t : mapping.tables_in_write_order()) {
        if (!present.count(t->name)) {
            out.push_back({K::CreateTable, create_table_sql(*t), "table " + t->name + " is missing", S::Fail, t->name});
            continue;
        }
        TablePlan p = plan_table_migration(*t, read_table(db, t->name));
        for (auto *v : {&p.changes, &p.refused, &p.extras})
            for (auto &c : *v) out.push_back(std::move(c));
    }
    // The host's own tables, and what later versions added to them.
    for (const std::string &create : system_tables_sql()) {
        const std::string name = created_table(create);
        if (!present.count(name)) {
            out.push_back({K::CreateTable, create, "host table " + name + " is missing", S::Fail, name});
            continue;
        }
        const DbTable have = read_table(db, name);
        for (const SystemTableUpgrade &u : system_tables_upgrades()) {
            if (u.table != name) continue;
            const bool is_index = u.sql.find(" ADD KEY ") != std::string::npos;
            const bool there =
                is_index ? std::any_of(have.indexes.begin(), have.indexes.end(),
                                       [&](const DbIndex &i) { return same_name(i.name, u.name); })
                         : std::any_of(have.columns.begin(), have.columns.end(),
                                       [&](const DbColumn &c) { return same_name(c.name, u.name); });
            if (there) continue;
            out.push_back({is_index ? K::AddIndex : K::Add, u.sql,
                           (is_index ? "index " : "column ") + name + "." + u.name + " is missing",
                           is_index ? S::Warn : S::Fail, name});
        }
    }
    return out;
}

std::string one_line(const std::string &sql) {
    std::string s;
    bool space = false;
    for (char ch : sql) {
        if (ch == '\n') {
            space = true;
            continue;
        }
        if (space && ch == ' ') continue;
        if (space) {
            if (!s.empty() && s.back() != '(' && ch != ')') s += ' ';
            space = false;
        }
        s += ch;
    }
    return s;
}

std::string describe_change(const SchemaChange &c) {
    switch (c.kind) {
    case SchemaChange::Kind::Extra: return "info: " + c.what;
    case SchemaChange::Kind::Refused:
        return "refused: " + c.what + "; not run by --apply, to run by hand after deciding: " + one_line(c.sql) + ";";
    default: return c.what + ": " + one_line(c.sql) + ";";
    }
}

SchemaReport apply_schema(Database &db, const Mapping &mapping, std::ostream &out) {
    SchemaReport report;
    const std::vector<SchemaChange> diff = diff_schema(db, mapping);
    for (const SchemaChange &c : diff) {
        if (!c.safe()) continue;
        db.execute(c.sql);
        out << c.sql << "\n";
        switch (c.kind) {
        case SchemaChange::Kind::CreateTable: ++report.created; break;
        case SchemaChange::Kind::Rename: ++report.renamed; break;
        case SchemaChange::Kind::Add: ++report.added; break;
        case SchemaChange::Kind::Relax: ++report.relaxed; break;
        case SchemaChange::Kind::Widen: ++report.widened; break;
        case SchemaChange::Kind::AddIndex: ++report.indexes; break;
        default: break;
        }
    }
    for (const SchemaChange &c : diff)
        if (!c.safe()) {
            out << describe_change(c) << "\n";
            report.refused += c.kind == SchemaChange::Kind::Refused;
        }
    report.tables = mapping.tables().size() + system_tables_sql().size();
    db.commit();
    return report;
}

}  // namespace vsink
