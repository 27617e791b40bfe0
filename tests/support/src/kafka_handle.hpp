// Internal: building librdkafka handles for the test clients.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

#include "vsink/test/kafka_types.hpp"

namespace vsink::test::detail {

// A configuration with bootstrap.servers, `defaults`, then `extra` (which wins).
// Throws std::runtime_error naming the property librdkafka refused.
rd_kafka_conf_t *make_conf(const std::string &bootstrap, const KafkaConfig &defaults,
                           const KafkaConfig &extra);

// rd_kafka_new that throws; takes ownership of conf either way.
rd_kafka_t *make_handle(rd_kafka_type_t type, rd_kafka_conf_t *conf);

// Partition count of `topic` from a full metadata request (a request for one
// named topic could auto-create it), -1 if absent. `leaders_ok` is set to
// whether every partition has a leader and no error.
int topic_partitions(rd_kafka_t *rk, const std::string &topic, int timeout_ms, bool *leaders_ok);

}  // namespace vsink::test::detail
