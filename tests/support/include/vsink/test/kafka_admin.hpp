// Topic administration for tests, over librdkafka's C admin API.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vsink/test/kafka_types.hpp"

struct rd_kafka_s;
struct rd_kafka_queue_s;

namespace vsink::test {

class KafkaAdmin {
public:
    explicit KafkaAdmin(const std::string &bootstrap, const KafkaConfig &extra = {});
    ~KafkaAdmin();
    KafkaAdmin(const KafkaAdmin &) = delete;
    KafkaAdmin &operator=(const KafkaAdmin &) = delete;

    // Creates the topic (rd_kafka_CreateTopics), waits for the broker's answer
    // and then until metadata shows all its partitions with a leader, all
    // within timeout_ms. Throws std::runtime_error on any error, including
    // "already exists".
    void create_topic(const std::string &name, int partitions, int timeout_ms = 30000,
                      int replication_factor = 1,
                      const std::map<std::string, std::string> &topic_config = {});

    // Like create_topic, but an existing topic is fine. Returns true if it created it.
    bool create_topic_if_missing(const std::string &name, int partitions, int timeout_ms = 30000,
                                 int replication_factor = 1);

    // Deletes the topic and returns once the broker's metadata no longer lists it
    // (throws at the deadline); a topic that does not exist is fine.
    void delete_topic(const std::string &name, int timeout_ms = 30000);

    // Polls metadata until the topic exists with at least `partitions` partitions,
    // each with a leader. Returns false at the deadline.
    bool wait_for_topic(const std::string &name, int partitions, int timeout_ms = 30000);

    // The topic's partition count from metadata, or -1 if the topic is unknown.
    int partition_count(const std::string &name, int timeout_ms = 5000);

    // High watermark (next offset) of every partition of the topic.
    std::vector<int64_t> end_offsets(const std::string &name, int timeout_ms = 10000);

    // The offsets `group` has committed for each partition of the topic
    // (-1001 = RD_KAFKA_OFFSET_INVALID where nothing is committed).
    std::vector<int64_t> committed_offsets(const std::string &group, const std::string &topic,
                                           int timeout_ms = 10000);

private:
    bool create_impl(const std::string &name, int partitions, int timeout_ms,
                     int replication_factor, const std::map<std::string, std::string> &topic_config,
                     bool exists_ok);

    std::string bootstrap_;
    KafkaConfig extra_;
    rd_kafka_s *rk_ = nullptr;
    rd_kafka_queue_s *queue_ = nullptr;
};

}  // namespace vsink::test
