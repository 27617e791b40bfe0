#include "worker/dead_letter_queue.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "log/log.hpp"

namespace vsink {

namespace {

bool starts_with(const std::string &s, const char *p) { return s.rfind(p, 0) == 0; }

// librdkafka settings that say how to reach and log in to the cluster; the
// consumer's own (group, fetch, assignment) do not belong to a producer.
bool is_connection_setting(const std::string &k) {
    static const char *const prefixes[] = {"bootstrap.servers", "client.", "security.", "ssl.", "ssl_", "sasl.",
                                           "socket.", "broker.", "reconnect.", "metadata.", "topic.metadata.",
                                           "api.version", "debug", "log_level", "connections.max.idle.ms",
                                           "retry.backoff", "resolve.canonical.bootstrap.servers.only",
                                           "client.dns.lookup", "enable.ssl.certificate.verification",
                                           "enable.sasl.oauthbearer.unsecure.jwt"};
    for (const char *p : prefixes)
        if (starts_with(k, p)) return true;
    return false;
}

std::string now_iso8601() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
    std::string t = format_utc_datetime(ms);  // "YYYY-MM-DD HH:MM:SS.mmm"
    t[10] = 'T';
    return t + "Z";
}

}  // namespace

std::string describe(const DeadLetter &l) {
    return "topic=" + l.origin.topic + " partition=" + std::to_string(l.origin.partition) +
           " offset=" + std::to_string(l.origin.offset) + " stage=" + l.stage + " class=" + l.error_class + ": " +
           l.message;
}

// Counts delivery reports of the letters in flight.
class DeadLetterQueue::Reports : public RdKafka::DeliveryReportCb, public RdKafka::EventCb {
public:
    void dr_cb(RdKafka::Message &m) override {
        if (m.err() == RdKafka::ERR_NO_ERROR) {
            ++delivered;
        } else {
            ++failed;
            if (first_error.empty()) first_error = m.errstr();
        }
    }
    void event_cb(RdKafka::Event &e) override {
        if (e.type() == RdKafka::Event::EVENT_ERROR) {
            if (e.fatal()) fatal = e.str();
            const std::string text = e.str();
            if (text != last_logged) logger()->warn("dead-letter queue producer: {}", text);
            last_logged = text;
        }
    }
    void reset() {
        delivered = 0;
        failed = 0;
        first_error.clear();
    }
    size_t delivered = 0, failed = 0;
    std::string first_error, fatal, last_logged;
};

std::map<std::string, std::string> DeadLetterQueue::producer_settings(const std::map<std::string, std::string> &kafka,
                                                                      const DeadLetterConfig &cfg) {
    std::map<std::string, std::string> out;
    for (const auto &[k, v] : kafka)
        if (is_connection_setting(k)) out[k] = v;
    // Acknowledged by every in-sync replica before the offsets past the
    // record commit; idempotent, so a retry inside librdkafka never doubles.
    out["acks"] = "all";
    out["enable.idempotence"] = "true";
    out["linger.ms"] = "5";
    out["message.timeout.ms"] = std::to_string(cfg.timeout_ms);
    return out;
}

DeadLetterQueue::DeadLetterQueue(const DeadLetterConfig &cfg, const std::map<std::string, std::string> &kafka,
                                 std::string plugin)
    : cfg_(cfg), kafka_(kafka), plugin_(std::move(plugin)), reports_(std::make_unique<Reports>()) {}

DeadLetterQueue::~DeadLetterQueue() {
    if (producer_) producer_->flush(2000);
}

void DeadLetterQueue::ensure_producer() {
    if (producer_) return;
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    for (const auto &[k, v] : producer_settings(kafka_, cfg_))
        if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
            throw DeadLetterError("dead-letter queue: kafka." + k + ": " + err);
    if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb *>(reports_.get()), err) != RdKafka::Conf::CONF_OK ||
        conf->set("event_cb", static_cast<RdKafka::EventCb *>(reports_.get()), err) != RdKafka::Conf::CONF_OK)
        throw DeadLetterError("dead-letter queue: " + err);
    producer_.reset(RdKafka::Producer::create(conf.get(), err));
    if (!producer_) throw DeadLetterError("dead-letter queue: cannot create the producer: " + err);
}

void DeadLetterQueue::ensure_topic() {
    if (topic_checked_) return;
    rd_kafka_t *rk = producer_->c_ptr();
    char errstr[512] = {0};
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(cfg_.topic.c_str(), cfg_.partitions, cfg_.replication_factor, errstr, sizeof errstr);
    if (!nt) throw DeadLetterError("dead-letter queue topic " + cfg_.topic + ": " + errstr);
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    // Half the timeout to create, half to tell "no answer" from "no right
    // to create" (a metadata request) when creating timed out.
    const int half = std::max(500, cfg_.timeout_ms / 2);
    rd_kafka_AdminOptions_set_request_timeout(opts, half, errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_operation_timeout(opts, half, errstr, sizeof errstr);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, half + 2000);
    std::string problem;
    bool created = false, unanswered = !ev;
    if (!ev) {
        problem = "no answer from the cluster";
    } else if (rd_kafka_event_error(ev)) {
        problem = rd_kafka_event_error_string(ev);
        unanswered = rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR__TIMED_OUT ||
                     rd_kafka_event_error(ev) == RD_KAFKA_RESP_ERR__TRANSPORT;
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t **res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        const rd_kafka_resp_err_t e = n ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        unanswered = e == RD_KAFKA_RESP_ERR__TIMED_OUT || e == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT;
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            created = true;
        else if (e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            problem = std::string(rd_kafka_err2str(e)) +
                      (n && rd_kafka_topic_result_error_string(res[0]) ? std::string(": ") + rd_kafka_topic_result_error_string(res[0]) : "");
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_NewTopic_destroy(nt);
    if (!problem.empty()) {
        // No answer is no refusal: if the cluster does not answer a metadata
        // request either, ask again with the next letters.
        if (unanswered) {
            RdKafka::Metadata *md = nullptr;
            const RdKafka::ErrorCode rc = producer_->metadata(true, nullptr, &md, half);
            delete md;
            unanswered = rc != RdKafka::ERR_NO_ERROR;
        }
        if (unanswered)
            throw DeadLetterError("dead-letter queue: cannot reach the cluster to create topic " + cfg_.topic + " (" +
                                  problem + ")");
        // Not allowed to create topics: it may exist (made by an operator);
        // producing will tell.
        logger()->warn("dead-letter queue: cannot create topic {} ({}); producing to it anyway", cfg_.topic, problem);
    } else if (created) {
        logger()->info("dead-letter queue: created topic {}", cfg_.topic);
    }
    topic_checked_ = true;
}

void DeadLetterQueue::publish(const std::vector<DeadLetter> &letters) {
    if (letters.empty()) return;
    ensure_producer();
    if (!reports_->fatal.empty()) throw DeadLetterError("dead-letter queue producer failed: " + reports_->fatal);
    ensure_topic();
    reports_->reset();
    const std::string when = now_iso8601();
    for (const DeadLetter &l : letters) {
        RdKafka::Headers *h = RdKafka::Headers::create();
        const SourceRecord *src = l.origin.source;
        if (src)
            for (const auto &hd : src->headers) {
                const std::string key(hd.key);
                if (starts_with(key, error_header::prefix)) continue;  // a replayed letter's old reasons
                h->add(key, hd.value ? hd.value->data() : nullptr, hd.value ? hd.value->size() : 0);
            }
        h->add(error_header::stage, l.stage);
        h->add(error_header::error_class, l.error_class);
        h->add(error_header::message, l.message);
        h->add(error_header::topic, l.origin.topic);
        h->add(error_header::partition, std::to_string(l.origin.partition));
        h->add(error_header::offset, std::to_string(l.origin.offset));
        h->add(error_header::plugin, plugin_);
        h->add(error_header::timestamp, when);
        const bool has_key = src && src->key;
        const bool has_value = src && src->value;
        RdKafka::ErrorCode rc;
        for (;;) {
            rc = producer_->produce(cfg_.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                    has_value ? const_cast<char *>(src->value->data()) : nullptr,
                                    has_value ? src->value->size() : 0, has_key ? src->key->data() : nullptr,
                                    has_key ? src->key->size() : 0,
                                    src && src->timestamp_ms >= 0 ? src->timestamp_ms : 0, h, nullptr);
            if (rc != RdKafka::ERR__QUEUE_FULL) break;
            producer_->poll(50);
        }
        if (rc != RdKafka::ERR_NO_ERROR) {
            delete h;  // owned by the message only when produce() succeeded
            producer_->purge(RdKafka::Producer::PURGE_QUEUE);
            producer_->flush(1000);
            throw DeadLetterError("dead-letter queue: cannot produce to " + cfg_.topic + ": " + RdKafka::err2str(rc));
        }
    }
    const RdKafka::ErrorCode fl = producer_->flush(cfg_.timeout_ms + 1000);
    if (fl != RdKafka::ERR_NO_ERROR) {
        producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
        producer_->flush(1000);
        throw DeadLetterError("dead-letter queue: " + std::to_string(letters.size()) + " letter(s) to " + cfg_.topic +
                              " not acknowledged in time");
    }
    if (reports_->failed > 0 || reports_->delivered < letters.size())
        throw DeadLetterError("dead-letter queue: " + std::to_string(reports_->failed) + " of " +
                              std::to_string(letters.size()) + " letter(s) to " + cfg_.topic + " failed: " +
                              reports_->first_error);
}

}  // namespace vsink
