// The orders topology (Ticketland, JSON, shapes A and B) end to end: records
// produced with their headers to the real broker, the real database read back
// column by column.
#include <catch2/catch.hpp>

#include "sink_fixture.hpp"

#include <vsink/test/wait_until.hpp>

using namespace vsink::test;

namespace {

const char *kOrganizerA = R"({"id":"org-1","name":"Организатор","legals":{"name":"ООО Ромашка","type":"ru_ltd","inn":"7701234567","ogrn":"1027700000000","address":"Москва"}})";

const char *kEventA = R"({"id":"evt-1","name":"Лебединое озеро","category":"ballet","start_at":1740997200,
  "finish_at":1741004400,"timezone":"Europe/Moscow","organizer_id":"org-1","media":"https://img/1.jpg",
  "description":"desc","venue":{"name":"Большой театр","address":"Театральная пл., 1","city_name":"Москва","lat":55.76,"lon":37.61}})";

// Shape B: nested organizer, status, milliseconds, venue with id, unknown category.
const char *kEventB = R"({"id":"evt-2","group_id":"grp-9","name":"Stand-up","status":"paused","category":"magic-show",
  "start_at":1740997200000,"finish_at":1741004400000,"offset":3,
  "organizer":{"id":"org-2","name":"Comedy Club","legals":{"inn":"7700000001"}},
  "venue":{"id":"ven-7","name":"Club","zipcode":"101000"}})";

const char *kOrderA = R"({"id":"ord-1","event_id":"evt-1","organizer_id":"org-1",
  "customer":{"email":"anna@example.com","phone":"+79001112233","name":"Анна Иванова"},
  "tickets":[{"id":"tkt-1","barcode":"B1","number":"1","series":"AA","row":"5","seat":"12","category":"Партер","price_nominal":150000,"currency":"RUB"},
             {"id":"tkt-2","barcode":"B2","category":"Партер"}]})";

const char *kOrderB = R"({"id":"ord-2","number":"N-2",
  "customer":{"email":"boris@example.com","phone":"+79002223344","first_name":"Борис","last_name":"Петров"},
  "tickets":[{"id":"tkt-3","event_id":"evt-2","barcode":"B3","category":"Fan zone","price_nominal":5000,"currency":"EUR"}]})";

const char *kRefund1 = R"({"customer":{"email":"anna@example.com","phone":"+79001112233","name":"Анна Иванова"},"ticket_ids":["tkt-1"]})";

std::string one(SinkFixture &f, const std::string &sql) { return f.scalar(sql); }

}  // namespace

TEST_CASE("orders topology: every message kind lands column by column", "[integration][orders]") {
    SinkFixture f;
    f.produce("ticketland.orders.organizers", "org-1", kOrganizerA);
    f.produce("ticketland.orders.events", "evt-1", kEventA);
    f.produce("ticketland.orders.events", "evt-2", kEventB);
    f.produce("ticketland.orders.orders", "ord-1", kOrderA);
    f.produce("ticketland.orders.orders", "ord-2", kOrderB);
    f.produce("ticketland.orders.refunds", "rfd-1", kRefund1);
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());

    auto org = f.rows("SELECT * FROM organizers ORDER BY id");
    REQUIRE(org.size() == 2);
    CHECK(col(org[0], "system") == "ticketland");
    CHECK(col(org[0], "id") == "org-1");
    CHECK(col(org[0], "name") == "Организатор");
    CHECK(col(org[0], "legal_name") == "ООО Ромашка");
    CHECK(col(org[0], "legal_type") == "ru_ltd");
    CHECK(col(org[0], "legal_inn") == "7701234567");
    CHECK(col(org[0], "legal_ogrn") == "1027700000000");
    CHECK(col(org[0], "legal_address") == "Москва");
    // Shape B's nested organizer: legals default to ru_ltd and the organizer's name.
    CHECK(col(org[1], "id") == "org-2");
    CHECK(col(org[1], "name") == "Comedy Club");
    CHECK(col(org[1], "legal_type") == "ru_ltd");
    CHECK(col(org[1], "legal_name") == "Comedy Club");
    CHECK(col(org[1], "legal_inn") == "7700000001");

    auto ev = f.rows("SELECT * FROM events ORDER BY id");
    REQUIRE(ev.size() == 2);
    CHECK(col(ev[0], "id") == "evt-1");
    CHECK(col(ev[0], "name") == "Лебединое озеро");
    CHECK(col(ev[0], "status") == "active");  // shape A has no status
    CHECK(col(ev[0], "category") == "ballet");
    CHECK(col(ev[0], "start_at") == "2025-03-03 10:20:00.000");
    CHECK(col(ev[0], "finish_at") == "2025-03-03 12:20:00.000");
    CHECK(col(ev[0], "timezone") == "Europe/Moscow");
    CHECK(col(ev[0], "organizer_id") == "org-1");
    CHECK(col(ev[0], "media") == "https://img/1.jpg");
    CHECK(col(ev[0], "description") == "desc");
    CHECK(col(ev[0], "group_id") == "NULL");
    CHECK(col(ev[0], "venue_id") == "event:evt-1");
    // Milliseconds land as the same UTC time as seconds; unknown category -> other.
    CHECK(col(ev[1], "start_at") == "2025-03-03 10:20:00.000");
    CHECK(col(ev[1], "status") == "paused");
    CHECK(col(ev[1], "category") == "other");
    CHECK(col(ev[1], "group_id") == "grp-9");
    CHECK(col(ev[1], "utc_offset_hours") == "3");
    CHECK(col(ev[1], "organizer_id") == "org-2");
    CHECK(col(ev[1], "venue_id") == "ven-7");

    auto ven = f.rows("SELECT * FROM venues ORDER BY id");
    REQUIRE(ven.size() == 2);
    CHECK(col(ven[0], "id") == "event:evt-1");
    CHECK(col(ven[0], "name") == "Большой театр");
    CHECK(col(ven[0], "address") == "Театральная пл., 1");
    CHECK(col(ven[0], "city_name") == "Москва");
    CHECK(col(ven[0], "lat") == "55.76");
    CHECK(col(ven[0], "lon") == "37.61");
    CHECK(col(ven[1], "id") == "ven-7");
    CHECK(col(ven[1], "zipcode") == "101000");

    auto ord = f.rows("SELECT * FROM orders ORDER BY id");
    REQUIRE(ord.size() == 2);
    CHECK(col(ord[0], "id") == "ord-1");
    CHECK(col(ord[0], "event_id") == "evt-1");
    CHECK(col(ord[0], "organizer_id") == "org-1");
    CHECK(col(ord[0], "customer_email") == "anna@example.com");
    CHECK(col(ord[0], "customer_phone") == "+79001112233");
    CHECK(col(ord[0], "customer_name") == "Анна Иванова");
    CHECK(col(ord[1], "number") == "N-2");
    CHECK(col(ord[1], "event_id") == "evt-2");
    CHECK(col(ord[1], "customer_first_name") == "Борис");
    CHECK(col(ord[1], "customer_last_name") == "Петров");
    CHECK(col(ord[1], "customer_name") == "Борис Петров");

    auto tk = f.rows("SELECT * FROM tickets ORDER BY id");
    REQUIRE(tk.size() == 3);
    CHECK(col(tk[0], "id") == "tkt-1");
    CHECK(col(tk[0], "order_id") == "ord-1");
    CHECK(col(tk[0], "event_id") == "evt-1");  // shape A: the order's event
    CHECK(col(tk[0], "status") == "refunded");
    CHECK(col(tk[0], "barcode") == "B1");
    CHECK(col(tk[0], "number") == "1");
    CHECK(col(tk[0], "series") == "AA");
    CHECK(col(tk[0], "seat_row") == "5");
    CHECK(col(tk[0], "seat") == "12");
    CHECK(col(tk[0], "category") == "Партер");
    CHECK(col(tk[0], "price_nominal") == "150000");
    CHECK(col(tk[0], "currency") == "RUB");
    CHECK(col(tk[0], "customer_email") == "anna@example.com");
    CHECK(col(tk[1], "status") == "active");
    CHECK(col(tk[1], "price_nominal") == "NULL");
    CHECK(col(tk[2], "event_id") == "evt-2");
    CHECK(col(tk[2], "currency") == "EUR");
    CHECK(col(tk[2], "customer_phone") == "+79002223344");

    auto rf = f.rows("SELECT * FROM refunds");
    REQUIRE(rf.size() == 1);
    CHECK(col(rf[0], "id") == "rfd-1");  // the record key
    CHECK(col(rf[0], "customer_email") == "anna@example.com");
    CHECK(one(f, "SELECT GROUP_CONCAT(ticket_id) FROM refund_tickets WHERE refund_id = 'rfd-1'") == "tkt-1");
    CHECK(one(f, "SELECT COUNT(*) FROM sink_parked") == "0");

    f.stop_sink();
    // No personal data in the log.
    const std::string log = f.sink().log();
    CHECK(log.find("anna@example.com") == std::string::npos);
    CHECK(log.find("+79001112233") == std::string::npos);
    CHECK(log.find("Иванова") == std::string::npos);
}

TEST_CASE("orders topology: duplicates and replays change nothing, a replayed order keeps a refund", "[integration][orders]") {
    SinkFixture f;
    f.produce("ticketland.orders.organizers", "org-1", kOrganizerA);
    f.produce("ticketland.orders.events", "evt-1", kEventA);
    f.produce("ticketland.orders.orders", "ord-1", kOrderA);
    f.produce("ticketland.orders.refunds", "rfd-1", kRefund1);
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    const std::string snapshot_sql =
        "SELECT CONCAT_WS('|', (SELECT COUNT(*) FROM organizers), (SELECT COUNT(*) FROM events),"
        " (SELECT COUNT(*) FROM orders), (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM refunds),"
        " (SELECT COUNT(*) FROM refund_tickets), (SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM tickets))";
    const std::string before = f.scalar(snapshot_sql);
    CHECK(before == "1|1|1|2|1|1|tkt-1:refunded,tkt-2:active");

    // A bulk re-send of everything, twice, in the original order.
    for (int i = 0; i < 2; ++i) {
        f.produce("ticketland.orders.organizers", "org-1", kOrganizerA);
        f.produce("ticketland.orders.events", "evt-1", kEventA);
        f.produce("ticketland.orders.orders", "ord-1", kOrderA);
        f.produce("ticketland.orders.refunds", "rfd-1", kRefund1);
    }
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar(snapshot_sql) == before);
    CHECK(f.scalar("SELECT status FROM tickets WHERE id = 'tkt-1'") == "refunded");

    // A restart resumes from the stored offsets: nothing is applied twice.
    f.stop_sink();
    const std::string offsets = f.scalar("SELECT GROUP_CONCAT(topic, ':', next_offset ORDER BY topic) FROM sink_offsets");
    f.start_sink();
    f.produce("ticketland.orders.orders", "ord-1", kOrderA);  // one more replay after the restart
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar(snapshot_sql) == before);
    CHECK(f.scalar("SELECT next_offset FROM sink_offsets WHERE topic LIKE '%orders.orders'") == "4");
    CHECK(offsets != f.scalar("SELECT GROUP_CONCAT(topic, ':', next_offset ORDER BY topic) FROM sink_offsets"));
    // Kafka's committed offsets follow the database's.
    CHECK(wait_until(20000, [&] {
        return f.admin().committed_offsets(f.scalar("SELECT group_id FROM sink_offsets LIMIT 1"),
                                           f.topic("ticketland.orders.orders")) == std::vector<int64_t>{4};
    }));
    f.stop_sink();
}

TEST_CASE("orders topology: a refund before its order, an order before its event, an event before its organizer",
          "[integration][orders][parking]") {
    SinkFixture f;
    f.start_sink();
    f.produce("ticketland.orders.refunds", "rfd-1", kRefund1);
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT COUNT(*) FROM refunds") == "1");
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets") == "0");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked WHERE parent_table = 'tickets'") == "1");

    f.produce("ticketland.orders.orders", "ord-1", kOrderA);
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT COUNT(*) FROM orders") == "0");  // its event has not arrived
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked WHERE parent_table = 'events'") == "3");  // order + 2 tickets

    f.produce("ticketland.orders.events", "evt-1", kEventA);
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT COUNT(*) FROM events") == "0");  // its organizer has not arrived
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked WHERE parent_table = 'organizers'") == "1");

    f.produce("ticketland.orders.organizers", "org-1", kOrganizerA);
    f.flush();
    REQUIRE(f.wait_scalar("SELECT COUNT(*) FROM sink_parked", "0"));
    CHECK(f.scalar("SELECT COUNT(*) FROM events") == "1");
    CHECK(f.scalar("SELECT COUNT(*) FROM orders") == "1");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM tickets") == "tkt-1:refunded,tkt-2:active");
    f.stop_sink();
}

TEST_CASE("orders topology: a channel allow-list refuses other channels, logs and counts them, the pipeline goes on",
          "[integration][orders][channels]") {
    SinkOptions opts;
    opts.topic_settings["ticketland.orders.orders"] = "channels: [box-office, live]";
    SinkFixture f(opts);
    f.start_sink();
    f.produce("ticketland.orders.organizers", "org-1", kOrganizerA);
    f.produce("ticketland.orders.events", "evt-1", kEventA);
    const std::string order = R"({"id":"ord-ID","event_id":"evt-1","customer":{"email":"e@example.com","phone":"+7900"},
      "tickets":[{"id":"tkt-ID","barcode":"B","category":"Партер"}]})";
    auto with_id = [&](const std::string &id) {
        std::string o = order;
        for (size_t p; (p = o.find("ID")) != std::string::npos;) o.replace(p, 2, id);
        return o;
    };
    f.produce("ticketland.orders.orders", "ord-1", with_id("1"), "box-office");
    f.produce("ticketland.orders.orders", "ord-2", with_id("2"), "bank-shop");  // not allowed
    f.produce_raw("ticketland.orders.orders", std::string("ord-3"), with_id("3"),
                  {{"content-type", "application/json"}, {"schema-version", "1.0"}});  // no channel: not allowed
    f.produce("ticketland.orders.orders", "ord-4", with_id("4"), "live");
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(system, ':', id, ':', channel ORDER BY id) FROM orders") ==
          "ticketland:ord-1:box-office,ticketland:ord-4:live");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', channel, ':', status ORDER BY id) FROM tickets") ==
          "tkt-1:box-office:active,tkt-4:live:active");
    f.stop_sink();
    const std::string log = f.sink().log();
    const std::string orders = f.topic("ticketland.orders.orders");
    CHECK_THAT(log, Catch::Contains("dead-lettered to " + f.dlq_topic() + ": topic=" + orders + " partition=0 offset=1") &&
                        Catch::Contains("'bank-shop' is not in the channels allowed"));
    CHECK_THAT(log, Catch::Contains("dead-lettered to " + f.dlq_topic() + ": topic=" + orders + " partition=0 offset=2") &&
                        Catch::Contains("a record without an application-id is not in the channels allowed"));
    CHECK(tolerated_count(log, orders, "channel_refused") == 2);
    CHECK(tolerated_count(log, orders, "new_channel") == 2);
}

TEST_CASE("orders topology: a record that cannot be decoded is logged and skipped, the pipeline goes on",
          "[integration][orders][bad-input]") {
    SinkFixture f;
    f.start_sink();
    f.produce("ticketland.orders.organizers", "org-x", R"({"id":"org-x","name":)");  // truncated JSON
    f.produce_raw("ticketland.orders.organizers", std::string("org-y"), std::string("{}"),
                  {{"content-type", "text/csv"}, {"schema-version", "1.0"}, {"application-id", "ticketland"}});
    f.produce("ticketland.orders.organizers", "org-1", kOrganizerA);
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM organizers") == "org-1");
    f.stop_sink();
    const std::string log = f.sink().log();
    CHECK_THAT(log, Catch::Contains("partition=0 offset=0"));
    CHECK_THAT(log, Catch::Contains("partition=0 offset=1") && Catch::Contains("text/csv"));
}

TEST_CASE("orders topology: a row the database rejects is dead-lettered, the rest of its batch commits",
          "[integration][orders][bad-input][dlq]") {
    SinkFixture f;
    const std::string too_long(600, 'x');  // organizers.name is VARCHAR(512)
    f.produce("ticketland.orders.organizers", "org-1", kOrganizerA);
    const std::string bad = R"({"id":"org-2","name":")" + too_long + R"("})";
    f.produce("ticketland.orders.organizers", "org-2", bad);
    f.produce("ticketland.orders.organizers", "org-3", R"({"id":"org-3","name":"Third"})");
    f.flush();
    f.start_sink();  // all three arrive in one batch
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id ORDER BY id) FROM organizers") == "org-1,org-3");
    CHECK(f.scalar("SELECT next_offset FROM sink_offsets") == "3");

    // The dead letter is the record as it came, with the reason.
    const auto letters = f.dead_letters(1);
    REQUIRE(letters.size() == 1);
    const auto &l = letters[0];
    CHECK(l.key == std::optional<std::string>("org-2"));
    CHECK(l.value == std::optional<std::string>(bad));
    CHECK(l.header("content-type") == std::optional<std::string>("application/json"));
    CHECK(l.header("schema-version") == std::optional<std::string>("1.0"));
    CHECK(l.header("application-id") == std::optional<std::string>("ticketland"));
    CHECK(l.header("vsink.error.stage") == std::optional<std::string>("database"));
    CHECK(l.header("vsink.error.class") == std::optional<std::string>("ER_DATA_TOO_LONG"));
    CHECK_THAT(l.header("vsink.error.message").value_or(""), Catch::Contains("MySQL error 1406") &&
                                                                  Catch::Contains("on column name"));
    CHECK(l.header("vsink.error.message").value_or("").find(too_long) == std::string::npos);
    CHECK(l.header("vsink.error.topic") == std::optional<std::string>(f.topic("ticketland.orders.organizers")));
    CHECK(l.header("vsink.error.partition") == std::optional<std::string>("0"));
    CHECK(l.header("vsink.error.offset") == std::optional<std::string>("1"));
    CHECK_THAT(l.header("vsink.error.plugin").value_or(""), Catch::StartsWith("vibe "));
    CHECK_THAT(l.header("vsink.error.timestamp").value_or(""), Catch::Matches(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"));
    f.stop_sink();
    const std::string log = f.sink().log();
    CHECK_THAT(log, Catch::Contains("dead-lettered to " + f.dlq_topic() + ": topic=" +
                                    f.topic("ticketland.orders.organizers") + " partition=0 offset=1 stage=database "
                                    "class=ER_DATA_TOO_LONG"));
    CHECK_THAT(log, Catch::Contains("dead_lettered=1") && Catch::Contains("database/ER_DATA_TOO_LONG=1"));
    CHECK(log.find(too_long) == std::string::npos);
}

TEST_CASE("orders topology: a row the database would reject is dead-lettered when parked, not kept waiting",
          "[integration][orders][bad-input][parking][dlq]") {
    SinkFixture f;
    const std::string long_phone = "+7" + std::string(40, '9');  // customer_phone is VARCHAR(32)
    f.produce("ticketland.orders.organizers", "org-1", kOrganizerA);
    f.produce("ticketland.orders.orders", "ord-bad",
              R"({"id":"ord-bad","event_id":"evt-1","customer":{"email":"bad@example.com","phone":")" + long_phone +
                  R"("},"tickets":[{"id":"tkt-bad","barcode":"B","category":"Партер"}]})");
    f.produce("ticketland.orders.orders", "ord-good",
              R"({"id":"ord-good","event_id":"evt-1","customer":{"email":"good@example.com","phone":"+79001112233"},
                  "tickets":[{"id":"tkt-good","barcode":"G","category":"Партер"}]})");
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    // Only the good order and its ticket wait for evt-1; the bad one went to the DLQ at once.
    CHECK(f.scalar("SELECT GROUP_CONCAT(entity, ':', kafka_offset ORDER BY id) FROM sink_parked") == "order:1,order_ticket:1");
    const auto letters = f.dead_letters(1);
    REQUIRE(letters.size() == 1);
    CHECK(letters[0].key == std::optional<std::string>("ord-bad"));
    CHECK(letters[0].header("vsink.error.stage") == std::optional<std::string>("database"));
    CHECK(letters[0].header("vsink.error.class") == std::optional<std::string>("ER_DATA_TOO_LONG"));
    CHECK(letters[0].header("vsink.error.offset") == std::optional<std::string>("0"));

    f.produce("ticketland.orders.events", "evt-1", kEventA);
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM events") == "evt-1");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id ORDER BY id) FROM orders") == "ord-good");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id ORDER BY id) FROM tickets") == "tkt-good");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");
    f.stop_sink();
    CHECK(f.sink().log().find(long_phone) == std::string::npos);
}

TEST_CASE("orders topology: a parked row the database rejects when applied is dead-lettered, its parent lands (C2)",
          "[integration][orders][bad-input][parking][dlq]") {
    SinkFixture f;
    f.produce("ticketland.orders.organizers", "org-1", kOrganizerA);
    const std::string bad_order =
        R"({"id":"ord-bad","event_id":"evt-1","customer":{"email":"bad@example.com","phone":"+7900111223344"},
            "tickets":[{"id":"tkt-bad","barcode":"B","category":"Партер"}]})";
    f.produce("ticketland.orders.orders", "ord-bad", bad_order);
    f.produce("ticketland.orders.orders", "ord-good",
              R"({"id":"ord-good","event_id":"evt-1","customer":{"email":"good@example.com","phone":"+7900"},
                  "tickets":[{"id":"tkt-good","barcode":"G","category":"Партер"}]})");
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    REQUIRE(f.scalar("SELECT COUNT(*) FROM sink_parked") == "4");  // both orders and their tickets wait for evt-1
    f.stop_sink();
    // While they wait, the column narrows: the bad order no longer fits.
    f.db().exec("ALTER TABLE `" + f.database() + "`.orders MODIFY customer_phone VARCHAR(8)");

    f.produce("ticketland.orders.events", "evt-1", kEventA);
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    // The event lands although a child it releases is refused by the database;
    // the good order and both tickets land (a ticket carries no phone, and
    // does not wait for its order), the bad order goes to the DLQ with its
    // record; nothing is left waiting.
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM events") == "evt-1");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id ORDER BY id) FROM orders") == "ord-good");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id ORDER BY id) FROM tickets") == "tkt-bad,tkt-good");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");
    const auto letters = f.dead_letters(1);
    REQUIRE(letters.size() == 1);
    CHECK(letters[0].key == std::optional<std::string>("ord-bad"));
    CHECK(letters[0].value == std::optional<std::string>(bad_order));
    CHECK(letters[0].header("application-id") == std::optional<std::string>("ticketland"));
    CHECK(letters[0].header("vsink.error.stage") == std::optional<std::string>("database"));
    CHECK(letters[0].header("vsink.error.class") == std::optional<std::string>("ER_DATA_TOO_LONG"));
    CHECK(letters[0].header("vsink.error.topic") == std::optional<std::string>(f.topic("ticketland.orders.orders")));
    CHECK(letters[0].header("vsink.error.offset") == std::optional<std::string>("0"));
    f.stop_sink();
    const std::string log = f.sink().log();
    CHECK_THAT(log, Catch::Contains("parked row rejected by the database, dead-lettered: topic=" +
                                    f.topic("ticketland.orders.orders") + " partition=0 offset=0") &&
                        Catch::Contains("on column customer_phone"));
}
