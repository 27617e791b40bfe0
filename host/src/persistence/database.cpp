#include "persistence/database.hpp"

#include <cppconn/driver.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include "log/redact.hpp"

#include <algorithm>
#include <regex>

namespace vsink {

namespace {
constexpr size_t kStatementCacheSize = 256;
}

// The table tests/unit/db_failure_test.cpp asserts row by row. A wrong class
// either loses data (a transient failure taken for a bad row: the record is
// skipped) or stalls a partition for ever (a bad row taken for a transient
// failure: the same transaction fails at every retry; C6, issue 8).
DbFailure classify(const sql::SQLException &e) {
    switch (e.getErrorCode()) {
    // Transient: the same transaction may succeed later, unchanged.
    case 1040:  // too many connections: others will leave
    case 1053:  // server shutdown in progress: it comes back
    case 1205:  // lock wait timeout: another transaction held the rows; rolled back, retried
    case 1213:  // deadlock: InnoDB rolled the transaction back; the retry usually wins
    case 1317:  // query interrupted (KILL QUERY, a server restart)
    case 1927:  // connection was killed
    case 2002:  // can't connect through the socket: the server is down or restarting
    case 2003:  // can't connect over TCP: likewise
    case 2006:  // server has gone away: the connection died (restart, wait_timeout, network)
    case 2013:  // lost connection during a query: likewise
    case 2055:  // lost connection (system error)
    case 4031:  // disconnected by the server for inactivity
        // 2006, 2013 and 08S01 are also what a statement over max_allowed_packet
        // gets when the server closes the connection without the client seeing
        // its 1153. Statements are sized under the server's max_allowed_packet
        // (EntityWriter::write_run), so ours no longer cause them: they stay
        // transient.
        return DbFailure::Retry;
    // The database refuses the data of some row: isolate the record(s) at
    // fault (a savepoint per record), skip them, commit the rest. Retrying
    // would fail the same way for ever.
    case 1048:  // column cannot be null: a NOT NULL column without a value
    case 1062:  // duplicate entry for a unique key: this row's values clash
    case 1153:  // packet bigger than max_allowed_packet (SQLSTATE 08S01): statements are
                // sized under the limit, so only a single row bigger than it gets this;
                // it would be refused at every retry: isolate it
    case 1264:  // out of range
    case 1265:  // data truncated
    case 1292:  // incorrect datetime value
    case 1366:  // incorrect string/integer value (e.g. bytes not valid in utf8mb4)
    case 1367:  // illegal value
    case 1406:  // data too long for a column
    case 1452:  // a foreign key fails: the row names a parent that is not there
    case 3140:  // invalid JSON
        return DbFailure::RowRejected;
    default:
        break;
    }
    // Connector/C++ reports a dead connection with SQLSTATE 08xxx (08S01:
    // communication link failure, 08001: cannot connect), whatever the code.
    const std::string state = e.getSQLStateCStr() ? e.getSQLStateCStr() : "";
    if (state.rfind("08", 0) == 0) return DbFailure::Retry;
    // Code 0 is no server error: Connector/C++ itself threw
    // (InvalidInstanceException and the like, SQLSTATE empty or HY000), and
    // what it throws in our use is about the connection ("Connection has
    // been closed", a statement of a connection that went away): retry, on a
    // new connection. It also throws code 0 for a bad parameter index, which
    // data could cause only through a key that splits into more parts than
    // the statement has placeholders: an id holding U+001F, the key
    // separator (issue 8). The host refuses such ids as a record error
    // before they reach the database (entity_collector.cpp), so no row can
    // make a code 0 that retrying would repeat for ever.
    if (e.getErrorCode() == 0) return DbFailure::Retry;
    // Anything else is a broken setup (access denied, unknown table or
    // column, a read-only server): stop and say why.
    return DbFailure::Fatal;
}

std::string describe(const sql::SQLException &e) {
    // The server quotes the offending value (Duplicate entry 'anna@…'): hide it.
    return "MySQL error " + std::to_string(e.getErrorCode()) + " (" + (e.getSQLStateCStr() ? e.getSQLStateCStr() : "") +
           "): " + redact_db_message(e.what());
}

std::string error_class_name(const sql::SQLException &e) {
    switch (e.getErrorCode()) {
    case 1048: return "ER_BAD_NULL_ERROR";
    case 1062: return "ER_DUP_ENTRY";
    case 1153: return "ER_NET_PACKET_TOO_LARGE";
    case 1264: return "ER_WARN_DATA_OUT_OF_RANGE";
    case 1265: return "WARN_DATA_TRUNCATED";
    case 1292: return "ER_TRUNCATED_WRONG_VALUE";
    case 1366: return "ER_TRUNCATED_WRONG_VALUE_FOR_FIELD";
    case 1367: return "ER_ILLEGAL_VALUE_FOR_TYPE";
    case 1406: return "ER_DATA_TOO_LONG";
    case 1452: return "ER_NO_REFERENCED_ROW_2";
    case 3140: return "ER_INVALID_JSON_TEXT";
    default: return "mysql_error_" + std::to_string(e.getErrorCode());
    }
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
        // The session's value is the global one at connect time; the
        // statements of this connection are sized under it.
        // VERSION() tells MariaDB ("10.11.6-MariaDB-...") from MySQL: the
        // upserts' text depends on it (sql_flavour_for).
        std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT @@SESSION.max_allowed_packet, VERSION()"));
        if (rs->next()) {
            if (!rs->isNull(1)) max_packet_ = static_cast<size_t>(rs->getUInt64(1));
            server_version_ = rs->isNull(2) ? std::string() : std::string(rs->getString(2));
        }
    }
}

void Database::disconnect() noexcept {
    stmts_.clear();
    cached_params_ = 0;
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
    const size_t params = static_cast<size_t>(std::count(sql_text.begin(), sql_text.end(), '?'));
    // The statement used last is never closed: a caller may still read its results.
    while (lru_.size() > 1 &&
           (stmts_.size() >= kStatementCacheSize || cached_params_ + params > kStatementCacheParams)) {
        const auto last = stmts_.find(lru_.back());
        cached_params_ -= last->second.params;
        stmts_.erase(last);
        lru_.pop_back();
    }
    std::unique_ptr<sql::PreparedStatement> st(conn_->prepareStatement(sql_text));
    lru_.push_front(sql_text);
    auto &slot = stmts_[sql_text];
    slot.stmt = std::move(st);
    slot.pos = lru_.begin();
    slot.params = params;
    cached_params_ += params;
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
