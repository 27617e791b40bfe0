#include "cli/check_command.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include "config/worker_config.hpp"
#include "log/log.hpp"
#include "mapping/mapping.hpp"
#include "persistence/database.hpp"
#include "persistence/schema_migrator.hpp"
#include "plugin/plugin_library.hpp"
#include "worker/kafka_watch.hpp"

namespace vsink {

namespace {

class Report {
public:
    void ok(const std::string &s) { std::cout << "ok   " << s << "\n"; }
    void fail(const std::string &s) {
        std::cout << "FAIL " << s << "\n";
        ++fails_;
    }
    void warn(const std::string &s) {
        std::cout << "WARN " << s << "\n";
        ++warns_;
    }
    int finish() const {
        if (fails_)
            std::cout << fails_ << " problem(s), " << warns_ << " warning(s): `sinkhost run` would not work\n";
        else if (warns_)
            std::cout << "all checks passed, " << warns_ << " warning(s)\n";
        else
            std::cout << "all checks passed\n";
        return fails_ ? 1 : 0;
    }

private:
    int fails_ = 0, warns_ = 0;
};

// The database's refusal, in the operator's words: which of reach, login,
// TLS or the database itself failed.
std::string connect_problem(const sql::SQLException &e, const DatabaseConfig &cfg) {
    const std::string where = "database " + cfg.host + ":" + std::to_string(cfg.port) + "/" + cfg.name;
    const int code = e.getErrorCode();
    const std::string what = e.what();
    const bool tls = code == 2026 || what.find("SSL") != std::string::npos || what.find("TLS") != std::string::npos ||
                     what.find("certificate") != std::string::npos;
    if (tls) return describe_connect_failure(e, cfg);  // "database …: TLS handshake failed: …"
    switch (code) {
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
    case 1251:  // ER_NOT_SUPPORTED_AUTH_MODE
    case 1130:  // ER_HOST_NOT_PRIVILEGED
    case 1129:  // ER_HOST_IS_BLOCKED
        return where + ": login refused for user '" + cfg.user + "' (the password, the user or its host): " +
               describe(e);
    case 1044:  // ER_DBACCESS_DENIED_ERROR
        return where + ": login accepted but user '" + cfg.user + "' has no access to database " + cfg.name + ": " +
               describe(e);
    case 1049:  // ER_BAD_DB_ERROR
        return where + ": the server has no database " + cfg.name + " (create it, then `sinkhost schema --apply`)";
    case 2002:  // CR_CONNECTION_ERROR (socket)
    case 2003:  // CR_CONN_HOST_ERROR
    case 2005:  // CR_UNKNOWN_HOST
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
        return where + ": cannot reach " + (cfg.socket.empty() ? cfg.host + ":" + std::to_string(cfg.port) : cfg.socket) +
               " within " + std::to_string(cfg.connect_timeout_ms) + " ms: " + describe(e);
    default: return describe_connect_failure(e, cfg);
    }
}

void check_database(Report &r, const WorkerConfig &cfg, const Mapping *mapping) {
    Database db(cfg.database);
    try {
        db.connect();
    } catch (const sql::SQLException &e) {
        r.fail(connect_problem(e, cfg.database));
        return;
    }
    r.ok("database " + cfg.database.host + ":" + std::to_string(cfg.database.port) + "/" + cfg.database.name +
         " (server " + db.server_version() + ", login " + cfg.database.user + ")");
    if (!mapping) return;
    std::vector<SchemaChange> diff;
    try {
        diff = diff_schema(db, *mapping);
        db.commit();
    } catch (const sql::SQLException &e) {
        r.fail("database: cannot read information_schema: " + describe(e));
        return;
    }
    size_t fails = 0;
    for (const SchemaChange &c : diff) {
        if (c.severity == SchemaChange::Severity::Info) continue;
        const std::string fix = c.safe() ? " (`sinkhost schema --apply` does it: " + one_line(c.sql) + ")"
                                         : " (not done by --apply; by hand after deciding: " + one_line(c.sql) + ")";
        if (c.severity == SchemaChange::Severity::Fail) {
            r.fail("database " + cfg.database.name + ": " + c.what + fix);
            ++fails;
        } else {
            r.warn("database " + cfg.database.name + ": " + c.what + fix);
        }
    }
    if (!fails)
        r.ok("database schema: " + std::to_string(mapping->tables().size()) +
             " mapped table(s) with every column the mapping names, in a compatible type; sink_offsets, sink_parked");
}

std::vector<std::string> subscribed_topics(const WorkerConfig &cfg, const Mapping &m) {
    std::vector<std::string> out;
    for (const auto &t : m.topics())
        if (cfg.topics.empty() || std::find(cfg.topics.begin(), cfg.topics.end(), t.name) != cfg.topics.end())
            out.push_back(t.name);
    return out;
}

// A CreateTopics with validate_only: the cluster says whether this user may
// create the topic, without creating it.
void check_dlq_creatable(Report &r, RdKafka::Producer &p, const WorkerConfig &cfg) {
    const DeadLetterConfig &d = cfg.errors.dead_letter_queue;
    rd_kafka_t *rk = p.c_ptr();
    char errstr[512] = {0};
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(d.topic.c_str(), d.partitions, d.replication_factor, errstr,
                                                    sizeof errstr);
    if (!nt) {
        r.fail("kafka: dead-letter queue topic " + d.topic + ": " + errstr);
        return;
    }
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opts, 5000, errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_validate_only(opts, 1, errstr, sizeof errstr);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 7000);
    std::string problem;
    if (!ev) {
        problem = "no answer from the cluster within 7 s";
    } else if (rd_kafka_event_error(ev)) {
        problem = rd_kafka_event_error_string(ev);
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t **res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        const rd_kafka_resp_err_t e = n ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR_NO_ERROR;
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            problem = std::string(rd_kafka_err2str(e)) +
                      (n && rd_kafka_topic_result_error_string(res[0])
                           ? std::string(": ") + rd_kafka_topic_result_error_string(res[0])
                           : "");
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_NewTopic_destroy(nt);
    if (problem.empty())
        r.ok("kafka: dead-letter queue topic " + d.topic + " absent; the cluster accepts its creation (the worker "
             "creates it with the first letter)");
    else
        r.fail("kafka: dead-letter queue topic " + d.topic + " is absent and cannot be created: " + problem);
}

void check_kafka(Report &r, const WorkerConfig &cfg, const Mapping *mapping) {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    for (const auto &[k, v] : cfg.kafka)
        if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
            r.fail("kafka." + k + ": " + err);
            return;
        }
    // The same watch as `run`: a refused login or TLS check is named as
    // such, not as "unreachable".
    KafkaWatch watch(cfg.kafka);
    if (conf->set("event_cb", static_cast<RdKafka::EventCb *>(&watch), err) != RdKafka::Conf::CONF_OK) {
        r.fail("kafka: " + err);
        return;
    }
    std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
    if (!p) {
        r.fail("kafka: " + err);
        return;
    }
    auto bootstrap = cfg.kafka.find("bootstrap.servers");
    const std::string servers = bootstrap == cfg.kafka.end() ? std::string("(no bootstrap.servers)") : bootstrap->second;
    RdKafka::Metadata *raw = nullptr;
    const RdKafka::ErrorCode rc = p->metadata(true, nullptr, &raw, 5000);
    std::unique_ptr<RdKafka::Metadata> md(raw);
    if (rc != RdKafka::ERR_NO_ERROR) {
        // Serve the error events the watch turns into a reason: a refused
        // login comes as ERR__AUTHENTICATION, a failed TLS check as ERR__SSL,
        // shortly after the broken connection they cause.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        while (watch.access_error().empty() && std::chrono::steady_clock::now() < until) p->poll(100);
        // "kafka: SASL authentication failed at …: the cluster refused user 'U' …" or
        // "kafka: TLS handshake with … failed: …": never said as "unreachable".
        if (!watch.access_error().empty())
            r.fail(watch.access_error());
        else
            r.fail("kafka " + servers + ": no broker reachable within 5 s (" + RdKafka::err2str(rc) + ")");
        return;
    }
    r.ok("kafka " + servers + " (" + std::to_string(md->brokers()->size()) + " broker(s))");
    std::set<std::string> present;
    for (const RdKafka::TopicMetadata *t : *md->topics()) {
        if (t->err() == RdKafka::ERR_NO_ERROR) present.insert(t->topic());
        else if (t->err() == RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED) present.insert(t->topic() + "\n(denied)");
    }
    if (mapping) {
        const auto topics = subscribed_topics(cfg, *mapping);
        size_t missing = 0;
        for (const std::string &t : topics) {
            if (present.count(t)) continue;
            ++missing;
            if (present.count(t + "\n(denied)"))
                r.fail("kafka: topic " + t + ": not authorized (DESCRIBE and READ are needed)");
            else
                r.fail("kafka: topic " + t + " does not exist (mapped in the mappings; the worker would wait for it)");
        }
        if (topics.empty()) r.fail("kafka: no topic to consume (worker.topics and the mappings name none)");
        else if (!missing) r.ok("kafka: the " + std::to_string(topics.size()) + " subscribed topic(s) exist");
    }
    if (present.count(cfg.errors.dead_letter_queue.topic))
        r.ok("kafka: dead-letter queue topic " + cfg.errors.dead_letter_queue.topic + " exists");
    else
        check_dlq_creatable(r, *p, cfg);
}

}  // namespace

int cmd_check(const std::string &config_path) {
    Report r;
    WorkerConfig cfg;
    try {
        cfg = load_worker_config(config_path);
        r.ok("config " + config_path);
    } catch (const std::exception &e) {
        r.fail(std::string("config: ") + e.what());
        return r.finish();
    }
    setup_logging("warn", cfg.log.format);
    std::unique_ptr<Mapping> mapping;
    try {
        mapping = std::make_unique<Mapping>(Mapping::load(cfg.mapping_paths));
        r.ok("mappings: " + std::to_string(mapping->tables().size()) + " table(s), " +
             std::to_string(mapping->topics().size()) + " topic(s)");
    } catch (const std::exception &e) {
        r.fail(std::string("mappings: ") + e.what());
    }
    if (mapping) {
        try {
            auto lib = PluginLibrary::open(cfg.plugin_path);
            PluginInstance p(lib, mapping->topics());
            r.ok("plugin " + lib->name() + " " + lib->version() + " accepts the topics");
        } catch (const std::exception &e) {
            r.fail(std::string("plugin: ") + e.what());
        }
    }
    check_database(r, cfg, mapping.get());
    check_kafka(r, cfg, mapping.get());
    return r.finish();
}

}  // namespace vsink
