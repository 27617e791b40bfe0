// Unit tests of the sample-data generator (bench/datagen): determinism, the
// contract shapes, and that the expected summary matches the records.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>

#include "datagen/orders_generator.hpp"
#include "datagen/tickets_generator.hpp"

using namespace vsink::datagen;

namespace {

rapidjson::Document parse(const std::string &json) {
    rapidjson::Document d;
    d.Parse(json.c_str(), json.size());
    REQUIRE_FALSE(d.HasParseError());
    REQUIRE(d.IsObject());
    return d;
}

std::map<std::string, std::string> header_map(const GeneratedRecord &r) {
    return {r.headers.begin(), r.headers.end()};
}

}  // namespace

TEST_CASE("datagen: the default data set is deterministic and complete", "[datagen]") {
    OrdersGenerator gen{OrdersOptions{}};
    const auto records = gen.all();
    CHECK(records.size() == gen.expected().total_records());
    CHECK(OrdersGenerator{OrdersOptions{}}.all().size() == records.size());
    const auto again = OrdersGenerator{OrdersOptions{}}.all();
    for (size_t i = 0; i < records.size(); ++i) CHECK(records[i].value == again[i].value);

    const Expected &e = gen.expected();
    CHECK(e.organizers == 3);
    CHECK(e.events == 10);
    CHECK(e.orders == 300);
    CHECK(e.refunds == 30);
    CHECK(e.tickets >= 300);
    CHECK(e.tickets <= 1200);
    CHECK(e.tickets_active + e.tickets_refunded == e.tickets);
    CHECK(e.refund_tickets == e.refunded_ticket_ids.size());
    // Mixed: 5 shape A events with a venue each (no venue id in shape A), and
    // ven-2, ven-4, ven-6, ven-8 shared by the 5 shape B events (8 venues cycle).
    CHECK(e.venues == 9);
    CHECK(e.records.at("ticketland.orders.organizers") == 3);
    CHECK(e.records.at("ticketland.orders.refunds") == 30);

    OrdersOptions other;
    other.seed = 7;
    CHECK(OrdersGenerator{other}.order(1).value != gen.order(1).value);
}

TEST_CASE("datagen: envelopes follow CONTRACT.md §2", "[datagen]") {
    OrdersOptions o;
    o.channels = {"bank-shop", "live"};
    OrdersGenerator gen{o};
    for (const auto &r : gen.all()) {
        const auto h = header_map(r);
        CHECK(h.at("content-type") == "application/json");
        CHECK(h.at("schema-version") == "1.0");
        // Ticketland's design: events (and organizers) carry `ticketland`,
        // orders and refunds their order's sales channel, in turn.
        if (r.topic == gen.orders_topic() || r.topic == gen.refunds_topic()) {
            const int order = std::stoi(r.key.substr(4));  // ord-N / rfd-N
            CHECK(h.at("application-id") == (order % 2 == 0 ? "bank-shop" : "live"));
        } else {
            CHECK(h.at("application-id") == "ticketland");
        }
        const auto d = parse(r.value);
        if (r.topic == gen.refunds_topic()) {
            CHECK_FALSE(d.HasMember("id"));  // the key is the refund id
            CHECK(r.key.rfind("rfd-", 0) == 0);
        } else {
            CHECK(r.key == d["id"].GetString());
        }
    }
}

TEST_CASE("datagen: production order", "[datagen]") {
    OrdersGenerator gen{OrdersOptions{}};
    const auto records = gen.all();
    REQUIRE(records.size() == 343);
    CHECK(records[0].key == "org-1");
    CHECK(records[3].key == "evt-1");
    CHECK(records[13].key == "ord-1");
    // Order 10 is refunded: its refund follows it directly.
    CHECK(records[22].key == "ord-10");
    CHECK(records[23].key == "rfd-10");
    CHECK(records[24].key == "ord-11");

    OrdersOptions first;
    first.refunds_first = true;
    const auto rf = OrdersGenerator{first}.all();
    REQUIRE(rf.size() == records.size());
    CHECK(rf[13].key == "rfd-10");
    CHECK(rf[42].key == "rfd-300");
    CHECK(rf[43].key == "ord-1");
    // The same records, only in another order.
    std::multiset<std::string> a, b;
    for (const auto &r : records) a.insert(r.key + r.value);
    for (const auto &r : rf) b.insert(r.key + r.value);
    CHECK(a == b);
}

TEST_CASE("datagen: shape A and shape B records", "[datagen]") {
    OrdersGenerator gen{OrdersOptions{}};

    const auto org = parse(gen.organizer(1).value);
    CHECK(std::string(org["legals"]["type"].GetString()) == "ru_ltd");

    const auto a = parse(gen.event(1).value);  // odd: shape A
    CHECK(a["start_at"].GetInt64() < 100000000000LL);  // seconds
    CHECK(a.HasMember("organizer_id"));
    CHECK(a.HasMember("timezone"));
    CHECK_FALSE(a.HasMember("status"));
    CHECK_FALSE(a["venue"].HasMember("id"));

    const auto b = parse(gen.event(2).value);  // even: shape B
    CHECK(b["start_at"].GetInt64() > 100000000000LL);  // milliseconds
    CHECK(std::string(b["status"].GetString()) == "active");
    CHECK(b["organizer"].IsObject());
    CHECK(std::string(b["organizer"]["id"].GetString()) == "org-2");
    CHECK(b["venue"].HasMember("id"));
    CHECK(b["offset"].IsInt());
    // A nested organizer is the same object as its own record.
    OrdersOptions only_b;
    only_b.shape = Shape::B;
    const auto nested = parse(OrdersGenerator{only_b}.event(1).value);
    const auto own = parse(gen.organizer(1).value);
    CHECK(nested["organizer"] == own);

    const auto oa = parse(gen.order(1).value);
    CHECK(oa.HasMember("event_id"));
    CHECK(oa["customer"].HasMember("name"));
    CHECK_FALSE(oa["tickets"][0].HasMember("event_id"));
    const auto ob = parse(gen.order(2).value);
    CHECK(ob.HasMember("number"));
    CHECK_FALSE(ob.HasMember("event_id"));
    CHECK(ob["customer"].HasMember("first_name"));
    CHECK(ob["customer"].HasMember("last_name"));
    CHECK(ob["tickets"][0].HasMember("event_id"));
    CHECK(std::string(ob["customer"]["phone"].GetString()) == "+79000000002");
    CHECK(std::string(ob["customer"]["email"].GetString()) == "user2@example.com");

    const auto ra = parse(gen.refund(10).value);  // 1st refund: shape A
    CHECK(ra["customer"].HasMember("name"));
    const auto rb = parse(gen.refund(20).value);  // 2nd: shape B
    CHECK(rb["customer"].HasMember("first_name"));
}

TEST_CASE("datagen: every ticket references an existing event, refunds cover whole orders",
          "[datagen]") {
    OrdersOptions o;
    o.orders = 500;
    o.events = 7;
    o.tickets_min = 2;
    o.tickets_max = 5;
    o.refund_every = 3;
    OrdersGenerator gen{o};
    std::set<std::string> events, tickets, refunded;
    for (const auto &r : gen.all()) {
        const auto d = parse(r.value);
        if (r.topic == gen.events_topic()) events.insert(d["id"].GetString());
        if (r.topic == gen.orders_topic()) {
            const auto &ts = d["tickets"].GetArray();
            CHECK(ts.Size() >= 2);
            CHECK(ts.Size() <= 5);
            for (const auto &t : ts) {
                tickets.insert(t["id"].GetString());
                const std::string ev =
                    t.HasMember("event_id") ? t["event_id"].GetString() : d["event_id"].GetString();
                CHECK(events.count(ev) == 1);  // events are produced before orders
                CHECK(t["price_nominal"].GetInt64() > 0);
            }
        }
        if (r.topic == gen.refunds_topic())
            for (const auto &id : d["ticket_ids"].GetArray()) refunded.insert(id.GetString());
    }
    const Expected &e = gen.expected();
    CHECK(tickets.size() == e.tickets);
    CHECK(refunded.size() == e.tickets_refunded);
    CHECK(std::set<std::string>(e.refunded_ticket_ids.begin(), e.refunded_ticket_ids.end()) ==
          refunded);
    for (const auto &id : refunded) CHECK(tickets.count(id) == 1);
    CHECK(e.refunds == 166);
}

TEST_CASE("datagen: shape B has no organizer records", "[datagen]") {
    OrdersOptions o;
    o.shape = Shape::B;
    o.organizers = 5;
    o.events = 3;
    OrdersGenerator gen{o};
    for (const auto &r : gen.all()) CHECK(r.topic != gen.organizers_topic());
    CHECK(gen.expected().records.at(gen.organizers_topic()) == 0);
    CHECK(gen.expected().organizers == 3);  // only those events bring
    CHECK(gen.expected().venues == 3);
}

TEST_CASE("datagen: expected summary as JSON", "[datagen]") {
    OrdersOptions o;
    o.orders = 20;
    OrdersGenerator gen{o};
    const auto d = parse(gen.expected().to_json());
    CHECK(d["tables"]["orders"].GetUint64() == 20);
    CHECK(d["tables"]["refunds"].GetUint64() == 2);
    CHECK(d["refunded_ticket_ids"].Size() == d["tickets_refunded"].GetUint64());
    REQUIRE(d["channels"].IsArray());
    REQUIRE(d["channels"].Size() == 3);
    CHECK(std::string(d["channels"][0].GetString()) == "box-office");
    CHECK(std::string(d["channels"][1].GetString()) == "live");
    CHECK(std::string(d["channels"][2].GetString()) == "bank-shop");
}

TEST_CASE("datagen: bad options are refused", "[datagen]") {
    OrdersOptions o;
    o.tickets_min = 3;
    o.tickets_max = 2;
    CHECK_THROWS_AS(OrdersGenerator{o}, std::invalid_argument);
    o = {};
    o.events = 0;
    CHECK_THROWS_AS(OrdersGenerator{o}, std::invalid_argument);
    CHECK(parse_shape("MIXED") == Shape::Mixed);
    CHECK_FALSE(parse_shape("C"));
}

// ---- the tickets topology (bench/run) ----------------------------------


TEST_CASE("datagen: crc32 is zlib's and MariaDB's CRC32()", "[datagen]") {
    CHECK(crc32("123456789") == 0xCBF43926U);
    CHECK(crc32("") == 0U);
    // SELECT CRC32('tkt-1|active') on MariaDB 10.11
    CHECK(column_checksum_term("tkt-1", "active") == crc32("tkt-1|active"));
}

TEST_CASE("datagen: the tickets topology, its updates and its expectation", "[datagen]") {
    TicketsOptions opt;
    opt.tickets = 50;
    TicketsGenerator gen{opt};
    std::vector<GeneratedRecord> records;
    GeneratedRecord r;
    while (gen.next(r)) records.push_back(r);
    const Expected &e = gen.expected();
    CHECK(e.topology == "tickets");
    CHECK(records.size() == e.total_records());
    CHECK(e.records.at("ticketland.tickets.tickets") == 55);  // 50 tickets + every 10th again
    CHECK(e.tickets == 50);
    CHECK(e.tickets_by_status.at("active") == 45);
    CHECK(e.tickets_by_status.at("used") + e.tickets_by_status.at("refunded") == 5);

    // Replaying the records as "latest wins" gives the expected checksums.
    std::map<std::string, std::map<std::string, std::string>> rows;  // id -> column -> value
    std::map<std::string, int64_t> updated_at;
    size_t first_update = 0;
    for (size_t i = 0; i < records.size(); ++i) {
        const auto &rec = records[i];
        if (rec.topic != "ticketland.tickets.tickets") continue;
        const auto d = parse(rec.value);
        const std::string id = d["id"].GetString();
        CHECK(rec.key == id);
        CHECK(header_map(rec).count("application-id") == 1);
        if (rows.count(id)) {
            if (!first_update) first_update = i;
            CHECK(d["updated_at"].GetInt64() > updated_at[id]);
            CHECK(std::string(d["status"].GetString()) != "active");
        } else {
            CHECK(first_update == 0);  // every update comes after every first sale
            CHECK(std::string(d["status"].GetString()) == "active");
        }
        updated_at[id] = d["updated_at"].GetInt64();
        auto &row = rows[id];
        row["status"] = d["status"].GetString();
        row["event_id"] = d["event_id"].GetString();
        row["order_id"] = d["order_id"].GetString();
        row["barcode"] = d["barcode"].GetString();
        row["category"] = d["category"].GetString();
        row["price_nominal"] = std::to_string(d["price_nominal"].GetInt64());
        row["channel"] = header_map(rec).at("application-id");
    }
    CHECK(rows.size() == 50);
    for (const auto &[column, want] : e.checksums.at("tickets")) {
        uint64_t sum = 0;
        for (const auto &[id, row] : rows) sum += column_checksum_term(id, row.at(column));
        CHECK(sum == want);
    }
    // Deterministic by seed, different with another seed.
    TicketsGenerator again{opt};
    CHECK(again.expected().checksums == e.checksums);
    opt.seed = 7;
    CHECK(TicketsGenerator{opt}.expected().checksums.at("tickets").at("barcode") !=
          e.checksums.at("tickets").at("barcode"));
}
