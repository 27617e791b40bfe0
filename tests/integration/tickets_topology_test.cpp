// The tickets topology (Ticketland, JSON): organizers, events and tickets that
// carry their own current status. Records go to the real broker with their
// three headers; the real database is read back column by column.
#include <catch2/catch.hpp>

#include "sink_fixture.hpp"

using namespace vsink::test;

namespace {

const char *kTopicOrg = "ticketland.tickets.organizers";
const char *kTopicEvt = "ticketland.tickets.events";
const char *kTopicTkt = "ticketland.tickets.tickets";

const char *kOrganizer =
    R"({"id":"org-1","name":"Театр","legals":{"name":"ИП Петров","type":"ru_lp","inn":"500100732259","ogrn":"304500116000157","address":"Тверь"}})";

const char *kEvent1 = R"({"id":"evt-1","name":"Щелкунчик","category":"theater","start_at":1740997200,
  "finish_at":1741004400,"timezone":"Europe/Moscow","organizer_id":"org-1","media":"https://img/n.jpg",
  "description":"Балет в двух актах","venue":{"name":"Мариинский","address":"Театральная пл., 1","description":"Главная сцена",
  "zipcode":"190000","city_name":"Санкт-Петербург","lat":59.93,"lon":30.29}})";

const char *kEvent2 = R"({"id":"evt-2","name":"Late event","category":"concert","start_at":1740997200000,
  "finish_at":1741004400000,"organizer_id":"org-1"})";

std::string ticket_json(const std::string &id, const std::string &status, const std::string &event_id = "evt-1") {
    return R"({"id":")" + id + R"(","status":")" + status + R"(","barcode":"BC-)" + id +
           R"(","customer":{"email":"vera@example.com","phone":"+79005556677","name":"Вера Сидорова"},"event_id":")" +
           event_id + R"(","organizer_id":"org-1","number":"17","series":"AB","row":"3","seat":"9","category":"Партер",)" +
           R"("order_id":"ord-)" + id + R"(","description":"VIP","price_nominal":250000,"currency":"RUB"})";
}

// A minimal ticket: only the required fields.
const char *kTicketMinimal = R"({"id":"tkt-min","status":"active","barcode":"BC-min",
  "customer":{"email":"min@example.com","phone":"+79000000000"},"event_id":"evt-1","organizer_id":"org-1","category":"Балкон"})";

void check_full_ticket(const Row &t, const std::string &id, const std::string &status,
                       const std::string &event_id = "evt-1") {
    INFO("ticket " << id);
    CHECK(col(t, "system") == "ticketland");
    CHECK(col(t, "id") == id);
    CHECK(col(t, "order_id") == "ord-" + id);
    CHECK(col(t, "event_id") == event_id);
    CHECK(col(t, "organizer_id") == "org-1");
    CHECK(col(t, "status") == status);
    CHECK(col(t, "barcode") == "BC-" + id);
    CHECK(col(t, "number") == "17");
    CHECK(col(t, "series") == "AB");
    CHECK(col(t, "seat_row") == "3");
    CHECK(col(t, "seat") == "9");
    CHECK(col(t, "category") == "Партер");
    CHECK(col(t, "set_id") == "NULL");
    CHECK(col(t, "description") == "VIP");
    CHECK(col(t, "price_nominal") == "250000");
    CHECK(col(t, "currency") == "RUB");
    CHECK(col(t, "customer_email") == "vera@example.com");
    CHECK(col(t, "customer_phone") == "+79005556677");
    CHECK(col(t, "customer_name") == "Вера Сидорова");
}

const std::string kSnapshot =
    "SELECT CONCAT_WS('|', (SELECT COUNT(*) FROM organizers), (SELECT COUNT(*) FROM venues),"
    " (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM orders),"
    " (SELECT COUNT(*) FROM sink_parked),"
    " (SELECT GROUP_CONCAT(CONCAT_WS(',', system, id, channel, order_id, event_id, organizer_id, status, barcode, number,"
    "   series, seat_row, seat, category, description, price_nominal, currency, customer_email, customer_phone,"
    "   customer_name) ORDER BY id SEPARATOR ';') FROM tickets))";

}  // namespace

TEST_CASE("tickets topology: organizer, event and tickets of every status land column by column, latest wins",
          "[integration][tickets]") {
    SinkFixture f(SinkOptions::of({"tickets"}));
    f.produce(kTopicOrg, "org-1", kOrganizer);
    f.produce(kTopicEvt, "evt-1", kEvent1);
    f.produce(kTopicTkt, "tkt-a", ticket_json("tkt-a", "active"));
    f.produce(kTopicTkt, "tkt-u", ticket_json("tkt-u", "used"));
    f.produce(kTopicTkt, "tkt-c", ticket_json("tkt-c", "cancelled"));
    f.produce(kTopicTkt, "tkt-r", ticket_json("tkt-r", "refunded"));
    f.produce(kTopicTkt, "tkt-min", kTicketMinimal);
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());

    auto org = f.rows("SELECT * FROM organizers");
    REQUIRE(org.size() == 1);
    CHECK(col(org[0], "system") == "ticketland");
    CHECK(col(org[0], "id") == "org-1");
    CHECK(col(org[0], "name") == "Театр");
    CHECK(col(org[0], "legal_name") == "ИП Петров");
    CHECK(col(org[0], "legal_type") == "ru_lp");
    CHECK(col(org[0], "legal_inn") == "500100732259");
    CHECK(col(org[0], "legal_ogrn") == "304500116000157");
    CHECK(col(org[0], "legal_address") == "Тверь");

    auto ven = f.rows("SELECT * FROM venues");
    REQUIRE(ven.size() == 1);
    CHECK(col(ven[0], "system") == "ticketland");
    CHECK(col(ven[0], "id") == "event:evt-1");
    CHECK(col(ven[0], "name") == "Мариинский");
    CHECK(col(ven[0], "address") == "Театральная пл., 1");
    CHECK(col(ven[0], "description") == "Главная сцена");
    CHECK(col(ven[0], "zipcode") == "190000");
    CHECK(col(ven[0], "city_name") == "Санкт-Петербург");
    CHECK(col(ven[0], "lat") == "59.93");
    CHECK(col(ven[0], "lon") == "30.29");

    auto ev = f.rows("SELECT * FROM events");
    REQUIRE(ev.size() == 1);
    CHECK(col(ev[0], "system") == "ticketland");
    CHECK(col(ev[0], "id") == "evt-1");
    CHECK(col(ev[0], "group_id") == "NULL");
    CHECK(col(ev[0], "organizer_id") == "org-1");
    CHECK(col(ev[0], "venue_id") == "event:evt-1");
    CHECK(col(ev[0], "name") == "Щелкунчик");
    CHECK(col(ev[0], "status") == "active");
    CHECK(col(ev[0], "category") == "theater");
    CHECK(col(ev[0], "start_at") == "2025-03-03 10:20:00.000");
    CHECK(col(ev[0], "finish_at") == "2025-03-03 12:20:00.000");
    CHECK(col(ev[0], "timezone") == "Europe/Moscow");
    CHECK(col(ev[0], "utc_offset_hours") == "NULL");
    CHECK(col(ev[0], "media") == "https://img/n.jpg");
    CHECK(col(ev[0], "description") == "Балет в двух актах");
    CHECK(col(ev[0], "age_rating") == "NULL");
    CHECK(col(ev[0], "legal_name") == "NULL");
    CHECK(col(ev[0], "legal_type") == "NULL");
    CHECK(col(ev[0], "legal_inn") == "NULL");
    CHECK(col(ev[0], "legal_ogrn") == "NULL");
    CHECK(col(ev[0], "legal_address") == "NULL");

    auto tk = f.rows("SELECT * FROM tickets ORDER BY id");
    REQUIRE(tk.size() == 5);
    check_full_ticket(tk[0], "tkt-a", "active");
    check_full_ticket(tk[1], "tkt-c", "cancelled");
    // tkt-min: every optional field absent is NULL.
    CHECK(col(tk[2], "system") == "ticketland");
    CHECK(col(tk[2], "id") == "tkt-min");
    CHECK(col(tk[2], "order_id") == "NULL");
    CHECK(col(tk[2], "event_id") == "evt-1");
    CHECK(col(tk[2], "organizer_id") == "org-1");
    CHECK(col(tk[2], "status") == "active");
    CHECK(col(tk[2], "barcode") == "BC-min");
    CHECK(col(tk[2], "number") == "NULL");
    CHECK(col(tk[2], "series") == "NULL");
    CHECK(col(tk[2], "seat_row") == "NULL");
    CHECK(col(tk[2], "seat") == "NULL");
    CHECK(col(tk[2], "category") == "Балкон");
    CHECK(col(tk[2], "set_id") == "NULL");
    CHECK(col(tk[2], "description") == "NULL");
    CHECK(col(tk[2], "price_nominal") == "NULL");
    CHECK(col(tk[2], "currency") == "NULL");
    CHECK(col(tk[2], "customer_email") == "min@example.com");
    CHECK(col(tk[2], "customer_phone") == "+79000000000");
    CHECK(col(tk[2], "customer_name") == "NULL");
    check_full_ticket(tk[3], "tkt-r", "refunded");
    check_full_ticket(tk[4], "tkt-u", "used");

    // The tickets topology writes no orders, refunds or ticket sets.
    CHECK(f.scalar("SELECT COUNT(*) FROM orders") == "0");
    CHECK(f.scalar("SELECT COUNT(*) FROM refunds") == "0");
    CHECK(f.scalar("SELECT COUNT(*) FROM ticket_sets") == "0");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");

    // Later records for the same tickets: the latest status wins, in both directions.
    f.produce(kTopicTkt, "tkt-a", ticket_json("tkt-a", "used"));
    f.produce(kTopicTkt, "tkt-u", ticket_json("tkt-u", "refunded"));
    f.produce(kTopicTkt, "tkt-c", ticket_json("tkt-c", "active"));
    f.produce(kTopicTkt, "tkt-a", ticket_json("tkt-a", "cancelled"));
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM tickets") ==
          "tkt-a:cancelled,tkt-c:active,tkt-min:active,tkt-r:refunded,tkt-u:refunded");
    tk = f.rows("SELECT * FROM tickets WHERE id = 'tkt-a'");
    REQUIRE(tk.size() == 1);
    check_full_ticket(tk[0], "tkt-a", "cancelled");

    f.stop_sink();
    const std::string log = f.sink().log();
    CHECK(log.find("vera@example.com") == std::string::npos);
    CHECK(log.find("+79005556677") == std::string::npos);
    CHECK(log.find("Сидорова") == std::string::npos);
}

TEST_CASE("tickets topology: a ticket before its event waits and lands when the event arrives",
          "[integration][tickets][parking]") {
    SinkFixture f(SinkOptions::of({"tickets"}));
    f.start_sink();
    f.produce(kTopicOrg, "org-1", kOrganizer);
    f.produce(kTopicTkt, "tkt-p", ticket_json("tkt-p", "active", "evt-2"));
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT COUNT(*) FROM organizers") == "1");
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets") == "0");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked WHERE parent_table = 'events'") == "1");

    f.produce(kTopicEvt, "evt-2", kEvent2);
    f.flush();
    REQUIRE(f.wait_scalar("SELECT COUNT(*) FROM sink_parked", "0"));
    REQUIRE(f.wait_caught_up());
    auto ev = f.rows("SELECT * FROM events");
    REQUIRE(ev.size() == 1);
    CHECK(col(ev[0], "id") == "evt-2");
    CHECK(col(ev[0], "start_at") == "2025-03-03 10:20:00.000");  // milliseconds
    CHECK(col(ev[0], "finish_at") == "2025-03-03 12:20:00.000");
    CHECK(col(ev[0], "category") == "concert");
    CHECK(col(ev[0], "venue_id") == "NULL");
    CHECK(f.scalar("SELECT COUNT(*) FROM venues") == "0");
    auto tk = f.rows("SELECT * FROM tickets");
    REQUIRE(tk.size() == 1);
    check_full_ticket(tk[0], "tkt-p", "active", "evt-2");
    f.stop_sink();
}

TEST_CASE("tickets topology: two records of one parked ticket: the later status wins once the event arrives",
          "[integration][tickets][parking]") {
    SinkFixture f(SinkOptions::of({"tickets"}));
    f.start_sink();
    f.produce(kTopicOrg, "org-1", kOrganizer);
    f.produce(kTopicTkt, "tkt-p", ticket_json("tkt-p", "active", "evt-2"));
    f.flush();
    REQUIRE(f.wait_caught_up());
    f.produce(kTopicTkt, "tkt-p", ticket_json("tkt-p", "used", "evt-2"));
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets") == "0");
    f.produce(kTopicEvt, "evt-2", kEvent2);
    f.flush();
    REQUIRE(f.wait_scalar("SELECT COUNT(*) FROM sink_parked", "0"));
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', status) FROM tickets") == "tkt-p:used");
    f.stop_sink();
}

TEST_CASE("tickets topology: a replay of the same records changes nothing", "[integration][tickets][replay]") {
    SinkFixture f(SinkOptions::of({"tickets"}));
    auto send_all = [&] {
        f.produce(kTopicOrg, "org-1", kOrganizer);
        f.produce(kTopicEvt, "evt-1", kEvent1);
        f.produce(kTopicTkt, "tkt-a", ticket_json("tkt-a", "active"));
        f.produce(kTopicTkt, "tkt-u", ticket_json("tkt-u", "used"));
        f.produce(kTopicTkt, "tkt-a", ticket_json("tkt-a", "refunded"));
        f.produce(kTopicTkt, "tkt-min", kTicketMinimal);
    };
    send_all();
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    const std::string before = f.scalar(kSnapshot);
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM tickets") ==
          "tkt-a:refunded,tkt-min:active,tkt-u:used");
    CHECK(before.rfind("1|1|1|3|0|0|", 0) == 0);

    send_all();
    send_all();
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar(kSnapshot) == before);

    // After a restart, too.
    f.stop_sink();
    f.start_sink();
    send_all();
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar(kSnapshot) == before);
    f.stop_sink();
}

TEST_CASE("tickets topology: a parked older record never overwrites a newer one that arrives with its event (C1)",
          "[integration][tickets][parking][newer-wins]") {
    SinkOptions opts = SinkOptions::of({"tickets"});
    opts.max_wait_ms = 3000;  // one batch takes both topics' records
    SinkFixture f(opts);
    f.produce(kTopicOrg, "org-1", kOrganizer);
    f.produce(kTopicTkt, "tkt-1", ticket_json("tkt-1", "active", "evt-2"));  // its event is not there yet
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    REQUIRE(f.scalar("SELECT COUNT(*) FROM sink_parked") == "1");
    f.stop_sink();

    // The event and a later record of the same ticket, read in one batch:
    // the event unparks the older record after the newer one was written.
    f.produce(kTopicEvt, "evt-2", kEvent2);
    f.produce(kTopicTkt, "tkt-1", ticket_json("tkt-1", "refunded", "evt-2"));
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT CONCAT_WS('|', id, event_id, status) FROM tickets") == "tkt-1|evt-2|refunded");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");
    f.stop_sink();
}
