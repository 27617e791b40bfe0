// All three topologies in one worker against one database: the same ids from
// the two ticketing systems stay separate rows keyed by system; a record sold
// through another channel (application-id) is Ticketland's all the same and
// keeps its channel; a schema major a topic does not accept writes nothing and
// is logged with topic, partition, offset and reason, a minor of an accepted
// major and a record without the header land.
#include <catch2/catch.hpp>

#include "sink_fixture.hpp"

#include <ticketscloud/event.pb.h>
#include <ticketscloud/order.pb.h>
#include <ticketscloud/partner.pb.h>

using namespace vsink::test;

namespace {

const char *kOrganizer = R"({"id":"org-1","name":"Ticketland org"})";
const char *kEvent = R"({"id":"evt-1","name":"TL event","category":"show","start_at":1740997200,"organizer_id":"org-1"})";
const char *kOrder = R"({"id":"ord-1","event_id":"evt-1","organizer_id":"org-1",
  "customer":{"email":"a@example.com","phone":"+79001110000"},
  "tickets":[{"id":"tkt-1","barcode":"TL1","category":"Партер"}]})";
const char *kTicket = R"({"id":"tkt-2","status":"used","barcode":"TL2","customer":{"email":"b@example.com","phone":"+79001110001"},
  "event_id":"evt-1","organizer_id":"org-1","category":"Балкон"})";

std::string tc_partner() {
    ticketscloud::Partner p;
    p.set_id("org-1");
    p.set_name("Ticketscloud org");
    return serialized(p);
}

std::string tc_event() {
    ticketscloud::Event e;
    e.set_id("evt-1");
    e.set_name("TC event");
    e.set_status(ticketscloud::Event::PUBLIC);
    e.set_org("org-1");
    auto *s = e.add_sets();
    s->set_id("set-1");
    s->set_name("Танцпол");
    return serialized(e);
}

std::string tc_order() {
    ticketscloud::Order o;
    o.set_id("ord-1");
    o.set_status(ticketscloud::Order::DONE);
    o.set_event("evt-1");
    o.set_org("org-1");
    auto *c = o.mutable_settings()->mutable_customer();
    c->set_email("c@example.com");
    c->set_phone("+79001110002");
    auto *t = o.add_tickets();
    t->set_id("tkt-1");
    t->set_barcode("TC1");
    t->set_set("set-1");
    return serialized(o);
}

std::string per_system(SinkFixture &f, const std::string &table) {
    return f.scalar("SELECT GROUP_CONCAT(CONCAT(system, '=', n) ORDER BY system) FROM (SELECT system, COUNT(*) AS n FROM " +
                    table + " GROUP BY system) AS c");
}

}  // namespace

TEST_CASE("all topologies in one worker: the same ids from each system land as separate rows",
          "[integration][all-topologies][systems]") {
    SinkFixture f(SinkOptions::of({"orders", "tickets", "ticketscloud"}));
    // Ticketland, orders topology.
    f.produce("ticketland.orders.organizers", "org-1", kOrganizer);
    f.produce("ticketland.orders.events", "evt-1", kEvent);
    f.produce("ticketland.orders.orders", "ord-1", kOrder);
    // Ticketland, tickets topology: same system, so the same organizer/event rows.
    f.produce("ticketland.tickets.organizers", "org-1", kOrganizer);
    f.produce("ticketland.tickets.events", "evt-1", kEvent);
    f.produce("ticketland.tickets.tickets", "tkt-2", kTicket);
    // A ticket sold through a bank's ticket shop: still Ticketland's ticket of
    // Ticketland's event, with its channel.
    f.produce("ticketland.tickets.tickets", "tkt-3",
              R"({"id":"tkt-3","status":"active","barcode":"BANK","customer":{"email":"x@example.com","phone":"+1"},"event_id":"evt-1","organizer_id":"org-1","category":"X"})",
              "bank-shop");
    // Ticketscloud: no headers.
    f.produce_raw("ticketscloud.partners", std::string("org-1"), tc_partner(), {});
    f.produce_raw("ticketscloud.events", std::string("evt-1"), tc_event(), {});
    f.produce_raw("ticketscloud.orders", std::string("ord-1"), tc_order(), {});
    f.flush();
    f.start_sink();
    REQUIRE(f.wait_caught_up());

    CHECK(per_system(f, "organizers") == "ticketland=1,ticketscloud=1");
    CHECK(per_system(f, "events") == "ticketland=1,ticketscloud=1");
    CHECK(per_system(f, "orders") == "ticketland=1,ticketscloud=1");
    CHECK(per_system(f, "tickets") == "ticketland=3,ticketscloud=1");
    CHECK(per_system(f, "ticket_sets") == "ticketscloud=1");
    CHECK(f.scalar("SELECT CONCAT_WS('|', system, event_id, channel, barcode) FROM tickets WHERE id = 'tkt-3'") ==
          "ticketland|evt-1|bank-shop|BANK");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");

    auto org = f.rows("SELECT * FROM organizers ORDER BY system");
    REQUIRE(org.size() == 2);
    CHECK(col(org[0], "system") == "ticketland");
    CHECK(col(org[0], "id") == "org-1");
    CHECK(col(org[0], "name") == "Ticketland org");
    CHECK(col(org[1], "system") == "ticketscloud");
    CHECK(col(org[1], "id") == "org-1");
    CHECK(col(org[1], "name") == "Ticketscloud org");

    auto ev = f.rows("SELECT * FROM events ORDER BY system");
    REQUIRE(ev.size() == 2);
    CHECK(col(ev[0], "system") == "ticketland");
    CHECK(col(ev[0], "id") == "evt-1");
    CHECK(col(ev[0], "name") == "TL event");
    CHECK(col(ev[0], "status") == "active");
    CHECK(col(ev[0], "category") == "show");
    CHECK(col(ev[0], "organizer_id") == "org-1");
    CHECK(col(ev[1], "system") == "ticketscloud");
    CHECK(col(ev[1], "id") == "evt-1");
    CHECK(col(ev[1], "name") == "TC event");
    CHECK(col(ev[1], "status") == "active");
    CHECK(col(ev[1], "category") == "other");
    CHECK(col(ev[1], "organizer_id") == "org-1");

    auto ord = f.rows("SELECT * FROM orders ORDER BY system");
    REQUIRE(ord.size() == 2);
    CHECK(col(ord[0], "system") == "ticketland");
    CHECK(col(ord[0], "id") == "ord-1");
    CHECK(col(ord[0], "status") == "NULL");
    CHECK(col(ord[0], "customer_email") == "a@example.com");
    CHECK(col(ord[1], "system") == "ticketscloud");
    CHECK(col(ord[1], "id") == "ord-1");
    CHECK(col(ord[1], "status") == "done");
    CHECK(col(ord[1], "customer_email") == "c@example.com");

    auto tk = f.rows("SELECT * FROM tickets WHERE id <> 'tkt-3' ORDER BY system, id");
    REQUIRE(tk.size() == 3);
    CHECK(col(tk[0], "system") == "ticketland");
    CHECK(col(tk[0], "id") == "tkt-1");
    CHECK(col(tk[0], "order_id") == "ord-1");
    CHECK(col(tk[0], "status") == "active");
    CHECK(col(tk[0], "channel") == "ticketland");
    CHECK(col(tk[0], "barcode") == "TL1");
    CHECK(col(tk[0], "category") == "Партер");
    CHECK(col(tk[1], "system") == "ticketland");
    CHECK(col(tk[1], "id") == "tkt-2");
    CHECK(col(tk[1], "order_id") == "NULL");
    CHECK(col(tk[1], "status") == "used");
    CHECK(col(tk[1], "barcode") == "TL2");
    CHECK(col(tk[1], "category") == "Балкон");
    CHECK(col(tk[2], "system") == "ticketscloud");
    CHECK(col(tk[2], "id") == "tkt-1");
    CHECK(col(tk[2], "order_id") == "ord-1");
    CHECK(col(tk[2], "status") == "active");
    CHECK(col(tk[2], "channel") == "NULL");  // the Ticketscloud producer sends no headers
    CHECK(col(tk[2], "barcode") == "TC1");
    CHECK(col(tk[2], "set_id") == "set-1");
    CHECK(col(tk[2], "category") == "Танцпол");

    // A Ticketland refund of tkt-1 touches Ticketland's ticket only.
    f.produce("ticketland.orders.refunds", "rfd-1", R"({"customer":{"email":"a@example.com","phone":"+79001110000"},"ticket_ids":["tkt-1"]})");
    f.flush();
    REQUIRE(f.wait_caught_up());
    CHECK(f.scalar("SELECT GROUP_CONCAT(system, ':', id, ':', status ORDER BY system, id) FROM tickets") ==
          "ticketland:tkt-1:refunded,ticketland:tkt-2:used,ticketland:tkt-3:active,ticketscloud:tkt-1:active");
    f.stop_sink();
    CHECK(f.sink().log().find("record skipped") == std::string::npos);
}

TEST_CASE("schema-version: another major writes nothing and is logged, a minor or no header is read as major 1",
          "[integration][all-topologies][schema-version]") {
    SinkFixture f(SinkOptions::of({"orders", "tickets", "ticketscloud"}));
    f.start_sink();
    const Headers v2{{"content-type", "application/json"}, {"schema-version", "2.0"}, {"application-id", "ticketland"}};
    const Headers none{{"content-type", "application/json"}, {"application-id", "ticketland"}};
    const Headers v1_7{{"content-type", "application/json"}, {"schema-version", "1.7"}, {"application-id", "ticketland"}};
    f.produce_raw("ticketland.orders.organizers", std::string("org-1"), std::string(R"({"id":"org-1","name":"v2"})"), v2);
    f.produce_raw("ticketland.orders.organizers", std::string("org-2"), std::string(R"({"id":"org-2","name":"none"})"), none);
    f.produce("ticketland.orders.organizers", "org-3", R"({"id":"org-3","name":"v1"})");
    f.produce_raw("ticketland.orders.organizers", std::string("org-4"),
                  std::string(R"({"id":"org-4","name":"v1.7","added_in_1_7":{"x":1}})"), v1_7);
    f.produce_raw("ticketland.tickets.events", std::string("evt-9"),
                  std::string(R"({"id":"evt-9","name":"v2","category":"show","start_at":1740997200,"organizer_id":"org-3"})"),
                  v2);
    f.flush();
    REQUIRE(f.wait_caught_up());
    auto org = f.rows("SELECT * FROM organizers ORDER BY id");
    REQUIRE(org.size() == 3);
    CHECK(col(org[0], "system") == "ticketland");
    CHECK(col(org[0], "id") == "org-2");
    CHECK(col(org[0], "name") == "none");
    CHECK(col(org[1], "system") == "ticketland");
    CHECK(col(org[1], "id") == "org-3");
    CHECK(col(org[1], "name") == "v1");
    CHECK(col(org[1], "legal_name") == "NULL");
    CHECK(col(org[1], "legal_type") == "NULL");
    CHECK(col(org[2], "system") == "ticketland");
    CHECK(col(org[2], "id") == "org-4");
    CHECK(col(org[2], "name") == "v1.7");
    CHECK(f.scalar("SELECT COUNT(*) FROM events") == "0");
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");

    f.stop_sink();
    const std::string log = f.sink().log();
    const std::string orgs = f.topic("ticketland.orders.organizers");
    CHECK_THAT(log, Catch::Contains("dead-lettered to " + f.dlq_topic() + ": topic=" + orgs + " partition=0 offset=0"));
    CHECK_THAT(log, Catch::Contains("schema-version") && Catch::Contains("2.0") && Catch::Contains("not accepted"));
    CHECK_THAT(log, Catch::Contains("dead-lettered to " + f.dlq_topic() + ": topic=" + f.topic("ticketland.tickets.events") + " partition=0 offset=0"));
    for (int offset : {1, 2, 3})  // no header, 1.0 and 1.7 were not skipped
        CHECK(log.find("dead-lettered to " + f.dlq_topic() + ": topic=" + orgs + " partition=0 offset=" + std::to_string(offset)) ==
              std::string::npos);
}
