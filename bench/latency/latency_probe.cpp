// latency_probe: the bench's latency measurement. Produces tickets of the
// tickets topology at a fixed offered rate for a fixed time while a sink runs,
// and measures, per ticket, the time from its produce call to its row being
// visible in MariaDB (a poller on its own connection, every --poll-ms).
//
// Ids are `lat-p<P>-<9-digit sequence>` and ticket i goes to partition i % P:
// the sink commits a partition's records in order, so per partition the
// poller asks only for ids above the last it saw (one UNION ALL statement per
// poll). Before the paced phase it produces one organizer and one event and
// waits until the event's row is visible (the sink has joined and is
// writing). Prints one JSON line; exits 1 when a ticket is not seen by the
// deadline or a record is not delivered.
#include <fstream>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <librdkafka/rdkafka.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "datagen/tickets_generator.hpp"

namespace {
using Clock = std::chrono::steady_clock;

std::atomic<size_t> g_failed{0};
void on_delivery(rd_kafka_t *, const rd_kafka_message_t *msg, void *) {
    if (msg->err) ++g_failed;
}

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string ticket_id(int partition, long seq) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "lat-p%d-%09ld", partition, seq);
    return buf;
}
}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"latency_probe: produce tickets at a fixed rate, time each until its row is visible"};
    std::string bootstrap, host, user, db, password_env = "VSINK_DB_PASSWORD", prefix = "ticketland.tickets.";
    int port = 3306, partitions = 3;
    double rate = 5000, seconds = 20, poll_ms = 3, wait_s = 60;
    std::string dump_file;
    app.add_option("--bootstrap", bootstrap, "Kafka bootstrap servers")->required();
    app.add_option("--host", host, "MariaDB host")->required();
    app.add_option("--port", port, "MariaDB port")->required();
    app.add_option("--user", user, "MariaDB user")->required();
    app.add_option("--password-env", password_env, "Environment variable holding the password")->capture_default_str();
    app.add_option("--db", db, "The sink's database")->required();
    app.add_option("--topic-prefix", prefix, "Topics <prefix>organizers, <prefix>events, <prefix>tickets (existing)")
        ->capture_default_str();
    app.add_option("--partitions", partitions, "Partitions of the tickets topic")->capture_default_str();
    app.add_option("--rate", rate, "Offered rate, records/s")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--seconds", seconds, "Duration of the paced phase")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--poll-ms", poll_ms, "Poll interval")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--dump", dump_file,
                   "Write one line per ticket: its sequence, when it was produced (ms after the paced start) and its "
                   "latency in ms, to explain a tail");
    app.add_option("--wait", wait_s, "Deadline in seconds for the sink to start and to catch up")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    const char *pw = std::getenv(password_env.c_str());
    if (!pw) {
        std::cerr << "latency_probe: $" << password_env << " is not set\n";
        return 2;
    }

    vsink::datagen::TicketsOptions topt;
    topt.topic_prefix = prefix;
    topt.organizers = 1;
    topt.events = 1;
    topt.tickets = 0;
    topt.shape = vsink::datagen::Shape::A;
    const vsink::datagen::TicketsGenerator gen(topt);

    rd_kafka_t *rk = nullptr;
    std::unique_ptr<sql::Connection> conn;
    try {
        char err[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        const std::pair<const char *, std::string> props[] = {
            {"bootstrap.servers", bootstrap}, {"acks", "all"}, {"enable.idempotence", "true"},
            {"linger.ms", "1"}, {"log_level", "4"}};
        for (const auto &[k, v] : props)
            if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
                throw std::runtime_error(std::string(k) + ": " + err);
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
        if (!rk) throw std::runtime_error(std::string("producer: ") + err);

        sql::ConnectOptionsMap opts;
        opts["hostName"] = sql::SQLString("tcp://" + host + ":" + std::to_string(port));
        opts["userName"] = sql::SQLString(user);
        opts["password"] = sql::SQLString(pw);
        opts["schema"] = sql::SQLString(db);
        opts["OPT_CONNECT_TIMEOUT"] = 10;
        opts["OPT_READ_TIMEOUT"] = 30;
        opts["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
        conn.reset(sql::mysql::get_mysql_driver_instance()->connect(opts));
        {
            std::unique_ptr<sql::Statement> st(conn->createStatement());
            st->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
        }

        auto produce = [&](const vsink::datagen::GeneratedRecord &r, int32_t partition) {
            rd_kafka_headers_t *h = rd_kafka_headers_new(r.headers.size());
            for (const auto &[k, v] : r.headers) rd_kafka_header_add(h, k.c_str(), -1, v.data(), static_cast<ssize_t>(v.size()));
            for (;;) {
                const rd_kafka_resp_err_t e = rd_kafka_producev(
                    rk, RD_KAFKA_V_TOPIC(r.topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
                    RD_KAFKA_V_VALUE(const_cast<char *>(r.value.data()), r.value.size()), RD_KAFKA_V_HEADERS(h),
                    RD_KAFKA_V_END);
                if (!e) return;
                if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                    rd_kafka_headers_destroy(h);
                    throw std::runtime_error("produce to " + r.topic + ": " + rd_kafka_err2str(e));
                }
                rd_kafka_poll(rk, 10);
            }
        };

        // The parents and one warm-up ticket per partition of the tickets topic,
        // then wait for the sink to write them: the steady state is measured, not
        // the producer's first metadata lookup or connection to a partition's
        // leader (which held the first paced tickets back by about a second).
        produce(gen.organizer(1), RD_KAFKA_PARTITION_UA);
        produce(gen.event(1), RD_KAFKA_PARTITION_UA);
        rd_kafka_flush(rk, 10000);
        for (int p = 0; p < partitions; ++p)
            produce(gen.ticket_as(p + 1, "lat-warm-p" + std::to_string(p), 1, "active"), p);
        rd_kafka_flush(rk, 10000);
        {
            const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(wait_s * 1000));
            std::unique_ptr<sql::PreparedStatement> q(conn->prepareStatement(
                "SELECT (SELECT COUNT(*) FROM events WHERE system = 'ticketland' AND id = 'evt-1') + "
                "(SELECT COUNT(*) FROM tickets WHERE system = 'ticketland' AND id LIKE 'lat-warm-p%')"));
            for (;;) {
                std::unique_ptr<sql::ResultSet> rs(q->executeQuery());
                if (rs->next() && rs->getInt64(1) == 1 + partitions) break;
                if (Clock::now() > deadline)
                    throw std::runtime_error("the sink did not write the warm-up event and tickets within " +
                                             std::to_string(static_cast<int>(wait_s)) + " s");
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }

        const long total = static_cast<long>(rate * seconds);
        std::vector<Clock::time_point> sent(static_cast<size_t>(total)), seen(static_cast<size_t>(total));
        std::vector<char> is_seen(static_cast<size_t>(total), 0);
        std::atomic<bool> stop_poll{false};
        std::string poll_error;  // read after the join
        std::atomic<bool> poll_failed{false};
        size_t polls = 0;
        double polling_secs = 0;  // how long the poller ran: the mean interval it achieved
        std::atomic<long> seen_count{0};  // the poller counts, the main thread waits on it

        // The poller: per partition, ids above the last one seen.
        std::thread poller([&] {
            try {
                std::string sql;
                for (int p = 0; p < partitions; ++p)
                    sql += std::string(p ? " UNION ALL " : "") +
                           "(SELECT id FROM tickets WHERE system = 'ticketland' AND id > ? AND id < ?)";
                std::unique_ptr<sql::PreparedStatement> q(conn->prepareStatement(sql));
                std::vector<std::string> last(static_cast<size_t>(partitions));
                for (int p = 0; p < partitions; ++p) last[static_cast<size_t>(p)] = "lat-p" + std::to_string(p) + "-";
                const auto interval = std::chrono::microseconds(static_cast<long long>(poll_ms * 1000));
                const auto poll_start = Clock::now();
                auto next = poll_start;
                while (!stop_poll.load()) {
                    for (int p = 0; p < partitions; ++p) {
                        q->setString(static_cast<unsigned>(2 * p + 1), last[static_cast<size_t>(p)]);
                        q->setString(static_cast<unsigned>(2 * p + 2), "lat-p" + std::to_string(p) + "-~");
                    }
                    std::unique_ptr<sql::ResultSet> rs(q->executeQuery());
                    const auto now = Clock::now();
                    ++polls;
                    while (rs->next()) {
                        const std::string id = rs->getString(1);
                        const int p = std::atoi(id.c_str() + 5);
                        const long seq = std::atol(id.c_str() + id.rfind('-') + 1);
                        if (p < 0 || p >= partitions || seq < 0 || seq >= total) continue;
                        if (id > last[static_cast<size_t>(p)]) last[static_cast<size_t>(p)] = id;
                        if (!is_seen[static_cast<size_t>(seq)]) {
                            is_seen[static_cast<size_t>(seq)] = 1;
                            seen[static_cast<size_t>(seq)] = now;
                            ++seen_count;
                        }
                    }
                    next += interval;
                    const auto after = Clock::now();
                    if (next < after) next = after;
                    std::this_thread::sleep_until(next);
                }
                polling_secs = std::chrono::duration<double>(Clock::now() - poll_start).count();
            } catch (const std::exception &e) {
                poll_error = e.what();
                poll_failed = true;
            }
        });

        const double paced_start_unix = unix_now();
        const auto t0 = Clock::now();
        for (long i = 0; i < total; ++i) {
            const auto due = t0 + std::chrono::nanoseconds(static_cast<long long>(static_cast<double>(i) * 1e9 / rate));
            if (Clock::now() < due) std::this_thread::sleep_until(due);
            const int p = static_cast<int>(i % partitions);
            const auto r = gen.ticket_as(static_cast<int>(i + 1), ticket_id(p, i), 1, "active");
            sent[static_cast<size_t>(i)] = Clock::now();
            produce(r, p);
            rd_kafka_poll(rk, 0);
        }
        const double paced_secs = std::chrono::duration<double>(Clock::now() - t0).count();
        const double paced_end_unix = unix_now();
        rd_kafka_flush(rk, 30000);

        // Until every ticket is seen, or the deadline.
        const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(wait_s * 1000));
        while (Clock::now() < deadline && !poll_failed.load()) {
            if (seen_count.load() >= total) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        stop_poll = true;
        poller.join();
        if (!poll_error.empty()) throw std::runtime_error("poll: " + poll_error);
        if (g_failed) throw std::runtime_error(std::to_string(g_failed.load()) + " record(s) not delivered");

        std::vector<double> ms;
        ms.reserve(static_cast<size_t>(total));
        long missing = 0;
        for (long i = 0; i < total; ++i) {
            if (!is_seen[static_cast<size_t>(i)]) {
                ++missing;
                continue;
            }
            ms.push_back(std::chrono::duration<double, std::milli>(seen[static_cast<size_t>(i)] - sent[static_cast<size_t>(i)]).count());
        }
        if (!dump_file.empty()) {
            std::ofstream d(dump_file);
            for (long i = 0; i < total; ++i)
                if (is_seen[static_cast<size_t>(i)])
                    d << i << ' ' << std::chrono::duration<double, std::milli>(sent[static_cast<size_t>(i)] - t0).count()
                      << ' '
                      << std::chrono::duration<double, std::milli>(seen[static_cast<size_t>(i)] - sent[static_cast<size_t>(i)]).count()
                      << '\n';
            if (!d) throw std::runtime_error("cannot write " + dump_file);
        }
        std::sort(ms.begin(), ms.end());
        auto pct = [&](double q) {
            if (ms.empty()) return 0.0;
            const size_t k = std::min(ms.size() - 1, static_cast<size_t>(q * static_cast<double>(ms.size())));
            return ms[k];
        };
        std::printf("{\"produced\":%ld,\"seen\":%zu,\"missing\":%ld,\"offered_rate\":%.0f,\"achieved_rate\":%.0f,"
                    "\"seconds\":%.3f,\"poll_ms\":%.1f,\"polls\":%zu,\"poll_interval_ms_mean\":%.1f,\"p50_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f,"
                    "\"paced_start_unix\":%.3f,\"paced_end_unix\":%.3f}\n",
                    total, ms.size(), missing, rate, paced_secs > 0 ? static_cast<double>(total) / paced_secs : 0.0,
                    paced_secs, poll_ms, polls, polls ? 1000.0 * polling_secs / static_cast<double>(polls) : 0.0, pct(0.50), pct(0.99), ms.empty() ? 0.0 : ms.back(), paced_start_unix,
                    paced_end_unix);
        rd_kafka_destroy(rk);
        if (missing) {
            std::cerr << "latency_probe: " << missing << " ticket(s) not visible in the database within "
                      << wait_s << " s after the last produce\n";
            return 1;
        }
        return 0;
    } catch (const sql::SQLException &e) {
        std::cerr << "latency_probe: " << e.what() << " (MySQL error " << e.getErrorCode() << ")\n";
    } catch (const std::exception &e) {
        std::cerr << "latency_probe: " << e.what() << "\n";
    }
    if (rk) rd_kafka_destroy(rk);
    return 1;
}
