#include "config/worker_config.hpp"

#include "config/yaml_doc.hpp"
#include "log/redact.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <filesystem>
#include <fstream>
#include <memory>

namespace vsink {

namespace fs = std::filesystem;

bool WorkerConfig::is_secret_kafka_key(const std::string &key) {
    return key.find("password") != std::string::npos || key.find("secret") != std::string::npos ||
           key.find("key.pem") != std::string::npos || key == "ssl.key.location";
}

namespace {

std::string resolve_path(const std::string &base_dir, const std::string &p) {
    if (p.empty() || fs::path(p).is_absolute()) return p;
    return (fs::path(base_dir) / p).lexically_normal().string();
}

// mysql://host:port/database or tcp://host:port/database
void parse_db_url(const YamlDoc &doc, const YAML::Node &n, DatabaseConfig &db) {
    const std::string url = n.as<std::string>();
    const size_t scheme = url.find("://");
    if (scheme == std::string::npos) doc.fail(n, "database.url must look like mysql://HOST:PORT/DATABASE");
    const std::string s = url.substr(0, scheme);
    if (s != "mysql" && s != "tcp" && s != "mariadb")
        doc.fail(n, "database.url: unsupported scheme '" + s + "' (use mysql://)");
    std::string rest = url.substr(scheme + 3);
    if (rest.substr(0, rest.find('/')).find('@') != std::string::npos)
        doc.fail(n, "database.url must not hold credentials (" + redact_url(url) +
                        "): set database.user and database.password");
    const size_t slash = rest.find('/');
    std::string hostport = rest.substr(0, slash);
    if (slash != std::string::npos) db.name = rest.substr(slash + 1);
    const size_t colon = hostport.rfind(':');
    if (colon != std::string::npos) {
        try {
            db.port = std::stoi(hostport.substr(colon + 1));
        } catch (const std::exception &) {
            doc.fail(n, "database.url: bad port");
        }
        hostport = hostport.substr(0, colon);
    }
    if (hostport.empty()) doc.fail(n, "database.url: missing host");
    db.host = hostport;
}

// database.tls: {ca, cert, key, verify}; files are checked now, so a typo
// is reported with its line rather than as a failed handshake later.
void parse_db_tls(const YamlDoc &doc, const YAML::Node &t, const std::string &base, DatabaseTls &tls) {
    doc.require_map(t, "database.tls");
    doc.check_keys(t, {"ca", "cert", "key", "verify"}, "database.tls");
    tls.enabled = true;
    auto file = [&](const char *key) {
        const YAML::Node n = t[key];
        if (!n.IsDefined()) return std::string();
        const std::string path = resolve_path(base, doc.get_string(t, key, "database.tls"));
        if (!std::ifstream(path)) doc.fail(n, std::string("database.tls.") + key + ": cannot read " + path);
        return path;
    };
    tls.ca = file("ca");
    tls.cert = file("cert");
    tls.key = file("key");
    if (const YAML::Node v = t["verify"]; v.IsDefined()) {
        if (!v.IsScalar() || (v.Scalar() != "true" && v.Scalar() != "false"))
            doc.fail(v, "database.tls.verify must be true or false");
        tls.verify = v.Scalar() == "true";
    }
    if (tls.verify && tls.ca.empty())
        doc.fail(t, "database.tls: 'ca' (the CA that signed the server's certificate) is required unless verify: false");
    if (tls.cert.empty() != tls.key.empty())
        doc.fail(t, "database.tls: a client certificate needs both 'cert' and 'key'");
}

}  // namespace

WorkerConfig load_worker_config(const std::string &path) try {
    YamlDoc doc = YamlDoc::load_file(path);
    doc.expand_references();  // ${env:...} and ${file:...} in every scalar, numbers included
    const YAML::Node &root = doc.root();
    doc.check_keys(root, {"worker", "database", "kafka", "log"}, "the worker config");

    WorkerConfig c;
    c.path = path;
    const std::string base = fs::absolute(path).parent_path().string();

    const YAML::Node w = root["worker"];
    if (!w.IsDefined()) doc.fail(root, "missing section 'worker'");
    doc.check_keys(w, {"group_id", "plugin", "mappings", "topics", "batch", "retry", "errors", "parking", "pacing", "http"},
                   "worker");
    c.group_id = doc.get_string(w, "group_id", "worker");
    c.plugin_path = resolve_path(base, doc.get_string(w, "plugin", "worker"));
    const YAML::Node maps = w["mappings"];
    if (!maps.IsDefined() || !maps.IsSequence() || maps.size() == 0)
        doc.fail(w, "worker.mappings must be a non-empty list of mapping files");
    for (const auto &m : maps) c.mapping_paths.push_back(resolve_path(base, m.as<std::string>()));
    if (w["topics"].IsDefined()) {
        if (!w["topics"].IsSequence()) doc.fail(w["topics"], "worker.topics must be a list");
        for (const auto &t : w["topics"]) c.topics.push_back(t.as<std::string>());
    }
    if (const YAML::Node b = w["batch"]; b.IsDefined()) {
        doc.check_keys(b, {"max_records", "max_wait_ms", "min_interval_ms"}, "worker.batch");
        c.batch.max_records = static_cast<int>(doc.get_int_or(b, "max_records", c.batch.max_records, 1, 100000));
        c.batch.max_wait_ms = static_cast<int>(doc.get_int_or(b, "max_wait_ms", c.batch.max_wait_ms, 1, 600000));
        c.batch.min_interval_ms =
            static_cast<int>(doc.get_int_or(b, "min_interval_ms", c.batch.min_interval_ms, 0, 600000));
    }
    if (const YAML::Node r = w["retry"]; r.IsDefined()) {
        doc.check_keys(r, {"initial_backoff_ms", "max_backoff_ms"}, "worker.retry");
        c.retry.initial_backoff_ms =
            static_cast<int>(doc.get_int_or(r, "initial_backoff_ms", c.retry.initial_backoff_ms, 1, 600000));
        c.retry.max_backoff_ms = static_cast<int>(doc.get_int_or(r, "max_backoff_ms", c.retry.max_backoff_ms, 1, 3600000));
    }

    c.errors.dead_letter_queue.topic = c.group_id + ".dlq";
    if (const YAML::Node e = w["errors"]; e.IsDefined()) {
        doc.require_map(e, "worker.errors");
        doc.check_keys(e, {"tolerance", "dead_letter_queue"}, "worker.errors");
        const std::string tol = doc.get_string_or(e, "tolerance", "all");
        if (tol != "all" && tol != "none") doc.fail(e["tolerance"], "worker.errors.tolerance must be all or none");
        c.errors.tolerate_all = tol == "all";
        if (const YAML::Node q = e["dead_letter_queue"]; q.IsDefined()) {
            doc.require_map(q, "worker.errors.dead_letter_queue");
            doc.check_keys(q, {"topic", "partitions", "replication_factor", "timeout_ms"}, "worker.errors.dead_letter_queue");
            DeadLetterConfig &d = c.errors.dead_letter_queue;
            d.topic = doc.get_string_or(q, "topic", d.topic);
            if (d.topic.empty() || d.topic.size() > 249 ||
                d.topic.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                    std::string::npos)
                doc.fail(q["topic"], "worker.errors.dead_letter_queue.topic: not a valid Kafka topic name");
            d.partitions = static_cast<int>(doc.get_int_or(q, "partitions", d.partitions, -1, 10000));
            d.replication_factor =
                static_cast<int>(doc.get_int_or(q, "replication_factor", d.replication_factor, -1, 100));
            d.timeout_ms = static_cast<int>(doc.get_int_or(q, "timeout_ms", d.timeout_ms, 1000, 600000));
        }
    }
    if (const YAML::Node pc = w["pacing"]; pc.IsDefined()) {
        doc.require_map(pc, "worker.pacing");
        doc.check_keys(pc, {"max_lead_ms"}, "worker.pacing");
        c.pacing.max_lead_ms = static_cast<int>(doc.get_int_or(pc, "max_lead_ms", c.pacing.max_lead_ms, 0, 86400000));
    }
    if (const YAML::Node pk = w["parking"]; pk.IsDefined()) {
        doc.require_map(pk, "worker.parking");
        doc.check_keys(pk, {"max_age_s"}, "worker.parking");
        c.parking.max_age_s = doc.get_int_or(pk, "max_age_s", c.parking.max_age_s, 1, 10LL * 365 * 24 * 3600);
    }

    if (const YAML::Node h = w["http"]; h.IsDefined()) {
        doc.require_map(h, "worker.http");
        doc.check_keys(h, {"listen", "port"}, "worker.http");
        c.http.listen = doc.get_string_or(h, "listen", c.http.listen);
        if (c.http.listen.empty()) doc.fail(h["listen"], "worker.http.listen must be an address, e.g. 127.0.0.1");
        if (const YAML::Node p = h["port"]; p.IsDefined() && p.IsScalar() && p.Scalar() == "auto")
            c.http.port = HttpConfig::kAnyPort;
        else
            c.http.port = static_cast<int>(doc.get_int_or(h, "port", c.http.port, 0, 65535));
    }

    const YAML::Node d = root["database"];
    if (!d.IsDefined()) doc.fail(root, "missing section 'database'");
    doc.check_keys(d, {"url", "socket", "user", "password", "connect_timeout_ms", "read_timeout_ms", "write_timeout_ms",
                       "tls"},
                   "database");
    if (!d["url"].IsDefined()) doc.fail(d, "database: missing required key 'url' (mysql://HOST:PORT/DATABASE)");
    parse_db_url(doc, d["url"], c.database);
    if (c.database.name.empty()) doc.fail(d["url"], "database.url must name the database: mysql://HOST:PORT/DATABASE");
    c.database.socket = doc.get_string_or(d, "socket", "");
    c.database.user = doc.get_string(d, "user", "database");
    c.database.password = doc.get_string_or(d, "password", "");
    c.database.connect_timeout_ms = static_cast<int>(doc.get_int_or(d, "connect_timeout_ms", 5000, 100, 600000));
    c.database.read_timeout_ms = static_cast<int>(doc.get_int_or(d, "read_timeout_ms", 30000, 100, 3600000));
    c.database.write_timeout_ms = static_cast<int>(doc.get_int_or(d, "write_timeout_ms", 30000, 100, 3600000));
    add_secret(c.database.password);  // redacted from every log line and message from now on
    if (const YAML::Node t = d["tls"]; t.IsDefined()) parse_db_tls(doc, t, base, c.database.tls);

    const YAML::Node k = root["kafka"];
    if (!k.IsDefined()) doc.fail(root, "missing section 'kafka' (librdkafka settings, e.g. bootstrap.servers)");
    doc.require_map(k, "kafka");
    const std::unique_ptr<RdKafka::Conf> probe(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    for (auto it = k.begin(); it != k.end(); ++it) {
        const std::string key = it->first.as<std::string>();
        if (!it->second.IsScalar()) doc.fail(it->second, "kafka." + key + " must be a scalar");
        if (key == "group.id" || key == "enable.auto.commit" || key == "enable.auto.offset.store")
            doc.fail(it->first, "kafka." + key + " is managed by the worker (use worker.group_id)");
        // The worker's rebalance handling is eager (assign/unassign of the
        // whole set); an incremental protocol would pass here and then read
        // nothing (C5, issue 8): refuse it with its line.
        const std::string value = it->second.IsScalar() ? it->second.Scalar() : "";
        if ((key == "partition.assignment.strategy" && value.find("cooperative") != std::string::npos) ||
            (key == "group.protocol" && value != "classic"))
            doc.fail(it->second, "kafka." + key + ": " + value +
                                     " (incremental rebalancing) is not supported; use range or roundrobin "
                                     "with the classic group protocol");
        c.kafka[key] = it->second.as<std::string>();
        const bool secret = WorkerConfig::is_secret_kafka_key(key);
        if (secret) add_secret(c.kafka[key]);
        // librdkafka judges the name and the value now, so that a misspelt
        // key is reported with its line, not when the consumer is created.
        std::string err;
        if (probe->set(key, c.kafka[key], err) != RdKafka::Conf::CONF_OK)
            doc.fail(it->first, "kafka." + key + ": " +
                                    (secret ? std::string("librdkafka refuses the value (not shown: a secret)") : err));
    }
    if (!c.kafka.count("bootstrap.servers")) doc.fail(k, "kafka: missing bootstrap.servers");

    if (const YAML::Node l = root["log"]; l.IsDefined()) {
        doc.check_keys(l, {"level", "format"}, "log");
        c.log.level = doc.get_string_or(l, "level", c.log.level);
        c.log.format = doc.get_string_or(l, "format", c.log.format);
        const auto &lv = c.log.level;
        if (lv != "trace" && lv != "debug" && lv != "info" && lv != "warn" && lv != "error")
            doc.fail(l["level"], "log.level must be one of trace, debug, info, warn, error");
        if (c.log.format != "text" && c.log.format != "json") doc.fail(l["format"], "log.format must be text or json");
    }
    return c;
} catch (const YAML::Exception &e) {
    // A value of the wrong shape (a map where a name was due, ...): yaml-cpp
    // knows where it was; say it as every other config error does.
    throw ConfigError(path + (e.mark.is_null() ? std::string() : ":" + std::to_string(e.mark.line + 1)) + ": " +
                      (e.msg.empty() ? std::string("unexpected value") : e.msg));
}

}  // namespace vsink
