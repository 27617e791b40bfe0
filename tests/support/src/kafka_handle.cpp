#include "kafka_handle.hpp"

#include <stdexcept>

namespace vsink::test::detail {
namespace {

void set(rd_kafka_conf_t *conf, const std::string &name, const std::string &value) {
    char errstr[512];
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error("kafka config " + name + ": " + errstr);
    }
}

}  // namespace

rd_kafka_conf_t *make_conf(const std::string &bootstrap, const KafkaConfig &defaults,
                           const KafkaConfig &extra) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", bootstrap);
    // Tests must notice a dead broker quickly rather than hang in reconnects.
    set(conf, "socket.timeout.ms", "10000");
    set(conf, "log_level", "3");
    for (const auto &[k, v] : defaults) set(conf, k, v);
    for (const auto &[k, v] : extra) set(conf, k, v);
    return conf;
}

rd_kafka_t *make_handle(rd_kafka_type_t type, rd_kafka_conf_t *conf) {
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("rd_kafka_new: ") + errstr);
    }
    return rk;
}

int topic_partitions(rd_kafka_t *rk, const std::string &topic, int timeout_ms, bool *leaders_ok) {
    const rd_kafka_metadata_t *md = nullptr;
    if (leaders_ok) *leaders_ok = false;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return -1;
    int count = -1;
    for (int i = 0; i < md->topic_cnt; ++i) {
        const rd_kafka_metadata_topic_t &t = md->topics[i];
        if (topic != t.topic) continue;
        if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) break;
        count = t.partition_cnt;
        bool ok = t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt > 0;
        for (int p = 0; p < t.partition_cnt; ++p)
            ok = ok && t.partitions[p].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                 t.partitions[p].leader >= 0;
        if (leaders_ok) *leaders_ok = ok;
        break;
    }
    rd_kafka_metadata_destroy(md);
    return count;
}

}  // namespace vsink::test::detail
