// Topic entries of the mapping files: parsed, validated, and refused with
// the file, line and key when wrong.
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include "entity_recorder.hpp"
#include "topic_config.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;
using vibe::Format;
using vibe::MessageKind;

namespace {

std::string error_of(const std::string &yaml, int line = 10, const std::string &topic = "t") {
    try {
        vibe::parse_topic_config(topic, yaml, "mappings/orders.yaml", line);
    } catch (const vibe::TopicConfigError &e) {
        return e.what();
    }
    FAIL("no TopicConfigError thrown");
    return {};
}

}  // namespace

TEST_CASE("topic entry: every key", "[topic_config]") {
    auto c = vibe::parse_topic_config("ticketland.orders.orders",
                                      "message: order\n"
                                      "sources: [ticketland, bank-shop]\n"
                                      "default_source: ticketland\n"
                                      "format: protobuf\n"
                                      "schema_versions: [\"1.0\", \"1.1\"]\n",
                                      "orders.yaml", 3);
    CHECK(c.topic == "ticketland.orders.orders");
    CHECK(c.message == MessageKind::order);
    CHECK(c.sources == std::vector<std::string>{"ticketland", "bank-shop"});
    CHECK(*c.default_source == "ticketland");
    CHECK(c.format == Format::protobuf);
    CHECK(c.schema_versions == std::vector<std::string>{"1.0", "1.1"});
}

TEST_CASE("topic entry: defaults", "[topic_config]") {
    auto c = vibe::parse_topic_config("t", "message: refund\nsources: [ticketland]\n", "f.yaml", 1);
    CHECK(c.message == MessageKind::refund);
    CHECK_FALSE(c.default_source);
    CHECK(c.format == Format::json);
    CHECK(c.schema_versions.empty());
    // Ticketscloud messages are protobuf whatever the default.
    auto tc = vibe::parse_topic_config("t", "message: ticketscloud.order\nsources: [ticketscloud]\n", "f.yaml", 1);
    CHECK(tc.message == MessageKind::tc_order);
    CHECK(tc.format == Format::protobuf);
}

TEST_CASE("topic entry given with its topic-name key", "[topic_config]") {
    auto c = vibe::parse_topic_config("tl.events", "tl.events:\n  message: event\n  sources: [ticketland]\n", "f.yaml",
                                      5);
    CHECK(c.message == MessageKind::event);
    CHECK(error_of("tl.events:\n  message: event\n  sourcs: [ticketland]\n", 5, "tl.events") ==
          "mappings/orders.yaml:7: topic 'tl.events': unknown key 'sourcs' (expected message, sources, default_source, "
          "format, schema_versions)");
}

TEST_CASE("every message name", "[topic_config]") {
    for (auto [name, kind] : std::vector<std::pair<std::string, MessageKind>>{
             {"organizer", MessageKind::organizer},
             {"event", MessageKind::event},
             {"order", MessageKind::order},
             {"refund", MessageKind::refund},
             {"ticket", MessageKind::ticket},
             {"ticketscloud.partner", MessageKind::tc_partner},
             {"ticketscloud.event", MessageKind::tc_event},
             {"ticketscloud.order", MessageKind::tc_order},
             {"ticketscloud.refund_request", MessageKind::tc_refund_request}}) {
        auto c = vibe::parse_topic_config("t", "message: " + name + "\nsources: [s]\n", "f", 1);
        CHECK(c.message == kind);
        CHECK(vibe::message_name(kind) == name);
    }
}

TEST_CASE("topic entry errors name the file, the line and the key", "[topic_config]") {
    CHECK_THAT(error_of("message: order\nsources: [ticketland]\nformt: json\n"),
               Equals("mappings/orders.yaml:13: topic 't': unknown key 'formt' (expected message, sources, "
                      "default_source, format, schema_versions)"));
    CHECK_THAT(error_of("message: order\n"),
               Equals("mappings/orders.yaml:10: topic 't': missing 'sources' (the application-id values allowed on "
                      "this topic)"));
    CHECK_THAT(error_of("sources: [ticketland]\n"), Equals("mappings/orders.yaml:10: topic 't': missing 'message'"));
    CHECK_THAT(error_of("message: order\nsources: []\n"),
               Equals("mappings/orders.yaml:12: topic 't': 'sources' must list at least one application-id"));
    CHECK_THAT(error_of("message: order\nsources: ticketland\n"),
               Equals("mappings/orders.yaml:12: topic 't': 'sources' must be a list of strings"));
    CHECK_THAT(error_of("message: orders\nsources: [s]\n"),
               Contains("mappings/orders.yaml:11: topic 't': unknown message 'orders' (expected one of: organizer,"));
    CHECK_THAT(error_of("message: order\nsources: [s]\nformat: avro\n"),
               Equals("mappings/orders.yaml:13: topic 't': unknown format 'avro' (expected json or protobuf)"));
    CHECK_THAT(error_of("message: order\nsources: [s]\ndefault_source: other\n"),
               Equals("mappings/orders.yaml:13: topic 't': default_source 'other' is not in 'sources'"));
    CHECK_THAT(error_of("message: ticketscloud.event\nsources: [s]\nformat: json\n"),
               Equals("mappings/orders.yaml:13: topic 't': message 'ticketscloud.event' is protobuf only"));
    CHECK_THAT(error_of("message: order\nsources: [s, s]\n"),
               Equals("mappings/orders.yaml:12: topic 't': 'sources' lists 's' twice"));
    CHECK_THAT(error_of("message: order\nsources: [s]\nmessage: event\n"),
               Equals("mappings/orders.yaml:13: topic 't': duplicate key 'message'"));
    CHECK_THAT(error_of("message: [order]\nsources: [s]\n"),
               Equals("mappings/orders.yaml:11: topic 't': 'message' must be a string"));
    CHECK_THAT(error_of("- message\n"), Equals("mappings/orders.yaml:10: topic 't': the entry must be a map of settings"));
    CHECK_THAT(error_of("message: order\nsources: [s\n"), Contains("mappings/orders.yaml:1"));
    CHECK_THAT(error_of("message: order\nsources: [s\n"), Contains("invalid YAML"));
}

// Hands each topic entry of a mapping file to the plugin the way the host
// does (host/src/mapping/mapping.cpp): the entry's body re-emitted as YAML,
// with the line of its topic-name key.
std::vector<vibe::TopicConfig> parse_like_the_host(const std::string &path, const std::string &text) {
    YAML::Node root = YAML::Load(text);
    std::vector<vibe::TopicConfig> out;
    for (auto it = root["topics"].begin(); it != root["topics"].end(); ++it) {
        YAML::Emitter e;
        e << it->second;
        out.push_back(vibe::parse_topic_config(it->first.as<std::string>(), e.c_str(), path,
                                               static_cast<int>(it->first.Mark().line) + 1));
    }
    return out;
}

TEST_CASE("a bad key is reported on its own line of the mapping file", "[topic_config][mappings]") {
    const std::string text =
        "# comment\n"
        "topics:\n"
        "  a.topic:\n"
        "    message: order\n"
        "    sources: [ticketland]\n"
        "\n"
        "  b.topic:\n"
        "    message: event\n"
        "    sources: [ticketland]\n"
        "    schema_version: [\"1.0\"]\n";
    try {
        parse_like_the_host("m.yaml", text);
        FAIL("accepted an unknown key");
    } catch (const vibe::TopicConfigError &e) {
        CHECK_THAT(e.what(), StartsWith("m.yaml:10: topic 'b.topic': unknown key 'schema_version'"));
    }
    try {
        parse_like_the_host("m.yaml", "topics:\n  x:\n    message: order\n");
        FAIL("accepted a topic without sources");
    } catch (const vibe::TopicConfigError &e) {
        CHECK_THAT(e.what(), StartsWith("m.yaml:2: topic 'x': missing 'sources'"));
    }
}

TEST_CASE("the topic files in mappings/ are accepted by the plugin", "[topic_config][mappings]") {
    struct Expected {
        const char *file;
        std::vector<std::pair<std::string, MessageKind>> topics;
        std::vector<std::string> sources;
        Format format;
        std::vector<std::string> schema_versions;
    };
    const std::vector<std::string> tl = {"ticketland"}, v1 = {"1.0"};
    for (const Expected &x : std::vector<Expected>{
             {"orders.yaml",
              {{"ticketland.orders.organizers", MessageKind::organizer},
               {"ticketland.orders.events", MessageKind::event},
               {"ticketland.orders.orders", MessageKind::order},
               {"ticketland.orders.refunds", MessageKind::refund}},
              tl, Format::json, v1},
             {"tickets.yaml",
              {{"ticketland.tickets.organizers", MessageKind::organizer},
               {"ticketland.tickets.events", MessageKind::event},
               {"ticketland.tickets.tickets", MessageKind::ticket}},
              tl, Format::json, v1},
             {"ticketscloud.yaml",
              {{"ticketscloud.partners", MessageKind::tc_partner},
               {"ticketscloud.events", MessageKind::tc_event},
               {"ticketscloud.orders", MessageKind::tc_order},
               {"ticketscloud.refund_requests", MessageKind::tc_refund_request}},
              {"ticketscloud"}, Format::protobuf, {}}}) {
        const std::string path = std::string(VIBE_MAPPINGS_DIR) + "/" + x.file;
        INFO(path);
        std::vector<vibe::TopicConfig> topics = parse_like_the_host(path, vibe_test::read_file(path));
        REQUIRE(topics.size() == x.topics.size());
        for (size_t i = 0; i < topics.size(); ++i) {
            CHECK(topics[i].topic == x.topics[i].first);
            CHECK(topics[i].message == x.topics[i].second);
            CHECK(topics[i].sources == x.sources);
            CHECK(topics[i].format == x.format);
            CHECK(topics[i].schema_versions == x.schema_versions);
        }
    }
}
