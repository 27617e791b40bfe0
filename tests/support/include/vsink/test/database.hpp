// A MariaDB/MySQL connection for tests (MySQL Connector/C++ 1.1).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vsink/test/server_env.hpp"

namespace sql {
class Connection;
}

namespace vsink::test {

// One result row: column label -> value as the server's text, nullopt for NULL.
using Row = std::map<std::string, std::optional<std::string>>;

class Database {
public:
    // Connects over TCP to env.db_host:env.db_port as env.db_user, using
    // `schema` or, if empty, env.db_name. utf8mb4; connect timeout 10 s.
    explicit Database(const ServerEnv &env, const std::string &schema = {});
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // CREATE DATABASE `name` (utf8mb4) / DROP DATABASE IF EXISTS `name`.
    void create_database(const std::string &name);
    void drop_database(const std::string &name);
    // Makes `name` the current schema.
    void use(const std::string &name);

    // Runs one statement and returns its rows. Throws std::runtime_error
    // naming the statement, the server's message and error code.
    std::vector<Row> query(const std::string &sql);
    // The first column of the first row; nullopt for NULL; throws if no row.
    std::optional<std::string> scalar(const std::string &sql);
    // scalar() as an integer (e.g. COUNT(*)); throws on NULL or non-number.
    int64_t scalar_int(const std::string &sql);
    // Runs one statement without a result set; returns the affected row count.
    uint64_t exec(const std::string &sql);

    // `name` with backticks, for building SQL.
    static std::string quote_ident(const std::string &name);
    // 'text' with quotes and backslashes escaped, for building SQL.
    static std::string quote(const std::string &text);

private:
    std::unique_ptr<sql::Connection> conn_;
};

}  // namespace vsink::test
