// How each database error is handled decides between waiting, isolating the
// record at fault, and stopping: a wrong entry here either loses data or
// stalls a partition for ever (issue 8, C6).
#include <catch2/catch.hpp>

#include "persistence/database.hpp"

using namespace vsink;

namespace {
DbFailure of(int code, const char *state) { return classify(sql::SQLException("message", state, code)); }
}  // namespace

TEST_CASE("database errors: each code is retried, isolated or fatal by a table", "[db-failure]") {
    // Transient: the same transaction may succeed later.
    for (int code : {1040, 1053, 1205, 1213, 1317, 1927, 2002, 2003, 2006, 2013, 2055, 4031}) {
        INFO(code);
        CHECK(of(code, "HY000") == DbFailure::Retry);
    }
    // A lost connection that Connector/C++ reports without a server code.
    CHECK(of(0, "08S01") == DbFailure::Retry);
    CHECK(of(0, "08001") == DbFailure::Retry);
    CHECK(of(2013, "08S01") == DbFailure::Retry);
    // The data of some record: isolate it, commit the rest.
    for (int code : {1048, 1062, 1153, 1264, 1265, 1292, 1366, 1367, 1406, 1452, 3140}) {
        INFO(code);
        CHECK(of(code, "HY000") == DbFailure::RowRejected);
    }
    // A broken setup: stop with the reason.
    for (int code : {1045, 1049, 1054, 1142, 1146}) {
        INFO(code);
        CHECK(of(code, "42000") == DbFailure::Fatal);
    }
}

TEST_CASE("database errors: the description hides the values the server quotes", "[db-failure]") {
    CHECK(describe(sql::SQLException("Duplicate entry 'vera@example.com' for key 'PRIMARY'", "23000", 1062)) ==
          "MySQL error 1062 (23000): Duplicate entry '**Hidden**' for key 'PRIMARY'");
}
