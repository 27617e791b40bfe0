#include "cli/offsets_command.hpp"

#include <CLI/CLI.hpp>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "config/worker_config.hpp"
#include "config/yaml_doc.hpp"
#include "log/log.hpp"
#include "mapping/mapping.hpp"
#include "persistence/database.hpp"
#include "persistence/offset_store.hpp"

namespace vsink {

namespace {

constexpr int kTimeoutMs = 10000;

// A refusal: nothing was written; exit 1.
struct Refused : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct KafkaFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One librdkafka handle (a producer: it joins no group) for metadata,
// watermarks, timestamps and the admin API.
class Cluster {
public:
    explicit Cluster(const WorkerConfig &cfg) {
        char err[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        for (const auto &[k, v] : cfg.kafka) {
            // Consumer-only settings mean nothing here; the rest as `run` has them.
            if (k == "auto.offset.reset" || k == "group.instance.id" || k == "session.timeout.ms" ||
                k == "partition.assignment.strategy" || k == "queued.max.messages.kbytes" ||
                k == "max.poll.interval.ms" || k == "fetch.min.bytes" || k == "fetch.wait.max.ms" ||
                k == "group.protocol" || k == "heartbeat.interval.ms" || k == "isolation.level")
                continue;
            if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
                rd_kafka_conf_destroy(conf);
                throw ConfigError(cfg.path + ": kafka." + k + ": " + err);
            }
        }
        rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);  // the command says what failed itself
        rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
        if (!rk_) {
            rd_kafka_conf_destroy(conf);
            throw KafkaFailure(std::string("kafka: ") + err);
        }
        q_ = rd_kafka_queue_new(rk_);
    }
    ~Cluster() {
        rd_kafka_queue_destroy(q_);
        rd_kafka_destroy(rk_);
    }
    Cluster(const Cluster &) = delete;
    Cluster &operator=(const Cluster &) = delete;

    // Partition count of each topic in the cluster.
    std::map<std::string, int> topics() {
        const rd_kafka_metadata_t *md = nullptr;
        const rd_kafka_resp_err_t e = rd_kafka_metadata(rk_, 1, nullptr, &md, kTimeoutMs);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
            throw KafkaFailure("kafka: cannot read the cluster's topics: " + std::string(rd_kafka_err2str(e)));
        std::map<std::string, int> out;
        for (int i = 0; i < md->topic_cnt; ++i)
            if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) out[md->topics[i].topic] = md->topics[i].partition_cnt;
        rd_kafka_metadata_destroy(md);
        return out;
    }

    std::pair<int64_t, int64_t> watermarks(const TopicPartition &tp) {
        int64_t lo = 0, hi = 0;
        const rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(rk_, tp.first.c_str(), tp.second, &lo, &hi, kTimeoutMs);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
            throw KafkaFailure("kafka: cannot read the offsets of " + tp.first + "[" + std::to_string(tp.second) +
                               "]: " + rd_kafka_err2str(e));
        return {lo, hi};
    }

    // The first offset whose timestamp is at or after `ms`; the end offset when none is.
    int64_t offset_for_time(const TopicPartition &tp, int64_t ms, int64_t end) {
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(l, tp.first.c_str(), tp.second)->offset = ms;
        const rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk_, l, kTimeoutMs);
        int64_t off = l->elems[0].offset;
        const rd_kafka_resp_err_t pe = l->elems[0].err;
        rd_kafka_topic_partition_list_destroy(l);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR || pe != RD_KAFKA_RESP_ERR_NO_ERROR)
            throw KafkaFailure("kafka: cannot look up offsets by time in " + tp.first + ": " +
                               rd_kafka_err2str(e != RD_KAFKA_RESP_ERR_NO_ERROR ? e : pe));
        return off < 0 ? end : off;
    }

    struct GroupState {
        std::string state;  // Stable, Empty, Dead, PreparingRebalance, ...
        std::vector<std::string> members;  // client.id@host
    };

    // The group coordinator's view: who is in the group now.
    GroupState describe_group(const std::string &group) {
        const char *groups[] = {group.c_str()};
        rd_kafka_AdminOptions_t *o = options(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
        rd_kafka_DescribeConsumerGroups(rk_, groups, 1, o, q_);
        rd_kafka_AdminOptions_destroy(o);
        rd_kafka_event_t *ev = wait_for(RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT, "describe the consumer group");
        GroupState out;
        size_t n = 0;
        const rd_kafka_ConsumerGroupDescription_t **gs =
            rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
        std::string failure;
        if (n != 1) failure = "no answer for the group";
        else if (const rd_kafka_error_t *ge = rd_kafka_ConsumerGroupDescription_error(gs[0]); ge) {
            if (rd_kafka_error_code(ge) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) out.state = "Dead";
            else failure = rd_kafka_error_string(ge);
        } else {
            out.state = rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(gs[0]));
            for (size_t i = 0; i < rd_kafka_ConsumerGroupDescription_member_count(gs[0]); ++i) {
                const rd_kafka_MemberDescription_t *m = rd_kafka_ConsumerGroupDescription_member(gs[0], i);
                out.members.push_back(std::string(rd_kafka_MemberDescription_client_id(m)) + "@" +
                                      rd_kafka_MemberDescription_host(m));
            }
        }
        rd_kafka_event_destroy(ev);
        if (!failure.empty()) throw KafkaFailure("kafka: cannot describe consumer group " + group + ": " + failure);
        return out;
    }

    // The group's committed Kafka offsets of these partitions (absent: none).
    std::map<TopicPartition, int64_t> committed(const std::string &group, const std::vector<TopicPartition> &tps) {
        std::map<TopicPartition, int64_t> out;
        if (tps.empty()) return out;
        rd_kafka_topic_partition_list_t *l = list(tps, {});
        rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), l);
        rd_kafka_topic_partition_list_destroy(l);
        rd_kafka_AdminOptions_t *o = options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
        rd_kafka_ListConsumerGroupOffsets(rk_, &req, 1, o, q_);
        rd_kafka_AdminOptions_destroy(o);
        rd_kafka_ListConsumerGroupOffsets_destroy(req);
        rd_kafka_event_t *ev = wait_for(RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, "read the group's offsets");
        size_t n = 0;
        const rd_kafka_group_result_t **gs =
            rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
        if (n == 1 && !rd_kafka_group_result_error(gs[0])) {
            const rd_kafka_topic_partition_list_t *p = rd_kafka_group_result_partitions(gs[0]);
            for (int i = 0; p && i < p->cnt; ++i)
                if (p->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR && p->elems[i].offset >= 0)
                    out[{p->elems[i].topic, p->elems[i].partition}] = p->elems[i].offset;
        }
        rd_kafka_event_destroy(ev);
        return out;
    }

    // Sets the group's Kafka offsets (the group must be empty).
    void alter(const std::string &group, const std::map<TopicPartition, int64_t> &offsets) {
        std::vector<TopicPartition> tps;
        for (const auto &[tp, off] : offsets) tps.push_back(tp);
        rd_kafka_topic_partition_list_t *l = list(tps, offsets);
        rd_kafka_AlterConsumerGroupOffsets_t *req = rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), l);
        rd_kafka_topic_partition_list_destroy(l);
        rd_kafka_AdminOptions_t *o = options(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
        rd_kafka_AlterConsumerGroupOffsets(rk_, &req, 1, o, q_);
        rd_kafka_AdminOptions_destroy(o);
        rd_kafka_AlterConsumerGroupOffsets_destroy(req);
        rd_kafka_event_t *ev = wait_for(RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT, "set the group's offsets");
        size_t n = 0;
        const rd_kafka_group_result_t **gs =
            rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n);
        std::string failure;
        if (n != 1) failure = "no answer for the group";
        else if (const rd_kafka_error_t *ge = rd_kafka_group_result_error(gs[0]); ge)
            failure = rd_kafka_error_string(ge);
        else if (const rd_kafka_topic_partition_list_t *p = rd_kafka_group_result_partitions(gs[0]); p)
            for (int i = 0; i < p->cnt && failure.empty(); ++i)
                if (p->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
                    failure = std::string(p->elems[i].topic) + "[" + std::to_string(p->elems[i].partition) +
                              "]: " + rd_kafka_err2str(p->elems[i].err);
        rd_kafka_event_destroy(ev);
        if (!failure.empty()) throw KafkaFailure("kafka: cannot set the offsets of group " + group + ": " + failure);
    }

private:
    rd_kafka_t *rk_ = nullptr;
    rd_kafka_queue_t *q_ = nullptr;

    rd_kafka_AdminOptions_t *options(rd_kafka_admin_op_t op) {
        char err[256];
        rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk_, op);
        rd_kafka_AdminOptions_set_request_timeout(o, kTimeoutMs, err, sizeof err);
        return o;
    }
    static rd_kafka_topic_partition_list_t *list(const std::vector<TopicPartition> &tps,
                                                 const std::map<TopicPartition, int64_t> &offsets) {
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(static_cast<int>(tps.size()));
        for (const auto &tp : tps) {
            auto *e = rd_kafka_topic_partition_list_add(l, tp.first.c_str(), tp.second);
            if (auto it = offsets.find(tp); it != offsets.end()) e->offset = it->second;
        }
        return l;
    }
    rd_kafka_event_t *wait_for(rd_kafka_event_type_t type, const char *what) {
        rd_kafka_event_t *ev = rd_kafka_queue_poll(q_, kTimeoutMs + 5000);
        if (!ev) throw KafkaFailure(std::string("kafka: cannot ") + what + ": no answer within " +
                                    std::to_string((kTimeoutMs + 5000) / 1000) + " s");
        if (rd_kafka_event_type(ev) != type || rd_kafka_event_error(ev)) {
            const std::string e = rd_kafka_event_error(ev) ? rd_kafka_event_error_string(ev) : "unexpected answer";
            rd_kafka_event_destroy(ev);
            throw KafkaFailure(std::string("kafka: cannot ") + what + ": " + e);
        }
        return ev;
    }
};

// The topics the worker subscribes to (worker.topics, else every mapped one).
std::vector<std::string> subscribed_topics(const WorkerConfig &cfg, const Mapping &mapping) {
    std::vector<std::string> out;
    for (const auto &t : mapping.topics())
        if (cfg.topics.empty() || std::find(cfg.topics.begin(), cfg.topics.end(), t.name) != cfg.topics.end())
            out.push_back(t.name);
    std::sort(out.begin(), out.end());
    return out;
}

// "2026-11-28T21:00:00Z", "...T21:00:00.250+01:00", "2026-11-28 21:00:00" (UTC).
std::optional<int64_t> parse_iso8601_ms(const std::string &s) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6)
        return std::nullopt;
    size_t i = static_cast<size_t>(used);
    int64_t ms = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        int digits = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
            if (digits < 3) ms = ms * 10 + (s[i] - '0');
            ++digits;
            ++i;
        }
        if (digits == 0) return std::nullopt;
        for (; digits < 3; ++digits) ms *= 10;
    }
    int64_t offset_s = 0;
    if (i < s.size()) {
        if (s[i] == 'Z' && i + 1 == s.size()) {
        } else if ((s[i] == '+' || s[i] == '-') && s.size() - i == 6 && s[i + 3] == ':') {
            int oh = 0, om = 0;
            if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
            offset_s = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
        } else {
            return std::nullopt;
        }
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return (static_cast<int64_t>(timegm(&tm)) - offset_s) * 1000 + ms;
}

int show(const WorkerConfig &cfg, const Mapping &mapping) {
    const auto topics = subscribed_topics(cfg, mapping);
    Database db(cfg.database);
    db.connect();
    OffsetStore store(db, cfg.group_id);
    const auto stored = store.load_all();
    Cluster kafka(cfg);
    const auto cluster = kafka.topics();
    struct Row {
        std::string topic;
        std::string partition, stored, end, lag;
    };
    std::vector<Row> rows;
    std::vector<TopicPartition> unstored;
    std::map<TopicPartition, std::pair<int64_t, int64_t>> marks;
    std::vector<std::string> missing;
    for (const auto &t : topics) {
        auto it = cluster.find(t);
        if (it == cluster.end()) {
            missing.push_back(t);
            continue;
        }
        for (int p = 0; p < it->second; ++p) {
            marks[{t, p}] = kafka.watermarks({t, p});
            if (!stored.count({t, p})) unstored.push_back({t, p});
        }
    }
    const auto committed = kafka.committed(cfg.group_id, unstored);
    const std::string reset = cfg.kafka.count("auto.offset.reset") ? cfg.kafka.at("auto.offset.reset") : "earliest";
    const bool from_latest = reset == "latest" || reset == "largest" || reset == "end";
    int64_t total_lag = 0;
    bool some_unstored = false;
    for (const auto &[tp, m] : marks) {
        const auto it = stored.find(tp);
        int64_t start = 0;
        std::string shown_stored;
        if (it != stored.end()) {
            start = it->second;
            shown_stored = std::to_string(start);
        } else {
            // Where the worker would start: the group's Kafka offset, else auto.offset.reset.
            const auto c = committed.find(tp);
            start = c != committed.end() ? c->second : (from_latest ? m.second : m.first);
            shown_stored = "-";
            some_unstored = true;
        }
        const int64_t lag = std::max<int64_t>(0, m.second - std::max(start, m.first));
        total_lag += lag;
        rows.push_back({tp.first, std::to_string(tp.second), shown_stored, std::to_string(m.second),
                        std::to_string(lag)});
    }
    size_t w = 5;
    for (const auto &r : rows) w = std::max(w, r.topic.size());
    std::printf("group %s\n", cfg.group_id.c_str());
    std::printf("%-*s %9s %12s %12s %12s\n", static_cast<int>(w), "topic", "partition", "stored", "end", "lag");
    for (const auto &r : rows)
        std::printf("%-*s %9s %12s %12s %12s\n", static_cast<int>(w), r.topic.c_str(), r.partition.c_str(),
                    r.stored.c_str(), r.end.c_str(), r.lag.c_str());
    std::printf("total lag %lld over %zu partition(s)\n", static_cast<long long>(total_lag), rows.size());
    if (some_unstored)
        std::printf("(stored -: nothing stored yet; the lag counts from the group's Kafka offset, else from "
                    "auto.offset.reset: %s)\n", from_latest ? "latest" : "earliest");
    for (const auto &t : missing) std::printf("topic %s is mapped but not in the cluster\n", t.c_str());
    for (const auto &[tp, off] : stored)
        if (!marks.count(tp))
            std::printf("stored but not subscribed: %s[%d] at %lld\n", tp.first.c_str(), tp.second,
                        static_cast<long long>(off));
    return 0;
}

int reset(const WorkerConfig &cfg, const Mapping &mapping, OffsetsOptions o) {
    // The older form: --reset TOPIC:PARTITION (a topic name cannot hold ':').
    if (const size_t colon = o.reset.rfind(':'); !o.reset.empty() && colon != std::string::npos) {
        const std::string p = o.reset.substr(colon + 1);
        if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos || p.size() > 6)
            throw Refused("--reset " + o.reset + ": the partition after ':' must be a number");
        if (o.partition >= 0) throw Refused("--reset TOPIC:PARTITION and --partition together");
        o.partition = std::stoi(p);
        o.reset = o.reset.substr(0, colon);
    }
    if (o.all == !o.reset.empty()) throw Refused("name one topic (--reset TOPIC) or --all");
    if (o.to.empty() == o.to_time.empty()) throw Refused("give where to: --to earliest|latest|OFFSET, or --to-time ISO8601");
    std::optional<int64_t> to_offset, to_ms;
    if (!o.to.empty() && o.to != "earliest" && o.to != "latest") {
        if (o.to[0] == '-') throw Refused("--to " + o.to + ": an offset cannot be negative");
        if (o.to.find_first_not_of("0123456789") != std::string::npos || o.to.size() > 18)
            throw Refused("--to " + o.to + ": not earliest, latest or an offset");
        to_offset = std::stoll(o.to);
    }
    if (!o.to_time.empty()) {
        to_ms = parse_iso8601_ms(o.to_time);
        if (!to_ms) throw Refused("--to-time " + o.to_time + ": not an ISO 8601 time (2026-11-28T21:00:00Z)");
    }
    if (o.partition < -1) throw Refused("--partition cannot be negative");

    const auto subscribed = subscribed_topics(cfg, mapping);
    std::vector<std::string> topics = o.all ? subscribed : std::vector<std::string>{o.reset};
    if (!o.all && std::find(subscribed.begin(), subscribed.end(), o.reset) == subscribed.end())
        throw Refused("topic " + o.reset + " is not one the worker subscribes to (" + std::to_string(subscribed.size()) +
                      " topic(s) in its mappings and worker.topics)");
    Cluster kafka(cfg);
    const auto cluster = kafka.topics();
    for (const auto &t : topics)
        if (!cluster.count(t)) throw Refused("topic " + t + " is not in the Kafka cluster");
    if (o.partition >= 0 && !o.all && o.partition >= cluster.at(topics[0]))
        throw Refused("topic " + topics[0] + " has no partition " + std::to_string(o.partition) + " (it has " +
                      std::to_string(cluster.at(topics[0])) + ")");

    // Where each partition goes, checked against what the partition holds.
    std::map<TopicPartition, int64_t> target;
    for (const auto &t : topics)
        for (int p = 0; p < cluster.at(t); ++p) {
            if (o.partition >= 0 && p != o.partition) continue;
            const auto [lo, hi] = kafka.watermarks({t, p});
            int64_t off = 0;
            if (o.to == "earliest") off = lo;
            else if (o.to == "latest") off = hi;
            else if (to_ms) off = kafka.offset_for_time({t, p}, *to_ms, hi);
            else {
                off = *to_offset;
                if (off < lo || off > hi)
                    throw Refused("--to " + o.to + ": " + t + "[" + std::to_string(p) + "] holds offsets " +
                                  std::to_string(lo) + " to " + std::to_string(hi) +
                                  " (the end); a position outside would make Kafka apply auto.offset.reset");
            }
            target[{t, p}] = off;
        }
    if (target.empty()) throw Refused("no partition to reset");

    // No worker may hold the partitions meanwhile: ask the group coordinator.
    const auto group = kafka.describe_group(cfg.group_id);
    if (!group.members.empty()) {
        std::string who;
        for (const auto &m : group.members) who += (who.empty() ? "" : ", ") + m;
        throw Refused("group " + cfg.group_id + " is active (" + group.state + ", " +
                      std::to_string(group.members.size()) + " member(s): " + who +
                      "): stop its workers first, then reset");
    }

    Database db(cfg.database);
    db.connect();
    OffsetStore store(db, cfg.group_id);
    std::vector<TopicPartition> tps;
    for (const auto &[tp, off] : target) tps.push_back(tp);
    const auto before = store.lock(tps);  // held until the commit below
    std::cout << (o.dry_run ? "dry run, nothing written: " : "") << "group " << cfg.group_id << " ("
              << (group.state.empty() ? "no members" : group.state + ", no members") << "), to "
              << (o.to.empty() ? o.to_time : o.to) << "\n";
    for (const auto &[tp, off] : target) {
        const auto b = before.find(tp);
        std::cout << "  " << tp.first << "[" << tp.second << "]: "
                  << (b == before.end() ? std::string("-") : std::to_string(b->second)) << " -> " << off << "\n";
    }
    if (o.dry_run) {
        db.rollback();
        std::cout << "would set " << target.size() << " partition(s) in sink_offsets and the group's Kafka offsets\n";
        return 0;
    }
    try {
        store.store(target);
        kafka.alter(cfg.group_id, target);  // the database commits only if Kafka took them
        db.commit();
    } catch (...) {
        db.rollback();
        throw;
    }
    std::cout << "reset " << target.size() << " partition(s): sink_offsets and the group's Kafka offsets agree\n";
    return 0;
}

}  // namespace

CLI::App *add_offsets_command(CLI::App &app, std::string &config, OffsetsOptions &opts) {
    auto *c = app.add_subcommand(
        "offsets", "show the group's stored offset, end offset and lag per partition, or --reset them");
    c->add_option("--config,-c", config, "worker YAML file")->required();
    c->add_option("--reset", opts.reset, "TOPIC to reset (or the older TOPIC:PARTITION)");
    c->add_flag("--all", opts.all, "reset every subscribed topic");
    c->add_option("--to", opts.to, "earliest, latest or an OFFSET (the next record to read)");
    c->add_option("--to-time", opts.to_time, "the first record at or after this ISO 8601 time, e.g. 2026-11-28T21:00:00Z");
    c->add_option("--partition", opts.partition, "only this partition");
    c->add_flag("--dry-run", opts.dry_run, "check and print what would be written; write nothing");
    return c;
}

int cmd_offsets(const std::string &config_path, const OffsetsOptions &opts) {
    WorkerConfig cfg = load_worker_config(config_path);
    setup_logging("warn", cfg.log.format);
    const Mapping mapping = Mapping::load(cfg.mapping_paths);
    const bool resetting = !opts.reset.empty() || opts.all || !opts.to.empty() || !opts.to_time.empty() ||
                           opts.partition >= 0 || opts.dry_run;
    try {
        return resetting ? reset(cfg, mapping, opts) : show(cfg, mapping);
    } catch (const Refused &e) {
        std::cerr << "sinkhost offsets: refused, nothing written: " << e.what() << "\n";
        return 1;
    } catch (const KafkaFailure &e) {
        std::cerr << "sinkhost offsets: " << e.what() << "\n";
        return 4;
    }
}

}  // namespace vsink
