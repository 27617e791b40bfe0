#pragma once

#include <string>

namespace vsink::test {

// A name unique across processes and runs, usable as a Kafka topic and as a
// MariaDB database name: "<prefix>_<pid>_<time base36>_<counter>", e.g.
// "it_orders_48213_lq3k2a9_1". Only [A-Za-z0-9_] is added to the prefix;
// keep the prefix short (a database name has at most 64 characters).
std::string unique_name(const std::string &prefix);

}  // namespace vsink::test
