// The Ticketscloud topology: Protobuf records with NO headers (the topics'
// system is ticketscloud, their format protobuf), built with the
// generated classes, produced to the real broker; the real database read back
// column by column.
#include <catch2/catch.hpp>

#include "sink_fixture.hpp"

#include <ticketscloud/event.pb.h>
#include <ticketscloud/order.pb.h>
#include <ticketscloud/partner.pb.h>
#include <ticketscloud/refund_request.pb.h>

using namespace vsink::test;
namespace tcpb = ::ticketscloud;

namespace {

const char *kPartners = "ticketscloud.partners";
const char *kEvents = "ticketscloud.events";
const char *kOrders = "ticketscloud.orders";
const char *kRefunds = "ticketscloud.refund_requests";
const char *kFestivalId = "5a9e1c7f0b1d2c3e4f506172";

// The topology with a category dictionary that knows the festival id only.
SinkOptions with_categories() {
    SinkOptions o = SinkOptions::of({"ticketscloud"});
    o.topic_settings[kEvents] = std::string("categories: {") + kFestivalId + ": festival}";
    return o;
}

void ts(google::protobuf::Timestamp *t, int64_t seconds, int32_t nanos = 0) {
    t->set_seconds(seconds);
    t->set_nanos(nanos);
}

// Ticketscloud sends no headers at all.
void produce_tc(SinkFixture &f, const std::string &topic, const std::optional<std::string> &key,
                const std::string &value) {
    f.produce_raw(topic, key, value, {});
}

std::string partner_ltd() {
    tcpb::Partner p;
    p.set_id("org-1");
    p.set_name("Концертное агентство");
    p.set_role("organizer");
    p.set_desc("desc");
    p.set_status(tcpb::Partner::APPROVED);
    p.set_hidden(false);
    p.set_currency("RUB");
    ts(p.mutable_updated_at(), 1740000000);
    auto *l = p.mutable_legal();
    l->set_name("ООО Агентство");
    l->set_address("Москва, Тверская 1");
    l->set_inn("7700000002");
    l->set_ogrn("1157746000000");
    return serialized(p);
}

std::string partner_ip() {
    tcpb::Partner p;
    p.set_id("org-2");
    p.set_name("ИП Соколов");
    auto *l = p.mutable_legal();
    l->set_name("ИП Соколов Иван");
    l->set_inn("500100000001");
    l->set_ogrnip("304500000000001");
    return serialized(p);
}

std::string partner_bare() {
    tcpb::Partner p;
    p.set_id("org-3");
    p.set_name("Без реквизитов");
    return serialized(p);
}

std::string event_full() {
    tcpb::Event e;
    e.set_id("evt-1");
    e.set_meta("grp-1");
    e.set_name("Рок-фестиваль");
    e.set_description("Три сцены");
    e.set_status(tcpb::Event::STAND_BY);
    e.set_org("org-1");
    e.set_venue("ven-1");
    ts(e.mutable_lifetime()->mutable_start(), 1740997200, 500000000);
    ts(e.mutable_lifetime()->mutable_finish(), 1741004400);
    e.set_category(kFestivalId);  // an id in Ticketscloud's dictionary
    e.set_age_rating("18+");
    e.mutable_media()->set_cover("https://tc/cover.jpg");
    e.mutable_media()->set_cover_small("https://tc/small.jpg");
    e.mutable_media()->set_cover_original("https://tc/orig.jpg");
    auto *l = e.mutable_legal_ru();
    l->set_id("legal-1");
    l->set_type(tcpb::Event::LegalRu::IP);
    l->set_name("ИП Соколов Иван");
    l->set_inn("500100000001");
    l->set_address("Тула");
    l->set_ogrnip("304500000000001");
    auto *s1 = e.add_sets();
    s1->set_id("set-1");
    s1->set_name("Танцпол");
    s1->set_description("Стоячие места");
    s1->set_pos(1);
    s1->set_sector("A");
    s1->set_with_seats(false);
    s1->set_amount(1000);
    auto *s2 = e.add_sets();
    s2->set_id("set-2");
    s2->set_name("VIP");
    s2->set_removed(true);
    ts(e.mutable_updated_at(), 1740000000);
    return serialized(e);
}

std::string event_min(const std::string &id, tcpb::Event::Status status, const std::string &org = "org-1",
                      const std::string &category = "") {
    tcpb::Event e;
    e.set_id(id);
    e.set_name("Event " + id);
    e.set_status(status);
    e.set_org(org);
    e.set_category(category);
    auto *s = e.add_sets();
    s->set_id("set-" + id);
    s->set_name("Партер " + id);
    return serialized(e);
}

tcpb::Order order(const std::string &id, tcpb::Order::Status status, const std::string &event_id,
                  const std::vector<std::pair<std::string, std::string>> &tickets /* id, set */) {
    tcpb::Order o;
    o.set_id(id);
    o.set_number(5001);
    o.set_status(status);
    o.set_meta_event("grp-1");
    o.set_event(event_id);
    o.set_org("org-1");
    o.set_vendor("vendor-1");
    ts(o.mutable_created_at(), 1740900000, 250000000);
    ts(o.mutable_done_at(), 1740900600);
    auto *c = o.mutable_settings()->mutable_customer();
    c->set_user("user-1");
    c->set_name("Ольга Смирнова");
    c->set_email("olga@example.com");
    c->set_phone("+79003334455");
    c->set_lang("ru");
    int n = 0;
    for (const auto &[tid, set] : tickets) {
        auto *t = o.add_tickets();
        t->set_id(tid);
        t->set_serial("SR");
        t->set_number(100 + ++n);
        t->set_barcode("BC-" + tid);
        t->set_set(set);
        t->set_sector("A");
        t->mutable_seat()->set_row("4");
        t->mutable_seat()->set_number(std::to_string(n));
        t->set_price(350000);
        t->set_nominal(300000);
    }
    return o;
}

std::string refund_request(const std::string &id, tcpb::RefundRequest::Status status, const std::string &order_id,
                           const std::vector<std::string> &tickets) {
    tcpb::RefundRequest r;
    r.set_id(id);
    r.set_status(status);
    r.set_partner("org-1");
    r.set_order(order_id);
    ts(r.mutable_created_at(), 1741000000);
    ts(r.mutable_finished_at(), 1741003600, 123000000);
    for (const auto &t : tickets) {
        auto *rt = r.add_tickets();
        rt->set_id(t);
        rt->set_price(350000);
        rt->set_nominal(300000);
    }
    r.set_event("evt-1");
    r.set_org("org-1");
    return serialized(r);
}

std::string statuses(SinkFixture &f) {
    return f.scalar("SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM tickets");
}

}  // namespace

TEST_CASE("ticketscloud: partners and events (status mapping, lifetime, media, legal_ru, sets) land column by column",
          "[integration][ticketscloud]") {
    SinkFixture f(with_categories());
    produce_tc(f, kPartners, std::nullopt, partner_ltd());  // no key either: the id is in the body
    produce_tc(f, kPartners, std::string("org-2"), partner_ip());
    produce_tc(f, kPartners, std::string("org-3"), partner_bare());
    produce_tc(f, kEvents, std::string("evt-1"), event_full());
    produce_tc(f, kEvents, std::string("evt-2"), event_min("evt-2", tcpb::Event::PUBLIC));
    produce_tc(f, kEvents, std::string("evt-3"),
               event_min("evt-3", tcpb::Event::CANCELED, "org-2", "61aa00000000000000000000"));  // not in the dictionary
    produce_tc(f, kEvents, std::string("evt-4"), event_min("evt-4", tcpb::Event::FINISHED, "org-3"));
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());

    auto org = f.rows("SELECT * FROM organizers ORDER BY id");
    REQUIRE(org.size() == 3);
    CHECK(col(org[0], "system") == "ticketscloud");
    CHECK(col(org[0], "id") == "org-1");
    CHECK(col(org[0], "name") == "Концертное агентство");
    CHECK(col(org[0], "legal_name") == "ООО Агентство");
    CHECK(col(org[0], "legal_type") == "ru_ltd");
    CHECK(col(org[0], "legal_inn") == "7700000002");
    CHECK(col(org[0], "legal_ogrn") == "1157746000000");
    CHECK(col(org[0], "legal_address") == "Москва, Тверская 1");
    CHECK(col(org[0], "status") == "approved");
    CHECK(col(org[0], "hidden") == "0");
    CHECK(col(org[0], "role") == "organizer");
    CHECK(col(org[0], "currency") == "RUB");
    CHECK(col(org[0], "updated_at") == "2025-02-19 21:20:00.000");
    CHECK(col(org[1], "system") == "ticketscloud");
    CHECK(col(org[1], "id") == "org-2");
    CHECK(col(org[1], "name") == "ИП Соколов");
    CHECK(col(org[1], "legal_name") == "ИП Соколов Иван");
    CHECK(col(org[1], "legal_type") == "ru_lp");
    CHECK(col(org[1], "legal_inn") == "500100000001");
    CHECK(col(org[1], "legal_ogrn") == "304500000000001");
    CHECK(col(org[1], "legal_address") == "NULL");
    CHECK(col(org[2], "id") == "org-3");
    CHECK(col(org[2], "name") == "Без реквизитов");
    CHECK(col(org[2], "legal_name") == "NULL");
    CHECK(col(org[2], "legal_type") == "NULL");
    CHECK(col(org[2], "legal_inn") == "NULL");
    CHECK(col(org[2], "legal_ogrn") == "NULL");
    CHECK(col(org[2], "legal_address") == "NULL");
    CHECK(col(org[2], "status") == "new");  // 0 is a real value: NEW
    CHECK(col(org[2], "hidden") == "0");
    CHECK(col(org[2], "role") == "NULL");
    CHECK(col(org[2], "currency") == "NULL");
    CHECK(col(org[2], "updated_at") == "NULL");

    auto ev = f.rows("SELECT * FROM events ORDER BY id");
    REQUIRE(ev.size() == 4);
    CHECK(col(ev[0], "system") == "ticketscloud");
    CHECK(col(ev[0], "id") == "evt-1");
    CHECK(col(ev[0], "group_id") == "grp-1");
    CHECK(col(ev[0], "organizer_id") == "org-1");
    CHECK(col(ev[0], "venue_id") == "ven-1");
    CHECK(col(ev[0], "name") == "Рок-фестиваль");
    CHECK(col(ev[0], "status") == "paused");  // STAND_BY
    CHECK(col(ev[0], "category") == "festival");  // through the topic's dictionary
    CHECK(col(ev[0], "category_raw") == kFestivalId);
    CHECK(col(ev[0], "start_at") == "2025-03-03 10:20:00.500");
    CHECK(col(ev[0], "finish_at") == "2025-03-03 12:20:00.000");
    CHECK(col(ev[0], "timezone") == "NULL");
    CHECK(col(ev[0], "utc_offset_hours") == "NULL");
    CHECK(col(ev[0], "media") == "https://tc/cover.jpg");
    CHECK(col(ev[0], "description") == "Три сцены");
    CHECK(col(ev[0], "age_rating") == "18+");
    CHECK(col(ev[0], "legal_name") == "ИП Соколов Иван");
    CHECK(col(ev[0], "legal_type") == "ru_lp");
    CHECK(col(ev[0], "legal_inn") == "500100000001");
    CHECK(col(ev[0], "legal_ogrn") == "304500000000001");
    CHECK(col(ev[0], "legal_address") == "Тула");
    CHECK(col(ev[1], "id") == "evt-2");
    CHECK(col(ev[1], "status") == "active");  // PUBLIC
    CHECK(col(ev[1], "category") == "other");  // no category
    CHECK(col(ev[1], "category_raw") == "NULL");
    CHECK(col(ev[1], "start_at") == "NULL");
    CHECK(col(ev[1], "finish_at") == "NULL");
    CHECK(col(ev[1], "venue_id") == "NULL");
    CHECK(col(ev[1], "media") == "NULL");
    CHECK(col(ev[1], "group_id") == "NULL");
    CHECK(col(ev[1], "legal_type") == "NULL");
    CHECK(col(ev[2], "id") == "evt-3");
    CHECK(col(ev[2], "status") == "cancelled");  // CANCELED
    CHECK(col(ev[2], "category") == "other");
    CHECK(col(ev[2], "category_raw") == "61aa00000000000000000000");
    CHECK(col(ev[2], "organizer_id") == "org-2");
    CHECK(col(ev[3], "id") == "evt-4");
    CHECK(col(ev[3], "status") == "finished");  // FINISHED
    CHECK(col(ev[3], "organizer_id") == "org-3");

    // The venue: an id only.
    auto ven = f.rows("SELECT * FROM venues");
    REQUIRE(ven.size() == 1);
    CHECK(col(ven[0], "system") == "ticketscloud");
    CHECK(col(ven[0], "id") == "ven-1");
    CHECK(col(ven[0], "name") == "NULL");
    CHECK(col(ven[0], "address") == "NULL");
    CHECK(col(ven[0], "description") == "NULL");
    CHECK(col(ven[0], "zipcode") == "NULL");
    CHECK(col(ven[0], "city_name") == "NULL");
    CHECK(col(ven[0], "lat") == "NULL");
    CHECK(col(ven[0], "lon") == "NULL");

    auto sets = f.rows("SELECT * FROM ticket_sets ORDER BY id");
    REQUIRE(sets.size() == 5);
    CHECK(col(sets[0], "system") == "ticketscloud");
    CHECK(col(sets[0], "id") == "set-1");
    CHECK(col(sets[0], "event_id") == "evt-1");
    CHECK(col(sets[0], "name") == "Танцпол");
    CHECK(col(sets[0], "description") == "Стоячие места");
    CHECK(col(sets[0], "sector") == "A");
    CHECK(col(sets[0], "removed") == "0");
    CHECK(col(sets[1], "id") == "set-2");
    CHECK(col(sets[1], "event_id") == "evt-1");
    CHECK(col(sets[1], "name") == "VIP");
    CHECK(col(sets[1], "description") == "NULL");
    CHECK(col(sets[1], "sector") == "NULL");
    CHECK(col(sets[1], "removed") == "1");
    CHECK(col(sets[2], "id") == "set-evt-2");
    CHECK(col(sets[2], "event_id") == "evt-2");
    CHECK(col(sets[2], "name") == "Партер evt-2");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");
    f.stop_sink();
    // The id outside the dictionary is counted on the events topic.
    CHECK(tolerated_count(f.sink().log(), f.topic(kEvents), "unknown_category") == 1);
}

TEST_CASE("ticketscloud: DONE sells, CANCELLED cancels (also earlier-active tickets), refund requests APPROVED/REJECTED",
          "[integration][ticketscloud][orders]") {
    SinkFixture f(SinkOptions::of({"ticketscloud"}));
    produce_tc(f, kPartners, std::string("org-1"), partner_ltd());
    produce_tc(f, kEvents, std::string("evt-1"), event_full());
    produce_tc(f, kOrders, std::string("ord-1"),
               serialized(order("ord-1", tcpb::Order::DONE, "evt-1", {{"tk-1", "set-1"}, {"tk-2", "set-2"}})));
    produce_tc(f, kOrders, std::string("ord-3"), serialized(order("ord-3", tcpb::Order::IN_PROGRESS, "evt-1", {{"tk-9", "set-1"}})));
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());

    auto ord = f.rows("SELECT * FROM orders ORDER BY id");
    REQUIRE(ord.size() == 2);
    CHECK(col(ord[0], "system") == "ticketscloud");
    CHECK(col(ord[0], "id") == "ord-1");
    CHECK(col(ord[0], "number") == "5001");
    CHECK(col(ord[0], "event_id") == "evt-1");
    CHECK(col(ord[0], "organizer_id") == "org-1");
    CHECK(col(ord[0], "status") == "done");
    CHECK(col(ord[0], "customer_email") == "olga@example.com");
    CHECK(col(ord[0], "customer_phone") == "+79003334455");
    CHECK(col(ord[0], "customer_name") == "Ольга Смирнова");
    CHECK(col(ord[0], "customer_first_name") == "NULL");
    CHECK(col(ord[0], "customer_last_name") == "NULL");
    CHECK(col(ord[0], "created_at") == "2025-03-02 07:20:00.250");
    CHECK(col(ord[0], "done_at") == "2025-03-02 07:30:00.000");
    // IN_PROGRESS: the order is stored, it says nothing about tickets.
    CHECK(col(ord[1], "id") == "ord-3");
    CHECK(col(ord[1], "status") == "in_progress");

    auto tk = f.rows("SELECT * FROM tickets ORDER BY id");
    REQUIRE(tk.size() == 2);
    const char *sets[] = {"set-1", "set-2"};
    const char *set_names[] = {"Танцпол", "VIP"};
    for (size_t i = 0; i < 2; ++i) {
        INFO("ticket #" << i);
        const std::string id = "tk-" + std::to_string(i + 1);
        CHECK(col(tk[i], "system") == "ticketscloud");
        CHECK(col(tk[i], "id") == id);
        CHECK(col(tk[i], "order_id") == "ord-1");
        CHECK(col(tk[i], "event_id") == "evt-1");
        CHECK(col(tk[i], "organizer_id") == "org-1");
        CHECK(col(tk[i], "status") == "active");
        CHECK(col(tk[i], "barcode") == "BC-" + id);
        CHECK(col(tk[i], "number") == std::to_string(101 + i));
        CHECK(col(tk[i], "series") == "SR");
        CHECK(col(tk[i], "seat_row") == "4");
        CHECK(col(tk[i], "seat") == std::to_string(i + 1));
        CHECK(col(tk[i], "set_id") == sets[i]);
        CHECK(col(tk[i], "description") == "NULL");
        CHECK(col(tk[i], "price_nominal") == "300000");
        CHECK(col(tk[i], "currency") == "RUB");  // the partner's (CONTRACT §5)
        CHECK(col(tk[i], "channel") == "NULL");
        CHECK(col(tk[i], "customer_email") == "olga@example.com");
        CHECK(col(tk[i], "customer_phone") == "+79003334455");
        CHECK(col(tk[i], "customer_name") == "Ольга Смирнова");
        // CONTRACT §5: the seat category is the name of the ticket's set in its event.
        CHECK(col(tk[i], "category") == set_names[i]);
        CHECK(f.scalar("SELECT s.name FROM tickets t JOIN ticket_sets s ON s.system = t.system AND s.id = t.set_id"
                       " WHERE t.id = '" + id + "'") == set_names[i]);
    }

    // The same order, now CANCELLED: its earlier-active tickets are cancelled.
    // A new CANCELLED order inserts its tickets as cancelled; EXPIRED cancels too.
    produce_tc(f, kOrders, std::string("ord-1"),
               serialized(order("ord-1", tcpb::Order::CANCELLED, "evt-1", {{"tk-1", "set-1"}, {"tk-2", "set-2"}})));
    produce_tc(f, kOrders, std::string("ord-2"), serialized(order("ord-2", tcpb::Order::CANCELLED, "evt-1", {{"tk-3", "set-1"}})));
    produce_tc(f, kOrders, std::string("ord-4"), serialized(order("ord-4", tcpb::Order::DONE, "evt-1", {{"tk-4", "set-1"}})));
    produce_tc(f, kOrders, std::string("ord-4"), serialized(order("ord-4", tcpb::Order::EXPIRED, "evt-1", {{"tk-4", "set-1"}})));
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM orders") ==
          "ord-1:cancelled,ord-2:cancelled,ord-3:in_progress,ord-4:expired");
    CHECK(statuses(f) == "tk-1:cancelled,tk-2:cancelled,tk-3:cancelled,tk-4:cancelled");
    tk = f.rows("SELECT * FROM tickets WHERE id = 'tk-3'");
    REQUIRE(tk.size() == 1);
    CHECK(col(tk[0], "order_id") == "ord-2");
    CHECK(col(tk[0], "set_id") == "set-1");
    CHECK(col(tk[0], "category") == "Танцпол");
    CHECK(col(tk[0], "barcode") == "BC-tk-3");

    // Refund requests: APPROVED refunds, REJECTED and NEW leave tickets alone.
    produce_tc(f, kOrders, std::string("ord-5"),
               serialized(order("ord-5", tcpb::Order::DONE, "evt-1", {{"tk-5a", "set-1"}, {"tk-5b", "set-1"}, {"tk-5c", "set-1"}})));
    produce_tc(f, kRefunds, std::string("rr-1"), refund_request("rr-1", tcpb::RefundRequest::APPROVED, "ord-5", {"tk-5a"}));
    produce_tc(f, kRefunds, std::string("rr-2"), refund_request("rr-2", tcpb::RefundRequest::REJECTED, "ord-5", {"tk-5b"}));
    produce_tc(f, kRefunds, std::string("rr-3"), refund_request("rr-3", tcpb::RefundRequest::NEW, "ord-5", {"tk-5c"}));
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM tickets WHERE order_id = 'ord-5'") ==
          "tk-5a:refunded,tk-5b:active,tk-5c:active");
    auto rf = f.rows("SELECT * FROM refunds ORDER BY id");
    REQUIRE(rf.size() == 3);
    CHECK(col(rf[0], "system") == "ticketscloud");
    CHECK(col(rf[0], "id") == "rr-1");
    CHECK(col(rf[0], "order_id") == "ord-5");
    CHECK(col(rf[0], "event_id") == "evt-1");
    CHECK(col(rf[0], "status") == "approved");
    CHECK(col(rf[0], "customer_email") == "NULL");
    CHECK(col(rf[0], "customer_phone") == "NULL");
    CHECK(col(rf[0], "customer_name") == "NULL");
    CHECK(col(rf[0], "customer_first_name") == "NULL");
    CHECK(col(rf[0], "customer_last_name") == "NULL");
    CHECK(col(rf[0], "created_at") == "2025-03-03 11:06:40.000");
    CHECK(col(rf[0], "finished_at") == "2025-03-03 12:06:40.123");
    CHECK(col(rf[1], "id") == "rr-2");
    CHECK(col(rf[1], "status") == "rejected");
    CHECK(col(rf[1], "order_id") == "ord-5");
    CHECK(col(rf[2], "id") == "rr-3");
    CHECK(col(rf[2], "status") == "new");
    // Which tickets each request covered, whatever its outcome.
    CHECK(f.scalar("SELECT GROUP_CONCAT(system, ':', refund_id, ':', ticket_id ORDER BY refund_id) FROM refund_tickets") ==
          "ticketscloud:rr-1:tk-5a,ticketscloud:rr-2:tk-5b,ticketscloud:rr-3:tk-5c");

    // The request for tk-5c is approved later: now it is refunded; a replay
    // of the DONE order does not revive it.
    produce_tc(f, kRefunds, std::string("rr-3"), refund_request("rr-3", tcpb::RefundRequest::APPROVED, "ord-5", {"tk-5c"}));
    produce_tc(f, kOrders, std::string("ord-5"),
               serialized(order("ord-5", tcpb::Order::DONE, "evt-1", {{"tk-5a", "set-1"}, {"tk-5b", "set-1"}, {"tk-5c", "set-1"}})));
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM tickets WHERE order_id = 'ord-5'") ==
          "tk-5a:refunded,tk-5b:active,tk-5c:refunded");
    CHECK(f.scalar("SELECT status FROM refunds WHERE id = 'rr-3'") == "approved");

    // A later cancellation of the order cancels its active ticket but never undoes a refund.
    produce_tc(f, kOrders, std::string("ord-5"),
               serialized(order("ord-5", tcpb::Order::CANCELLED, "evt-1", {{"tk-5a", "set-1"}, {"tk-5b", "set-1"}, {"tk-5c", "set-1"}})));
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', status ORDER BY id) FROM tickets WHERE order_id = 'ord-5'") ==
          "tk-5a:refunded,tk-5b:cancelled,tk-5c:refunded");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");

    f.stop_sink();
    const std::string log = f.sink().log();
    CHECK(log.find("olga@example.com") == std::string::npos);
    CHECK(log.find("+79003334455") == std::string::npos);
    CHECK(log.find("Смирнова") == std::string::npos);
}

TEST_CASE("ticketscloud: an order before its event waits and lands after", "[integration][ticketscloud][parking]") {
    SinkFixture f(SinkOptions::of({"ticketscloud"}));
    f.start_sink();
    produce_tc(f, kPartners, std::string("org-1"), partner_ltd());
    produce_tc(f, kOrders, std::string("ord-7"),
               serialized(order("ord-7", tcpb::Order::DONE, "evt-7", {{"tk-7", "set-evt-7"}})));
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT COUNT(*) FROM orders") == "0");
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets") == "0");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked WHERE parent_table = 'events'") == "2");  // order + ticket

    produce_tc(f, kEvents, std::string("evt-7"), event_min("evt-7", tcpb::Event::PUBLIC));
    f.flush();
    REQUIRE(f.wait_scalar("SELECT COUNT(*) FROM sink_parked", "0"));
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(id, ':', status, ':', event_id) FROM orders") == "ord-7:done:evt-7");
    auto tk = f.rows("SELECT * FROM tickets");
    REQUIRE(tk.size() == 1);
    CHECK(col(tk[0], "system") == "ticketscloud");
    CHECK(col(tk[0], "id") == "tk-7");
    CHECK(col(tk[0], "order_id") == "ord-7");
    CHECK(col(tk[0], "event_id") == "evt-7");
    CHECK(col(tk[0], "status") == "active");
    CHECK(col(tk[0], "set_id") == "set-evt-7");
    CHECK(col(tk[0], "category") == "Партер evt-7");
    CHECK(col(tk[0], "customer_email") == "olga@example.com");
    f.stop_sink();
}
