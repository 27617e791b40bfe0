#include "cli/status_command.hpp"

#include <httplib.h>

#include <iostream>

#include "config/worker_config.hpp"
#include "config/yaml_doc.hpp"

namespace vsink {

namespace {

// Where the config's worker listens, as a URL to reach it from this host.
std::string url_of(const WorkerConfig &cfg) {
    if (cfg.http.port == 0)
        throw ConfigError(cfg.path + ": worker.http.port is 0: the worker serves no status (give --url)");
    if (cfg.http.port == HttpConfig::kAnyPort)
        throw ConfigError(cfg.path + ": worker.http.port is auto: give --url with the port the worker logged "
                                     "(\"http: serving ... on http://...\")");
    std::string host = cfg.http.listen;
    if (host == "0.0.0.0") host = "127.0.0.1";  // any address: this host's loopback answers too
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(cfg.http.port);
}

}  // namespace

int cmd_status(const std::string &config_path, const std::string &url_opt) {
    std::string url = url_opt;
    if (url.empty()) url = url_of(load_worker_config(config_path));
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.find("://") == std::string::npos) url = "http://" + url;

    httplib::Client client(url);
    if (!client.is_valid()) {
        std::cerr << "sinkhost status: not a usable URL: " << url << "\n";
        return 1;
    }
    client.set_connection_timeout(3, 0);
    client.set_read_timeout(10, 0);
    const httplib::Result res = client.Get("/status");
    if (!res) {
        std::cerr << "sinkhost status: no worker answers at " << url << " (" << httplib::to_string(res.error())
                  << "): is `sinkhost run` running with this config, and worker.http enabled?\n";
        return 1;
    }
    if (res->status != 200) {
        std::cerr << "sinkhost status: " << url << "/status answered HTTP " << res->status
                  << " (not a vibe-sink worker?)\n";
        return 1;
    }
    std::cout << res->body;
    if (!res->body.empty() && res->body.back() != '\n') std::cout << "\n";
    return 0;
}

}  // namespace vsink
