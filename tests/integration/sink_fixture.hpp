// One isolated sink for an integration test: its own database, its own topics
// (the project's mapping files with every topic name prefixed), its own
// consumer group, and a real `sinkhost run` child process.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <vsink/test/database.hpp>
#include <vsink/test/kafka_admin.hpp>
#include <vsink/test/process.hpp>
#include <vsink/test/server_env.hpp>
#include <vsink/test/test_consumer.hpp>
#include <vsink/test/test_producer.hpp>

namespace vsink::test {

struct SinkOptions {
    // Options reading just these topology files of mappings/.
    static SinkOptions of(std::vector<std::string> topology_files) {
        SinkOptions o;
        o.topologies = std::move(topology_files);
        return o;
    }

    // Topic mapping files of mappings/ to load besides vibe-tables.yaml.
    std::vector<std::string> topologies = {"orders"};
    int partitions = 1;
    int max_records = 500;
    int max_wait_ms = 100;
    // Settings merged into a mapped topic's entry (YAML map text), e.g.
    // {"ticketland.orders.orders", "channels: [box-office]"}.
    std::map<std::string, std::string> topic_settings;
    // Lines added to the worker section (YAML, indented by two spaces).
    std::string worker_extra;
};

class SinkFixture {
public:
    explicit SinkFixture(SinkOptions opts = {});
    ~SinkFixture();

    // The real topic name of a mapped topic, e.g. topic("ticketland.orders.orders").
    std::string topic(const std::string &mapped) const { return prefix_ + mapped; }
    const std::string &database() const { return db_name_; }
    const std::string &config_path() const { return config_path_; }
    const std::string &group() const { return group_; }

    // Produces a Ticketland record with its three headers; `channel` is the
    // application-id (the sales channel).
    void produce(const std::string &mapped_topic, const std::string &key, const std::string &json,
                 const std::string &channel = "ticketland", const std::string &content_type = "application/json");
    // timestamp_ms 0: now.
    void produce_raw(const std::string &mapped_topic, const std::optional<std::string> &key,
                     const std::optional<std::string> &value, const Headers &headers, int32_t partition = -1,
                     int64_t timestamp_ms = 0);
    void flush();

    // Runs the sink (and run_cli) with another worker config from now on:
    // its text, extra environment variables, and the consumer group it names
    // (wait_caught_up reads that group's stored offsets).
    void use_config(const std::string &yaml, std::vector<std::pair<std::string, std::string>> extra_env,
                    const std::string &group_id);
    // The test's copy of a topology's mapping file (topic names prefixed).
    std::string mapping_file(const std::string &topology) const { return dir_ + "/" + topology + ".yaml"; }

    void start_sink();
    // SIGTERM and wait for a clean exit (fails the test otherwise).
    void stop_sink();
    Process &sink() { return *sink_; }
    // Runs `sinkhost ARGS --config CONFIG` to completion; returns its exit status and output.
    std::pair<ExitStatus, std::string> run_cli(const std::vector<std::string> &args);

    // The dead-letter queue topic of the default config ("<group>.dlq").
    std::string dlq_topic() const { return group_ + ".dlq"; }
    // Reads `n` records of the dead-letter queue from its beginning (fewer
    // if they do not arrive within the deadline: the test checks the size).
    std::vector<ConsumedRecord> dead_letters(size_t n, int deadline_ms = 30000);

    // Waits until `sql` (a COUNT or other scalar) returns `expected`.
    bool wait_scalar(const std::string &sql, const std::string &expected, int deadline_ms = 30000);
    // Waits until the stored offsets reach the end of every topic partition.
    bool wait_caught_up(int deadline_ms = 60000);
    std::vector<Row> rows(const std::string &sql) { return db_->query(sql); }
    std::string scalar(const std::string &sql);
    Database &db() { return *db_; }
    KafkaAdmin &admin() { return *admin_; }
    const ServerEnv &env() const { return env_; }

private:
    SinkOptions opts_;
    ServerEnv env_;
    std::string prefix_;
    std::string db_name_;
    std::string group_;
    std::string dir_;
    std::string config_path_;
    std::vector<std::pair<std::string, std::string>> extra_env_;
    std::vector<std::string> topics_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<KafkaAdmin> admin_;
    std::unique_ptr<TestProducer> producer_;
    std::unique_ptr<Process> sink_;
    int sink_runs_ = 0;
};

// A protobuf message's wire bytes, as a producer would send them.
template <class Msg>
std::string serialized(const Msg &m) {
    std::string out;
    if (!m.SerializeToString(&out)) throw std::runtime_error("cannot serialize a test message");
    return out;
}

// The value of `column` in a row, "NULL" for SQL NULL.
std::string col(const Row &row, const std::string &column);

// How many anomalies of `kind` the sink's last progress line counts on
// `topic` ("tolerated: <topic> <kind>=<n> ...; <topic> ..."), 0 if none.
int tolerated_count(const std::string &log, const std::string &topic, const std::string &kind);

}  // namespace vsink::test
