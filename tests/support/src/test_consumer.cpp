#include "vsink/test/test_consumer.hpp"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <stdexcept>

#include "kafka_handle.hpp"
#include "vsink/test/unique_name.hpp"
#include "vsink/test/wait_until.hpp"

namespace vsink::test {

std::optional<std::string> ConsumedRecord::header(const std::string &name) const {
    std::optional<std::string> found;
    for (const auto &[k, v] : headers)
        if (k == name) found = v;
    return found;
}

TestConsumer::TestConsumer(const std::string &bootstrap, const KafkaConfig &extra)
    : bootstrap_(bootstrap) {
    rk_ = detail::make_handle(
        RD_KAFKA_CONSUMER,
        detail::make_conf(bootstrap,
                          {{"group.id", unique_name("vsink_test_consumer")},
                           {"auto.offset.reset", "earliest"},
                           {"enable.auto.commit", "false"},
                           {"enable.auto.offset.store", "false"},
                           {"enable.partition.eof", "false"}},
                          extra));
    rd_kafka_poll_set_consumer(rk_);
}

TestConsumer::~TestConsumer() {
    if (!rk_) return;
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
}

void TestConsumer::assign(const std::string &topic, int timeout_ms) {
    int partitions = -1;
    wait_until(
        timeout_ms,
        [&] {
            bool leaders_ok = false;
            partitions = detail::topic_partitions(rk_, topic, 2000, &leaders_ok);
            return partitions > 0 && leaders_ok;
        },
        "topic " + topic + " to exist", 100);
    if (partitions <= 0)
        throw std::runtime_error("TestConsumer::assign: topic " + topic + " not found within " +
                                 std::to_string(timeout_ms) + " ms");
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    const rd_kafka_resp_err_t err = rd_kafka_assign(rk_, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (err) throw std::runtime_error("TestConsumer::assign " + topic + ": " + rd_kafka_err2str(err));
}

void TestConsumer::subscribe(const std::string &topic) {
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err)
        throw std::runtime_error("TestConsumer::subscribe " + topic + ": " + rd_kafka_err2str(err));
}

std::vector<ConsumedRecord> TestConsumer::read(size_t n, int timeout_ms) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    std::vector<ConsumedRecord> out;
    while (out.size() < n) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) break;
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk_, static_cast<int>(std::min<long long>(left, 100)));
        if (!msg) continue;
        if (msg->err) {
            std::string error = rd_kafka_message_errstr(msg);
            const bool fatal = msg->err == RD_KAFKA_RESP_ERR__FATAL;
            rd_kafka_message_destroy(msg);
            // Unknown topic, transport errors and the like are transient here:
            // the test decides by what it reads before the deadline.
            if (fatal) throw std::runtime_error("TestConsumer: fatal error: " + error);
            last_error_ = error;
            continue;
        }
        ConsumedRecord rec;
        rec.topic = rd_kafka_topic_name(msg->rkt);
        rec.partition = msg->partition;
        rec.offset = msg->offset;
        rec.timestamp_ms = rd_kafka_message_timestamp(msg, nullptr);
        if (msg->key) rec.key.emplace(static_cast<const char *>(msg->key), msg->key_len);
        if (msg->payload) rec.value.emplace(static_cast<const char *>(msg->payload), msg->len);
        rd_kafka_headers_t *hdrs = nullptr;
        if (rd_kafka_message_headers(msg, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const char *name = nullptr;
            const void *val = nullptr;
            size_t size = 0;
            for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &size) ==
                               RD_KAFKA_RESP_ERR_NO_ERROR;
                 ++i)
                rec.headers.emplace_back(name, val ? std::string(static_cast<const char *>(val), size)
                                                   : std::string());
        }
        rd_kafka_message_destroy(msg);
        out.push_back(std::move(rec));
    }
    return out;
}

}  // namespace vsink::test
