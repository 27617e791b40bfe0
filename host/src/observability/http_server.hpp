// The worker's HTTP endpoints, on a thread of their own (cpp-httplib, two
// handler threads): GET /metrics (Prometheus text), /healthz, /readyz and
// /status (JSON). They only read the Telemetry; a slow or stuck scraper
// never touches the consumer loop.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "config/worker_config.hpp"
#include "observability/telemetry.hpp"

namespace httplib {
class Server;
}

namespace vsink::obs {

class HttpServer {
public:
    explicit HttpServer(Telemetry &telemetry);
    ~HttpServer();  // stops and joins
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    // Binds cfg.listen:cfg.port (any free port when cfg.port is kAnyPort)
    // and serves. Returns false (and logs why) when it cannot bind; the
    // worker then runs without its endpoints.
    bool start(const HttpConfig &cfg);
    void stop();
    int port() const { return port_; }

private:
    Telemetry &telemetry_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
};

}  // namespace vsink::obs
