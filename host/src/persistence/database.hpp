// One MySQL/MariaDB session over Connector/C++ 1.1, with a deadline on every
// blocking call (connect, read, write timeouts), a prepared statement cache,
// and the classification of failures into retry / row rejected / fatal.
#pragma once

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <list>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/worker_config.hpp"
#include "persistence/entity_row.hpp"

namespace sql {
class Connection;
}

namespace vsink {

enum class DbFailure {
    Retry,        // connection lost, deadlock, lock wait timeout, server going away: roll back and retry
    RowRejected,  // the database refuses a value (too long, bad value): isolate the row
    Fatal         // a broken setup (unknown table, access denied): stop
};

DbFailure classify(const sql::SQLException &e);
// "MySQL error 1213 (40001): Deadlock found ..." without any bound values,
// and with the values the server quotes hidden.
std::string describe(const sql::SQLException &e);
// The error's name for the dead-letter queue's vsink.error.class, e.g.
// "ER_DATA_TOO_LONG" for 1406; "mysql_error_N" for a code without one here.
std::string error_class_name(const sql::SQLException &e);
// A row the database rejected: "MySQL error N (STATE) on column C", never
// the value (it may be a customer's name).
std::string describe_rejection(const sql::SQLException &e);
// One line for a failed connect: "database HOST:PORT/NAME: ...", a TLS
// failure said as such (which CA file, which host).
std::string describe_connect_failure(const sql::SQLException &e, const DatabaseConfig &cfg);

class Database {
public:
    explicit Database(DatabaseConfig cfg);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    void connect();  // throws sql::SQLException
    void disconnect() noexcept;
    bool connected() const { return conn_ != nullptr; }

    void begin();
    void commit();
    void rollback() noexcept;

    void execute(const std::string &sql);
    // Cached per SQL text (the cache is bounded; statements are re-prepared after eviction).
    // The statement prepare() returned last stays open until the next call but one.
    sql::PreparedStatement &prepare(const std::string &sql);
    // Parameters bound by the cached statements together. Each one costs the
    // client about 250 bytes for as long as its statement is cached (its
    // MYSQL_BIND in Connector/C++ and again in the C client, its last value):
    // the orders topology's statements held 95,000 of them, ~25 MiB (issue 9).
    // Beyond this the least recently used statements are closed. The orders
    // drain re-prepared 1.4 statements per batch with this; with 32,768
    // usually 2, but in one run of seven 15 (a cycle of big statements longer
    // than the cache: every one missed), which made it 70% slower.
    static constexpr size_t kStatementCacheParams = 49152;
    size_t cached_statements() const { return stmts_.size(); }
    size_t cached_parameters() const { return cached_params_; }

    const DatabaseConfig &config() const { return cfg_; }

    // The server's max_allowed_packet (bytes), read at connect: no statement
    // may be bigger, bound parameters included, or the server refuses it
    // (1153) or just closes the connection (2006, 2013, 08S01; C6, issue 8).
    // Before the first connect: kDefaultMaxPacket.
    size_t max_packet() const { return max_packet_; }
    // MySQL 5.5's default and the smallest value a server is likely to run with.
    static constexpr size_t kDefaultMaxPacket = 1024 * 1024;
    // The server's VERSION(), read at connect ("10.11.6-MariaDB-0+deb12u1",
    // "8.0.36"); empty before the first connect.
    const std::string &server_version() const { return server_version_; }

private:
    DatabaseConfig cfg_;
    size_t max_packet_ = kDefaultMaxPacket;
    std::string server_version_;
    std::unique_ptr<sql::Connection> conn_;
    // LRU cache of prepared statements, bounded in number and in parameters.
    std::list<std::string> lru_;
    struct Cached {
        std::unique_ptr<sql::PreparedStatement> stmt;
        std::list<std::string>::iterator pos;
        size_t params = 0;  // its '?' placeholders
    };
    std::unordered_map<std::string, Cached> stmts_;
    size_t cached_params_ = 0;
};

// Binds `v` to parameter `index` (1-based).
void bind_value(sql::PreparedStatement &st, unsigned index, const Value &v);

}  // namespace vsink
