#pragma once

#include <functional>
#include <string>

namespace vsink::test {

// Polls `predicate` every `poll_ms` (default 50 ms) until it returns true
// (-> true) or `deadline_ms` have passed (-> false, and a line naming `what`
// goes to stderr). The predicate is always evaluated at least once, and once
// more at the deadline. Exceptions from the predicate propagate.
// Tests wait for a condition with it instead of sleeping and hoping:
//   REQUIRE(wait_until(20000, [&] { return db.scalar_int("SELECT COUNT(*) FROM orders") == 300; },
//                      "300 orders in the database"));
bool wait_until(int deadline_ms, const std::function<bool()> &predicate,
                const std::string &what = {}, int poll_ms = 50);

}  // namespace vsink::test
