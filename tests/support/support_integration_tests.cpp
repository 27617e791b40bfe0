// vsink_testsupport against the real servers (run through scripts/test).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <map>

#include <numeric>
#include <set>
#include <string>

#include "vsink/test/support.hpp"
#ifdef VSINK_HAVE_DATAGEN
#include "datagen/orders_generator.hpp"
#endif

using namespace vsink::test;

TEST_CASE("KafkaAdmin creates, finds and deletes topics", "[support][kafka]") {
    const ServerEnv env = ServerEnv::require();
    KafkaAdmin admin(env.kafka_bootstrap);
    const std::string topic = unique_name("it_support_admin");
    admin.create_topic(topic, 3);
    CHECK(admin.partition_count(topic) == 3);
    CHECK(admin.wait_for_topic(topic, 3, 1000));
    CHECK_THROWS_WITH(admin.create_topic(topic, 3), Catch::Contains("already exists"));
    CHECK_FALSE(admin.create_topic_if_missing(topic, 3));
    CHECK(admin.end_offsets(topic) == std::vector<int64_t>{0, 0, 0});
    CHECK(admin.committed_offsets(unique_name("it_group"), topic) ==
          std::vector<int64_t>{-1001, -1001, -1001});
    admin.delete_topic(topic);
    CHECK(wait_until(20000, [&] { return admin.partition_count(topic) < 0; }, "topic deleted"));
    admin.delete_topic(topic);  // deleting a missing topic is fine
    CHECK_FALSE(admin.wait_for_topic(unique_name("it_never_created"), 1, 300));
}

TEST_CASE("TestProducer and TestConsumer round-trip keys, values and headers",
          "[support][kafka]") {
    const ServerEnv env = ServerEnv::require();
    KafkaAdmin admin(env.kafka_bootstrap);
    const std::string topic = unique_name("it_support_rt");
    admin.create_topic(topic, 2);

    TestProducer producer(env.kafka_bootstrap);
    for (int i = 0; i < 8; ++i)
        producer.produce(topic, -1, "key-" + std::to_string(i), "{\"n\":" + std::to_string(i) + "}",
                         {{"content-type", "application/json"}, {"application-id", "ticketland"}});
    producer.produce(topic, 1, std::nullopt, std::nullopt, {{"kind", "tombstone"}});
    producer.produce(topic, 0, "утф-8", "значение", {});
    producer.flush(20000);
    CHECK(producer.deliveries().size() == 10);

    const auto ends = admin.end_offsets(topic);
    CHECK(std::accumulate(ends.begin(), ends.end(), int64_t{0}) == 10);

    TestConsumer consumer(env.kafka_bootstrap);
    consumer.assign(topic);
    const auto records = consumer.read(10, 20000);
    REQUIRE(records.size() == 10);
    std::set<std::string> keys;
    int tombstones = 0;
    for (const auto &r : records) {
        CHECK(r.topic == topic);
        if (r.key) keys.insert(*r.key);
        if (!r.value) {
            ++tombstones;
            CHECK(r.partition == 1);
            CHECK_FALSE(r.key);
            CHECK(r.header("kind") == std::optional<std::string>("tombstone"));
        } else if (r.key && r.key->rfind("key-", 0) == 0) {
            CHECK(r.header("content-type") == std::optional<std::string>("application/json"));
            CHECK(r.header("application-id") == std::optional<std::string>("ticketland"));
            CHECK(r.headers.size() == 2);
        }
    }
    CHECK(tombstones == 1);
    CHECK(keys.count("утф-8") == 1);
    CHECK(keys.size() == 9);
    // Nothing more arrives.
    CHECK(consumer.read(1, 300).empty());

    TestConsumer group_consumer(env.kafka_bootstrap);
    group_consumer.subscribe(topic);
    CHECK(group_consumer.read(10, 30000).size() == 10);
    admin.delete_topic(topic);
}

TEST_CASE("TestProducer::flush fails on a delivery error", "[support][kafka]") {
    const ServerEnv env = ServerEnv::require();
    KafkaAdmin admin(env.kafka_bootstrap);
    const std::string topic = unique_name("it_support_fail");
    admin.create_topic(topic, 1);
    TestProducer producer(env.kafka_bootstrap, {{"message.timeout.ms", "3000"}});
    // Partition 7 does not exist: refused at once or reported as failed.
    CHECK_THROWS([&] {
        producer.produce(topic, 7, "k", "v");
        producer.flush(10000);
    }());
    admin.delete_topic(topic);
}

TEST_CASE("TestConsumer::assign fails clearly on a missing topic", "[support][kafka]") {
    const ServerEnv env = ServerEnv::require();
    TestConsumer consumer(env.kafka_bootstrap);
    CHECK_THROWS_WITH(consumer.assign(unique_name("it_missing"), 500), Catch::Contains("not found"));
}

TEST_CASE("Database creates databases and reads rows with NULLs", "[support][db]") {
    const ServerEnv env = ServerEnv::require();
    Database db(env);
    const std::string name = unique_name("it_support_db");
    db.create_database(name);
    db.use(name);
    db.exec("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(64), price BIGINT NULL)");
    CHECK(db.exec("INSERT INTO t VALUES (1, " + Database::quote("Партер") + ", 150000), (2, " +
                  Database::quote("it's") + ", NULL)") == 2);
    const auto rows = db.query("SELECT id, name, price AS p FROM t ORDER BY id");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].at("id") == std::optional<std::string>("1"));
    CHECK(rows[0].at("name") == std::optional<std::string>("Партер"));
    CHECK(rows[0].at("p") == std::optional<std::string>("150000"));
    CHECK(rows[1].at("name") == std::optional<std::string>("it's"));
    CHECK_FALSE(rows[1].at("p"));
    CHECK(db.scalar_int("SELECT COUNT(*) FROM t") == 2);
    CHECK_FALSE(db.scalar("SELECT price FROM t WHERE id = 2"));
    CHECK_THROWS_WITH(db.scalar("SELECT price FROM t WHERE id = 3"), Catch::Contains("no row"));
    CHECK_THROWS_WITH(db.query("SELECT nope FROM t"), Catch::Contains("1054"));
    CHECK(db.exec("UPDATE t SET price = 1 WHERE id = 2") == 1);

    Database other(env, name);  // a second connection straight into the schema
    CHECK(other.scalar_int("SELECT SUM(price) FROM t") == 150001);
    db.drop_database(name);
    CHECK(db.scalar_int("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = " +
                        Database::quote(name)) == 0);
    db.drop_database(name);  // dropping a missing database is fine
}

#ifdef VSINK_HAVE_DATAGEN
TEST_CASE("The datagen records go through Kafka unchanged", "[support][kafka][datagen]") {
    const ServerEnv env = ServerEnv::require();
    vsink::datagen::OrdersOptions o;
    o.topic_prefix = unique_name("it_dg") + ".";
    o.orders = 40;
    vsink::datagen::OrdersGenerator gen(o);
    KafkaAdmin admin(env.kafka_bootstrap);
    for (const auto &t : gen.topics()) admin.create_topic(t, 2);
    TestProducer producer(env.kafka_bootstrap);
    const auto records = gen.all();
    for (const auto &r : records) producer.produce(r.topic, -1, r.key, r.value, r.headers);
    producer.flush();
    // The channel each record was produced with (organizers and events
    // `ticketland`, orders and refunds their order's channel).
    std::map<std::pair<std::string, std::string>, std::string> channel;
    for (const auto &r : records)
        for (const auto &[k, v] : r.headers)
            if (k == "application-id") channel[{r.topic, r.key}] = v;
    for (const auto &t : gen.topics()) {
        TestConsumer consumer(env.kafka_bootstrap);
        consumer.assign(t);
        const size_t want = gen.expected().records.at(t);
        const auto got = consumer.read(want, 20000);
        CHECK(got.size() == want);
        for (const auto &r : got) {
            CHECK(r.header("content-type") == std::optional<std::string>("application/json"));
            CHECK(r.header("schema-version") == std::optional<std::string>("1.0"));
            REQUIRE(r.key);
            CHECK(r.header("application-id") == std::optional<std::string>(channel.at({t, *r.key})));
        }
        admin.delete_topic(t);
    }
}
#endif
