#include "vsink/test/test_producer.hpp"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <stdexcept>

#include "kafka_handle.hpp"

namespace vsink::test {

TestProducer::TestProducer(const std::string &bootstrap, const KafkaConfig &extra) {
    rd_kafka_conf_t *conf = detail::make_conf(
        bootstrap,
        // batch.size: the Java client's 16 KiB record batches, as the
        // ticketing systems send; a fetch then interleaves partitions as it
        // does in production (librdkafka's own 1 MB made a backlog one
        // partition's run at a time).
        {{"acks", "all"}, {"linger.ms", "5"}, {"batch.size", "16384"}, {"partitioner", "murmur2_random"},
         // A record that cannot be delivered in this time is reported as failed.
         {"message.timeout.ms", "60000"}},
        extra);
    rd_kafka_conf_set_dr_msg_cb(conf, &TestProducer::on_delivery);
    rd_kafka_conf_set_opaque(conf, this);
    rk_ = detail::make_handle(RD_KAFKA_PRODUCER, conf);
}

TestProducer::~TestProducer() {
    if (!rk_) return;
    rd_kafka_flush(rk_, 2000);
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_destroy(rk_);
}

void TestProducer::on_delivery(rd_kafka_t *, const rd_kafka_message_t *msg, void *opaque) {
    auto *self = static_cast<TestProducer *>(opaque);
    const std::string topic = rd_kafka_topic_name(msg->rkt);
    std::lock_guard<std::mutex> lock(self->mu_);
    if (msg->err) {
        self->failures_.push_back(topic + "[" + std::to_string(msg->partition) +
                                  "]: " + rd_kafka_err2str(msg->err));
        return;
    }
    self->delivered_.push_back(Delivery{topic, msg->partition, msg->offset});
}

void TestProducer::produce(const std::string &topic, int32_t partition,
                           const std::optional<std::string> &key,
                           const std::optional<std::string> &value, const Headers &headers,
                           int64_t timestamp_ms) {
    // The RD_KAFKA_V_* macros cast their arguments unparenthesized: plain locals only.
    const void *key_ptr = key ? key->data() : nullptr;
    const size_t key_len = key ? key->size() : 0;
    void *value_ptr = value ? const_cast<char *>(value->data()) : nullptr;
    const size_t value_len = value ? value->size() : 0;
    for (int attempt = 0;; ++attempt) {
        rd_kafka_headers_t *hdrs = rd_kafka_headers_new(headers.size());
        for (const auto &[name, v] : headers)
            rd_kafka_header_add(hdrs, name.c_str(), static_cast<ssize_t>(name.size()), v.data(),
                                static_cast<ssize_t>(v.size()));
        const rd_kafka_resp_err_t err = rd_kafka_producev(
            rk_, RD_KAFKA_V_TOPIC(topic.c_str()),
            RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(key_ptr, key_len), RD_KAFKA_V_VALUE(value_ptr, value_len),
            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_TIMESTAMP(timestamp_ms), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;  // librdkafka owns hdrs now
        rd_kafka_headers_destroy(hdrs);
        // A full local queue drains by serving delivery reports; give it up to ~30 s.
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && attempt < 300) {
            rd_kafka_poll(rk_, 100);
            continue;
        }
        throw std::runtime_error("produce to " + topic + ": " + rd_kafka_err2str(err));
    }
    rd_kafka_poll(rk_, 0);
}

void TestProducer::flush(int timeout_ms) {
    const rd_kafka_resp_err_t err = rd_kafka_flush(rk_, timeout_ms);
    std::vector<std::string> failures;
    {
        std::lock_guard<std::mutex> lock(mu_);
        failures.swap(failures_);
    }
    std::string msg;
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT)
        msg = std::to_string(rd_kafka_outq_len(rk_)) + " record(s) still undelivered after " +
              std::to_string(timeout_ms) + " ms";
    if (!failures.empty()) {
        if (!msg.empty()) msg += "; ";
        msg += std::to_string(failures.size()) + " delivery failure(s), first: " + failures.front();
    }
    if (!msg.empty()) throw std::runtime_error("TestProducer::flush: " + msg);
}

std::vector<Delivery> TestProducer::deliveries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
}

}  // namespace vsink::test
