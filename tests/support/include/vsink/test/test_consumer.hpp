// A consumer for tests (e.g. reading what the sink sent to a DLQ topic).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vsink/test/kafka_types.hpp"

struct rd_kafka_s;

namespace vsink::test {

struct ConsumedRecord {
    std::string topic;
    int32_t partition = -1;
    int64_t offset = -1;
    int64_t timestamp_ms = -1;
    std::optional<std::string> key;
    std::optional<std::string> value;  // nullopt for a tombstone
    Headers headers;

    // The last header of that name, or nullopt.
    std::optional<std::string> header(const std::string &name) const;
};

class TestConsumer {
public:
    // Defaults: a unique group.id, auto.offset.reset=earliest, no auto commit.
    explicit TestConsumer(const std::string &bootstrap, const KafkaConfig &extra = {});
    ~TestConsumer();
    TestConsumer(const TestConsumer &) = delete;
    TestConsumer &operator=(const TestConsumer &) = delete;

    // Reads every partition of the topic from the beginning, without joining a
    // group. Waits up to timeout_ms for the topic to appear in metadata (a DLQ
    // topic may be created after the test starts); throws if it does not.
    void assign(const std::string &topic, int timeout_ms = 30000);

    // Joins the consumer's own group on the topic, reading from the beginning.
    void subscribe(const std::string &topic);

    // Reads until n records have arrived or timeout_ms have passed; returns
    // what arrived (possibly fewer: the test checks the size). Throws only on
    // a fatal consumer error.
    std::vector<ConsumedRecord> read(size_t n, int timeout_ms = 30000);

    // The last non-fatal error the consumer reported (for test diagnostics).
    const std::string &last_error() const { return last_error_; }

private:
    std::string bootstrap_;
    rd_kafka_s *rk_ = nullptr;
    std::string last_error_;
};

}  // namespace vsink::test
