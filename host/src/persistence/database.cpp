#include "persistence/database.hpp"

#include <cppconn/driver.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include "log/redact.hpp"

#include <regex>

namespace vsink {

namespace {
constexpr size_t kStatementCacheSize = 256;
}

DbFailure classify(const sql::SQLException &e) {
    switch (e.getErrorCode()) {
    // transient: the same transaction may succeed later
    case 1040:  // too many connections
    case 1053:  // server shutdown in progress
    case 1205:  // lock wait timeout
    case 1213:  // deadlock
    case 1317:  // query interrupted
    case 1927:  // connection was killed
    case 2002:  // can't connect (socket)
    case 2003:  // can't connect (tcp)
    case 2006:  // server has gone away
    case 2013:  // lost connection during query
    case 2055:  // lost connection (system error)
    case 4031:  // disconnected by the server for inactivity
        return DbFailure::Retry;
    // the database rejects this row's data: isolate the record(s) at fault
    case 1062:  // duplicate entry for a unique key
    case 1153:  // packet bigger than max_allowed_packet: records one at a time are smaller (C6)
    case 1452:  // a foreign key fails
    case 1048:  // column cannot be null
    case 1264:  // out of range
    case 1265:  // data truncated
    case 1292:  // incorrect datetime value
    case 1366:  // incorrect string/integer value
    case 1367:  // illegal value
    case 1406:  // data too long
    case 3140:  // invalid JSON
        return DbFailure::RowRejected;
    default:
        break;
    }
    // Connector/C++ reports a dead connection with code 0 and SQLSTATE 08xxx / HY000.
    const std::string state = e.getSQLStateCStr() ? e.getSQLStateCStr() : "";
    if (state.rfind("08", 0) == 0) return DbFailure::Retry;
    if (e.getErrorCode() == 0) return DbFailure::Retry;
    return DbFailure::Fatal;
}

std::string describe(const sql::SQLException &e) {
    // The server quotes the offending value (Duplicate entry 'anna@…'): hide it.
    return "MySQL error " + std::to_string(e.getErrorCode()) + " (" + (e.getSQLStateCStr() ? e.getSQLStateCStr() : "") +
           "): " + redact_db_message(e.what());
}

std::string describe_rejection(const sql::SQLException &e) {
    std::string s = "MySQL error " + std::to_string(e.getErrorCode()) + " (" +
                    (e.getSQLStateCStr() ? e.getSQLStateCStr() : "") + ")";
    static const std::regex column_re("column '([A-Za-z0-9_]+)'");
    std::smatch m;
    const std::string what = e.what();
    if (std::regex_search(what, m, column_re)) s += " on column " + m[1].str();
    return s;
}

std::string describe_connect_failure(const sql::SQLException &e, const DatabaseConfig &cfg) {
    const std::string where = "database " + cfg.host + ":" + std::to_string(cfg.port) + "/" + cfg.name;
    const std::string what = e.what();
    const bool tls = e.getErrorCode() == 2026 ||  // CR_SSL_CONNECTION_ERROR
                     what.find("SSL") != std::string::npos || what.find("TLS") != std::string::npos ||
                     what.find("certificate") != std::string::npos;
    if (cfg.tls.enabled && tls)
        return where + ": TLS handshake failed: the server's certificate could not be verified with database.tls.ca=" +
               (cfg.tls.ca.empty() ? std::string("(none)") : cfg.tls.ca) +
               " (a CA that did not sign it, or a certificate that does not name " + cfg.host + "); " + describe(e);
    return where + ": " + describe(e);
}

Database::Database(DatabaseConfig cfg) : cfg_(std::move(cfg)) {}

Database::~Database() { disconnect(); }

void Database::connect() {
    disconnect();
    sql::mysql::MySQL_Driver *driver = sql::mysql::get_mysql_driver_instance();
    sql::ConnectOptionsMap opts;
    if (!cfg_.socket.empty()) {
        opts["hostName"] = sql::SQLString("unix://" + cfg_.socket);
    } else {
        opts["hostName"] = sql::SQLString("tcp://" + cfg_.host + ":" + std::to_string(cfg_.port));
    }
    opts["userName"] = sql::SQLString(cfg_.user);
    opts["password"] = sql::SQLString(cfg_.password);
    opts["schema"] = sql::SQLString(cfg_.name);
    // Connector/C++ takes whole seconds; round up so a deadline is never zero.
    opts["OPT_CONNECT_TIMEOUT"] = (cfg_.connect_timeout_ms + 999) / 1000;
    opts["OPT_READ_TIMEOUT"] = (cfg_.read_timeout_ms + 999) / 1000;
    opts["OPT_WRITE_TIMEOUT"] = (cfg_.write_timeout_ms + 999) / 1000;
    opts["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
    opts["OPT_RECONNECT"] = false;  // a silent reconnect would lose the open transaction
    if (cfg_.tls.enabled) {
        // Required, never a silent fall-back to plain text; verification of
        // the server's certificate and host name is on unless turned off.
        opts["sslEnforce"] = true;
        opts["sslVerify"] = cfg_.tls.verify;
        if (!cfg_.tls.ca.empty()) opts["sslCA"] = sql::SQLString(cfg_.tls.ca);
        if (!cfg_.tls.cert.empty()) opts["sslCert"] = sql::SQLString(cfg_.tls.cert);
        if (!cfg_.tls.key.empty()) opts["sslKey"] = sql::SQLString(cfg_.tls.key);
    }
    conn_.reset(driver->connect(opts));
    conn_->setAutoCommit(false);
    {
        std::unique_ptr<sql::Statement> st(conn_->createStatement());
        st->execute("SET SESSION time_zone = '+00:00'");
        st->execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
        st->execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    }
}

void Database::disconnect() noexcept {
    stmts_.clear();
    lru_.clear();
    if (conn_) {
        try {
            conn_->close();
        } catch (...) {
        }
        conn_.reset();
    }
}

void Database::begin() {
    if (!conn_) connect();
    // autocommit is off: the transaction starts with the first statement.
}

void Database::commit() { conn_->commit(); }

void Database::rollback() noexcept {
    if (!conn_) return;
    try {
        conn_->rollback();
    } catch (...) {
        // The connection is likely dead; the next begin() reconnects.
        disconnect();
    }
}

void Database::execute(const std::string &sql_text) {
    if (!conn_) connect();
    std::unique_ptr<sql::Statement> st(conn_->createStatement());
    st->execute(sql_text);
}

sql::PreparedStatement &Database::prepare(const std::string &sql_text) {
    if (!conn_) connect();
    auto it = stmts_.find(sql_text);
    if (it != stmts_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second.pos);
        return *it->second.stmt;
    }
    if (stmts_.size() >= kStatementCacheSize) {
        stmts_.erase(lru_.back());
        lru_.pop_back();
    }
    std::unique_ptr<sql::PreparedStatement> st(conn_->prepareStatement(sql_text));
    lru_.push_front(sql_text);
    auto &slot = stmts_[sql_text];
    slot.stmt = std::move(st);
    slot.pos = lru_.begin();
    return *slot.stmt;
}

void bind_value(sql::PreparedStatement &st, unsigned index, const Value &v) {
    switch (v.kind) {
    case Value::Kind::Null: st.setNull(index, sql::DataType::VARCHAR); break;
    case Value::Kind::Int: st.setInt64(index, v.i); break;
    case Value::Kind::Double: st.setDouble(index, v.d); break;
    case Value::Kind::String: st.setString(index, sql::SQLString(v.s)); break;
    case Value::Kind::Bool: st.setBoolean(index, v.i != 0); break;
    case Value::Kind::TimestampMs: st.setString(index, sql::SQLString(format_utc_datetime(v.i))); break;
    }
}

}  // namespace vsink
