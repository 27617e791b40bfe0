#include "persistence/schema_migrator.hpp"

#include "persistence/sql_text.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace vsink {

namespace {

// MySQL and MariaDB compare column names case-insensitively.
bool same_name(const std::string &a, const std::string &b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

DbColumn *find_column(std::vector<DbColumn> &cols, const std::string &name) {
    for (auto &c : cols)
        if (same_name(c.name, name)) return &c;
    return nullptr;
}

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

TablePlan plan_table_migration(const TableDef &t, const std::vector<DbColumn> &existing) {
    TablePlan plan;
    std::vector<DbColumn> cols = existing;  // the table as it will be after the changes so far
    const std::string table = quote_ident(t.name);
    auto is_key = [&](const std::string &c) { return std::find(t.key.begin(), t.key.end(), c) != t.key.end(); };

    // Renames first, so a renamed column is not added afresh. A rename keeps
    // the column's type, values and place in the primary key.
    for (const auto &[now, old] : t.renamed) {
        DbColumn *before = find_column(cols, old);
        if (!before || find_column(cols, now)) continue;
        plan.changes.push_back({SchemaChange::Kind::Rename,
                                "ALTER TABLE " + table + " RENAME COLUMN " + quote_ident(before->name) + " TO " +
                                    quote_ident(now)});
        before->name = now;
    }
    // Missing columns, each after the mapping column before it (for readers
    // of the table; rows get NULL, or the type's implicit default).
    std::string prev;
    for (const ColumnDef &c : t.columns) {
        if (!find_column(cols, c.name)) {
            if (is_key(c.name))
                throw std::runtime_error("table " + t.name + ": key column " + c.name +
                                         " is missing from the database and cannot be added to a primary key "
                                         "automatically; add it by hand (or declare its old name in `renamed`)");
            const std::string place = prev.empty() ? "FIRST" : "AFTER " + quote_ident(prev);
            plan.changes.push_back({SchemaChange::Kind::Add, "ALTER TABLE " + table + " ADD COLUMN " +
                                                                 quote_ident(c.name) + " " + c.sql_type + " " + place});
            cols.push_back({c.name, c.sql_type, sql_type_nullable(c.sql_type), "", ""});
        }
        prev = c.name;
    }
    // NOT NULL the mapping no longer asks for. The column keeps the database's
    // own type, character set and collation: relaxing never narrows anything.
    for (const ColumnDef &c : t.columns) {
        const DbColumn *d = find_column(cols, c.name);
        if (!d || d->nullable || is_key(c.name) || !sql_type_nullable(c.sql_type)) continue;
        std::string type = d->column_type;
        if (!d->charset.empty()) type += " CHARACTER SET " + d->charset;
        if (!d->collation.empty()) type += " COLLATE " + d->collation;
        plan.changes.push_back({SchemaChange::Kind::Relax, "ALTER TABLE " + table + " MODIFY COLUMN " +
                                                               quote_ident(d->name) + " " + type + " NULL"});
    }
    for (const DbColumn &d : cols) {
        const bool mapped = std::any_of(t.columns.begin(), t.columns.end(),
                                        [&](const ColumnDef &c) { return same_name(c.name, d.name); });
        if (!mapped) plan.unknown.push_back(d.name);
    }
    return plan;
}

namespace {

std::vector<DbColumn> read_columns(Database &db, const std::string &table) {
    auto &st = db.prepare(
        "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, CHARACTER_SET_NAME, COLLATION_NAME "
        "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION");
    st.setString(1, table);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    std::vector<DbColumn> cols;
    while (rs->next())
        cols.push_back({rs->getString(1), rs->getString(2), rs->getString(3) == "YES",
                        rs->isNull(4) ? "" : std::string(rs->getString(4)),
                        rs->isNull(5) ? "" : std::string(rs->getString(5))});
    return cols;
}

bool has_column_or_index(Database &db, const std::string &table, const std::string &name) {
    auto &st = db.prepare(
        "SELECT (SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? "
        "AND COLUMN_NAME = ?) + (SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME = ? AND INDEX_NAME = ?)");
    st.setString(1, table);
    st.setString(2, name);
    st.setString(3, table);
    st.setString(4, name);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    return rs->next() && rs->getInt64(1) > 0;
}

}  // namespace

SchemaReport apply_schema(Database &db, const Mapping &mapping, std::ostream &out) {
    SchemaReport report;
    for (const auto &s : schema_sql(mapping)) {
        db.execute(s);
        ++report.tables;
    }
    // The host's own tables gain what later versions added.
    for (const SystemTableUpgrade &u : system_tables_upgrades()) {
        if (has_column_or_index(db, u.table, u.name)) continue;
        db.execute(u.sql);
        out << u.sql << "\n";
        ++report.added;
    }
    for (const TableDef *t : mapping.tables_in_write_order()) {
        const TablePlan plan = plan_table_migration(*t, read_columns(db, t->name));
        for (const SchemaChange &c : plan.changes) {
            db.execute(c.sql);
            out << c.sql << "\n";
            switch (c.kind) {
            case SchemaChange::Kind::Rename: ++report.renamed; break;
            case SchemaChange::Kind::Add: ++report.added; break;
            case SchemaChange::Kind::Relax: ++report.relaxed; break;
            }
        }
        for (const std::string &u : plan.unknown)
            out << "table " << t->name << ": column " << u << " is not in the mapping; left as it is\n";
    }
    db.commit();
    return report;
}

}  // namespace vsink
