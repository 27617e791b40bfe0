// db_ceiling: the database ceiling of the bench. Writes the rows of the given
// tables, read from a source database (the one the sink filled and the bench
// verified against the generator's expectation), into a target database of
// the same schema as multi-row prepared `INSERT … ON DUPLICATE KEY UPDATE
// c = VALUES(c)` through Connector/C++, as the sink does, and nothing else:
// no decoding, no offsets, no parent checks. Each trial (statement size ×
// connections) starts from empty target tables; each statement commits on its
// own; N connections write disjoint, contiguous ranges of each table's rows,
// tables one after the other (parents first). Connecting is not timed.
//
// The rows go in one of two orders (--order):
//  - produced: the order the generator produced them, which is the order the
//    sink receives them in: its ids are numbered (ord-9, ord-10, tkt-10-2), so
//    the rows are sorted by their values with digit runs compared as numbers.
//    Each insert lands somewhere inside the B-trees, as the sink's do.
//  - key: primary-key order, as `SELECT *` returns them: every insert appends
//    at the right edge of the primary key, which InnoDB fills sequentially.
//    No consumer of the topics sees its keys in this order (ord-10 sorts
//    between ord-1 and ord-2): an upper bound, not the sink's ceiling.
// Prints one JSON line per trial and a final one per order with the best.
//
//   db_ceiling --host H --port P --user U --password-env VAR --source-db S --target-db T
//              --table organizers --table events ... [--rows 100,500,1000,2000] [--connections 1,2,3]
//              [--order produced,key]
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;
using Value = std::optional<std::string>;
using Row = std::vector<Value>;

struct Table {
    std::string name;
    std::vector<std::string> columns;
    std::vector<Row> rows;
};

struct Target {
    std::string host, user, password, db;
    int port = 3306;
};

std::unique_ptr<sql::Connection> connect(const Target &t) {
    sql::ConnectOptionsMap opts;
    opts["hostName"] = sql::SQLString("tcp://" + t.host + ":" + std::to_string(t.port));
    opts["userName"] = sql::SQLString(t.user);
    opts["password"] = sql::SQLString(t.password);
    opts["schema"] = sql::SQLString(t.db);
    opts["OPT_CONNECT_TIMEOUT"] = 10;
    opts["OPT_READ_TIMEOUT"] = 120;
    opts["OPT_WRITE_TIMEOUT"] = 120;
    opts["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    std::unique_ptr<sql::Connection> c(sql::mysql::get_mysql_driver_instance()->connect(opts));
    std::unique_ptr<sql::Statement> st(c->createStatement());
    st->execute("SET SESSION time_zone = '+00:00'");  // as the sink's sessions
    return c;
}

std::string quote(const std::string &name) { return "`" + name + "`"; }

Table read_table(sql::Connection &c, const std::string &name) {
    Table t{name, {}, {}};
    std::unique_ptr<sql::Statement> st(c.createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT * FROM " + quote(name)));
    sql::ResultSetMetaData *md = rs->getMetaData();
    const unsigned n = md->getColumnCount();
    for (unsigned i = 1; i <= n; ++i) t.columns.push_back(md->getColumnLabel(i));
    while (rs->next()) {
        Row r;
        r.reserve(n);
        for (unsigned i = 1; i <= n; ++i) {
            if (rs->isNull(i))
                r.emplace_back(std::nullopt);
            else
                r.emplace_back(std::string(rs->getString(i)));
        }
        t.rows.push_back(std::move(r));
    }
    return t;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// -1, 0, 1: a against b, runs of digits compared as numbers ("ord-9" < "ord-10").
int natural_compare(const std::string &a, const std::string &b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            size_t ie = i, je = j;
            while (ie < a.size() && is_digit(a[ie])) ++ie;
            while (je < b.size() && is_digit(b[je])) ++je;
            size_t is = i, js = j;  // without leading zeros
            while (is + 1 < ie && a[is] == '0') ++is;
            while (js + 1 < je && b[js] == '0') ++js;
            if (ie - is != je - js) return ie - is < je - js ? -1 : 1;
            const int c = a.compare(is, ie - is, b, js, je - js);
            if (c) return c < 0 ? -1 : 1;
            i = ie;
            j = je;
            continue;
        }
        if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
        ++i;
        ++j;
    }
    if (i < a.size()) return 1;
    return j < b.size() ? -1 : 0;
}

// The rows in the order the generator produced them (see the top of the file).
void sort_as_produced(Table &t) {
    std::stable_sort(t.rows.begin(), t.rows.end(), [](const Row &a, const Row &b) {
        for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
            if (!a[i] || !b[i]) {
                if (a[i].has_value() != b[i].has_value()) return !a[i].has_value();
                continue;
            }
            if (const int c = natural_compare(*a[i], *b[i])) return c < 0;
        }
        return false;
    });
}

std::string upsert_sql(const Table &t, size_t rows) {
    std::string cols, one = "(", update;
    for (size_t i = 0; i < t.columns.size(); ++i) {
        cols += (i ? "," : "") + quote(t.columns[i]);
        one += i ? ",?" : "?";
        update += (i ? "," : "") + quote(t.columns[i]) + "=VALUES(" + quote(t.columns[i]) + ")";
    }
    one += ")";
    std::string sql = "INSERT INTO " + quote(t.name) + " (" + cols + ") VALUES ";
    for (size_t r = 0; r < rows; ++r) sql += (r ? "," : "") + one;
    return sql + " ON DUPLICATE KEY UPDATE " + update;
}

// Writes rows [begin, end) of `t` in statements of `size` rows on `c`.
void write_range(sql::Connection &c, const Table &t, size_t begin, size_t end, size_t size) {
    std::map<size_t, std::unique_ptr<sql::PreparedStatement>> stmts;
    for (size_t at = begin; at < end;) {
        const size_t n = std::min(size, end - at);
        auto &ps = stmts[n];
        if (!ps) ps.reset(c.prepareStatement(upsert_sql(t, n)));
        unsigned p = 1;
        for (size_t r = at; r < at + n; ++r)
            for (const Value &v : t.rows[r]) {
                if (v)
                    ps->setString(p++, *v);
                else
                    ps->setNull(p++, 0);
            }
        ps->executeUpdate();
        at += n;
    }
}

// Writes every table (in the order given: parents first) over the connections,
// each taking a contiguous share of each table's rows; returns the seconds taken.
double write_all(std::vector<std::unique_ptr<sql::Connection>> &cs, const std::vector<Table> &data, size_t size0) {
    const size_t k = cs.size();
    const auto start = Clock::now();
    for (const auto &t : data) {
        if (t.rows.empty()) continue;
        // A prepared statement holds at most 65535 placeholders.
        const size_t size = std::min(size0, std::max<size_t>(1, 65535 / t.columns.size()));
        const size_t per = (t.rows.size() + k - 1) / k;
        std::vector<std::thread> threads;
        std::vector<std::string> errors(k);
        for (size_t i = 0; i < k; ++i) {
            const size_t b = std::min(t.rows.size(), i * per), e = std::min(t.rows.size(), b + per);
            threads.emplace_back([&, i, b, e] {
                try {
                    write_range(*cs[i], t, b, e, size);
                } catch (const sql::SQLException &ex) {
                    errors[i] = std::string(ex.what()) + " (MySQL error " + std::to_string(ex.getErrorCode()) + ")";
                } catch (const std::exception &ex) {
                    errors[i] = ex.what();
                }
            });
        }
        for (auto &th : threads) th.join();
        for (const auto &e : errors)
            if (!e.empty()) throw std::runtime_error("writing " + t.name + ": " + e);
    }
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<size_t> parse_list(const std::string &text) {
    std::vector<size_t> out;
    size_t at = 0;
    while (at < text.size()) {
        const size_t comma = text.find(',', at);
        const std::string item = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        const long v = std::stol(item);
        if (v <= 0) throw std::invalid_argument("not a positive number: " + item);
        out.push_back(static_cast<size_t>(v));
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    return out;
}
}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"db_ceiling: the same rows as multi-row upserts, at several statement sizes and connections"};
    Target src, dst;
    std::string password_env = "VSINK_DB_PASSWORD", rows_list = "100,500,1000,2000", conns_list = "1,2,3",
                orders_list = "produced,key";
    std::vector<std::string> tables;
    app.add_option("--host", src.host, "MariaDB host")->required();
    app.add_option("--port", src.port, "MariaDB port")->required();
    app.add_option("--user", src.user, "MariaDB user")->required();
    app.add_option("--password-env", password_env, "Environment variable holding the password")
        ->capture_default_str();
    app.add_option("--source-db", src.db, "Database to read the rows from")->required();
    app.add_option("--target-db", dst.db, "Database to write them to (same schema; its tables are emptied)")
        ->required();
    app.add_option("--table", tables, "Table to copy, parents first (repeatable)")->required();
    app.add_option("--rows", rows_list, "Statement sizes to try, in rows")->capture_default_str();
    app.add_option("--connections", conns_list, "Connection counts to try")->capture_default_str();
    app.add_option("--order", orders_list, "Row orders to try: produced (as the sink receives them), key")
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    const char *pw = std::getenv(password_env.c_str());
    if (!pw) {
        std::cerr << "db_ceiling: $" << password_env << " is not set\n";
        return 2;
    }
    src.password = pw;
    dst.host = src.host;
    dst.port = src.port;
    dst.user = src.user;
    dst.password = src.password;

    try {
        const std::vector<size_t> sizes = parse_list(rows_list), conns = parse_list(conns_list);
        std::vector<std::string> orders;
        for (size_t at = 0; at <= orders_list.size();) {
            const size_t comma = std::min(orders_list.find(',', at), orders_list.size());
            orders.push_back(orders_list.substr(at, comma - at));
            if (orders.back() != "produced" && orders.back() != "key")
                throw std::invalid_argument("--order: not produced or key: " + orders.back());
            at = comma + 1;
        }
        for (const std::string &order : orders) {
            std::vector<Table> data;
            size_t total = 0;
            {
                // Read again for each order: `SELECT *` gives primary-key order.
                auto c = connect(src);
                for (const auto &name : tables) {
                    data.push_back(read_table(*c, name));
                    if (order == "produced") sort_as_produced(data.back());
                    total += data.back().rows.size();
                }
            }
            double best_rate = 0;
            size_t best_size = 0, best_conns = 0;
            for (const size_t k : conns) {
                std::vector<std::unique_ptr<sql::Connection>> cs;
                for (size_t i = 0; i < k; ++i) cs.push_back(connect(dst));
                for (const size_t size0 : sizes) {
                    {
                        std::unique_ptr<sql::Statement> st(cs[0]->createStatement());
                        for (const auto &t : data) st->execute("TRUNCATE TABLE " + quote(t.name));
                    }
                    const double secs = write_all(cs, data, size0);
                    const double rate = secs > 0 ? static_cast<double>(total) / secs : 0;
                    std::printf("{\"trial\":true,\"order\":\"%s\",\"rows\":%zu,\"statement_rows\":%zu,"
                                "\"connections\":%zu,\"seconds\":%.3f,\"rows_per_s\":%.0f}\n",
                                order.c_str(), total, size0, k, secs, rate);
                    std::fflush(stdout);
                    if (rate > best_rate) {
                        best_rate = rate;
                        best_size = size0;
                        best_conns = k;
                    }
                }
            }
            std::printf("{\"best\":true,\"order\":\"%s\",\"rows\":%zu,\"statement_rows\":%zu,"
                        "\"connections\":%zu,\"rows_per_s\":%.0f}\n",
                        order.c_str(), total, best_size, best_conns, best_rate);
            std::fflush(stdout);
        }
        // The target ends with every row once more (the last trial): the
        // runner compares its row count with the source's.
        return 0;
    } catch (const sql::SQLException &e) {
        std::cerr << "db_ceiling: " << e.what() << " (MySQL error " << e.getErrorCode() << ")\n";
    } catch (const std::exception &e) {
        std::cerr << "db_ceiling: " << e.what() << "\n";
    }
    return 1;
}
