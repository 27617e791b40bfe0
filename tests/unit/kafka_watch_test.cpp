// The lines an operator reads when the cluster refuses the sink.
#include <catch2/catch.hpp>

#include "worker/kafka_watch.hpp"

using namespace vsink;

namespace {
const std::map<std::string, std::string> kSasl = {{"bootstrap.servers", "127.0.0.1:9093"},
                                                  {"security.protocol", "SASL_SSL"},
                                                  {"sasl.mechanisms", "SCRAM-SHA-512"},
                                                  {"sasl.username", "vsink"},
                                                  {"sasl.password", "never-printed-1"},
                                                  {"ssl.ca.location", "/etc/vibe-sink/kafka-ca.crt"}};
}

TEST_CASE("kafka watch: a refused login names the user and the mechanism, never the password", "[kafka-watch]") {
    KafkaWatch w(kSasl);
    const std::string line = w.describe_access_error(
        RdKafka::ERR__AUTHENTICATION,
        "sasl_ssl://127.0.0.1:9093/bootstrap: SASL authentication error: Authentication failed during authentication "
        "due to invalid credentials with SASL mechanism SCRAM-SHA-512");
    CHECK(line ==
          "kafka: SASL authentication failed at sasl_ssl://127.0.0.1:9093/bootstrap: the cluster refused user 'vsink' "
          "with mechanism SCRAM-SHA-512 (check kafka.sasl.username and kafka.sasl.password)");
    CHECK(line.find("never-printed-1") == std::string::npos);
}

TEST_CASE("kafka watch: a certificate the CA does not verify names the CA file", "[kafka-watch]") {
    KafkaWatch w(kSasl);
    CHECK(w.describe_access_error(RdKafka::ERR__SSL,
                                  "sasl_ssl://127.0.0.1:9093/bootstrap: SSL handshake failed: error:0A000086:SSL "
                                  "routines::certificate verify failed: broker certificate could not be verified") ==
          "kafka: TLS handshake with sasl_ssl://127.0.0.1:9093/bootstrap failed: its certificate could not be "
          "verified with kafka.ssl.ca.location=/etc/vibe-sink/kafka-ca.crt (a CA that did not sign it, or a "
          "certificate that does not name the host)");
}

TEST_CASE("kafka watch: other errors are not access errors, and reachability starts true", "[kafka-watch]") {
    KafkaWatch w(kSasl);
    CHECK(w.describe_access_error(RdKafka::ERR__TRANSPORT, "127.0.0.1:9093/bootstrap: Connect failed").empty());
    CHECK(w.describe_access_error(RdKafka::ERR__ALL_BROKERS_DOWN, "1/1 brokers are down").empty());
    CHECK(w.access_error().empty());
    CHECK(w.brokers_reachable());
}

TEST_CASE("kafka watch: an unreachable cluster is said only once it lasts, never for a refused login", "[kafka-watch]") {
    using namespace std::chrono_literals;
    {
        KafkaWatch w(kSasl, 60s, 0ms);
        w.note_error(RdKafka::ERR__ALL_BROKERS_DOWN, "1/1 brokers are down");
        CHECK(w.brokers_reachable());  // not said before the loop's next tick
        w.tick();
        CHECK_FALSE(w.brokers_reachable());
        w.note_alive();
        CHECK(w.brokers_reachable());
    }
    {
        // librdkafka reports a refused login's closed connection as "all
        // brokers down" just before the authentication error.
        KafkaWatch w(kSasl, 60s, 0ms);
        w.note_error(RdKafka::ERR__ALL_BROKERS_DOWN, "1/1 brokers are down");
        w.note_error(RdKafka::ERR__AUTHENTICATION, "sasl_ssl://127.0.0.1:9093/bootstrap: SASL authentication error");
        w.tick();
        CHECK(w.brokers_reachable());
        CHECK_THAT(w.access_error(), Catch::Contains("SASL authentication failed"));
    }
    {
        KafkaWatch w(kSasl, 60s, 10s);  // within the grace period nothing is said
        w.note_error(RdKafka::ERR__TRANSPORT, "127.0.0.1:9093/bootstrap: Connect failed");
        w.tick();
        CHECK(w.brokers_reachable());
    }
}
