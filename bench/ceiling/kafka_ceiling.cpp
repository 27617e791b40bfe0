// kafka_ceiling: the Kafka ceiling of the bench. A bare librdkafka consumer
// that reads the given topics from their beginning to their end (the end as
// it is when it starts) and does nothing with the records. Prints one JSON
// line: {"records":N,"bytes":B,"seconds":S,"records_per_s":R}.
//
//   kafka_ceiling --bootstrap HOST:PORT --topic T [--topic T ...] [--timeout S]
#include <librdkafka/rdkafka.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

void set(rd_kafka_conf_t *conf, const char *k, const std::string &v) {
    char err[512];
    if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
        throw std::runtime_error(std::string("kafka property ") + k + ": " + err);
}
}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"kafka_ceiling: read topics to their end with a bare librdkafka consumer, doing nothing"};
    std::string bootstrap;
    std::vector<std::string> topics;
    double timeout_s = 300;
    app.add_option("--bootstrap", bootstrap, "Kafka bootstrap servers")->required();
    app.add_option("--topic", topics, "A topic to read (repeatable)")->required();
    app.add_option("--timeout", timeout_s, "Deadline in seconds")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    const auto start = Clock::now();
    const auto deadline = start + std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
    rd_kafka_t *rk = nullptr;
    try {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", bootstrap);
        set(conf, "group.id", "kafka-ceiling");  // required by the consumer; nothing is committed
        set(conf, "enable.auto.commit", "false");
        set(conf, "enable.partition.eof", "true");
        set(conf, "log_level", "4");
        char err[512];
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
        if (!rk) {
            rd_kafka_conf_destroy(conf);
            throw std::runtime_error(std::string("consumer: ") + err);
        }
        rd_kafka_poll_set_consumer(rk);

        // Each partition from its beginning to its current end (high watermark).
        rd_kafka_topic_partition_list_t *assignment = rd_kafka_topic_partition_list_new(16);
        std::map<std::pair<std::string, int32_t>, int64_t> ends;
        for (const auto &t : topics) {
            rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, t.c_str(), nullptr);
            const rd_kafka_metadata_t *md = nullptr;
            const rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, std::max(remaining_ms(deadline), 1));
            rd_kafka_topic_destroy(rkt);
            if (e) throw std::runtime_error("metadata of " + t + ": " + rd_kafka_err2str(e));
            if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0) {
                rd_kafka_metadata_destroy(md);
                throw std::runtime_error("topic " + t + " is missing or has no partitions");
            }
            for (int p = 0; p < md->topics[0].partition_cnt; ++p) {
                const int32_t id = md->topics[0].partitions[p].id;
                int64_t lo = 0, hi = 0;
                const rd_kafka_resp_err_t we =
                    rd_kafka_query_watermark_offsets(rk, t.c_str(), id, &lo, &hi, std::max(remaining_ms(deadline), 1));
                if (we) {
                    rd_kafka_metadata_destroy(md);
                    throw std::runtime_error("watermarks of " + t + ": " + rd_kafka_err2str(we));
                }
                if (hi > lo) {
                    ends[{t, id}] = hi;
                    rd_kafka_topic_partition_list_add(assignment, t.c_str(), id)->offset = RD_KAFKA_OFFSET_BEGINNING;
                }
            }
            rd_kafka_metadata_destroy(md);
        }
        rd_kafka_assign(rk, assignment);
        rd_kafka_topic_partition_list_destroy(assignment);

        size_t records = 0, bytes = 0;
        while (!ends.empty()) {
            if (remaining_ms(deadline) == 0) throw std::runtime_error("not at the end before the deadline");
            rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
            if (!m) continue;
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                const auto it = ends.find({rd_kafka_topic_name(m->rkt), m->partition});
                if (it != ends.end() && m->offset >= it->second) {
                    ends.erase(it);
                }
            } else if (m->err) {
                const std::string what = rd_kafka_message_errstr(m);
                rd_kafka_message_destroy(m);
                throw std::runtime_error("consume: " + what);
            } else {
                ++records;
                bytes += m->len + m->key_len;
                const auto it = ends.find({rd_kafka_topic_name(m->rkt), m->partition});
                if (it != ends.end() && m->offset + 1 >= it->second) ends.erase(it);
            }
            rd_kafka_message_destroy(m);
        }
        const double secs = std::chrono::duration<double>(Clock::now() - start).count();
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        std::printf("{\"records\":%zu,\"bytes\":%zu,\"seconds\":%.3f,\"records_per_s\":%.0f}\n", records, bytes,
                    secs, secs > 0 ? static_cast<double>(records) / secs : 0.0);
        return 0;
    } catch (const std::exception &e) {
        std::cerr << "kafka_ceiling: " << e.what() << "\n";
        if (rk) rd_kafka_destroy(rk);
        return 1;
    }
}
