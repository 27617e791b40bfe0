#include "vsink/test/kafka_admin.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "kafka_handle.hpp"
#include "vsink/test/wait_until.hpp"

namespace vsink::test {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

struct EventDeleter {
    void operator()(rd_kafka_event_t *e) const { rd_kafka_event_destroy(e); }
};
struct OptionsDeleter {
    void operator()(rd_kafka_AdminOptions_t *o) const { rd_kafka_AdminOptions_destroy(o); }
};
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
using OptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter>;

OptionsPtr admin_options(rd_kafka_t *rk, rd_kafka_admin_op_t op, int timeout_ms) {
    OptionsPtr opts(rd_kafka_AdminOptions_new(rk, op));
    char errstr[512];
    // The operation timeout makes the controller answer only once the change
    // has been applied (or the time is up), not when it was merely accepted.
    if (rd_kafka_AdminOptions_set_request_timeout(opts.get(), timeout_ms, errstr, sizeof errstr) ||
        rd_kafka_AdminOptions_set_operation_timeout(opts.get(), timeout_ms, errstr,
                                                    sizeof errstr))
        throw std::runtime_error(std::string("kafka admin options: ") + errstr);
    return opts;
}

// Waits for the admin result of the expected type on the handle's own queue.
EventPtr await_result(rd_kafka_queue_t *queue, rd_kafka_event_type_t type, int timeout_ms,
                      const std::string &what) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms + 2000);
    for (;;) {
        const int left = remaining_ms(deadline);
        if (left == 0) throw std::runtime_error(what + ": no answer from the broker in time");
        EventPtr ev(rd_kafka_queue_poll(queue, left));
        if (!ev) continue;
        if (rd_kafka_event_type(ev.get()) != type) continue;
        if (rd_kafka_event_error(ev.get()))
            throw std::runtime_error(what + ": " + rd_kafka_event_error_string(ev.get()));
        return ev;
    }
}

}  // namespace

KafkaAdmin::KafkaAdmin(const std::string &bootstrap, const KafkaConfig &extra)
    : bootstrap_(bootstrap), extra_(extra) {
    rk_ = detail::make_handle(RD_KAFKA_PRODUCER, detail::make_conf(bootstrap, {}, extra));
    queue_ = rd_kafka_queue_new(rk_);
}

KafkaAdmin::~KafkaAdmin() {
    if (queue_) rd_kafka_queue_destroy(queue_);
    if (rk_) rd_kafka_destroy(rk_);
}

bool KafkaAdmin::create_impl(const std::string &name, int partitions, int timeout_ms,
                             int replication_factor,
                             const std::map<std::string, std::string> &topic_config,
                             bool exists_ok) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    const std::string what = "create topic " + name;
    char errstr[512];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(name.c_str(), partitions, replication_factor, errstr, sizeof errstr);
    if (!nt) throw std::runtime_error(what + ": " + errstr);
    std::unique_ptr<rd_kafka_NewTopic_t, void (*)(rd_kafka_NewTopic_t *)> topic(
        nt, rd_kafka_NewTopic_destroy);
    for (const auto &[k, v] : topic_config) {
        if (rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str()))
            throw std::runtime_error(what + ": bad topic config " + k);
    }
    auto opts = admin_options(rk_, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout_ms);
    rd_kafka_CreateTopics(rk_, &nt, 1, opts.get(), queue_);
    EventPtr ev = await_result(queue_, RD_KAFKA_EVENT_CREATETOPICS_RESULT, timeout_ms, what);

    size_t cnt = 0;
    const rd_kafka_topic_result_t **results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &cnt);
    bool created = true;
    for (size_t i = 0; i < cnt; ++i) {
        const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
        if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS && exists_ok) {
            created = false;
            continue;
        }
        const char *msg = rd_kafka_topic_result_error_string(results[i]);
        throw std::runtime_error(what + ": " + (msg ? msg : rd_kafka_err2str(err)));
    }
    if (!wait_for_topic(name, created ? partitions : 1, std::max(remaining_ms(deadline), 1)))
        throw std::runtime_error(what + ": created, but its partitions did not get leaders in time");
    return created;
}

void KafkaAdmin::create_topic(const std::string &name, int partitions, int timeout_ms,
                              int replication_factor,
                              const std::map<std::string, std::string> &topic_config) {
    create_impl(name, partitions, timeout_ms, replication_factor, topic_config, false);
}

bool KafkaAdmin::create_topic_if_missing(const std::string &name, int partitions, int timeout_ms,
                                         int replication_factor) {
    return create_impl(name, partitions, timeout_ms, replication_factor, {}, true);
}

void KafkaAdmin::delete_topic(const std::string &name, int timeout_ms) {
    const std::string what = "delete topic " + name;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(name.c_str());
    std::unique_ptr<rd_kafka_DeleteTopic_t, void (*)(rd_kafka_DeleteTopic_t *)> topic(
        dt, rd_kafka_DeleteTopic_destroy);
    auto opts = admin_options(rk_, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout_ms);
    rd_kafka_DeleteTopics(rk_, &dt, 1, opts.get(), queue_);
    EventPtr ev = await_result(queue_, RD_KAFKA_EVENT_DELETETOPICS_RESULT, timeout_ms, what);
    size_t cnt = 0;
    const rd_kafka_topic_result_t **results =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &cnt);
    for (size_t i = 0; i < cnt; ++i) {
        const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            continue;
        const char *msg = rd_kafka_topic_result_error_string(results[i]);
        throw std::runtime_error(what + ": " + (msg ? msg : rd_kafka_err2str(err)));
    }
    // The controller answers once the deletion is committed; the broker's
    // metadata cache follows a moment later. Callers go on to assert that the
    // topic is gone, so return only when the broker's metadata says so.
    if (!wait_until(
            std::max(remaining_ms(deadline), 2000), [&] { return partition_count(name, 2000) < 0; },
            "topic " + name + " gone from the broker's metadata", 50))
        throw std::runtime_error(what + ": deleted, but the broker still lists it");
}

bool KafkaAdmin::wait_for_topic(const std::string &name, int partitions, int timeout_ms) {
    return wait_until(
        timeout_ms,
        [&] {
            bool leaders_ok = false;
            const int n = detail::topic_partitions(rk_, name, 2000, &leaders_ok);
            return n >= partitions && leaders_ok;
        },
        "topic " + name + " with " + std::to_string(partitions) + " partitions", 100);
}

int KafkaAdmin::partition_count(const std::string &name, int timeout_ms) {
    return detail::topic_partitions(rk_, name, timeout_ms, nullptr);
}

std::vector<int64_t> KafkaAdmin::end_offsets(const std::string &name, int timeout_ms) {
    const int n = partition_count(name, timeout_ms);
    if (n < 0) throw std::runtime_error("end offsets: unknown topic " + name);
    std::vector<int64_t> ends;
    for (int p = 0; p < n; ++p) {
        int64_t low = 0, high = 0;
        // Right after a topic is created its leaders may not be known to every
        // broker view yet: retry the errors that say "not yet", until the deadline.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        rd_kafka_resp_err_t err;
        while (true) {
            err = rd_kafka_query_watermark_offsets(rk_, name.c_str(), p, &low, &high, timeout_ms);
            const bool not_yet = err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                                 err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                                 err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
            if (!not_yet || std::chrono::steady_clock::now() >= deadline) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (err)
            throw std::runtime_error("end offsets of " + name + "[" + std::to_string(p) +
                                     "]: " + rd_kafka_err2str(err));
        ends.push_back(high);
    }
    return ends;
}

std::vector<int64_t> KafkaAdmin::committed_offsets(const std::string &group,
                                                   const std::string &topic, int timeout_ms) {
    const int n = partition_count(topic, timeout_ms);
    if (n < 0) throw std::runtime_error("committed offsets: unknown topic " + topic);
    // An OffsetFetch through a consumer handle of that group; the handle never
    // subscribes, so it does not join the group or disturb its members.
    rd_kafka_t *consumer = detail::make_handle(
        RD_KAFKA_CONSUMER,
        detail::make_conf(bootstrap_, {{"group.id", group}, {"enable.auto.commit", "false"}},
                          extra_));
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(n);
    for (int p = 0; p < n; ++p) rd_kafka_topic_partition_list_add(parts, topic.c_str(), p);
    const rd_kafka_resp_err_t err = rd_kafka_committed(consumer, parts, timeout_ms);
    std::vector<int64_t> offsets;
    std::string error;
    if (err) error = rd_kafka_err2str(err);
    for (int i = 0; i < parts->cnt && error.empty(); ++i) {
        if (parts->elems[i].err) error = rd_kafka_err2str(parts->elems[i].err);
        offsets.push_back(parts->elems[i].offset);
    }
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_destroy(consumer);
    if (!error.empty())
        throw std::runtime_error("committed offsets of " + group + " on " + topic + ": " + error);
    return offsets;
}

}  // namespace vsink::test
