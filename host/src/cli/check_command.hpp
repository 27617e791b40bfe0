// `sinkhost check`: everything `run` needs, checked before it runs, one line
// per part (`ok …`) or per problem (`FAIL …`, `WARN …`), then a summary:
// the config; the mappings; the plugin; the database reachable ("cannot
// reach"), the login ("login refused") and TLS ("TLS refused") told apart;
// every mapped table and column present with a compatible type, the host's
// tables (missing indexes and columns wider than the mapping's are warnings);
// the Kafka cluster reachable, its SASL login and TLS told apart; every
// subscribed topic present; the dead-letter queue topic present or creatable.
// Exit codes: 0 no FAIL (warnings allowed), 1 at least one FAIL.
#pragma once

#include <string>

namespace vsink {

int cmd_check(const std::string &config_path);

}  // namespace vsink
