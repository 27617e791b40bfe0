#include "vsink/test/database.hpp"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <stdexcept>

namespace vsink::test {
namespace {

[[noreturn]] void rethrow(const std::string &what, const sql::SQLException &e) {
    throw std::runtime_error(what + ": " + e.what() + " (error " +
                             std::to_string(e.getErrorCode()) + ", SQLSTATE " + e.getSQLState() +
                             ")");
}

}  // namespace

Database::Database(const ServerEnv &env, const std::string &schema) {
    sql::ConnectOptionsMap opts;
    opts["hostName"] = sql::SQLString("tcp://" + env.db_host + ":" + std::to_string(env.db_port));
    opts["userName"] = sql::SQLString(env.db_user);
    opts["password"] = sql::SQLString(env.db_password);
    const std::string db = schema.empty() ? env.db_name : schema;
    if (!db.empty()) opts["schema"] = sql::SQLString(db);
    opts["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    opts["OPT_CONNECT_TIMEOUT"] = 10;
    opts["OPT_READ_TIMEOUT"] = 60;
    opts["OPT_WRITE_TIMEOUT"] = 60;
    opts["OPT_RECONNECT"] = false;
    try {
        conn_.reset(sql::mysql::get_mysql_driver_instance()->connect(opts));
    } catch (const sql::SQLException &e) {
        rethrow("connect to MariaDB at " + env.db_host + ":" + std::to_string(env.db_port) +
                    " as " + env.db_user + (db.empty() ? "" : " (schema " + db + ")"),
                e);
    }
}

Database::~Database() = default;

std::string Database::quote_ident(const std::string &name) {
    std::string out = "`";
    for (char c : name) {
        if (c == '`') out += '`';
        out += c;
    }
    return out + "`";
}

std::string Database::quote(const std::string &text) {
    std::string out = "'";
    for (char c : text) {
        switch (c) {
        case '\'': out += "''"; break;
        case '\\': out += "\\\\"; break;
        case '\0': out += "\\0"; break;
        default: out += c;
        }
    }
    return out + "'";
}

void Database::create_database(const std::string &name) {
    exec("CREATE DATABASE " + quote_ident(name) +
         " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
}

void Database::drop_database(const std::string &name) {
    exec("DROP DATABASE IF EXISTS " + quote_ident(name));
}

void Database::use(const std::string &name) {
    try {
        conn_->setSchema(sql::SQLString(name));
    } catch (const sql::SQLException &e) {
        rethrow("use " + name, e);
    }
}

std::vector<Row> Database::query(const std::string &sql) {
    std::vector<Row> rows;
    try {
        std::unique_ptr<sql::Statement> stmt(conn_->createStatement());
        std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery(sql::SQLString(sql)));
        sql::ResultSetMetaData *meta = rs->getMetaData();
        const unsigned int columns = meta->getColumnCount();
        std::vector<std::string> labels;
        for (unsigned int c = 1; c <= columns; ++c) labels.push_back(meta->getColumnLabel(c).asStdString());
        while (rs->next()) {
            Row row;
            for (unsigned int c = 1; c <= columns; ++c) {
                // Read first: isNull() reports on the column's actual value.
                std::string v = rs->getString(c).asStdString();
                if (rs->isNull(c))
                    row[labels[c - 1]] = std::nullopt;
                else
                    row[labels[c - 1]] = std::move(v);
            }
            rows.push_back(std::move(row));
        }
    } catch (const sql::SQLException &e) {
        rethrow("query `" + sql + "`", e);
    }
    return rows;
}

std::optional<std::string> Database::scalar(const std::string &sql) {
    std::optional<std::string> value;
    try {
        std::unique_ptr<sql::Statement> stmt(conn_->createStatement());
        std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery(sql::SQLString(sql)));
        if (!rs->next()) throw std::runtime_error("scalar `" + sql + "`: no row");
        std::string v = rs->getString(1).asStdString();
        if (!rs->isNull(1)) value = std::move(v);
    } catch (const sql::SQLException &e) {
        rethrow("scalar `" + sql + "`", e);
    }
    return value;
}

int64_t Database::scalar_int(const std::string &sql) {
    const auto v = scalar(sql);
    if (!v) throw std::runtime_error("scalar_int `" + sql + "`: NULL");
    try {
        size_t used = 0;
        const long long n = std::stoll(*v, &used);
        if (used != v->size()) throw std::invalid_argument(*v);
        return n;
    } catch (const std::logic_error &) {
        throw std::runtime_error("scalar_int `" + sql + "`: not an integer: " + *v);
    }
}

uint64_t Database::exec(const std::string &sql) {
    try {
        std::unique_ptr<sql::Statement> stmt(conn_->createStatement());
        stmt->execute(sql::SQLString(sql));
        const int n = stmt->getUpdateCount();
        return n > 0 ? static_cast<uint64_t>(n) : 0;
    } catch (const sql::SQLException &e) {
        rethrow("exec `" + sql + "`", e);
    }
}

}  // namespace vsink::test
