#include "observability/http_server.hpp"

#include <httplib.h>

#include <chrono>

#include "log/log.hpp"

namespace vsink::obs {

HttpServer::HttpServer(Telemetry &telemetry) : telemetry_(telemetry) {}

HttpServer::~HttpServer() { stop(); }

bool HttpServer::start(const HttpConfig &cfg) {
    server_ = std::make_unique<httplib::Server>();
    httplib::Server &s = *server_;
    // Two handler threads are plenty for a scraper and a probe.
    s.new_task_queue = [] { return new httplib::ThreadPool(2); };
    s.set_read_timeout(5, 0);
    s.set_write_timeout(5, 0);
    s.set_keep_alive_max_count(10);
    s.set_payload_max_length(1024);

    s.Get("/metrics", [this](const httplib::Request &, httplib::Response &res) {
        res.set_content(telemetry_.render_metrics(), "text/plain; version=0.0.4; charset=utf-8");
    });
    s.Get("/healthz", [this](const httplib::Request &, httplib::Response &res) {
        std::string why;
        if (telemetry_.healthy(&why)) {
            res.set_content("ok\n", "text/plain; charset=utf-8");
        } else {
            res.status = 503;
            res.set_content(why + "\n", "text/plain; charset=utf-8");
        }
    });
    s.Get("/readyz", [this](const httplib::Request &, httplib::Response &res) {
        std::string why;
        if (telemetry_.ready(&why)) {
            res.set_content("ready\n", "text/plain; charset=utf-8");
        } else {
            res.status = 503;
            res.set_content(why + "\n", "text/plain; charset=utf-8");
        }
    });
    s.Get("/status", [this](const httplib::Request &, httplib::Response &res) {
        res.set_content(telemetry_.status_json(), "application/json");
    });
    s.set_error_handler([](const httplib::Request &, httplib::Response &res) {
        if (res.status == 404)
            res.set_content("not found: the endpoints are /metrics, /healthz, /readyz and /status\n",
                            "text/plain; charset=utf-8");
    });

    if (cfg.port == HttpConfig::kAnyPort) {
        port_ = s.bind_to_any_port(cfg.listen);
    } else {
        port_ = s.bind_to_port(cfg.listen, cfg.port) ? cfg.port : -1;
    }
    if (port_ <= 0) {
        logger()->error("http: cannot listen on {}:{} (in use, or not an address of this host); /metrics, /healthz, "
                        "/readyz and /status are off (set worker.http.port)",
                        cfg.listen, cfg.port == HttpConfig::kAnyPort ? std::string("any") : std::to_string(cfg.port));
        server_.reset();
        port_ = 0;
        return false;
    }
    thread_ = std::thread([&s] { s.listen_after_bind(); });
    // Listening before start() returns: a stop() before would be missed.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!s.is_running() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    logger()->info("http: serving /metrics, /healthz, /readyz and /status on http://{}:{}", cfg.listen, port_);
    return true;
}

void HttpServer::stop() {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
}

}  // namespace vsink::obs
