// vibe-datagen: produces a deterministic Ticketland orders data set (JSON,
// shapes A and B) to Kafka, and optionally writes what the database should
// hold afterwards. See `vibe-datagen --help`.
#include <librdkafka/rdkafka.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "datagen/orders_generator.hpp"
#include "datagen/tickets_generator.hpp"

namespace {

using vsink::datagen::GeneratedRecord;
using vsink::datagen::OrdersGenerator;
using vsink::datagen::OrdersOptions;
using vsink::datagen::TicketsGenerator;
using vsink::datagen::TicketsOptions;
using Clock = std::chrono::steady_clock;

struct DeliveryState {
    std::atomic<size_t> delivered{0};
    std::atomic<size_t> failed{0};
    std::string first_error;  // written only from the polling thread (dr callback)
};

void on_delivery(rd_kafka_t *, const rd_kafka_message_t *msg, void *opaque) {
    auto *state = static_cast<DeliveryState *>(opaque);
    if (msg->err) {
        if (state->failed++ == 0)
            state->first_error = std::string(rd_kafka_topic_name(msg->rkt)) + ": " +
                                 rd_kafka_err2str(msg->err);
    } else {
        ++state->delivered;
    }
}

int remaining_ms(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

rd_kafka_conf_t *make_conf(const std::string &bootstrap,
                           const std::vector<std::pair<std::string, std::string>> &props) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[512];
    for (const auto &[k, v] : props) {
        if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            throw std::runtime_error("kafka property " + k + ": " + errstr);
        }
    }
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("bootstrap.servers: ") + errstr);
    }
    return conf;
}

// Creates the missing topics with `partitions` partitions and waits until
// their partitions have leaders.
void create_topics(rd_kafka_t *rk, const std::vector<std::string> &topics, int partitions,
                   Clock::time_point deadline) {
    char errstr[512];
    std::vector<rd_kafka_NewTopic_t *> new_topics;
    for (const auto &t : topics) {
        rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(t.c_str(), partitions, -1, errstr, sizeof errstr);
        if (!nt) throw std::runtime_error("topic " + t + ": " + errstr);
        new_topics.push_back(nt);
    }
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opts, remaining_ms(deadline), errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_operation_timeout(opts, remaining_ms(deadline), errstr, sizeof errstr);
    rd_kafka_CreateTopics(rk, new_topics.data(), new_topics.size(), opts, queue);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_NewTopic_destroy_array(new_topics.data(), new_topics.size());

    std::string error;
    rd_kafka_event_t *ev = nullptr;
    while (!ev && remaining_ms(deadline) > 0) {
        ev = rd_kafka_queue_poll(queue, remaining_ms(deadline));
        if (ev && rd_kafka_event_type(ev) != RD_KAFKA_EVENT_CREATETOPICS_RESULT) {
            rd_kafka_event_destroy(ev);
            ev = nullptr;
        }
    }
    if (!ev) {
        error = "no answer from the broker in time";
    } else if (rd_kafka_event_error(ev)) {
        error = rd_kafka_event_error_string(ev);
    } else {
        size_t cnt = 0;
        const rd_kafka_topic_result_t **results =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
        for (size_t i = 0; i < cnt && error.empty(); ++i) {
            const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
            if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                const char *msg = rd_kafka_topic_result_error_string(results[i]);
                error = std::string(rd_kafka_topic_result_name(results[i])) + ": " +
                        (msg ? msg : rd_kafka_err2str(err));
            }
        }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(queue);
    if (!error.empty()) throw std::runtime_error("create topics: " + error);

    // Producing right after creation can hit "unknown partition" until the
    // leaders are known: wait for them in metadata.
    for (;;) {
        const rd_kafka_metadata_t *md = nullptr;
        size_t ready = 0;
        if (rd_kafka_metadata(rk, 1, nullptr, &md, std::max(remaining_ms(deadline), 1)) ==
            RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < md->topic_cnt; ++i) {
                const auto &t = md->topics[i];
                bool ok = t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt > 0;
                for (int p = 0; p < t.partition_cnt; ++p)
                    ok = ok && t.partitions[p].leader >= 0;
                for (const auto &name : topics)
                    if (ok && name == t.topic) ++ready;
            }
            rd_kafka_metadata_destroy(md);
        }
        if (ready == topics.size()) return;
        if (remaining_ms(deadline) == 0)
            throw std::runtime_error("create topics: partitions have no leader in time");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

void print_record(const GeneratedRecord &r) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("topic");
    w.String(r.topic.c_str());
    w.Key("key");
    w.String(r.key.c_str());
    w.Key("headers");
    w.StartObject();
    for (const auto &[k, v] : r.headers) {
        w.Key(k.c_str());
        w.String(v.c_str());
    }
    w.EndObject();
    w.Key("value");
    w.RawValue(r.value.c_str(), r.value.size(), rapidjson::kObjectType);
    w.EndObject();
    std::fwrite(buf.GetString(), 1, buf.GetSize(), stdout);
    std::fputc('\n', stdout);
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"vibe-datagen: produce a deterministic Ticketland data set (JSON) to Kafka: the orders "
                 "topology (organizers, events, orders, refunds) or the tickets topology (organizers, "
                 "events, tickets, later status updates)"};
    OrdersOptions opt;
    std::string topology = "orders";
    TicketsOptions topt;
    const char *env_bootstrap = std::getenv("VSINK_KAFKA_BOOTSTRAP");
    std::string bootstrap = env_bootstrap ? env_bootstrap : "";
    std::string tickets = "1-4";
    std::string shape = "mixed";
    std::string expect_file;
    int create_partitions = 0;
    double timeout_s = 60;
    bool print = false;
    std::vector<std::string> properties;

    app.add_option("--bootstrap", bootstrap,
                   "Kafka bootstrap servers (default: $VSINK_KAFKA_BOOTSTRAP)");
    app.add_option("--topology", topology, "orders or tickets")
        ->capture_default_str()->check(CLI::IsMember({"orders", "tickets"}));
    std::string topic_prefix;
    app.add_option("--topic-prefix", topic_prefix,
                   "Topics are <prefix>organizers, <prefix>events, then <prefix>orders and "
                   "<prefix>refunds (orders) or <prefix>tickets (tickets); default "
                   "ticketland.<topology>.");
    app.add_option("--tickets", topt.tickets, "tickets topology: number of tickets")
        ->capture_default_str()->check(CLI::Range(0, 100000000));
    app.add_option("--update-every", topt.update_every,
                   "tickets topology: every K-th ticket is re-sent later as used or refunded (0 = none)")
        ->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_option("--channels", opt.channels,
                   "application-id of orders and refunds (their sales channel), in turn; organizers and "
                   "events always carry `ticketland`")
        ->delimiter(',')->capture_default_str();
    app.add_option("--organizers", opt.organizers, "Number of organizers")
        ->capture_default_str()->check(CLI::Range(1, 1000000));
    app.add_option("--events", opt.events, "Number of events")
        ->capture_default_str()->check(CLI::Range(1, 10000000));
    app.add_option("--orders", opt.orders, "Number of orders")
        ->capture_default_str()->check(CLI::Range(0, 100000000));
    app.add_option("--tickets-per-order", tickets, "Tickets per order, MIN-MAX or N")
        ->capture_default_str();
    app.add_option("--refund-every", opt.refund_every,
                   "Every K-th order gets a refund of all its tickets (0 = none)")
        ->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_option("--seed", opt.seed, "Seed of the data set")->capture_default_str();
    app.add_option("--shape", shape, "A, B or mixed (alternate A and B per record)")
        ->capture_default_str();
    app.add_flag("--refunds-first", opt.refunds_first,
                 "Produce all refunds before the orders (exercises parking)");
    app.add_option("--create-topics", create_partitions,
                   "Create the topics with P partitions if missing")
        ->check(CLI::PositiveNumber);
    app.add_option("--expect", expect_file,
                   "Write a JSON summary of the expected database state to FILE");
    app.add_option("--timeout", timeout_s, "Deadline in seconds for topic creation and delivery")
        ->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("-X,--property", properties,
                   "librdkafka property NAME=VALUE (repeatable), e.g. security.protocol=SASL_SSL");
    app.add_flag("--print", print,
                 "Print the records as JSON lines on stdout instead of producing them");
    CLI11_PARSE(app, argc, argv);

    const auto dash = tickets.find('-');
    try {
        if (dash == std::string::npos) {
            opt.tickets_min = opt.tickets_max = std::stoi(tickets);
        } else {
            opt.tickets_min = std::stoi(tickets.substr(0, dash));
            opt.tickets_max = std::stoi(tickets.substr(dash + 1));
        }
    } catch (const std::exception &) {
        std::cerr << "vibe-datagen: --tickets-per-order must be MIN-MAX or N, not " << tickets << "\n";
        return 2;
    }
    const auto parsed_shape = vsink::datagen::parse_shape(shape);
    if (!parsed_shape) {
        std::cerr << "vibe-datagen: --shape must be A, B or mixed, not " << shape << "\n";
        return 2;
    }
    opt.shape = *parsed_shape;
    std::vector<std::pair<std::string, std::string>> extra;
    for (const auto &p : properties) {
        const auto eq = p.find('=');
        if (eq == std::string::npos || eq == 0) {
            std::cerr << "vibe-datagen: -X wants NAME=VALUE, not " << p << "\n";
            return 2;
        }
        extra.emplace_back(p.substr(0, eq), p.substr(eq + 1));
    }

    // Both generators behind one face: next(), topics(), expected().
    struct Source {
        std::unique_ptr<OrdersGenerator> orders;
        std::unique_ptr<TicketsGenerator> tickets;
        bool next(GeneratedRecord &r) { return orders ? orders->next(r) : tickets->next(r); }
        std::vector<std::string> topics() const { return orders ? orders->topics() : tickets->topics(); }
        const vsink::datagen::Expected &expected() const {
            return orders ? orders->expected() : tickets->expected();
        }
    };
    auto gen = std::make_unique<Source>();
    try {
        if (topology == "orders") {
            if (!topic_prefix.empty()) opt.topic_prefix = topic_prefix;
            gen->orders = std::make_unique<OrdersGenerator>(opt);
        } else {
            topt.topic_prefix = topic_prefix.empty() ? "ticketland.tickets." : topic_prefix;
            topt.channels = opt.channels;
            topt.organizers = opt.organizers;
            topt.events = opt.events;
            topt.seed = opt.seed;
            topt.shape = opt.shape;
            gen->tickets = std::make_unique<TicketsGenerator>(topt);
        }
    } catch (const std::invalid_argument &e) {
        std::cerr << "vibe-datagen: " << e.what() << "\n";
        return 2;
    }
    if (!expect_file.empty()) {
        std::ofstream out(expect_file);
        out << gen->expected().to_json();
        if (!out) {
            std::cerr << "vibe-datagen: cannot write " << expect_file << "\n";
            return 1;
        }
    }
    if (print) {
        GeneratedRecord r;
        while (gen->next(r)) print_record(r);
        return 0;
    }
    if (bootstrap.empty()) {
        std::cerr << "vibe-datagen: --bootstrap is required (or set VSINK_KAFKA_BOOTSTRAP)\n";
        return 2;
    }

    const auto start = Clock::now();
    const auto deadline =
        start + std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
    DeliveryState state;
    rd_kafka_t *rk = nullptr;
    try {
        std::vector<std::pair<std::string, std::string>> props = {
            {"acks", "all"},
            {"enable.idempotence", "true"},  // retries neither duplicate nor reorder
            {"linger.ms", "5"},
            // The Java client's default record batch (16 KiB), as the ticketing
            // systems' producers send: librdkafka's own (1 MB) made every
            // fetched chunk one partition's thousand records, which no
            // producer sending in real time does.
            {"batch.size", "16384"},
            {"batch.num.messages", "10000"},
            {"queue.buffering.max.messages", "500000"},
            {"partitioner", "murmur2_random"},  // same partition per key as Java clients
            {"message.timeout.ms", std::to_string(static_cast<long long>(timeout_s * 1000))},
            {"log_level", "4"},
        };
        props.insert(props.end(), extra.begin(), extra.end());
        rd_kafka_conf_t *conf = make_conf(bootstrap, props);
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_conf_set_opaque(conf, &state);
        char errstr[512];
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
        if (!rk) {
            rd_kafka_conf_destroy(conf);
            throw std::runtime_error(errstr);
        }
        if (create_partitions > 0) create_topics(rk, gen->topics(), create_partitions, deadline);
        const auto produce_start = Clock::now();  // the rate excludes topic creation

        std::map<std::string, size_t> per_topic;
        for (const auto &t : gen->topics()) per_topic[t] = 0;
        GeneratedRecord r;
        size_t produced = 0;
        while (gen->next(r)) {
            rd_kafka_headers_t *hdrs = rd_kafka_headers_new(r.headers.size());
            for (const auto &[k, v] : r.headers)
                rd_kafka_header_add(hdrs, k.c_str(), -1, v.data(), static_cast<ssize_t>(v.size()));
            for (;;) {
                const rd_kafka_resp_err_t err = rd_kafka_producev(
                    rk, RD_KAFKA_V_TOPIC(r.topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                    RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
                    RD_KAFKA_V_VALUE(r.value.data(), r.value.size()), RD_KAFKA_V_HEADERS(hdrs),
                    RD_KAFKA_V_END);
                if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
                if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && remaining_ms(deadline) > 0) {
                    rd_kafka_poll(rk, 50);  // serve delivery reports to make room
                    continue;
                }
                rd_kafka_headers_destroy(hdrs);
                throw std::runtime_error("produce to " + r.topic + ": " + rd_kafka_err2str(err));
            }
            ++per_topic[r.topic];
            if (++produced % 1000 == 0) rd_kafka_poll(rk, 0);
        }
        rd_kafka_flush(rk, std::max(remaining_ms(deadline), 1));
        const int undelivered = rd_kafka_outq_len(rk);
        const double secs = std::chrono::duration<double>(Clock::now() - produce_start).count();
        if (state.failed || undelivered) {
            std::cerr << "vibe-datagen: " << state.failed << " record(s) failed"
                      << (state.first_error.empty() ? "" : " (first: " + state.first_error + ")")
                      << ", " << undelivered << " undelivered after " << secs << " s\n";
            rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            rd_kafka_destroy(rk);
            return 1;
        }
        char line[64];
        std::snprintf(line, sizeof line, "%.2f s (%.0f records/s)", secs,
                      secs > 0 ? static_cast<double>(produced) / secs : 0.0);
        std::cout << "vibe-datagen: produced " << produced << " records in " << line << ":";
        for (const auto &[t, n] : per_topic) std::cout << " " << t << "=" << n;
        std::cout << " (channels " << [&] {
            std::string all;
            for (const auto &c : opt.channels) all += (all.empty() ? "" : ",") + c;
            return all;
        }() << ", shape " << vsink::datagen::to_string(opt.shape)
                  << ", seed " << opt.seed << ")" << std::endl;
    } catch (const std::exception &e) {
        std::cerr << "vibe-datagen: " << e.what() << "\n";
        if (rk) rd_kafka_destroy(rk);
        return 1;
    }
    rd_kafka_destroy(rk);
    return 0;
}
