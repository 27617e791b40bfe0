// Unit tests of vsink_testsupport: the pieces that need no server.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "vsink/test/support.hpp"

using namespace vsink::test;

namespace {

// Sets or unsets environment variables for one scope, restoring them after.
class ScopedEnv {
public:
    void set(const std::string &name, const std::optional<std::string> &value) {
        if (!saved_.count(name)) {
            const char *old = std::getenv(name.c_str());
            saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
        }
        if (value)
            ::setenv(name.c_str(), value->c_str(), 1);
        else
            ::unsetenv(name.c_str());
    }
    ~ScopedEnv() {
        for (const auto &[name, value] : saved_) {
            if (value)
                ::setenv(name.c_str(), value->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }

private:
    std::map<std::string, std::optional<std::string>> saved_;
};

const char *const kAllVars[] = {"VSINK_KAFKA_BOOTSTRAP", "VSINK_DB_HOST", "VSINK_DB_PORT",
                                "VSINK_DB_SOCKET",       "VSINK_DB_USER", "VSINK_DB_PASSWORD",
                                "VSINK_DB_NAME",         "VSINK_RUN_DIR", "VSINK_ENV_FILE",
                                "VSINK_KAFKA_SASL_BOOTSTRAP", "VSINK_KAFKA_SASL_MECHANISM",
                                "VSINK_KAFKA_SASL_USER", "VSINK_KAFKA_SASL_PASSWORD",
                                "VSINK_TLS_CA", "VSINK_TLS_WRONG_CA", "VSINK_DB_TLS_CA",
                                "VSINK_DB_TLS_USER", "VSINK_DB_TLS_PASSWORD",
                                "VSINK_DB_TLS_CLIENT_CERT", "VSINK_DB_TLS_CLIENT_KEY",
                                "VSINK_DB_X509_USER", "VSINK_DB_X509_PASSWORD"};

// The SASL_SSL/TLS variables scripts/servers writes, as an env file's lines.
const char *const kTlsLines =
    "VSINK_KAFKA_SASL_BOOTSTRAP=127.0.0.1:19093\nVSINK_KAFKA_SASL_MECHANISM=SCRAM-SHA-512\n"
    "VSINK_KAFKA_SASL_USER=vsink\nVSINK_KAFKA_SASL_PASSWORD=kpw\n"
    "VSINK_TLS_CA=/tmp/run/tls/ca.crt\nVSINK_TLS_WRONG_CA=/tmp/run/tls/wrong-ca.crt\n"
    "VSINK_DB_TLS_CA=/tmp/run/tls/ca.crt\nVSINK_DB_TLS_USER=vsink_tls\n"
    "VSINK_DB_TLS_PASSWORD=tpw\nVSINK_DB_TLS_CLIENT_CERT=/tmp/run/tls/db-client.crt\n"
    "VSINK_DB_TLS_CLIENT_KEY=/tmp/run/tls/db-client.key\nVSINK_DB_X509_USER=vsink_x509\n"
    "VSINK_DB_X509_PASSWORD=xpw\n";

// Sets the SASL_SSL/TLS variables of kTlsLines in `env`.
void set_tls_vars(ScopedEnv &env) {
    std::istringstream lines(kTlsLines);
    std::string line;
    while (std::getline(lines, line)) {
        const auto eq = line.find('=');
        env.set(line.substr(0, eq), line.substr(eq + 1));
    }
}

long long elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 since)
        .count();
}

}  // namespace

TEST_CASE("unique_name is unique and a valid topic and database name", "[support]") {
    std::set<std::string> names;
    for (int i = 0; i < 1000; ++i) names.insert(unique_name("it_orders"));
    CHECK(names.size() == 1000);
    for (const auto &n : names) {
        CHECK(n.rfind("it_orders_" + std::to_string(::getpid()) + "_", 0) == 0);
        CHECK(n.size() <= 64);
        for (char c : n) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '_'));
    }
}

TEST_CASE("wait_until returns true as soon as the predicate holds", "[support]") {
    const auto start = std::chrono::steady_clock::now();
    int calls = 0;
    CHECK(wait_until(5000, [&] { return ++calls == 3; }, "third call"));
    CHECK(calls == 3);
    CHECK(elapsed_ms(start) < 1000);  // two polls of 50 ms, not the deadline
}

TEST_CASE("wait_until gives up at the deadline", "[support]") {
    const auto start = std::chrono::steady_clock::now();
    int calls = 0;
    CHECK_FALSE(wait_until(300, [&] { ++calls; return false; }, "never"));
    const auto ms = elapsed_ms(start);
    CHECK(ms >= 300);
    CHECK(ms < 1500);
    CHECK(calls >= 3);  // polled, not slept through
    CHECK(calls <= 8);  // at 50 ms, not busy-looping
}

TEST_CASE("wait_until with a zero deadline evaluates once", "[support]") {
    int calls = 0;
    CHECK(wait_until(0, [&] { ++calls; return true; }));
    CHECK(calls == 1);
}

TEST_CASE("wait_until lets predicate exceptions through", "[support]") {
    CHECK_THROWS_WITH(wait_until(1000, []() -> bool { throw std::runtime_error("boom"); }), "boom");
}

TEST_CASE("ServerEnv::require fails clearly without the servers' env", "[support]") {
    ScopedEnv env;
    for (const char *v : kAllVars) env.set(v, std::nullopt);
    CHECK_FALSE(ServerEnv::load().complete());
    CHECK_THROWS_WITH(ServerEnv::require(),
                      Catch::Contains("run through scripts/test (needs VSINK_KAFKA_BOOTSTRAP"));

    env.set("VSINK_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    env.set("VSINK_DB_HOST", "127.0.0.1");
    env.set("VSINK_DB_PORT", "3306");
    env.set("VSINK_DB_USER", "vsink");
    env.set("VSINK_DB_NAME", "vibe");
    // Only the password is missing: still a failure, and it is named.
    CHECK_THROWS_WITH(ServerEnv::require(), Catch::Contains("missing: VSINK_DB_PASSWORD"));
}

TEST_CASE("ServerEnv reads the VSINK_* variables", "[support]") {
    ScopedEnv env;
    for (const char *v : kAllVars) env.set(v, std::nullopt);
    env.set("VSINK_KAFKA_BOOTSTRAP", "127.0.0.1:19092");
    env.set("VSINK_DB_HOST", "127.0.0.1");
    env.set("VSINK_DB_PORT", "13306");
    env.set("VSINK_DB_SOCKET", "/tmp/x/mysqld.sock");
    env.set("VSINK_DB_USER", "vsink");
    env.set("VSINK_DB_PASSWORD", "");
    env.set("VSINK_DB_NAME", "vibe");
    env.set("VSINK_RUN_DIR", "/tmp/run");
    // Without the SASL_SSL/TLS variables: an env from an older scripts/servers.
    CHECK_THROWS_WITH(ServerEnv::require(),
                      Catch::Contains("missing: VSINK_KAFKA_SASL_BOOTSTRAP") &&
                          Catch::Contains("older than its SASL_SSL listener"));
    set_tls_vars(env);
    const ServerEnv e = ServerEnv::require();
    CHECK(e.kafka_bootstrap == "127.0.0.1:19092");
    CHECK(e.db_port == 13306);
    CHECK(e.db_socket == "/tmp/x/mysqld.sock");
    CHECK(e.db_password.empty());
    CHECK(e.scratch_dir() == "/tmp/run");
    CHECK(e.kafka_sasl_bootstrap == "127.0.0.1:19093");
    CHECK(e.kafka_sasl_password == "kpw");
    CHECK(e.tls_wrong_ca == "/tmp/run/tls/wrong-ca.crt");
    CHECK(e.db_x509_password == "xpw");
    const auto vars = e.as_env();
    CHECK(std::find(vars.begin(), vars.end(),
                    std::make_pair(std::string("VSINK_DB_NAME"), std::string("vibe"))) != vars.end());
    CHECK(std::find(vars.begin(), vars.end(),
                    std::make_pair(std::string("VSINK_KAFKA_SASL_USER"), std::string("vsink"))) !=
          vars.end());

    env.set("VSINK_TLS_CA", std::nullopt);
    CHECK_THROWS_WITH(ServerEnv::require(), Catch::Contains("missing: VSINK_TLS_CA"));
    set_tls_vars(env);

    env.set("VSINK_DB_PORT", "not-a-port");
    CHECK_THROWS_WITH(ServerEnv::require(), Catch::Contains("VSINK_DB_PORT"));
}

TEST_CASE("ServerEnv falls back to the env file scripts/servers writes", "[support]") {
    ScopedEnv env;
    for (const char *v : kAllVars) env.set(v, std::nullopt);
    const std::string path = "/tmp/" + unique_name("vsink_env") + ".env";
    {
        std::ofstream f(path);
        f << "# written by scripts/servers\n"
             "export VSINK_KAFKA_BOOTSTRAP=127.0.0.1:29092\n"
             "VSINK_DB_HOST=127.0.0.1\nVSINK_DB_PORT='23306'\nVSINK_DB_USER=vsink\n"
             "VSINK_DB_PASSWORD=\"s3cret\"\nVSINK_DB_NAME=vibe\n"
          << kTlsLines;
    }
    env.set("VSINK_ENV_FILE", path);
    const ServerEnv e = ServerEnv::require();
    ::unlink(path.c_str());
    CHECK(e.kafka_bootstrap == "127.0.0.1:29092");
    CHECK(e.db_port == 23306);
    CHECK(e.db_password == "s3cret");
    CHECK(e.db_tls_ca == "/tmp/run/tls/ca.crt");
}

TEST_CASE("Process runs a child, reports its exit code and captures its output", "[support]") {
    Process p({"sh", "-c", "echo to-stdout; echo to-stderr >&2; echo \"$VSINK_X\"; exit 3"},
              {{"VSINK_X", "from-env"}});
    const auto st = p.wait(5000);
    REQUIRE(st);
    CHECK(st->exited());
    CHECK(st->code == 3);
    CHECK_FALSE(st->success());
    CHECK(st->describe() == "exit code 3");
    CHECK_FALSE(p.alive());
    const std::string log = p.log();
    CHECK_THAT(log, Catch::Contains("to-stdout"));
    CHECK_THAT(log, Catch::Contains("to-stderr"));
    CHECK_THAT(log, Catch::Contains("from-env"));
    ::unlink(p.log_path().c_str());
}

TEST_CASE("Process kill ends /bin/sleep with the signal", "[support]") {
    Process p({"/bin/sleep", "30"});
    CHECK(p.alive());
    CHECK_FALSE(p.wait(200));  // still running at the deadline
    p.kill(SIGTERM);
    const auto st = p.wait(5000);
    REQUIRE(st);
    CHECK(st->signaled());
    CHECK(st->signal == SIGTERM);
    CHECK_FALSE(p.alive());
    p.kill(SIGKILL);  // reaped: a no-op, never a signal to a recycled pid
    ::unlink(p.log_path().c_str());
}

TEST_CASE("Process destructor kills a child still running", "[support]") {
    pid_t pid = -1;
    std::string log;
    {
        Process p({"sleep", "30"});
        pid = p.pid();
        log = p.log_path();
        REQUIRE(p.alive());
    }
    // Reaped by the destructor: the pid no longer names our child.
    CHECK(::kill(pid, 0) != 0);
    ::unlink(log.c_str());
}

TEST_CASE("Process fails clearly when the program cannot run", "[support]") {
    const std::string log = "/tmp/" + unique_name("vsink_noexec") + ".log";
    CHECK_THROWS_WITH(Process({"/nonexistent/sinkhost", "run"}, {}, log),
                      Catch::Contains("cannot run /nonexistent/sinkhost"));
    ::unlink(log.c_str());
}

TEST_CASE("Database quoting", "[support]") {
    CHECK(Database::quote_ident("vibe") == "`vibe`");
    CHECK(Database::quote_ident("a`b") == "`a``b`");
    CHECK(Database::quote("it's") == "'it''s'");
    CHECK(Database::quote("a\\b") == "'a\\\\b'");
}
