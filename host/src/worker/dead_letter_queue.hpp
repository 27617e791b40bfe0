// The dead-letter queue: a Kafka topic that receives every record the sink
// does not apply (undecodable, refused by a rule, rejected by the database, a
// parked row that waited too long), with the original key, value and headers
// and vsink.error.* headers saying why, in the style of Kafka Connect's
// errors.deadletterqueue.context.headers. `sinkhost dlq replay` feeds them
// back once the cause is fixed.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/worker_config.hpp"
#include "persistence/entity_row.hpp"

namespace vsink {

// vsink.error.stage values.
namespace stage {
inline constexpr const char *decode = "decode";
inline constexpr const char *validate = "validate";
inline constexpr const char *database = "database";
inline constexpr const char *parked_expired = "parked-expired";
}  // namespace stage

// The error headers a letter carries, besides the record's own.
namespace error_header {
inline constexpr const char *prefix = "vsink.error.";
inline constexpr const char *stage = "vsink.error.stage";
inline constexpr const char *error_class = "vsink.error.class";
inline constexpr const char *message = "vsink.error.message";
inline constexpr const char *topic = "vsink.error.topic";
inline constexpr const char *partition = "vsink.error.partition";
inline constexpr const char *offset = "vsink.error.offset";
inline constexpr const char *plugin = "vsink.error.plugin";
inline constexpr const char *timestamp = "vsink.error.timestamp";
}  // namespace error_header

struct DeadLetter {
    std::string stage;        // decode | validate | database | parked-expired
    std::string error_class;  // e.g. malformed, channel_refused, ER_DATA_TOO_LONG, parent_missing
    std::string message;      // never personal data
    RecordOrigin origin;      // where it was read, and the record (origin.source)
};

// "topic=T partition=P offset=O stage=S class=C: message", for logs.
std::string describe(const DeadLetter &l);

// The dead-letter queue could not take the letters in time: nothing that
// depends on them may commit.
struct DeadLetterError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Where letters go: a Kafka topic, or a recorder in tests.
class DeadLetterSink {
public:
    virtual ~DeadLetterSink() = default;
    // Returns once every letter is acknowledged; throws DeadLetterError.
    virtual void publish(const std::vector<DeadLetter> &letters) = 0;
    virtual const std::string &topic() const = 0;
};

class DeadLetterQueue final : public DeadLetterSink {
public:
    // `kafka`: the worker's librdkafka settings; only the connection ones
    // (bootstrap, security, TLS, SASL, client id, ...) are used.
    DeadLetterQueue(const DeadLetterConfig &cfg, const std::map<std::string, std::string> &kafka, std::string plugin);
    ~DeadLetterQueue() override;

    // Creates the topic when missing (once), produces every letter with
    // acks=all and idempotence, and waits for all of them to be acknowledged
    // within the configured timeout.
    void publish(const std::vector<DeadLetter> &letters) override;
    const std::string &topic() const override { return cfg_.topic; }

    // The producer settings the worker's `kafka` section yields (for tests).
    static std::map<std::string, std::string> producer_settings(const std::map<std::string, std::string> &kafka,
                                                                const DeadLetterConfig &cfg);

private:
    class Reports;
    void ensure_producer();
    void ensure_topic();

    DeadLetterConfig cfg_;
    std::map<std::string, std::string> kafka_;
    std::string plugin_;
    std::unique_ptr<Reports> reports_;
    std::unique_ptr<RdKafka::Producer> producer_;
    bool topic_checked_ = false;
};

}  // namespace vsink
