// Topic entries of the mapping files: parsed, validated, and refused with
// the file, line and key when wrong. Identity is the topic's `system`; the
// application-id is a channel, optionally allow-listed (`channels`); schema
// versions are majors; Ticketscloud event topics may map category ids.
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

const std::string kExpectedKeys =
    "(expected message, system, channels, format, schema_versions, default_schema_version, categories)";

using Channels = std::optional<std::vector<std::string>>;

}  // namespace

TEST_CASE("topic entry: every key", "[topic_config]") {
    auto c = vibe::parse_topic_config("ticketland.orders.orders",
                                      "message: order\n"
                                      "system: ticketland\n"
                                      "channels: [box_office, live, bank-shop]\n"
                                      "format: protobuf\n"
                                      "schema_versions: [\"1\"]\n"
                                      "default_schema_version: \"1.3\"\n",
                                      "orders.yaml", 3);
    CHECK(c.topic == "ticketland.orders.orders");
    CHECK(c.message == MessageKind::order);
    CHECK(c.system == "ticketland");
    CHECK(c.channels == Channels(std::vector<std::string>{"box_office", "live", "bank-shop"}));
    CHECK(c.format == Format::protobuf);
    CHECK(c.schema_majors == std::vector<int>{1});
    CHECK(c.default_schema_major == 1);
    CHECK(c.categories.empty());
}

TEST_CASE("topic entry: defaults", "[topic_config]") {
    auto c = vibe::parse_topic_config("t", "message: refund\nsystem: ticketland\n", "f.yaml", 1);
    CHECK(c.message == MessageKind::refund);
    CHECK(c.system == "ticketland");
    CHECK_FALSE(c.channels);  // any channel, or none
    CHECK(c.format == Format::json);
    CHECK(c.schema_majors == std::vector<int>{1});
    CHECK(c.default_schema_major == 1);
    CHECK(c.categories.empty());
    // Ticketscloud messages are protobuf whatever the default.
    auto tc = vibe::parse_topic_config("t", "message: ticketscloud.order\nsystem: ticketscloud\n", "f.yaml", 1);
    CHECK(tc.message == MessageKind::tc_order);
    CHECK(tc.system == "ticketscloud");
    CHECK(tc.format == Format::protobuf);
}

TEST_CASE("schema_versions: majors, a MAJOR.MINOR is read as its major", "[topic_config][schema-version]") {
    auto v = [](const std::string &list) {
        return vibe::parse_topic_config("t", "message: order\nsystem: ticketland\nschema_versions: " + list + "\n",
                                        "f", 1);
    };
    CHECK(v("[\"1\"]").schema_majors == std::vector<int>{1});
    CHECK(v("[\"1.0\"]").schema_majors == std::vector<int>{1});
    CHECK(v("[1]").schema_majors == std::vector<int>{1});
    CHECK(v("[\"1.7\"]").default_schema_major == 1);
}

TEST_CASE("schema_major: MAJOR or MAJOR.MINOR, digits only", "[topic_config][schema-version]") {
    CHECK(vibe::schema_major("1") == 1);
    CHECK(vibe::schema_major("1.0") == 1);
    CHECK(vibe::schema_major("1.7") == 1);
    CHECK(vibe::schema_major("1.123456789") == 1);
    CHECK(vibe::schema_major("2.0") == 2);
    CHECK(vibe::schema_major("01") == 1);
    CHECK(vibe::schema_major("123456789") == 123456789);
    for (const char *bad : {"", ".", "1.", ".1", "v1", "1.0.0", "1.x", "-1", "+1", " 1", "1 ", "1,0", "1234567890",
                            "1.1234567890", "１"})
        CHECK_FALSE(vibe::schema_major(bad));
}

TEST_CASE("categories: Ticketscloud category ids to Vibe categories", "[topic_config][categories]") {
    auto c = vibe::parse_topic_config("tc.events",
                                      "message: ticketscloud.event\n"
                                      "system: ticketscloud\n"
                                      "categories:\n"
                                      "  5a0b000000000000000000c1: concert\n"
                                      "  5a0b000000000000000000c2: standup\n"
                                      "  7: theater\n",
                                      "ticketscloud.yaml", 1);
    CHECK(c.categories == std::map<std::string, std::string>{
                              {"5a0b000000000000000000c1", "concert"}, {"5a0b000000000000000000c2", "standup"},
                              {"7", "theater"}});
    CHECK(vibe::parse_topic_config("t", "message: ticketscloud.event\nsystem: ticketscloud\ncategories: {}\n", "f", 1)
              .categories.empty());
    // An empty map is fine on any topic: it maps nothing.
    CHECK_NOTHROW(vibe::parse_topic_config("t", "message: event\nsystem: ticketland\ncategories: {}\n", "f", 1));
}

TEST_CASE("topic entry given with its topic-name key", "[topic_config]") {
    auto c = vibe::parse_topic_config("tl.events", "tl.events:\n  message: event\n  system: ticketland\n", "f.yaml", 5);
    CHECK(c.message == MessageKind::event);
    CHECK(c.system == "ticketland");
    CHECK(error_of("tl.events:\n  message: event\n  sytem: ticketland\n", 5, "tl.events") ==
          "mappings/orders.yaml:7: topic 'tl.events': unknown key 'sytem' " + kExpectedKeys);
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
        auto c = vibe::parse_topic_config("t", "message: " + name + "\nsystem: s\n", "f", 1);
        CHECK(c.message == kind);
        CHECK(vibe::message_name(kind) == name);
        CHECK(vibe::is_ticketscloud(kind) == (name.rfind("ticketscloud.", 0) == 0));
    }
}

TEST_CASE("sources and default_source are gone: the error says what replaces them", "[topic_config]") {
    const std::string why =
        "is gone: set 'system' (the id space, e.g. ticketland) and, to restrict sales channels, 'channels' "
        "(application-id values)";
    CHECK_THAT(error_of("message: order\nsources: [ticketland]\n"),
               Equals("mappings/orders.yaml:12: topic 't': 'sources' " + why));
    CHECK_THAT(error_of("message: order\nsystem: ticketland\ndefault_source: ticketland\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'default_source' " + why));
}

TEST_CASE("topic entry errors name the file, the line and the key", "[topic_config]") {
    CHECK_THAT(error_of("message: order\nsystem: ticketland\nformt: json\n"),
               Equals("mappings/orders.yaml:13: topic 't': unknown key 'formt' " + kExpectedKeys));
    CHECK_THAT(error_of("message: order\n"),
               Equals("mappings/orders.yaml:10: topic 't': missing 'system' (the ticketing system its ids belong to, "
                      "e.g. ticketland)"));
    CHECK_THAT(error_of("system: ticketland\n"), Equals("mappings/orders.yaml:10: topic 't': missing 'message'"));
    CHECK_THAT(error_of("message: orders\nsystem: s\n"),
               Contains("mappings/orders.yaml:11: topic 't': unknown message 'orders' (expected one of: organizer,"));
    CHECK_THAT(error_of("message: order\nsystem: s\nformat: avro\n"),
               Equals("mappings/orders.yaml:13: topic 't': unknown format 'avro' (expected json or protobuf)"));
    CHECK_THAT(error_of("message: ticketscloud.event\nsystem: s\nformat: json\n"),
               Equals("mappings/orders.yaml:13: topic 't': message 'ticketscloud.event' is protobuf only"));
    CHECK_THAT(error_of("message: order\nsystem: s\nmessage: event\n"),
               Equals("mappings/orders.yaml:13: topic 't': duplicate key 'message'"));
    CHECK_THAT(error_of("message: [order]\nsystem: s\n"),
               Equals("mappings/orders.yaml:11: topic 't': 'message' must be a string"));
    CHECK_THAT(error_of("- message\n"), Equals("mappings/orders.yaml:10: topic 't': the entry must be a map of settings"));
    CHECK_THAT(error_of("message: order\nchannels: [s\n"), Contains("mappings/orders.yaml:1"));
    CHECK_THAT(error_of("message: order\nchannels: [s\n"), Contains("invalid YAML"));
}

TEST_CASE("system: a short lower-case name", "[topic_config]") {
    const std::string why = "'system' must be a lower-case name of at most 64 characters (e.g. ticketland)";
    for (const std::string &bad : {std::string("Ticketland"), std::string("ticket land"), std::string("\"\""),
                                   std::string(65, 'a'), std::string("тикетленд")})
        CHECK_THAT(error_of("message: order\nsystem: " + bad + "\n"),
                   Equals("mappings/orders.yaml:12: topic 't': " + why));
    CHECK_THAT(error_of("message: order\nsystem: [ticketland]\n"),
               Equals("mappings/orders.yaml:12: topic 't': 'system' must be a string"));
    for (const std::string &good : {std::string("ticketland"), std::string("ticketscloud"), std::string("tl-2.test_x"),
                                    std::string(64, 'a')})
        CHECK(vibe::parse_topic_config("t", "message: order\nsystem: " + good + "\n", "f", 1).system == good);
}

TEST_CASE("channels: a non-empty list of distinct values", "[topic_config][channel]") {
    CHECK_THAT(error_of("message: order\nsystem: s\nchannels: []\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'channels' lists no channel (leave it out to accept any)"));
    CHECK_THAT(error_of("message: order\nsystem: s\nchannels: live\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'channels' must be a list of strings"));
    CHECK_THAT(error_of("message: order\nsystem: s\nchannels: [live, live]\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'channels' lists 'live' twice"));
    CHECK_THAT(error_of("message: order\nsystem: s\nchannels: [live, \"\"]\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'channels' has an empty value"));
    CHECK_THAT(error_of("message: order\nsystem: s\nchannels: [[live]]\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'channels[]' must be a string"));
}

TEST_CASE("schema_versions: only major 1 is readable", "[topic_config][schema-version]") {
    CHECK_THAT(error_of("message: order\nsystem: s\nschema_versions: [\"2\"]\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'schema_versions': schema major version 2 is not one this "
                      "plugin reads (it reads 1)"));
    CHECK_THAT(error_of("message: order\nsystem: s\nschema_versions: [\"1\", \"2.0\"]\n"),
               Contains("schema major version 2 is not one this plugin reads"));
    CHECK_THAT(error_of("message: order\nsystem: s\nschema_versions: [\"1\", \"1.3\"]\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'schema_versions' lists major 1 twice"));
    CHECK_THAT(error_of("message: order\nsystem: s\nschema_versions: [\"v1\"]\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'schema_versions': 'v1' is not a MAJOR or MAJOR.MINOR "
                      "version"));
    for (const char *bad : {"[]", "\"1\"", "{a: 1}"})
        CHECK_THAT(error_of(std::string("message: order\nsystem: s\nschema_versions: ") + bad + "\n"),
                   Equals("mappings/orders.yaml:13: topic 't': 'schema_versions' must be a non-empty list of major "
                          "versions, e.g. [\"1\"]"));
    CHECK_THAT(error_of("message: order\nsystem: s\ndefault_schema_version: \"2.1\"\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'default_schema_version': schema major version 2 is not "
                      "one this plugin reads (it reads 1)"));
    CHECK_THAT(error_of("message: order\nsystem: s\ndefault_schema_version: [\"1\"]\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'default_schema_version' must be a string"));
}

TEST_CASE("categories: only Vibe category names, only on ticketscloud.event", "[topic_config][categories]") {
    for (const char *bad : {"Concert", "opera", "develpoment", "standups", "\"\""})
        CHECK_THAT(error_of(std::string("message: ticketscloud.event\nsystem: s\ncategories:\n  c1: ") + bad + "\n"),
                   Equals(std::string("mappings/orders.yaml:14: topic 't': categories.c1: '") +
                          (std::string(bad) == "\"\"" ? "" : bad) + "' is not a Vibe category"));
    CHECK_THAT(error_of("message: event\nsystem: s\ncategories: {c1: concert}\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'categories' applies to ticketscloud.event topics only"));
    CHECK_THAT(error_of("message: ticketscloud.event\nsystem: s\ncategories: [concert]\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'categories' must be a map of category id: Vibe category"));
    CHECK_THAT(error_of("message: ticketscloud.event\nsystem: s\ncategories: {c1: [concert]}\n"),
               Equals("mappings/orders.yaml:13: topic 't': 'categories.c1' must be a string"));
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
        "    system: ticketland\n"
        "\n"
        "  b.topic:\n"
        "    message: event\n"
        "    system: ticketland\n"
        "    schema_version: [\"1.0\"]\n";
    try {
        parse_like_the_host("m.yaml", text);
        FAIL("accepted an unknown key");
    } catch (const vibe::TopicConfigError &e) {
        CHECK_THAT(e.what(), StartsWith("m.yaml:10: topic 'b.topic': unknown key 'schema_version'"));
    }
    try {
        parse_like_the_host("m.yaml", "topics:\n  x:\n    message: order\n");
        FAIL("accepted a topic without a system");
    } catch (const vibe::TopicConfigError &e) {
        CHECK_THAT(e.what(), StartsWith("m.yaml:2: topic 'x': missing 'system'"));
    }
    try {
        parse_like_the_host("m.yaml", "topics:\n  x:\n    message: order\n    sources: [ticketland]\n");
        FAIL("accepted the old sources key");
    } catch (const vibe::TopicConfigError &e) {
        CHECK_THAT(e.what(), StartsWith("m.yaml:4: topic 'x': 'sources' is gone"));
    }
}

TEST_CASE("the topic files in mappings/ are accepted by the plugin", "[topic_config][mappings]") {
    struct Expected {
        const char *file;
        std::vector<std::pair<std::string, MessageKind>> topics;
        std::string system;
        Format format;
    };
    for (const Expected &x : std::vector<Expected>{
             {"orders.yaml",
              {{"ticketland.orders.organizers", MessageKind::organizer},
               {"ticketland.orders.events", MessageKind::event},
               {"ticketland.orders.orders", MessageKind::order},
               {"ticketland.orders.refunds", MessageKind::refund}},
              "ticketland",
              Format::json},
             {"tickets.yaml",
              {{"ticketland.tickets.organizers", MessageKind::organizer},
               {"ticketland.tickets.events", MessageKind::event},
               {"ticketland.tickets.tickets", MessageKind::ticket}},
              "ticketland",
              Format::json},
             {"ticketscloud.yaml",
              {{"ticketscloud.partners", MessageKind::tc_partner},
               {"ticketscloud.events", MessageKind::tc_event},
               {"ticketscloud.orders", MessageKind::tc_order},
               {"ticketscloud.refund_requests", MessageKind::tc_refund_request}},
              "ticketscloud",
              Format::protobuf}}) {
        const std::string path = std::string(VIBE_MAPPINGS_DIR) + "/" + x.file;
        INFO(path);
        std::vector<vibe::TopicConfig> topics = parse_like_the_host(path, vibe_test::read_file(path));
        REQUIRE(topics.size() == x.topics.size());
        for (size_t i = 0; i < topics.size(); ++i) {
            INFO(topics[i].topic);
            CHECK(topics[i].topic == x.topics[i].first);
            CHECK(topics[i].message == x.topics[i].second);
            CHECK(topics[i].system == x.system);
            // No allow-list: every channel is accepted and stored (a channel
            // never seen before is no reason to refuse a record).
            CHECK_FALSE(topics[i].channels);
            CHECK(topics[i].format == x.format);
            CHECK(topics[i].schema_majors == std::vector<int>{1});
            CHECK(topics[i].default_schema_major == 1);
        }
    }
}
