// The servers an integration test runs against, as scripts/servers describes
// them in VSINK_* environment variables (scripts/test exports them).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace vsink::test {

struct ServerEnv {
    std::string kafka_bootstrap;  // VSINK_KAFKA_BOOTSTRAP, e.g. 127.0.0.1:9092
    std::string db_host;          // VSINK_DB_HOST
    int db_port = 0;              // VSINK_DB_PORT
    std::string db_socket;        // VSINK_DB_SOCKET (optional)
    std::string db_user;          // VSINK_DB_USER
    std::string db_password;      // VSINK_DB_PASSWORD (may be empty)
    std::string db_name;          // VSINK_DB_NAME
    std::string run_dir;          // VSINK_RUN_DIR (optional: logs and scratch files)

    // The SASL_SSL listener (SCRAM over TLS, the production protocol) and TLS
    // material; scripts/servers always provides them, so require() insists.
    std::string kafka_sasl_bootstrap;  // VSINK_KAFKA_SASL_BOOTSTRAP, e.g. 127.0.0.1:9093
    std::string kafka_sasl_mechanism;  // VSINK_KAFKA_SASL_MECHANISM (SCRAM-SHA-512)
    std::string kafka_sasl_user;       // VSINK_KAFKA_SASL_USER
    std::string kafka_sasl_password;   // VSINK_KAFKA_SASL_PASSWORD
    std::string tls_ca;                // VSINK_TLS_CA: CA file that signed both servers' certificates
    std::string tls_wrong_ca;          // VSINK_TLS_WRONG_CA: an unrelated CA file (must fail)
    std::string db_tls_ca;             // VSINK_DB_TLS_CA: CA of MariaDB's certificate
    std::string db_tls_user;           // VSINK_DB_TLS_USER: may only log in over TLS
    std::string db_tls_password;       // VSINK_DB_TLS_PASSWORD
    std::string db_tls_client_cert;    // VSINK_DB_TLS_CLIENT_CERT: client certificate (PEM)
    std::string db_tls_client_key;     // VSINK_DB_TLS_CLIENT_KEY: its key (PEM)
    std::string db_x509_user;          // VSINK_DB_X509_USER: needs that client certificate
    std::string db_x509_password;      // VSINK_DB_X509_PASSWORD

    // The required variables that were not set (empty when the env is complete).
    std::vector<std::string> missing;

    bool complete() const { return missing.empty(); }

    // Reads the VSINK_* variables; never throws. When VSINK_KAFKA_BOOTSTRAP is
    // unset but VSINK_ENV_FILE names a file of KEY=VALUE lines (the file
    // scripts/servers writes), the variables are read from that file instead.
    static ServerEnv load();

    // The env of a test that needs the servers: throws std::runtime_error
    // "run through scripts/test (needs VSINK_KAFKA_BOOTSTRAP ...)" when any
    // required variable is missing (the SASL/TLS ones included; an env written
    // by an older scripts/servers is named as such), so such a test fails
    // instead of passing without having run.
    static ServerEnv require();

    // The variables as name/value pairs, to hand to a child process (sinkhost
    // configs reference them as ${env:VSINK_...}).
    std::vector<std::pair<std::string, std::string>> as_env() const;

    // A directory for logs and scratch files: run_dir if set, else $TMPDIR or /tmp.
    std::string scratch_dir() const;
};

}  // namespace vsink::test
