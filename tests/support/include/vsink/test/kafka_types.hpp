#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vsink::test {

// Kafka record headers in order; a name may repeat.
using Headers = std::vector<std::pair<std::string, std::string>>;

// librdkafka properties added to (or overriding) the defaults of a client,
// e.g. {"security.protocol", "SASL_SSL"}.
using KafkaConfig = std::vector<std::pair<std::string, std::string>>;

}  // namespace vsink::test
