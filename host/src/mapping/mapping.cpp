#include "mapping/mapping.hpp"

#include "config/yaml_doc.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <vector>

namespace vsink {

bool is_identifier(const std::string &s) {
    if (s.empty() || s.size() > 64) return false;
    if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    return std::all_of(s.begin(), s.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; });
}

const ColumnDef *TableDef::column(const std::string &n) const {
    for (const auto &c : columns)
        if (c.name == n) return &c;
    return nullptr;
}

const std::string *TableDef::renamed_from(const std::string &old) const {
    for (const auto &[now, before] : renamed)
        if (before == old) return &now;
    return nullptr;
}

int EntityDef::field_index(const std::string &field) const {
    for (size_t i = 0; i < fields.size(); ++i)
        if (fields[i] == field) return static_cast<int>(i);
    return -1;
}

const EntityDef *Mapping::entity(const std::string &name) const {
    auto it = entities_.find(name);
    return it == entities_.end() ? nullptr : it->second.get();
}

const TableDef *Mapping::table(const std::string &name) const {
    for (const auto &t : tables_)
        if (t->name == name) return t.get();
    return nullptr;
}

std::vector<const TableDef *> Mapping::tables_in_write_order() const {
    std::vector<const TableDef *> out;
    for (const auto &t : tables_) out.push_back(t.get());
    std::stable_sort(out.begin(), out.end(), [](const TableDef *a, const TableDef *b) {
        return a->depth != b->depth ? a->depth < b->depth : a->name < b->name;
    });
    return out;
}

namespace {

// The column types a mapping may use: a small parser of the MySQL / MariaDB
// type grammar, so that a typo fails when the mapping loads (with its line)
// rather than at `schema --apply`, and no type text can carry other SQL.
// Returns what is wrong, or an empty string when the type is good.
struct SqlTok {
    enum Kind { word, number, string, punct, end } kind;
    std::string text;  // words upper-cased
};

std::string tokenize_sql_type(const std::string &t, std::vector<SqlTok> &out) {
    size_t i = 0;
    while (i < t.size()) {
        const char ch = t[i];
        if (ch == ' ' || ch == '\t') {
            ++i;
        } else if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_') {
            std::string w;
            while (i < t.size() && (std::isalnum(static_cast<unsigned char>(t[i])) || t[i] == '_'))
                w += static_cast<char>(std::toupper(static_cast<unsigned char>(t[i++])));
            out.push_back({SqlTok::word, w});
        } else if (std::isdigit(static_cast<unsigned char>(ch)) || ((ch == '-' || ch == '.') && i + 1 < t.size() &&
                                                                 std::isdigit(static_cast<unsigned char>(t[i + 1])))) {
            std::string n(1, ch);
            ++i;
            while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) n += t[i++];
            out.push_back({SqlTok::number, n});
        } else if (ch == '\'') {
            std::string s;
            ++i;
            bool closed = false;
            while (i < t.size()) {
                if (t[i] == '\\') return "a backslash in a quoted value is not allowed";
                if (t[i] == '\'') {
                    if (i + 1 < t.size() && t[i + 1] == '\'') {
                        s += '\'';
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                s += t[i++];
            }
            if (!closed) return "unterminated quoted value";
            out.push_back({SqlTok::string, s});
        } else if (ch == '(' || ch == ')' || ch == ',') {
            out.push_back({SqlTok::punct, std::string(1, ch)});
            ++i;
        } else {
            return std::string("unexpected character '") + ch + "'";
        }
    }
    out.push_back({SqlTok::end, ""});
    return "";
}

class SqlTypeParser {
public:
    explicit SqlTypeParser(std::vector<SqlTok> toks) : t_(std::move(toks)) {}

    std::string parse() {
        if (peek().kind != SqlTok::word) return "expected a type name";
        const std::string name = next().text;
        std::string e = base(name);
        if (!e.empty()) return e;
        return attributes();
    }

private:
    std::vector<SqlTok> t_;
    size_t i_ = 0;

    const SqlTok &peek() const { return t_[i_]; }
    const SqlTok &next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }
    bool accept_word(const char *w) {
        if (peek().kind == SqlTok::word && peek().text == w) {
            ++i_;
            return true;
        }
        return false;
    }
    bool accept_punct(char p) {
        if (peek().kind == SqlTok::punct && peek().text[0] == p) {
            ++i_;
            return true;
        }
        return false;
    }
    static std::string shown(const SqlTok &k) {
        if (k.kind == SqlTok::end) return "the end";
        if (k.kind == SqlTok::string) return "'" + k.text + "'";
        return "'" + k.text + "'";
    }

    // "(n)" or "(p,s)" with bounds; `required` when the type needs it.
    std::string lengths(const std::string &name, bool required, long lo, long hi, bool allow_scale, long scale_hi) {
        if (!accept_punct('(')) return required ? name + " needs a length: " + name + "(N)" : "";
        auto integer = [&](long min, long max, const char *what, long &v) -> std::string {
            const SqlTok &k = peek();
            if (k.kind != SqlTok::number || k.text.find_first_not_of("0123456789") != std::string::npos)
                return name + ": expected " + what + " (an integer), found " + shown(k);
            v = std::stol(k.text.substr(0, 9));
            if (k.text.size() > 9 || v < min || v > max)
                return name + ": " + what + " " + k.text + " is out of range " + std::to_string(min) + ".." +
                       std::to_string(max);
            ++i_;
            return "";
        };
        long p = 0, s = 0;
        std::string e = integer(lo, hi, allow_scale ? "precision" : "length", p);
        if (!e.empty()) return e;
        if (allow_scale && accept_punct(',')) {
            e = integer(0, scale_hi, "scale", s);
            if (!e.empty()) return e;
            if (s > p) return name + ": scale " + std::to_string(s) + " exceeds precision " + std::to_string(p);
        }
        if (!accept_punct(')')) return name + ": missing ')' (found " + shown(peek()) + ")";
        return "";
    }

    std::string base(const std::string &name) {
        static const std::set<std::string> ints = {"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT"};
        static const std::set<std::string> plain = {"TEXT",  "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "BLOB",
                                                    "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "DATE", "JSON",
                                                    "BOOLEAN", "BOOL",     "YEAR"};
        if (ints.count(name)) {
            std::string e = lengths(name, false, 1, 255, false, 0);
            if (!e.empty()) return e;
            accept_word("UNSIGNED");
            return "";
        }
        if (name == "DECIMAL" || name == "NUMERIC" || name == "DEC") {
            std::string e = lengths(name, false, 1, 65, true, 30);
            if (!e.empty()) return e;
            accept_word("UNSIGNED");
            return "";
        }
        if (name == "DOUBLE" || name == "FLOAT" || name == "REAL") {
            if (name == "DOUBLE") accept_word("PRECISION");
            accept_word("UNSIGNED");
            return "";
        }
        if (name == "VARCHAR" || name == "VARBINARY") return lengths(name, true, 1, 65535, false, 0);
        if (name == "CHAR" || name == "BINARY") return lengths(name, false, 0, 255, false, 0);
        if (name == "DATETIME" || name == "TIMESTAMP" || name == "TIME") return lengths(name, false, 0, 6, false, 0);
        if (plain.count(name)) return "";
        if (name == "ENUM") {
            if (!accept_punct('(')) return "ENUM needs its values: ENUM('a','b')";
            do {
                if (peek().kind != SqlTok::string) return "ENUM: expected a quoted value, found " + shown(peek());
                ++i_;
            } while (accept_punct(','));
            if (!accept_punct(')')) return "ENUM: missing ')' (found " + shown(peek()) + ")";
            return "";
        }
        return "unknown type '" + name +
               "' (known: INT/BIGINT [UNSIGNED], DECIMAL(p,s), VARCHAR(n), CHAR(n), TEXT, DATETIME(n), "
               "TIMESTAMP(n), DATE, BOOLEAN, TINYINT(1), DOUBLE, JSON, ENUM('a','b'), ...)";
    }

    static bool is_name(const SqlTok &k) { return k.kind == SqlTok::word; }

    std::string attributes() {
        std::set<std::string> seen;
        auto once = [&](const std::string &a) -> std::string {
            if (!seen.insert(a).second) return a + " is given twice";
            return "";
        };
        while (peek().kind != SqlTok::end) {
            std::string e;
            if (accept_word("NOT")) {
                if (!accept_word("NULL")) return "expected NULL after NOT, found " + shown(peek());
                if (seen.count("NULL")) return "both NULL and NOT NULL";
                e = once("NOT NULL");
            } else if (accept_word("NULL")) {
                if (seen.count("NOT NULL")) return "both NULL and NOT NULL";
                e = once("NULL");
            } else if (accept_word("DEFAULT")) {
                e = once("DEFAULT");
                const SqlTok &k = peek();
                if (k.kind == SqlTok::number || k.kind == SqlTok::string) {
                    ++i_;
                } else if (k.kind == SqlTok::word &&
                           (k.text == "NULL" || k.text == "TRUE" || k.text == "FALSE" ||
                            k.text == "CURRENT_TIMESTAMP")) {
                    const bool ts = k.text == "CURRENT_TIMESTAMP";
                    ++i_;
                    if (ts && accept_punct('(')) {
                        if (peek().kind == SqlTok::number) ++i_;
                        if (!accept_punct(')')) return "DEFAULT CURRENT_TIMESTAMP: missing ')'";
                    }
                } else {
                    return "DEFAULT needs a number, a quoted value, NULL, TRUE, FALSE or CURRENT_TIMESTAMP, found " +
                           shown(k);
                }
            } else if (accept_word("CHARACTER") || (peek().kind == SqlTok::word && peek().text == "CHARSET")) {
                if (peek().text == "CHARSET") ++i_;
                else if (!accept_word("SET")) return "expected SET after CHARACTER, found " + shown(peek());
                e = once("CHARACTER SET");
                if (!is_name(peek())) return "CHARACTER SET needs a name, found " + shown(peek());
                ++i_;
            } else if (accept_word("COLLATE")) {
                e = once("COLLATE");
                if (!is_name(peek())) return "COLLATE needs a name, found " + shown(peek());
                ++i_;
            } else {
                return "unexpected " + shown(peek()) + " (allowed after the type: NOT NULL, NULL, DEFAULT ..., "
                       "CHARACTER SET ..., COLLATE ...)";
            }
            if (!e.empty()) return e;
        }
        return "";
    }
};

std::string sql_type_error(const std::string &type) {
    if (type.empty()) return "empty type";
    std::vector<SqlTok> toks;
    std::string e = tokenize_sql_type(type, toks);
    if (!e.empty()) return e;
    return SqlTypeParser(std::move(toks)).parse();
}

bool same_name_nocase(const std::string &a, const std::string &b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// TEXT and BLOB columns can only be indexed on a prefix, which `indexes:`
// does not declare.
bool needs_prefix(const std::string &sql_type) {
    std::string w;
    for (char ch : sql_type) {
        if (!std::isalpha(static_cast<unsigned char>(ch))) break;
        w += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    return w == "TINYTEXT" || w == "TEXT" || w == "MEDIUMTEXT" || w == "LONGTEXT" || w == "TINYBLOB" || w == "BLOB" ||
           w == "MEDIUMBLOB" || w == "LONGBLOB" || w == "JSON";
}

// tables.<t>.indexes: a list of {name, columns: [...], unique: bool}.
void parse_indexes(const YamlDoc &doc, const YAML::Node &ixs, TableDef &def) {
    const std::string &tname = def.name;
    if (!ixs.IsSequence())
        doc.fail(ixs, "table " + tname + ": 'indexes' must be a list of {name, columns, unique}");
    for (const auto &ix : ixs) {
        if (!ix.IsMap()) doc.fail(ix, "table " + tname + ": an index is {name: N, columns: [..], unique: false}");
        doc.check_keys(ix, {"name", "columns", "unique"}, "table " + tname + " index");
        IndexDef d;
        d.name = doc.get_string(ix, "name", "table " + tname + " index");
        if (!is_identifier(d.name) || same_name_nocase(d.name, "PRIMARY"))
            doc.fail(ix["name"], "table " + tname + ": index name '" + d.name + "' is not a valid identifier");
        for (const IndexDef &o : def.indexes)
            if (same_name_nocase(o.name, d.name))
                doc.fail(ix["name"], "table " + tname + ": index '" + d.name + "' is defined twice");
        const YAML::Node cols = ix["columns"];
        if (!cols.IsDefined() || !cols.IsSequence() || cols.size() == 0)
            doc.fail(cols.IsDefined() ? cols : ix, "table " + tname + ": index " + d.name +
                                                       ": 'columns' must be a non-empty list of columns");
        for (const auto &c : cols) {
            const std::string cn = c.IsScalar() ? c.as<std::string>() : "";
            const ColumnDef *cd = def.column(cn);
            if (!cd) doc.fail(c, "table " + tname + ": index " + d.name + " names '" + cn + "', which is not a column");
            if (std::find(d.columns.begin(), d.columns.end(), cn) != d.columns.end())
                doc.fail(c, "table " + tname + ": index " + d.name + " lists column '" + cn + "' twice");
            if (needs_prefix(cd->sql_type))
                doc.fail(c, "table " + tname + ": index " + d.name + ": column " + cn + " is " + cd->sql_type +
                                ", which can only be indexed on a prefix; index another column");
            d.columns.push_back(cn);
        }
        if (const YAML::Node u = ix["unique"]; u.IsDefined()) {
            const std::string v = u.IsScalar() ? u.as<std::string>() : "";
            if (v == "true") d.unique = true;
            else if (v != "false") doc.fail(u, "table " + tname + ": index " + d.name + ": unique must be true or false");
        }
        def.indexes.push_back(std::move(d));
    }
}

struct PendingEntity {
    const YamlDoc *doc;
    YAML::Node node;
    std::string name;
};

}  // namespace

Mapping Mapping::load(const std::vector<std::string> &paths) {
    Mapping m;
    std::vector<YamlDoc> docs;
    docs.reserve(paths.size());
    for (const auto &p : paths) docs.push_back(YamlDoc::load_file(p));

    std::vector<PendingEntity> pending;
    std::set<std::string> topic_names;
    for (const YamlDoc &doc : docs) {
        const YAML::Node &root = doc.root();
        doc.check_keys(root, {"tables", "entities", "topics"}, "the mapping");
        if (const YAML::Node tables = root["tables"]; tables.IsDefined()) {
            doc.require_map(tables, "tables");
            for (auto it = tables.begin(); it != tables.end(); ++it) {
                const std::string tname = it->first.as<std::string>();
                if (!is_identifier(tname)) doc.fail(it->first, "table name '" + tname + "' is not a valid identifier");
                if (m.table(tname)) doc.fail(it->first, "table '" + tname + "' is defined twice");
                const YAML::Node t = it->second;
                doc.check_keys(t, {"columns", "key", "renamed", "indexes"}, "table " + tname);
                auto def = std::make_unique<TableDef>();
                def->name = tname;
                const YAML::Node cols = t["columns"];
                if (!cols.IsDefined() || !cols.IsMap() || cols.size() == 0)
                    doc.fail(t, "table " + tname + ": 'columns' must be a non-empty map of column: SQL type");
                for (auto c = cols.begin(); c != cols.end(); ++c) {
                    const std::string cname = c->first.as<std::string>();
                    if (!is_identifier(cname)) doc.fail(c->first, "column name '" + cname + "' is not a valid identifier");
                    if (def->column(cname)) doc.fail(c->first, "column '" + cname + "' is defined twice");
                    const std::string type = c->second.IsScalar() ? c->second.as<std::string>() : "";
                    if (const std::string why = sql_type_error(type); !why.empty())
                        doc.fail(c->second, "column " + tname + "." + cname + ": bad SQL type '" + type + "': " + why);
                    def->columns.push_back({cname, type});
                }
                const YAML::Node key = t["key"];
                if (!key.IsDefined() || !key.IsSequence() || key.size() == 0)
                    doc.fail(t, "table " + tname + ": 'key' must be a non-empty list of columns");
                for (const auto &k : key) {
                    const std::string kc = k.as<std::string>();
                    if (!def->column(kc)) doc.fail(k, "table " + tname + ": key column '" + kc + "' is not a column");
                    def->key.push_back(kc);
                }
                if (const YAML::Node ren = t["renamed"]; ren.IsDefined()) {
                    doc.require_map(ren, "table " + tname + " renamed");
                    for (auto r = ren.begin(); r != ren.end(); ++r) {
                        const std::string now = r->first.as<std::string>();
                        const YAML::Node old_node = r->second;
                        const std::string old = old_node.IsScalar() ? old_node.as<std::string>() : "";
                        if (!def->column(now))
                            doc.fail(r->first,
                                     "table " + tname + ": renamed names '" + now + "', which is not a column");
                        if (!is_identifier(old))
                            doc.fail(old_node, "table " + tname + ": the old name of column " + now +
                                                   " is not a valid identifier");
                        if (def->column(old))
                            doc.fail(old_node, "table " + tname + ": the old name '" + old + "' of column " + now +
                                                   " is a current column");
                        for (const auto &[n, o] : def->renamed)
                            if (n == now || o == old)
                                doc.fail(r->first, "table " + tname + ": renamed lists column '" +
                                                       (n == now ? now : old) + "' twice");
                        def->renamed.emplace_back(now, old);
                    }
                }
                if (const YAML::Node ixs = t["indexes"]; ixs.IsDefined()) parse_indexes(doc, ixs, *def);
                m.tables_.push_back(std::move(def));
            }
        }
        if (const YAML::Node ents = root["entities"]; ents.IsDefined()) {
            doc.require_map(ents, "entities");
            for (auto it = ents.begin(); it != ents.end(); ++it)
                pending.push_back({&doc, it->second, it->first.as<std::string>()});
        }
        if (const YAML::Node topics = root["topics"]; topics.IsDefined()) {
            doc.require_map(topics, "topics");
            for (auto it = topics.begin(); it != topics.end(); ++it) {
                const std::string tn = it->first.as<std::string>();
                if (!topic_names.insert(tn).second) doc.fail(it->first, "topic '" + tn + "' is mapped twice");
                YAML::Emitter e;
                e << it->second;
                m.topics_.push_back({tn, e.c_str(), doc.path(), it->first.Mark().line + 1});
            }
        }
    }

    // Entities, once every table is known.
    for (const PendingEntity &p : pending) {
        const YamlDoc &doc = *p.doc;
        const YAML::Node &e = p.node;
        if (m.entities_.count(p.name)) doc.fail(e, "entity '" + p.name + "' is defined twice");
        doc.check_keys(e, {"table", "columns", "mode", "keep_on_update", "keep_when_null", "parents", "lookups", "unless"},
                       "entity " + p.name);
        auto def = std::make_unique<EntityDef>();
        def->name = p.name;
        const std::string tname = doc.get_string(e, "table", "entity " + p.name);
        def->table = m.table(tname);
        if (!def->table) doc.fail(e["table"], "entity " + p.name + ": unknown table '" + tname + "'");
        const std::string mode = doc.get_string_or(e, "mode", "upsert");
        if (mode == "upsert") def->mode = WriteMode::Upsert;
        else if (mode == "update") def->mode = WriteMode::Update;
        else doc.fail(e["mode"], "entity " + p.name + ": mode must be upsert or update");

        const YAML::Node cols = e["columns"];
        if (!cols.IsDefined() || !cols.IsSequence() || cols.size() == 0)
            doc.fail(e, "entity " + p.name + ": 'columns' must be a non-empty list");
        for (const auto &c : cols) {
            std::string col, field;
            if (c.IsScalar()) {
                col = field = c.as<std::string>();
            } else if (c.IsMap() && c.size() == 1) {
                col = c.begin()->first.as<std::string>();
                field = c.begin()->second.as<std::string>();
            } else {
                doc.fail(c, "entity " + p.name + ": a column is `name` or `{column: field}`");
            }
            if (!def->table->column(col)) doc.fail(c, "entity " + p.name + ": table " + tname + " has no column '" + col + "'");
            if (std::find(def->columns.begin(), def->columns.end(), col) != def->columns.end())
                doc.fail(c, "entity " + p.name + ": column '" + col + "' is listed twice");
            def->columns.push_back(col);
            def->fields.push_back(field);
        }
        def->keep_on_update.assign(def->columns.size(), false);
        def->keep_when_null.assign(def->columns.size(), false);
        for (const std::string &k : def->table->key) {
            auto it = std::find(def->columns.begin(), def->columns.end(), k);
            if (it == def->columns.end())
                doc.fail(cols, "entity " + p.name + ": must write key column '" + k + "' of table " + tname);
            def->key_index.push_back(static_cast<size_t>(it - def->columns.begin()));
        }
        auto is_key = [&](size_t i) {
            return std::find(def->key_index.begin(), def->key_index.end(), i) != def->key_index.end();
        };
        // The index of a column named in keep_on_update / keep_when_null: one
        // the entity writes, and not a key column (a key never changes).
        auto kept_column = [&](const YAML::Node &k, const std::string &what) {
            const std::string kc = k.IsScalar() ? k.as<std::string>() : "";
            auto it = std::find(def->columns.begin(), def->columns.end(), kc);
            if (it == def->columns.end())
                doc.fail(k, "entity " + p.name + ": " + what + " names '" + kc + "', which it does not write");
            const auto i = static_cast<size_t>(it - def->columns.begin());
            if (is_key(i)) doc.fail(k, "entity " + p.name + ": " + what + " names key column '" + kc + "'");
            return i;
        };
        if (const YAML::Node keep = e["keep_on_update"]; keep.IsDefined()) {
            if (!keep.IsSequence()) doc.fail(keep, "entity " + p.name + ": keep_on_update must be a list");
            for (const auto &k : keep) def->keep_on_update[kept_column(k, "keep_on_update")] = true;
        }
        if (const YAML::Node keep = e["keep_when_null"]; keep.IsDefined()) {
            if (keep.IsScalar() && keep.as<std::string>() == "all") {
                // Every non-key column; a keep_on_update column is never
                // overwritten at all, which already covers NULL.
                for (size_t i = 0; i < def->columns.size(); ++i)
                    def->keep_when_null[i] = !is_key(i) && !def->keep_on_update[i];
            } else if (keep.IsSequence()) {
                for (const auto &k : keep) {
                    const size_t i = kept_column(k, "keep_when_null");
                    if (def->keep_on_update[i])
                        doc.fail(k, "entity " + p.name + ": column '" + def->columns[i] +
                                        "' is in both keep_on_update and keep_when_null");
                    def->keep_when_null[i] = true;
                }
            } else {
                doc.fail(keep, "entity " + p.name + ": keep_when_null must be a list of columns or `all`");
            }
        }
        if (const YAML::Node parents = e["parents"]; parents.IsDefined()) {
            if (!parents.IsSequence()) doc.fail(parents, "entity " + p.name + ": parents must be a list");
            for (const auto &pn : parents) {
                doc.check_keys(pn, {"table", "on"}, "entity " + p.name + " parent");
                ParentRef ref;
                const std::string ptn = doc.get_string(pn, "table", "parent");
                ref.table = m.table(ptn);
                if (!ref.table) doc.fail(pn["table"], "entity " + p.name + ": unknown parent table '" + ptn + "'");
                const YAML::Node on = pn["on"];
                if (!on.IsDefined() || !on.IsMap()) doc.fail(pn, "entity " + p.name + ": parent needs 'on: {parent key column: field}'");
                for (const std::string &pk : ref.table->key) {
                    if (!on[pk].IsDefined())
                        doc.fail(on, "entity " + p.name + ": parent " + ptn + " key column '" + pk + "' is not mapped in 'on'");
                    const std::string f = on[pk].as<std::string>();
                    const int idx = def->field_index(f);
                    if (idx < 0) doc.fail(on[pk], "entity " + p.name + ": parent key field '" + f + "' is not one of its fields");
                    ref.field_index.push_back(static_cast<size_t>(idx));
                }
                for (auto it = on.begin(); it != on.end(); ++it) {
                    const std::string pk = it->first.as<std::string>();
                    if (std::find(ref.table->key.begin(), ref.table->key.end(), pk) == ref.table->key.end())
                        doc.fail(it->first, "entity " + p.name + ": '" + pk + "' is not a key column of " + ptn);
                }
                def->parents.push_back(std::move(ref));
            }
        }
        if (const YAML::Node lookups = e["lookups"]; lookups.IsDefined()) {
            doc.require_map(lookups, "entity " + p.name + " lookups");
            for (auto it = lookups.begin(); it != lookups.end(); ++it) {
                const std::string colname = it->first.as<std::string>();
                const YAML::Node ln = it->second;
                doc.check_keys(ln, {"table", "column", "on"}, "entity " + p.name + " lookup " + colname);
                Lookup lk;
                auto cit = std::find(def->columns.begin(), def->columns.end(), colname);
                if (cit == def->columns.end())
                    doc.fail(it->first, "entity " + p.name + ": lookup column '" + colname + "' is not one of its columns");
                lk.column_index = static_cast<size_t>(cit - def->columns.begin());
                const std::string ltn = doc.get_string(ln, "table", "lookup");
                lk.table = m.table(ltn);
                if (!lk.table) doc.fail(ln["table"], "entity " + p.name + ": unknown lookup table '" + ltn + "'");
                lk.source_column = doc.get_string(ln, "column", "lookup");
                if (!lk.table->column(lk.source_column))
                    doc.fail(ln["column"], "entity " + p.name + ": table " + ltn + " has no column '" + lk.source_column + "'");
                const YAML::Node on = ln["on"];
                if (!on.IsDefined() || !on.IsMap()) doc.fail(ln, "entity " + p.name + ": lookup needs 'on: {key column: field}'");
                for (const std::string &k : lk.table->key) {
                    if (!on[k].IsDefined())
                        doc.fail(on, "entity " + p.name + ": lookup " + ltn + " key column '" + k + "' is not mapped in 'on'");
                    const int idx = def->field_index(on[k].as<std::string>());
                    if (idx < 0) doc.fail(on[k], "entity " + p.name + ": lookup key field '" + on[k].as<std::string>() + "' is not one of its fields");
                    lk.field_index.push_back(static_cast<size_t>(idx));
                }
                def->lookups.push_back(std::move(lk));
            }
        }
        if (const YAML::Node unless = e["unless"]; unless.IsDefined()) {
            if (def->mode != WriteMode::Update) doc.fail(unless, "entity " + p.name + ": 'unless' needs mode: update");
            doc.require_map(unless, "entity " + p.name + " unless");
            for (auto it = unless.begin(); it != unless.end(); ++it) {
                const std::string uc = it->first.as<std::string>();
                // it-> yields a temporary proxy: hold the node before iterating it.
                const YAML::Node list = it->second;
                if (!def->table->column(uc)) doc.fail(it->first, "entity " + p.name + ": table " + tname + " has no column '" + uc + "'");
                if (!list.IsSequence() || list.size() == 0)
                    doc.fail(list, "entity " + p.name + ": unless." + uc + " must be a non-empty list of values");
                std::vector<std::string> vals;
                for (const auto &v : list) vals.push_back(v.as<std::string>());
                def->unless.emplace_back(uc, std::move(vals));
            }
        }
        if (def->mode == WriteMode::Update) {
            ParentRef self;
            self.table = def->table;
            for (size_t ki : def->key_index) self.field_index.push_back(ki);
            def->parents.push_back(std::move(self));
        }
        m.entities_[p.name] = std::move(def);
    }

    // Table depth: a table is deeper than every table its entities depend on.
    std::map<const TableDef *, std::set<const TableDef *>> deps;
    for (const auto &[n, e] : m.entities_)
        for (const auto &pr : e->parents)
            if (pr.table != e->table) deps[e->table].insert(pr.table);
    for (const auto &[n, e] : m.entities_)
        for (const auto &lk : e->lookups)
            if (lk.table != e->table) deps[e->table].insert(lk.table);
    std::map<const TableDef *, int> state;  // 1 visiting, 2 done
    std::function<int(const TableDef *)> depth = [&](const TableDef *t) -> int {
        if (state[t] == 2) return t->depth;
        if (state[t] == 1) throw ConfigError("mapping: tables form a parent cycle at '" + t->name + "'");
        state[t] = 1;
        int d = 0;
        for (const TableDef *p : deps[t]) d = std::max(d, depth(p) + 1);
        const_cast<TableDef *>(t)->depth = d;
        state[t] = 2;
        return d;
    };
    for (const auto &t : m.tables_) depth(t.get());
    return m;
}

}  // namespace vsink
