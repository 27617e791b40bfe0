// A producer for tests: every record must be delivered, or flush() throws.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vsink/test/kafka_types.hpp"

struct rd_kafka_s;
struct rd_kafka_message_s;

namespace vsink::test {

struct Delivery {
    std::string topic;
    int32_t partition = -1;
    int64_t offset = -1;
};

class TestProducer {
public:
    // Defaults: acks=all, linger.ms=5, partitioner=murmur2_random (the Java
    // client's partitioner, so a key lands where a Java producer would put it).
    explicit TestProducer(const std::string &bootstrap, const KafkaConfig &extra = {});
    ~TestProducer();  // waits up to 2 s for outstanding deliveries, never throws
    TestProducer(const TestProducer &) = delete;
    TestProducer &operator=(const TestProducer &) = delete;

    // Queues one record. partition -1 lets the partitioner choose by key.
    // A key or value of nullopt is sent as null (a null value is a tombstone).
    // timestamp_ms 0: now (its CreateTime), else that time (a backlog's past).
    // Throws if librdkafka refuses the record (unknown partition, too large, ...).
    void produce(const std::string &topic, int32_t partition, const std::optional<std::string> &key,
                 const std::optional<std::string> &value, const Headers &headers = {}, int64_t timestamp_ms = 0);

    // Waits until every queued record is delivered. Throws std::runtime_error
    // if any record failed (delivery report error) or some are still
    // undelivered at the deadline; the failures are cleared after the throw.
    void flush(int timeout_ms = 30000);

    // Records delivered so far, in delivery-report order.
    std::vector<Delivery> deliveries() const;

private:
    static void on_delivery(rd_kafka_s *rk, const rd_kafka_message_s *msg, void *opaque);

    rd_kafka_s *rk_ = nullptr;
    mutable std::mutex mu_;
    std::vector<Delivery> delivered_;
    std::vector<std::string> failures_;
};

}  // namespace vsink::test
