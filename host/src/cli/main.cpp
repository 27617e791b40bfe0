// sinkhost: the generic Kafka-to-database sink worker.
//   sinkhost run --config FILE       consume and write until SIGTERM
//   sinkhost schema --config FILE    print the DDL the mappings need, or --apply it (and migrate)
//   sinkhost check --config FILE     validate config, mappings, plugin, database
//   sinkhost offsets --config FILE   show (or --reset) the stored offsets
//   sinkhost parked --config FILE    what waits for a parent, and since when ([--list])
//   sinkhost dlq replay --config FILE   feed the dead-letter queue back through the plugin
//   sinkhost version
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <librdkafka/rdkafkacpp.h>

#include "cli/check_command.hpp"
#include "cli/offsets_command.hpp"
#include "cli/schema_command.hpp"
#include "config/worker_config.hpp"
#include "config/yaml_doc.hpp"
#include "log/log.hpp"
#include "mapping/mapping.hpp"
#include "cli/status_command.hpp"
#include "observability/http_server.hpp"
#include "persistence/database.hpp"
#include "persistence/offset_store.hpp"
#include "persistence/parking_lot.hpp"
#include "persistence/schema_migrator.hpp"
#include "persistence/sql_text.hpp"
#include "plugin/plugin_library.hpp"
#include "worker/dead_letter_replay.hpp"
#include "worker/sink_worker.hpp"

#ifndef VSINK_VERSION
#define VSINK_VERSION "0.0.0"
#endif

using namespace vsink;

namespace {

SinkWorker *g_worker = nullptr;

void on_signal(int) {
    if (g_worker) g_worker->stop();
}

int cmd_run(const std::string &config_path, bool stop_at_end) {
    WorkerConfig cfg = load_worker_config(config_path);
    setup_logging(cfg.log.level, cfg.log.format);
    const Mapping mapping = Mapping::load(cfg.mapping_paths);
    auto lib = PluginLibrary::open(cfg.plugin_path);
    logger()->info("sinkhost {} starting: plugin {} {} ({}), {} topic(s) mapped, group {}", VSINK_VERSION, lib->name(),
                   lib->version(), cfg.plugin_path, mapping.topics().size(), cfg.group_id);
    PluginInstance plugin(lib, mapping.topics());
    SinkWorker worker(cfg, mapping, plugin);
    // Destroyed (stopped) before the worker whose telemetry it serves.
    obs::HttpServer http(worker.telemetry());
    if (cfg.http.port != 0) http.start(cfg.http);
    else logger()->info("http: off (worker.http.port: 0): no /metrics, /healthz, /readyz or /status");
    g_worker = &worker;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    RunOptions opts;
    opts.stop_at_end = stop_at_end;
    worker.run(opts);
    g_worker = nullptr;
    logger()->info("sinkhost stopped cleanly");
    return 0;
}

// Feeds the dead-letter queue back through the plugin (see dead_letter_replay.hpp).
int cmd_dlq_replay(const std::string &config_path, bool from_beginning) {
    WorkerConfig cfg = load_worker_config(config_path);
    setup_logging(cfg.log.level, cfg.log.format);
    const Mapping mapping = Mapping::load(cfg.mapping_paths);
    auto lib = PluginLibrary::open(cfg.plugin_path);
    PluginInstance plugin(lib, mapping.topics());
    ReplayOptions opts;
    opts.from_beginning = from_beginning;
    const ReplayReport r = replay_dead_letters(cfg, mapping, plugin, opts);
    std::cout << "replayed " << r.read << " record(s) of " << cfg.errors.dead_letter_queue.topic << ": " << r.applied
              << " applied, " << r.dead_lettered << " dead-lettered again, " << r.ignored << " not ours\n";
    return 0;
}

// "3d 4h", "12m 5s", "40s".
std::string age_text(int64_t s) {
    if (s >= 86400) return std::to_string(s / 86400) + "d " + std::to_string(s % 86400 / 3600) + "h";
    if (s >= 3600) return std::to_string(s / 3600) + "h " + std::to_string(s % 3600 / 60) + "m";
    if (s >= 60) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s";
    return std::to_string(std::max<int64_t>(s, 0)) + "s";
}

// Rows waiting in sink_parked: per entity and parent table, and with --list
// each row's origin and the parent key it waits for (ids only: the payload,
// which holds personal data, is never printed).
int cmd_parked(const std::string &config_path, bool list, size_t limit) {
    WorkerConfig cfg = load_worker_config(config_path);
    setup_logging("warn", cfg.log.format);
    const Mapping mapping = Mapping::load(cfg.mapping_paths);
    Database db(cfg.database);
    db.connect();
    ParkingLot lot(db, mapping);
    const auto summary = lot.summary();
    if (summary.empty()) {
        std::cout << "no parked rows\n";
        return 0;
    }
    int64_t total = 0, oldest = 0;
    std::printf("%-18s %-14s %8s  %-19s  %s\n", "entity", "waiting for", "rows", "oldest parked (UTC)", "age");
    for (const auto &g : summary) {
        std::printf("%-18s %-14s %8lld  %-19s  %s\n", g.entity.c_str(), g.parent_table.c_str(),
                    static_cast<long long>(g.rows), g.oldest.c_str(), age_text(g.oldest_age_s).c_str());
        total += g.rows;
        oldest = std::max(oldest, g.oldest_age_s);
    }
    std::cout << total << " parked row(s), the oldest waiting for " << age_text(oldest) << "\n";
    if (list) {
        for (const auto &r : lot.list(limit)) {
            std::string key = r.parent_key;
            std::replace(key.begin(), key.end(), '\x1f', '/');
            std::cout << "#" << r.id << " " << r.entity << " waits for " << r.parent_table << " " << key << ", from "
                      << r.topic << "[" << r.partition << "]@" << r.offset << ", parked " << r.parked_at << "\n";
        }
        if (static_cast<int64_t>(limit) < total) std::cout << "(first " << limit << " of " << total << ")\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    CLI::App app{"sinkhost: a Kafka-to-database sink worker that loads a plugin to turn records into rows"};
    app.require_subcommand(1);
    std::string config;
    bool stop_at_end = false, apply = false, diff = false;

    auto *run = app.add_subcommand("run", "consume the mapped topics and write them to the database");
    run->add_option("--config,-c", config, "worker YAML file")->required();
    run->add_flag("--stop-at-end", stop_at_end, "exit once every assigned partition is consumed to its end");
    auto *schema = app.add_subcommand("schema", "print the DDL the mappings need, show what the database lacks, or apply it");
    schema->add_option("--config,-c", config, "worker YAML file")->required();
    schema->add_flag("--apply", apply,
                     "create missing tables, add missing columns and indexes, widen types; refuse (and print) any "
                     "change that would lose data (idempotent; exit 1 when something was refused)");
    schema->add_flag("--diff", diff,
                     "print what the database lacks against the mappings, one line each with the statement that "
                     "fixes it (exit 0: nothing, 1: something)");
    auto *check = app.add_subcommand("check", "validate config, mappings and plugin; reach the database and Kafka");
    check->add_option("--config,-c", config, "worker YAML file")->required();
    OffsetsOptions offsets_opts;
    auto *offsets = add_offsets_command(app, config, offsets_opts);
    bool list_parked = false;
    size_t list_limit = 100;
    auto *parked = app.add_subcommand("parked", "show the rows waiting for a parent, per entity, and since when");
    parked->add_option("--config,-c", config, "worker YAML file")->required();
    parked->add_flag("--list", list_parked, "also list each row: where it came from and the key it waits for");
    parked->add_option("--limit", list_limit, "rows to list at most")->capture_default_str();
    auto *dlq = app.add_subcommand("dlq", "the dead-letter queue");
    dlq->require_subcommand(1);
    bool from_beginning = false;
    auto *replay = dlq->add_subcommand(
        "replay", "feed the dead-letter queue back through the plugin (rows only fill what is missing); "
                  "records that still fail go back to it");
    replay->add_option("--config,-c", config, "worker YAML file")->required();
    replay->add_flag("--from-beginning", from_beginning, "replay every letter, not just those after the last replay");
    std::string status_url;
    auto *status = app.add_subcommand("status", "print what a running worker says about itself (its /status)");
    status->add_option("--config,-c", config, "worker YAML file (its worker.http address)");
    status->add_option("--url", status_url, "the worker's address instead, e.g. http://127.0.0.1:9780");
    app.add_subcommand("version", "print the version, the plugin ABI version and the librdkafka version");

    CLI11_PARSE(app, argc, argv);
    try {
        if (run->parsed()) return cmd_run(config, stop_at_end);
        if (schema->parsed()) return cmd_schema(config, apply, diff);
        if (check->parsed()) return cmd_check(config);
        if (offsets->parsed()) return cmd_offsets(config, offsets_opts);
        if (parked->parsed()) return cmd_parked(config, list_parked, list_limit);
        if (replay->parsed()) return cmd_dlq_replay(config, from_beginning);
        if (status->parsed()) {
            if (config.empty() && status_url.empty()) throw ConfigError("sinkhost status needs --config or --url");
            return cmd_status(config, status_url);
        }
        std::cout << "sinkhost " << VSINK_VERSION << " (plugin ABI " << VSINK_ABI_VERSION << ", librdkafka "
                  << RdKafka::version_str() << ")\n";
        return 0;
    } catch (const ConfigError &e) {
        std::cerr << "sinkhost: config error: " << e.what() << "\n";
        return 2;
    } catch (const PluginError &e) {
        std::cerr << "sinkhost: " << e.what() << "\n";
        return 3;
    } catch (const KafkaAccessError &e) {
        logger()->critical("stopping: {}", e.what());
        return 6;
    } catch (const DatabaseError &e) {
        logger()->critical("stopping: {}", e.what());
        return 5;
    } catch (const FatalError &e) {
        logger()->critical("stopping: {}", e.what());
        return 4;
    } catch (const sql::SQLException &e) {
        std::cerr << "sinkhost: " << describe(e) << "\n";
        return 5;
    } catch (const std::exception &e) {
        std::cerr << "sinkhost: " << e.what() << "\n";
        return 1;
    }
}
