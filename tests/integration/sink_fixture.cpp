#include "sink_fixture.hpp"

#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <vsink/test/unique_name.hpp>
#include <vsink/test/wait_until.hpp>

namespace vsink::test {

namespace fs = std::filesystem;

namespace {
std::string required_env(const char *name) {
    const char *v = std::getenv(name);
    if (!v || !*v) throw std::runtime_error(std::string(name) + " is not set: run the tests through scripts/test");
    return v;
}
}  // namespace

std::string col(const Row &row, const std::string &column) {
    auto it = row.find(column);
    if (it == row.end()) throw std::runtime_error("no column " + column + " in the result");
    return it->second ? *it->second : "NULL";
}

int tolerated_count(const std::string &log, const std::string &topic, const std::string &kind) {
    const size_t line = log.rfind("progress: ");
    if (line == std::string::npos) return 0;
    const std::string last = log.substr(line, log.find('\n', line) - line);
    const size_t section = last.find(" tolerated: ");
    if (section == std::string::npos) return 0;
    // Topics are separated by "; ", kinds within a topic by spaces.
    std::string rest = last.substr(section + 12);
    for (size_t start = 0; start <= rest.size();) {
        size_t end = rest.find("; ", start);
        if (end == std::string::npos) end = rest.size();
        const std::string part = rest.substr(start, end - start);
        if (part.compare(0, topic.size() + 1, topic + " ") == 0) {
            const size_t at = part.find(" " + kind + "=");
            return at == std::string::npos ? 0 : std::stoi(part.substr(at + kind.size() + 2));
        }
        start = end + 2;
    }
    return 0;
}

SinkFixture::SinkFixture(SinkOptions opts) : opts_(std::move(opts)), env_(ServerEnv::require()) {
    const std::string id = unique_name("it");
    prefix_ = id + ".";
    db_name_ = "vibe_" + id;
    for (char &ch : db_name_)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    group_ = "vibe-sink-" + id;
    dir_ = (fs::path(env_.scratch_dir()) / id).string();
    fs::create_directories(dir_);

    db_ = std::make_unique<Database>(env_);
    db_->create_database(db_name_);
    db_->use(db_name_);
    admin_ = std::make_unique<KafkaAdmin>(env_.kafka_bootstrap);
    producer_ = std::make_unique<TestProducer>(env_.kafka_bootstrap);

    // The project's mappings, with topic names made unique to this test.
    const std::string src = required_env("VSINK_SOURCE_DIR");
    std::vector<std::string> mapping_files = {src + "/mappings/vibe-tables.yaml"};
    for (const auto &topo : opts_.topologies) {
        YAML::Node doc = YAML::LoadFile(src + "/mappings/" + topo + ".yaml");
        YAML::Node renamed;
        for (auto it = doc["topics"].begin(); it != doc["topics"].end(); ++it) {
            const std::string mapped = it->first.as<std::string>();
            const std::string t = prefix_ + mapped;
            YAML::Node entry = it->second;
            if (auto extra = opts_.topic_settings.find(mapped); extra != opts_.topic_settings.end())
                for (const auto &kv : YAML::Load(extra->second)) entry[kv.first.as<std::string>()] = kv.second;
            renamed["topics"][t] = entry;
            topics_.push_back(t);
        }
        const std::string path = dir_ + "/" + topo + ".yaml";
        std::ofstream(path) << renamed;
        mapping_files.push_back(path);
    }
    for (const auto &t : topics_) admin_->create_topic(t, opts_.partitions);

    config_path_ = dir_ + "/worker.yaml";
    std::ofstream cfg(config_path_);
    cfg << "worker:\n  group_id: " << group_ << "\n  plugin: " << required_env("VSINK_PLUGIN") << "\n  mappings:\n";
    for (const auto &m : mapping_files) cfg << "    - " << m << "\n";
    cfg << "  batch: {max_records: " << opts_.max_records << ", max_wait_ms: " << opts_.max_wait_ms << "}\n"
        << "  retry: {initial_backoff_ms: 100, max_backoff_ms: 2000}\n" << opts_.worker_extra
        << "database:\n  url: mysql://" << env_.db_host << ":" << env_.db_port << "/" << db_name_ << "\n"
        << "  user: " << env_.db_user << "\n  password: ${env:VSINK_DB_PASSWORD}\n"
        << "kafka:\n  bootstrap.servers: " << env_.kafka_bootstrap << "\n  session.timeout.ms: 6000\n"
        << "  heartbeat.interval.ms: 500\n"
        << "log: {level: info}\n";
    cfg.close();

    auto [st, out] = run_cli({"schema", "--apply"});
    if (!st.success()) throw std::runtime_error("sinkhost schema --apply failed: " + st.describe() + "\n" + out);
}

SinkFixture::~SinkFixture() {
    if (sink_ && sink_->alive()) {
        sink_->kill(SIGKILL);
        sink_->wait(10000);
    }
    try {
        admin_->delete_topic(dlq_topic(), 10000);  // when the sink made one
    } catch (...) {
    }
    try {
        for (const auto &t : topics_) admin_->delete_topic(t, 10000);
        db_->drop_database(db_name_);
    } catch (...) {
    }
}

void SinkFixture::produce(const std::string &mapped_topic, const std::string &key, const std::string &json,
                          const std::string &channel, const std::string &content_type) {
    produce_raw(mapped_topic, key, json,
                {{"content-type", content_type}, {"schema-version", "1.0"}, {"application-id", channel}});
}

void SinkFixture::produce_raw(const std::string &mapped_topic, const std::optional<std::string> &key,
                              const std::optional<std::string> &value, const Headers &headers, int32_t partition,
                              int64_t timestamp_ms) {
    producer_->produce(topic(mapped_topic), partition, key, value, headers, timestamp_ms);
}

void SinkFixture::flush() { producer_->flush(30000); }

std::vector<ConsumedRecord> SinkFixture::dead_letters(size_t n, int deadline_ms) {
    TestConsumer c(env_.kafka_bootstrap);
    c.assign(dlq_topic(), deadline_ms);
    return c.read(n, deadline_ms);
}

void SinkFixture::use_config(const std::string &yaml, std::vector<std::pair<std::string, std::string>> extra_env,
                             const std::string &group_id) {
    config_path_ = dir_ + "/worker-" + unique_name("custom") + ".yaml";
    std::ofstream(config_path_) << yaml;
    extra_env_ = std::move(extra_env);
    group_ = group_id;
}

void SinkFixture::start_sink() {
    ++sink_runs_;
    auto env = env_.as_env();
    env.insert(env.end(), extra_env_.begin(), extra_env_.end());
    sink_ = std::make_unique<Process>(
        std::vector<std::string>{required_env("VSINK_SINKHOST"), "run", "--config", config_path_}, env,
        dir_ + "/sinkhost-" + std::to_string(sink_runs_) + ".log");
}

void SinkFixture::stop_sink() {
    REQUIRE(sink_);
    sink_->kill(SIGTERM);
    auto st = sink_->wait(30000);
    INFO(sink_->log());
    REQUIRE(st);
    REQUIRE(st->success());
}

std::pair<ExitStatus, std::string> SinkFixture::run_cli(const std::vector<std::string> &args) {
    std::vector<std::string> argv{required_env("VSINK_SINKHOST")};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--config");
    argv.push_back(config_path_);
    auto env = env_.as_env();
    env.insert(env.end(), extra_env_.begin(), extra_env_.end());
    Process p(argv, env, dir_ + "/cli-" + unique_name("run") + ".log");
    auto st = p.wait(60000);
    if (!st) throw std::runtime_error("sinkhost " + args[0] + " did not finish within 60 s");
    return {*st, p.log()};
}

std::string SinkFixture::scalar(const std::string &sql) {
    const auto rows = db_->query(sql);
    if (rows.empty() || rows[0].empty()) return "NO ROW";
    const auto &v = rows[0].begin()->second;
    return v ? *v : "NULL";
}

bool SinkFixture::wait_scalar(const std::string &sql, const std::string &expected, int deadline_ms) {
    std::string last;
    const bool ok = wait_until(deadline_ms, [&] {
        last = scalar(sql);
        return last == expected;
    });
    if (!ok) UNSCOPED_INFO("`" << sql << "` gave " << last << ", expected " << expected << "\nsinkhost log:\n"
                               << (sink_ ? sink_->log() : std::string("(not started)")));
    return ok;
}

bool SinkFixture::wait_caught_up(int deadline_ms) {
    std::string what;
    const bool ok = wait_until(deadline_ms, [&] {
        for (const auto &t : topics_) {
            const auto ends = admin_->end_offsets(t);
            for (size_t p = 0; p < ends.size(); ++p) {
                if (ends[p] == 0) continue;
                const std::string got = scalar("SELECT next_offset FROM sink_offsets WHERE group_id = " +
                                               Database::quote(group_) + " AND topic = " + Database::quote(t) +
                                               " AND kafka_partition = " + std::to_string(p));
                if (got != std::to_string(ends[p])) {
                    what = t + "[" + std::to_string(p) + "] stored " + got + ", end " + std::to_string(ends[p]);
                    return false;
                }
            }
        }
        return true;
    });
    if (!ok) UNSCOPED_INFO("not caught up: " << what << "\nsinkhost log:\n" << (sink_ ? sink_->log() : std::string()));
    return ok;
}

}  // namespace vsink::test
