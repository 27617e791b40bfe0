#include "vsink/test/server_env.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>

namespace vsink::test {
namespace {

const char *const kRequired[] = {"VSINK_KAFKA_BOOTSTRAP", "VSINK_DB_HOST", "VSINK_DB_PORT",
                                 "VSINK_DB_USER",         "VSINK_DB_PASSWORD", "VSINK_DB_NAME"};

// The SASL_SSL listener and the TLS material (scripts/servers since issue 7):
// also required, but reported apart so that an env file from an older
// scripts/servers is recognisable as such.
struct TlsVar {
    const char *name;
    std::string ServerEnv::*field;
};
const TlsVar kTlsRequired[] = {
    {"VSINK_KAFKA_SASL_BOOTSTRAP", &ServerEnv::kafka_sasl_bootstrap},
    {"VSINK_KAFKA_SASL_MECHANISM", &ServerEnv::kafka_sasl_mechanism},
    {"VSINK_KAFKA_SASL_USER", &ServerEnv::kafka_sasl_user},
    {"VSINK_KAFKA_SASL_PASSWORD", &ServerEnv::kafka_sasl_password},
    {"VSINK_TLS_CA", &ServerEnv::tls_ca},
    {"VSINK_TLS_WRONG_CA", &ServerEnv::tls_wrong_ca},
    {"VSINK_DB_TLS_CA", &ServerEnv::db_tls_ca},
    {"VSINK_DB_TLS_USER", &ServerEnv::db_tls_user},
    {"VSINK_DB_TLS_PASSWORD", &ServerEnv::db_tls_password},
    {"VSINK_DB_TLS_CLIENT_CERT", &ServerEnv::db_tls_client_cert},
    {"VSINK_DB_TLS_CLIENT_KEY", &ServerEnv::db_tls_client_key},
    {"VSINK_DB_X509_USER", &ServerEnv::db_x509_user},
    {"VSINK_DB_X509_PASSWORD", &ServerEnv::db_x509_password},
};

std::string trim(const std::string &s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// KEY=VALUE lines as a shell would source them: `export ` prefix, comments
// and one level of single or double quotes.
std::map<std::string, std::string> read_env_file(const std::string &path) {
    std::map<std::string, std::string> vars;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        if (line.compare(0, 7, "export ") == 0) line = trim(line.substr(7));
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string value = line.substr(eq + 1);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front())
            value = value.substr(1, value.size() - 2);
        vars[trim(line.substr(0, eq))] = value;
    }
    return vars;
}

}  // namespace

ServerEnv ServerEnv::load() {
    std::map<std::string, std::string> file_vars;
    const char *env_file = std::getenv("VSINK_ENV_FILE");
    if (!std::getenv("VSINK_KAFKA_BOOTSTRAP") && env_file && *env_file)
        file_vars = read_env_file(env_file);

    auto get = [&](const char *name) -> std::optional<std::string> {
        if (const char *v = std::getenv(name)) return std::string(v);
        if (auto it = file_vars.find(name); it != file_vars.end()) return it->second;
        return std::nullopt;
    };

    ServerEnv env;
    for (const char *name : kRequired) {
        const auto v = get(name);
        // The password may legitimately be empty; every other value may not.
        const bool may_be_empty = std::string(name) == "VSINK_DB_PASSWORD";
        if (!v || (v->empty() && !may_be_empty)) env.missing.emplace_back(name);
    }
    env.kafka_bootstrap = get("VSINK_KAFKA_BOOTSTRAP").value_or("");
    env.db_host = get("VSINK_DB_HOST").value_or("");
    env.db_socket = get("VSINK_DB_SOCKET").value_or("");
    env.db_user = get("VSINK_DB_USER").value_or("");
    env.db_password = get("VSINK_DB_PASSWORD").value_or("");
    env.db_name = get("VSINK_DB_NAME").value_or("");
    env.run_dir = get("VSINK_RUN_DIR").value_or("");
    for (const auto &var : kTlsRequired) {
        const auto v = get(var.name);
        if (!v || v->empty()) env.missing.emplace_back(var.name);
        env.*var.field = v.value_or("");
    }
    const std::string port = get("VSINK_DB_PORT").value_or("");
    if (!port.empty()) {
        char *end = nullptr;
        const long p = std::strtol(port.c_str(), &end, 10);
        if (*end != '\0' || p <= 0 || p > 65535)
            env.missing.emplace_back("VSINK_DB_PORT (not a port: " + port + ")");
        else
            env.db_port = static_cast<int>(p);
    }
    return env;
}

ServerEnv ServerEnv::require() {
    ServerEnv env = load();
    if (!env.complete()) {
        std::string names;
        for (const char *name : kRequired) names += std::string(names.empty() ? "" : ", ") + name;
        std::string missing;
        bool only_tls_missing = true;
        for (const auto &m : env.missing) {
            missing += (missing.empty() ? "" : ", ") + m;
            bool tls = false;
            for (const auto &var : kTlsRequired) tls = tls || m == var.name;
            only_tls_missing = only_tls_missing && tls;
        }
        if (only_tls_missing)
            throw std::runtime_error(
                "this test needs the real servers' SASL_SSL listener and TLS material, which "
                "the servers' env lacks (missing: " + missing + "; an env from a "
                "scripts/servers older than its SASL_SSL listener?): restart the instance "
                "(scripts/servers stop NAME; scripts/servers start NAME) or run through "
                "scripts/test");
        throw std::runtime_error("this test needs the real Kafka and MariaDB servers: run through "
                                 "scripts/test (needs " + names + " and the SASL/TLS variables "
                                 "of scripts/servers; missing: " + missing + ")");
    }
    return env;
}

std::vector<std::pair<std::string, std::string>> ServerEnv::as_env() const {
    std::vector<std::pair<std::string, std::string>> vars = {
        {"VSINK_KAFKA_BOOTSTRAP", kafka_bootstrap},
        {"VSINK_DB_HOST", db_host},
        {"VSINK_DB_PORT", std::to_string(db_port)},
        {"VSINK_DB_USER", db_user},
        {"VSINK_DB_PASSWORD", db_password},
        {"VSINK_DB_NAME", db_name},
    };
    for (const auto &var : kTlsRequired)
        if (!(this->*var.field).empty()) vars.emplace_back(var.name, this->*var.field);
    if (!db_socket.empty()) vars.emplace_back("VSINK_DB_SOCKET", db_socket);
    if (!run_dir.empty()) vars.emplace_back("VSINK_RUN_DIR", run_dir);
    return vars;
}

std::string ServerEnv::scratch_dir() const {
    if (!run_dir.empty()) return run_dir;
    if (const char *t = std::getenv("TMPDIR"); t && *t) return t;
    return "/tmp";
}

}  // namespace vsink::test
