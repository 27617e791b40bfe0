#include "worker/kafka_watch.hpp"

#include "log/log.hpp"
#include "log/redact.hpp"

namespace vsink {

namespace {

std::string setting(const std::map<std::string, std::string> &kafka, const std::string &key, const char *fallback) {
    auto it = kafka.find(key);
    return it == kafka.end() || it->second.empty() ? std::string(fallback) : it->second;
}

// "ssl://127.0.0.1:9093/bootstrap: SSL handshake failed: ..." -> "ssl://127.0.0.1:9093/bootstrap"
std::string broker_of(const std::string &detail) {
    const size_t colon_space = detail.find(": ");
    if (colon_space == std::string::npos || colon_space > 200) return {};
    return detail.substr(0, colon_space);
}

}  // namespace

KafkaWatch::KafkaWatch(std::map<std::string, std::string> kafka, std::chrono::seconds unreachable_every,
                       std::chrono::milliseconds grace)
    : kafka_(std::move(kafka)), unreachable_every_(unreachable_every), grace_(grace) {}

std::string KafkaWatch::describe_access_error(RdKafka::ErrorCode code, const std::string &detail) const {
    const std::string broker = broker_of(detail);
    const std::string at = broker.empty() ? setting(kafka_, "bootstrap.servers", "?") : broker;
    if (code == RdKafka::ERR__AUTHENTICATION)
        return "kafka: SASL authentication failed at " + at + ": the cluster refused user '" +
               setting(kafka_, "sasl.username", "") + "' with mechanism " +
               setting(kafka_, "sasl.mechanisms", setting(kafka_, "sasl.mechanism", "GSSAPI").c_str()) +
               " (check kafka.sasl.username and kafka.sasl.password)";
    if (code == RdKafka::ERR__SSL) {
        // librdkafka gives one code for a CA that did not sign the broker's
        // certificate and for a certificate that does not name the host.
        if (detail.find("verify") != std::string::npos || detail.find("certificate") != std::string::npos)
            return "kafka: TLS handshake with " + at + " failed: its certificate could not be verified with " +
                   "kafka.ssl.ca.location=" + setting(kafka_, "ssl.ca.location", "(the system's CAs)") +
                   " (a CA that did not sign it, or a certificate that does not name the host)";
        return "kafka: TLS handshake with " + at + " failed: " + redact(detail);
    }
    return {};
}

void KafkaWatch::event_cb(RdKafka::Event &event) {
    // Runs inside librdkafka's calls: nothing may throw out of here.
    try {
        switch (event.type()) {
        case RdKafka::Event::EVENT_ERROR: note_error(event.err(), event.str()); return;
        case RdKafka::Event::EVENT_LOG: log_line(event.severity(), event.fac(), event.str()); return;
        default: return;
        }
    } catch (...) {
    }
}

void KafkaWatch::note_error(RdKafka::ErrorCode code, const std::string &detail) {
    if (std::string line = describe_access_error(code, detail); !line.empty()) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (access_error_.empty()) access_error_ = line;
        pending_since_.reset();  // it was this, not an unreachable broker
        return;
    }
    if (code == RdKafka::ERR__ALL_BROKERS_DOWN || code == RdKafka::ERR__TRANSPORT || code == RdKafka::ERR__RESOLVE) {
        unreachable(detail);
        return;
    }
    logger()->warn("kafka: {}: {}", RdKafka::err2str(code), detail);
}

void KafkaWatch::unreachable(const std::string &detail) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (reachable_) {
        // Said by tick() once it has lasted the grace period.
        if (!pending_since_) pending_since_ = Clock::now();
        pending_detail_ = detail;
        return;
    }
    ++unreachable_since_log_;
    const auto now = Clock::now();
    if (now - last_unreachable_log_ < unreachable_every_) return;
    logger()->warn("kafka: still no broker of {} reachable after {} more failure(s) ({}); retrying",
                   setting(kafka_, "bootstrap.servers", "?"), unreachable_since_log_, detail);
    last_unreachable_log_ = now;
    unreachable_since_log_ = 0;
}

void KafkaWatch::tick() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pending_since_ || !access_error_.empty() || Clock::now() - *pending_since_ < grace_) return;
    logger()->warn("kafka: no broker of {} can be reached ({}); retrying", setting(kafka_, "bootstrap.servers", "?"),
                   pending_detail_);
    reachable_ = false;
    pending_since_.reset();
    last_unreachable_log_ = Clock::now();
    unreachable_since_log_ = 0;
}

void KafkaWatch::note_alive() {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_since_.reset();
    if (reachable_) return;
    reachable_ = true;
    logger()->info("kafka: brokers of {} reachable again", setting(kafka_, "bootstrap.servers", "?"));
}

std::string KafkaWatch::access_error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return access_error_;
}

bool KafkaWatch::brokers_reachable() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return reachable_;
}

void KafkaWatch::log_line(int severity, const std::string &facility, const std::string &text) {
    // syslog levels. Connection failures come as error events too and are
    // said above in one line: their log twins (FAIL, ERROR) go to debug.
    const bool twin = facility == "FAIL" || facility == "ERROR";
    spdlog::level::level_enum level = spdlog::level::debug;
    if (severity <= 3)
        level = twin ? spdlog::level::debug : spdlog::level::err;
    else if (severity == 4)
        level = twin ? spdlog::level::debug : spdlog::level::warn;
    else if (severity <= 6)
        level = spdlog::level::info;
    logger()->log(level, "librdkafka {}: {}", facility, text);
}

}  // namespace vsink
