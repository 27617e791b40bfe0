// What librdkafka says about the connection to the cluster, turned into what
// an operator at 3 a.m. needs: one clear line per condition.
//
// - Wrong credentials (SASL) or a certificate the CA does not verify (TLS)
//   never heal by retrying: access_error() names the mechanism, the user and
//   the CA file (never a password) and the worker stops with its own exit
//   code (README).
// - No broker reachable: said once, then at most once a minute while it
//   lasts, and once more when a broker answers again; librdkafka retries.
// - librdkafka's own log lines go through the sink's logger (so they are
//   redacted and follow log.format), at a matching level.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace vsink {

class KafkaWatch : public RdKafka::EventCb {
public:
    using Clock = std::chrono::steady_clock;

    // `kafka` is the worker's kafka: section (for the user, mechanism, CA
    // and bootstrap servers quoted in messages).
    explicit KafkaWatch(std::map<std::string, std::string> kafka,
                        std::chrono::seconds unreachable_every = std::chrono::seconds(60),
                        std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

    void event_cb(RdKafka::Event &event) override;
    // What event_cb does with an error event (public for the tests).
    void note_error(RdKafka::ErrorCode code, const std::string &detail);

    // Set once the cluster refused our credentials or our TLS check failed.
    std::string access_error() const;
    // False from the first "no broker reachable" until a broker answers again.
    bool brokers_reachable() const;
    // The worker heard from the cluster (a message, an assignment, metadata).
    void note_alive();
    // Called from the worker's loop: says "no broker can be reached" once it
    // has lasted `grace` without a refused login behind it (librdkafka also
    // reports the broken connection of a refused login as "all brokers
    // down", just before the authentication error).
    void tick();

    // The line for one error event, or empty when it is not about access.
    // Public for the tests.
    std::string describe_access_error(RdKafka::ErrorCode code, const std::string &detail) const;

private:
    void unreachable(const std::string &detail);  // holds mutex_ itself
    void log_line(int severity, const std::string &facility, const std::string &text);

    std::map<std::string, std::string> kafka_;
    std::chrono::seconds unreachable_every_;
    std::chrono::milliseconds grace_;
    mutable std::mutex mutex_;
    std::string access_error_;
    bool reachable_ = true;
    Clock::time_point last_unreachable_log_{};
    uint64_t unreachable_since_log_ = 0;
    // The first "unreachable" not said yet, and its detail.
    std::optional<Clock::time_point> pending_since_;
    std::string pending_detail_;
};

}  // namespace vsink
