// A bad-input corpus (issue 8, point 9): more than 30 kinds of records the
// sink must not apply, across every topology and format (Ticketland orders and
// tickets topologies in JSON and vibe.v1 Protobuf, Ticketscloud Protobuf),
// each produced between two good records of the same topic and partition. One
// sink drains them all; then every good record's rows are in the database, the
// stored offsets reach the end of every topic, nothing waits in the parking
// lot, and the dead-letter queue holds exactly one letter per bad record: its
// stage and class, the record's key, value and headers byte for byte, and a
// message that names the problem without the personal data the record holds.
//
// Each expected stage and class follows the data contract (CONTRACT.md): only
// ids and parent links refuse a record in the plugin; a value the database
// cannot store is refused by the database, record by record. Inputs the
// contract says must be tolerated (an integer id, an unknown enum value, a
// field of an odd type, ...) are not bad inputs and are not in the table.
#include <catch2/catch.hpp>

#include "sink_fixture.hpp"

#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <ticketscloud/event.pb.h>
#include <ticketscloud/order.pb.h>
#include <ticketscloud/partner.pb.h>
#include <ticketscloud/refund_request.pb.h>
#include <vibe/v1/event.pb.h>
#include <vibe/v1/order.pb.h>
#include <vibe/v1/organizer.pb.h>
#include <vibe/v1/refund.pb.h>
#include <vibe/v1/ticket.pb.h>

using namespace vsink::test;
namespace tcpb = ::ticketscloud;

namespace {

// Mapped topics (SinkFixture::topic() gives the real names).
const std::string kOrgs = "ticketland.orders.organizers";
const std::string kEvents = "ticketland.orders.events";
const std::string kOrders = "ticketland.orders.orders";
const std::string kRefunds = "ticketland.orders.refunds";
const std::string kTOrgs = "ticketland.tickets.organizers";
const std::string kTEvents = "ticketland.tickets.events";
const std::string kTickets = "ticketland.tickets.tickets";
const std::string kTcPartners = "ticketscloud.partners";
const std::string kTcEvents = "ticketscloud.events";
const std::string kTcOrders = "ticketscloud.orders";
const std::string kTcRefunds = "ticketscloud.refund_requests";

// The personal data every bad record carries (made up): none of it may reach
// a letter's message or the sink's log.
const std::string kEmail = "evlampia.korpusova@example.org";
const std::string kPhone = "+79991234567";
const std::string kName = "Евлампия Корпусова";
const std::string kPii = R"("customer":{"email":"evlampia.korpusova@example.org","phone":"+79991234567","name":"Евлампия Корпусова"})";
// The good records' customer, also never logged.
const std::string kGoodEmail = "good.buyer@example.net";
const std::string kGoodPhone = "+79005550101";
const std::string kGoodName = "Добросвет Исправный";
const std::string kGoodPii = R"("customer":{"email":"good.buyer@example.net","phone":"+79005550101","name":"Добросвет Исправный"})";

const int kBaseTickets = 40;  // tickets of the base orders, refunded one per good refund

Headers json_headers(const std::string &channel = "ticketland") {
    return {{"content-type", "application/json"}, {"schema-version", "1.0"}, {"application-id", channel}};
}
Headers pb_headers(const std::string &channel = "ticketland") {
    return {{"content-type", "application/x-protobuf"}, {"schema-version", "1.0"}, {"application-id", channel}};
}
Headers with(Headers h, const std::string &name, const std::string &value) {
    for (auto &kv : h)
        if (kv.first == name) kv.second = value;
    return h;
}
Headers without(Headers h, const std::string &name) {
    Headers out;
    for (auto &kv : h)
        if (kv.first != name) out.push_back(kv);
    return out;
}

void pii_customer(vibe::v1::Customer *c) {
    c->set_email(kEmail);
    c->set_phone(kPhone);
    c->set_name(kName);
}
void good_customer(vibe::v1::Customer *c) {
    c->set_email(kGoodEmail);
    c->set_phone(kGoodPhone);
    c->set_name(kGoodName);
}
void pii_customer(tcpb::Order::Settings::Customer *c) {
    c->set_name(kName);
    c->set_email(kEmail);
    c->set_phone(kPhone);
}

std::string q(const std::string &s) { return Database::quote(s); }

// The value of `expr` in the row of `table` keyed (system, id).
std::string row_sql(const std::string &table, const std::string &system, const std::string &id, const std::string &expr) {
    return "SELECT " + expr + " FROM " + table + " WHERE system = " + q(system) + " AND id = " + q(id);
}

struct Bad {
    std::string kind;  // what is wrong with it
    std::string topic;  // mapped topic
    std::optional<std::string> key;
    std::optional<std::string> value;  // nullopt: a tombstone
    Headers headers;
    std::string stage;
    std::string error_class;
    int64_t offset = -1;  // where it was produced
};

struct Check {
    std::string what, sql, expected;
};

// Produces the corpus, and the good records around each bad one.
class Corpus {
public:
    explicit Corpus(SinkFixture &f) : f_(f) {}

    int64_t produce(const std::string &topic, const std::optional<std::string> &key,
                    const std::optional<std::string> &value, const Headers &headers) {
        f_.produce_raw(topic, key, value, headers, 0);
        return next_[topic]++;
    }

    void expect(const std::string &what, const std::string &sql, const std::string &expected) {
        checks_.push_back({what, sql, expected});
    }

    // The parents the good records refer to, and the tickets good refunds refund.
    void base() {
        produce(kOrgs, "base-org", R"({"id":"base-org","name":"Base organizer"})", json_headers());
        expect("base organizer", row_sql("organizers", "ticketland", "base-org", "name"), "Base organizer");
        produce(kEvents, "base-evt", R"({"id":"base-evt","name":"Base event","category":"ballet","organizer_id":"base-org"})",
                json_headers());
        expect("base event", row_sql("events", "ticketland", "base-evt", "CONCAT_WS('|', name, organizer_id)"),
               "Base event|base-org");
        std::string tickets;
        for (int i = 1; i <= kBaseTickets; ++i)
            tickets += std::string(i > 1 ? "," : "") + R"({"id":"base-tkt-)" + std::to_string(i) +
                       R"(","barcode":"BB)" + std::to_string(i) + R"(","category":"Партер"})";
        produce(kOrders, "base-ord", R"({"id":"base-ord","event_id":"base-evt",)" + kGoodPii + R"(,"tickets":[)" + tickets + "]}",
                json_headers());
        expect("base order", row_sql("orders", "ticketland", "base-ord", "CONCAT_WS('|', event_id, customer_email)"),
               "base-evt|" + kGoodEmail);

        produce(kTOrgs, "tbase-org", R"({"id":"tbase-org","name":"Tickets base organizer"})", json_headers());
        produce(kTEvents, "tbase-evt", R"({"id":"tbase-evt","name":"Tickets base event","organizer_id":"tbase-org"})",
                json_headers());
        expect("tickets base event", row_sql("events", "ticketland", "tbase-evt", "organizer_id"), "tbase-org");

        tcpb::Partner p;
        p.set_id("tc-base-org");
        p.set_name("TC base partner");
        p.set_status(tcpb::Partner::APPROVED);
        p.set_currency("RUB");
        produce(kTcPartners, std::nullopt, serialized(p), {});
        tcpb::Event e;
        e.set_id("tc-base-evt");
        e.set_name("TC base event");
        e.set_status(tcpb::Event::PUBLIC);
        e.set_org("tc-base-org");
        auto *set = e.add_sets();
        set->set_id("tc-base-set");
        set->set_name("Base set");
        produce(kTcEvents, std::nullopt, serialized(e), {});
        expect("TC base event", row_sql("events", "ticketscloud", "tc-base-evt", "CONCAT_WS('|', name, organizer_id)"),
               "TC base event|tc-base-org");
        tcpb::Order o;
        o.set_id("tc-base-ord");
        o.set_status(tcpb::Order::DONE);
        o.set_event("tc-base-evt");
        o.set_org("tc-base-org");
        for (int i = 1; i <= kBaseTickets; ++i) {
            auto *t = o.add_tickets();
            t->set_id("tc-base-tkt-" + std::to_string(i));
            t->set_set("tc-base-set");
            t->set_nominal(1000);
        }
        produce(kTcOrders, std::nullopt, serialized(o), {});
        expect("TC base order", row_sql("orders", "ticketscloud", "tc-base-ord", "status"), "done");
    }

    // One good record on `topic`, JSON or Protobuf alternately on the
    // Ticketland topics, and what it must leave in the database.
    void good(const std::string &topic) {
        const int n = ++good_;
        const std::string s = std::to_string(n);
        const bool pb = n % 2 == 0;
        const Headers h = pb ? pb_headers() : json_headers();
        if (topic == kOrgs || topic == kTOrgs) {
            const std::string id = "g-org-" + s, name = "Good organizer " + s;
            if (pb) {
                vibe::v1::Organizer o;
                o.set_id(id);
                o.set_name(name);
                o.mutable_legals()->set_type(vibe::v1::Legals::RU_LP);
                produce(topic, id, serialized(o), h);
            } else {
                produce(topic, id, R"({"id":")" + id + R"(","name":")" + name + R"(","legals":{"type":"ru_lp"}})", h);
            }
            expect(topic + " good #" + s, row_sql("organizers", "ticketland", id, "CONCAT_WS('|', name, legal_type)"),
                   name + "|ru_lp");
        } else if (topic == kEvents || topic == kTEvents) {
            const std::string id = "g-evt-" + s, name = "Good event " + s;
            const std::string org = topic == kEvents ? "base-org" : "tbase-org";
            if (pb) {
                vibe::v1::Event e;
                e.set_id(id);
                e.set_name(name);
                e.set_category(vibe::v1::CONCERT);
                e.set_start_at(1740997200);
                e.set_organizer_id(org);
                produce(topic, id, serialized(e), h);
            } else {
                produce(topic, id,
                        R"({"id":")" + id + R"(","name":")" + name +
                            R"(","category":"concert","start_at":1740997200,"organizer_id":")" + org + R"("})",
                        h);
            }
            expect(topic + " good #" + s,
                   row_sql("events", "ticketland", id, "CONCAT_WS('|', name, organizer_id, category, start_at)"),
                   name + "|" + org + "|concert|2025-03-03 10:20:00.000");
        } else if (topic == kOrders) {
            const std::string id = "g-ord-" + s, tkt = "g-tkt-" + s;
            if (pb) {
                vibe::v1::Order o;
                o.set_id(id);
                o.set_event_id("base-evt");
                good_customer(o.mutable_customer());
                auto *t = o.add_tickets();
                t->set_id(tkt);
                t->set_barcode("GB" + s);
                t->set_price_nominal(100 * n);
                produce(topic, id, serialized(o), h);
            } else {
                produce(topic, id,
                        R"({"id":")" + id + R"(","event_id":"base-evt",)" + kGoodPii + R"(,"tickets":[{"id":")" + tkt +
                            R"(","barcode":"GB)" + s + R"(","price_nominal":)" + std::to_string(100 * n) + "}]}",
                        h);
            }
            expect(topic + " good #" + s, row_sql("orders", "ticketland", id, "CONCAT_WS('|', event_id, customer_email, channel)"),
                   "base-evt|" + kGoodEmail + "|ticketland");
            expect(topic + " good #" + s + " ticket",
                   row_sql("tickets", "ticketland", tkt, "CONCAT_WS('|', order_id, barcode, price_nominal, status)"),
                   id + "|GB" + s + "|" + std::to_string(100 * n) + "|active");
        } else if (topic == kRefunds) {
            const std::string id = "g-rfd-" + s, tkt = "base-tkt-" + std::to_string(++refunded_);
            REQUIRE(refunded_ <= kBaseTickets);
            if (pb) {
                vibe::v1::Refund r;
                good_customer(r.mutable_customer());
                r.add_ticket_ids(tkt);
                produce(topic, id, serialized(r), h);
            } else {
                produce(topic, id, "{" + kGoodPii + R"(,"ticket_ids":[")" + tkt + R"("]})", h);
            }
            expect(topic + " good #" + s, row_sql("refunds", "ticketland", id, "CONCAT_WS('|', customer_email, channel)"),
                   kGoodEmail + "|ticketland");
            expect(topic + " good #" + s + " refund_tickets",
                   "SELECT GROUP_CONCAT(ticket_id) FROM refund_tickets WHERE system = 'ticketland' AND refund_id = " + q(id), tkt);
            expect(topic + " good #" + s + " refunds its ticket", row_sql("tickets", "ticketland", tkt, "status"), "refunded");
        } else if (topic == kTickets) {
            const std::string id = "g-tt-" + s;
            if (pb) {
                vibe::v1::Ticket t;
                t.set_id(id);
                t.set_status(vibe::v1::Ticket::USED);
                t.set_event_id("tbase-evt");
                t.set_barcode("TB" + s);
                good_customer(t.mutable_customer());
                produce(topic, id, serialized(t), h);
            } else {
                produce(topic, id,
                        R"({"id":")" + id + R"(","status":"used","event_id":"tbase-evt","barcode":"TB)" + s + R"(",)" +
                            kGoodPii + "}",
                        h);
            }
            expect(topic + " good #" + s, row_sql("tickets", "ticketland", id, "CONCAT_WS('|', event_id, status, barcode, customer_phone)"),
                   "tbase-evt|used|TB" + s + "|" + kGoodPhone);
        } else if (topic == kTcPartners) {
            const std::string id = "tcg-org-" + s;
            tcpb::Partner p;
            p.set_id(id);
            p.set_name("TC good partner " + s);
            p.set_status(tcpb::Partner::BOT);
            p.set_currency("eur");
            produce(topic, std::nullopt, serialized(p), {});
            expect(topic + " good #" + s, row_sql("organizers", "ticketscloud", id, "CONCAT_WS('|', name, status, currency)"),
                   "TC good partner " + s + "|bot|EUR");
        } else if (topic == kTcEvents) {
            const std::string id = "tcg-evt-" + s;
            tcpb::Event e;
            e.set_id(id);
            e.set_name("TC good event " + s);
            e.set_status(tcpb::Event::FINISHED);
            e.set_org("tc-base-org");
            auto *set = e.add_sets();
            set->set_id("tcg-set-" + s);
            set->set_name("Set " + s);
            produce(topic, std::nullopt, serialized(e), {});
            expect(topic + " good #" + s, row_sql("events", "ticketscloud", id, "CONCAT_WS('|', name, status, organizer_id)"),
                   "TC good event " + s + "|finished|tc-base-org");
            expect(topic + " good #" + s + " set", row_sql("ticket_sets", "ticketscloud", "tcg-set-" + s, "CONCAT_WS('|', event_id, name)"),
                   id + "|Set " + s);
        } else if (topic == kTcOrders) {
            const std::string id = "tcg-ord-" + s, tkt = "tcg-tkt-" + s;
            tcpb::Order o;
            o.set_id(id);
            o.set_number(n);
            o.set_status(tcpb::Order::DONE);
            o.set_event("tc-base-evt");
            o.set_org("tc-base-org");
            auto *c = o.mutable_settings()->mutable_customer();
            c->set_email(kGoodEmail);
            c->set_phone(kGoodPhone);
            c->set_name(kGoodName);
            auto *t = o.add_tickets();
            t->set_id(tkt);
            t->set_set("tc-base-set");
            t->set_nominal(500);
            produce(topic, std::nullopt, serialized(o), {});
            expect(topic + " good #" + s, row_sql("orders", "ticketscloud", id, "CONCAT_WS('|', number, status, event_id, customer_email)"),
                   s + "|done|tc-base-evt|" + kGoodEmail);
            expect(topic + " good #" + s + " ticket",
                   row_sql("tickets", "ticketscloud", tkt, "CONCAT_WS('|', order_id, status, category, price_nominal)"),
                   id + "|active|Base set|500");
        } else if (topic == kTcRefunds) {
            const std::string id = "tcg-rfd-" + s, tkt = "tc-base-tkt-" + std::to_string(++tc_refunded_);
            REQUIRE(tc_refunded_ <= kBaseTickets);
            tcpb::RefundRequest r;
            r.set_id(id);
            r.set_status(tcpb::RefundRequest::APPROVED);
            r.set_order("tc-base-ord");
            r.add_tickets()->set_id(tkt);
            produce(topic, std::nullopt, serialized(r), {});
            expect(topic + " good #" + s, row_sql("refunds", "ticketscloud", id, "CONCAT_WS('|', status, order_id)"),
                   "approved|tc-base-ord");
            expect(topic + " good #" + s + " refunds its ticket", row_sql("tickets", "ticketscloud", tkt, "status"), "refunded");
        } else {
            FAIL("no good record for topic " << topic);
        }
    }

    // A bad record between two good ones of its topic.
    void bad(Bad b) {
        good(b.topic);
        b.offset = produce(b.topic, b.key, b.value, b.headers);
        good(b.topic);
        bad_.push_back(std::move(b));
    }

    const std::vector<Bad> &bads() const { return bad_; }
    const std::vector<Check> &checks() const { return checks_; }
    int64_t produced(const std::string &topic) const {
        auto it = next_.find(topic);
        return it == next_.end() ? 0 : it->second;
    }
    int goods() const { return good_; }

private:
    SinkFixture &f_;
    std::map<std::string, int64_t> next_;
    std::vector<Check> checks_;
    std::vector<Bad> bad_;
    int good_ = 0, refunded_ = 0, tc_refunded_ = 0;
};

// Raw protobuf wire bytes: a base-128 varint, and a length-delimited field
// (tag, length, bytes) whatever its content, valid UTF-8 or not.
std::string varint(uint64_t v) {
    std::string out;
    for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7f) | 0x80);
    return out + static_cast<char>(v);
}
std::string ld_field(int number, const std::string &bytes) {
    return varint(static_cast<uint64_t>(number) << 3 | 2) + varint(bytes.size()) + bytes;
}

// The corpus: each kind, its topic, and the stage and class the contract
// gives it.
std::vector<Bad> corpus() {
    const std::string P = kPii;
    const std::string long_id(200, 'i');  // the id columns are VARCHAR(128)
    std::vector<Bad> c;

    // --- Ticketland orders topology: organizers, JSON and vibe.v1 ---
    c.push_back({"JSON cut short", kOrgs, "b-org-1", R"({"id":"b-org-1","customer":{"email":")" + kEmail + R"(","phone":"+7999)",
                 json_headers(), "decode", "malformed"});
    c.push_back({"not JSON at all", kOrgs, "b-org-2", kName + ", " + kEmail + ", " + kPhone, json_headers(), "decode", "malformed"});
    c.push_back({"a JSON array instead of an object", kOrgs, "b-org-3", R"([{"id":"b-org-3",)" + P + "}]", json_headers(),
                 "decode", "invalid_field"});
    c.push_back({"a NUL byte in the JSON", kOrgs, "b-org-4", std::string(R"({"id":"b-org-4",)") + '\0' + P + "}",
                 json_headers(), "decode", "malformed"});
    c.push_back({"invalid UTF-8 in the id (JSON)", kOrgs, "b-org-5", "{\"id\":\"b-org-\xc3\x28\"," + P + "}", json_headers(),
                 "decode", "malformed"});
    c.push_back({"no id (JSON)", kOrgs, "b-org-6", R"({"name":"Nameless",)" + P + "}", json_headers(), "decode",
                 "missing_field"});
    c.push_back({"an empty id (JSON)", kOrgs, "b-org-7", R"({"id":"",)" + P + "}", json_headers(), "decode", "invalid_field"});
    c.push_back({"a boolean id (JSON)", kOrgs, "b-org-8", R"({"id":true,)" + P + "}", json_headers(), "decode",
                 "invalid_field"});
    c.push_back({"an id longer than 128 bytes (JSON)", kOrgs, long_id, R"({"id":")" + long_id + R"(",)" + P + "}",
                 json_headers(), "database", "ER_DATA_TOO_LONG"});
    c.push_back({"U+001F in the id (JSON escape)", kOrgs, "b-org-10", R"({"id":"b-org\u001f10",)" + P + "}", json_headers(),
                 "decode", "invalid_key"});
    c.push_back({"a tombstone", kOrgs, "b-org-11", std::nullopt, json_headers(), "decode", "tombstone"});
    c.push_back({"content-type text/csv", kOrgs, "b-org-12", R"({"id":"b-org-12",)" + P + "}",
                 with(json_headers(), "content-type", "text/csv"), "decode", "unsupported_content_type"});
    c.push_back({"schema-version abc", kOrgs, "b-org-13", R"({"id":"b-org-13",)" + P + "}",
                 with(json_headers(), "schema-version", "abc"), "decode", "bad_header"});
    c.push_back({"schema-version 9.0 (another major)", kOrgs, "b-org-14", R"({"id":"b-org-14",)" + P + "}",
                 with(json_headers(), "schema-version", "9.0"), "validate", "schema_version_refused"});
    c.push_back({"Protobuf garbage bytes", kOrgs, "b-org-15", "\xff\xff\xff\xff" + kEmail + " " + kPhone, pb_headers(),
                 "decode", "malformed"});
    c.push_back({"invalid UTF-8 in the id (Protobuf)", kOrgs, "b-org-16", ld_field(1, "b-org-\xc3\x28") + ld_field(2, kName),
                 pb_headers(), "decode", "malformed"});
    {
        vibe::v1::Organizer o;  // everything but the id
        o.set_name(kName);
        o.mutable_legals()->set_address(kEmail);
        c.push_back({"no id (Protobuf)", kOrgs, "b-org-17", serialized(o), pb_headers(), "decode", "missing_field"});
    }
    c.push_back({"a JSON body sent as application/x-protobuf", kOrgs, "b-org-18", R"({"id":"b-org-18",)" + P + "}",
                 pb_headers(), "decode", "malformed"});

    // --- events ---
    c.push_back({"an object as the id (JSON)", kEvents, "b-evt-1", R"({"id":{"value":"b-evt-1"},"name":"x",)" + P + "}",
                 json_headers(), "decode", "invalid_field"});
    c.push_back({"two JSON documents in one value", kEvents, "b-evt-2", R"({"id":"b-evt-2",)" + P + R"(}{"id":"b-evt-2b"})",
                 json_headers(), "decode", "malformed"});
    c.push_back({"U+001F in the organizer_id parent link (JSON)", kEvents, "b-evt-3",
                 R"({"id":"b-evt-3","name":"x","organizer_id":"base\u001forg",)" + P + "}", json_headers(), "decode",
                 "invalid_key"});
    {
        tcpb::Event e;  // a Ticketscloud event on a vibe.v1 topic: its bytes are no vibe.v1.Event
        e.set_id("b-evt-4");
        e.set_name(kName);
        e.set_org("base-org");
        e.set_category("5a9e1c7f0b1d2c3e4f506172");
        e.mutable_lifetime()->mutable_start()->set_seconds(1740997200);
        c.push_back({"a Ticketscloud Event on a vibe.v1 events topic (does not parse)", kEvents, "b-evt-4", serialized(e),
                     pb_headers(), "decode", "malformed"});
    }
    {
        vibe::v1::Event e;
        e.set_name(kName);
        e.set_organizer_id("base-org");
        c.push_back({"no id (Protobuf event)", kEvents, "b-evt-5", serialized(e), pb_headers(), "decode", "missing_field"});
    }
    c.push_back({"a name longer than events.name VARCHAR(1024) (JSON)", kEvents, "b-evt-6",
                 R"({"id":"b-evt-6","organizer_id":"base-org","name":")" + std::string(1100, 'n') + R"(",)" + P + "}",
                 json_headers(), "database", "ER_DATA_TOO_LONG"});

    // --- orders (channels: [ticketland, box-office]) ---
    c.push_back({"an order with tickets and no event_id (JSON)", kOrders, "b-ord-1",
                 R"({"id":"b-ord-1",)" + P + R"(,"tickets":[{"id":"b-tkt-1","barcode":"X"}]})", json_headers(), "decode",
                 "missing_field"});
    c.push_back({"a ticket without id in an order (JSON)", kOrders, "b-ord-2",
                 R"({"id":"b-ord-2","event_id":"base-evt",)" + P + R"(,"tickets":[{"barcode":"X"}]})", json_headers(),
                 "decode", "missing_field"});
    c.push_back({"a ticket that is a string, not an object (JSON)", kOrders, "b-ord-3",
                 R"({"id":"b-ord-3","event_id":"base-evt",)" + P + R"(,"tickets":["b-tkt-3"]})", json_headers(), "decode",
                 "invalid_field"});
    c.push_back({"a channel outside the topic's allow-list", kOrders, "b-ord-4",
                 R"({"id":"b-ord-4","event_id":"base-evt",)" + P + "}", json_headers("bank-shop"), "validate",
                 "channel_refused"});
    c.push_back({"no application-id on a topic with an allow-list", kOrders, "b-ord-5",
                 R"({"id":"b-ord-5","event_id":"base-evt",)" + P + "}", without(json_headers(), "application-id"),
                 "validate", "channel_refused"});
    {
        vibe::v1::Order o;
        o.set_id("b-ord-6");
        pii_customer(o.mutable_customer());
        o.add_tickets()->set_id("b-tkt-6");
        c.push_back({"an order with tickets and no event_id (Protobuf)", kOrders, "b-ord-6", serialized(o), pb_headers(),
                     "decode", "missing_field"});
    }
    {
        vibe::v1::Order o;
        o.set_id("b-ord-7");
        o.set_event_id("base-evt");
        pii_customer(o.mutable_customer());
        o.add_tickets()->set_barcode("X");
        c.push_back({"a ticket without id in an order (Protobuf)", kOrders, "b-ord-7", serialized(o), pb_headers(), "decode",
                     "missing_field"});
    }
    {
        vibe::v1::Ticket t;  // a tickets-topology Ticket on the orders topic: no vibe.v1.Order
        t.set_id("b-ord-8");
        t.set_status(vibe::v1::Ticket::ACTIVE);
        t.set_event_id("x");
        pii_customer(t.mutable_customer());
        c.push_back({"a vibe.v1 Ticket on the orders topic (does not parse as an Order)", kOrders, "b-ord-8", serialized(t),
                     pb_headers(), "decode", "malformed"});
    }
    c.push_back({"a customer phone longer than VARCHAR(32) (JSON)", kOrders, "b-ord-9",
                 R"({"id":"b-ord-9","event_id":"base-evt","customer":{"email":")" + kEmail + R"(","phone":")" + kPhone +
                     std::string(40, '7') + R"(","name":")" + kName + R"("},"tickets":[{"id":"b-tkt-9","barcode":"X"}]})",
                 json_headers(), "database", "ER_DATA_TOO_LONG"});
    {
        vibe::v1::Order o;  // the email's bytes are not UTF-8: no proto3 message
        o.set_id("b-ord-10");
        o.set_event_id("base-evt");
        std::string bytes = serialized(o);
        bytes += ld_field(4, ld_field(1, "evlampia\xff@example.org") + ld_field(2, kPhone));
        c.push_back({"invalid UTF-8 in the customer email (Protobuf)", kOrders, "b-ord-10", bytes, pb_headers(), "decode",
                     "malformed"});
    }

    // --- refunds (the key is the refund id) ---
    c.push_back({"a refund key that is not UTF-8", kRefunds, std::string("b-rfd-\xc3"), "{" + P + R"(,"ticket_ids":["base-tkt-1"]})",
                 json_headers(), "decode", "invalid_field"});
    c.push_back({"a refund key longer than 128 bytes", kRefunds, std::string(129, 'r'),
                 "{" + P + R"(,"ticket_ids":["base-tkt-1"]})", json_headers(), "decode", "invalid_field"});
    c.push_back({"U+001F in the refund key", kRefunds, std::string("b-rfd\x1f" "3"), "{" + P + R"(,"ticket_ids":["base-tkt-1"]})",
                 json_headers(), "decode", "invalid_key"});
    c.push_back({"a null ticket id in ticket_ids (JSON)", kRefunds, "b-rfd-4", "{" + P + R"(,"ticket_ids":["base-tkt-1",null]})",
                 json_headers(), "decode", "missing_field"});
    c.push_back({"an object in ticket_ids (JSON)", kRefunds, "b-rfd-5", "{" + P + R"(,"ticket_ids":[{"id":"base-tkt-1"}]})",
                 json_headers(), "decode", "invalid_field"});
    {
        vibe::v1::Refund r;
        pii_customer(r.mutable_customer());
        r.add_ticket_ids("base-tkt-1");
        r.add_ticket_ids("");
        c.push_back({"an empty ticket id in ticket_ids (Protobuf)", kRefunds, "b-rfd-6", serialized(r), pb_headers(), "decode",
                     "missing_field"});
    }

    // --- Ticketland tickets topology ---
    c.push_back({"an organizer name longer than VARCHAR(512) (JSON)", kTOrgs, "b-torg-1",
                 R"({"id":"b-torg-1","name":")" + std::string(600, 'x') + R"(",)" + P + "}", json_headers(), "database",
                 "ER_DATA_TOO_LONG"});
    c.push_back({"a JSON string instead of an object", kTEvents, "b-tevt-1", R"("b-tevt-1")", json_headers(), "decode",
                 "invalid_field"});
    c.push_back({"a ticket without event_id (JSON)", kTickets, "b-tt-1", R"({"id":"b-tt-1","status":"active",)" + P + "}",
                 json_headers(), "decode", "missing_field"});
    c.push_back({"a ticket without id (JSON)", kTickets, "b-tt-2", R"({"status":"used","event_id":"tbase-evt",)" + P + "}",
                 json_headers(), "decode", "missing_field"});
    c.push_back({"an object as the ticket's event_id (JSON)", kTickets, "b-tt-3",
                 R"({"id":"b-tt-3","event_id":{"id":"tbase-evt"},)" + P + "}", json_headers(), "decode", "invalid_field"});
    {
        vibe::v1::Ticket t;
        t.set_id("b-tt-4");
        t.set_status(vibe::v1::Ticket::USED);
        pii_customer(t.mutable_customer());
        c.push_back({"a ticket without event_id (Protobuf)", kTickets, "b-tt-4", serialized(t), pb_headers(), "decode",
                     "missing_field"});
    }
    c.push_back({"Protobuf cut short (a length past the end)", kTickets, "b-tt-5", "\x0a\x40" "b-tt-5 " + kEmail, pb_headers(),
                 "decode", "malformed"});
    c.push_back({"a barcode longer than VARCHAR(128) (JSON)", kTickets, "b-tt-6",
                 R"({"id":"b-tt-6","status":"active","event_id":"tbase-evt","barcode":")" + std::string(200, '9') + R"(",)" + P +
                     "}",
                 json_headers(), "database", "ER_DATA_TOO_LONG"});

    // --- Ticketscloud (Protobuf, no headers) ---
    {
        tcpb::Partner p;
        p.set_name(kName);
        p.set_desc(kEmail);
        c.push_back({"a partner without id", kTcPartners, std::nullopt, serialized(p), {}, "decode", "missing_field"});
    }
    {
        tcpb::Partner p;
        p.set_id("b-tcp-2");
        p.set_name(kName);
        c.push_back({"content-type application/json on a Protobuf-only topic", kTcPartners, std::nullopt, serialized(p),
                     {{"content-type", "application/json"}}, "decode", "unsupported_content_type"});
        c.push_back({"schema-version 9.1 on a Ticketscloud topic", kTcPartners, std::nullopt, serialized(p),
                     {{"schema-version", "9.1"}}, "validate", "schema_version_refused"});
    }
    {
        tcpb::Partner p;
        p.set_id(long_id);
        p.set_name(kName);
        c.push_back({"a partner id longer than 128 bytes", kTcPartners, std::nullopt, serialized(p), {}, "database",
                     "ER_DATA_TOO_LONG"});
    }
    {
        tcpb::Event e;
        e.set_id("b-tce-1");
        e.set_name("x");
        e.set_org("tc-base-org");
        e.add_sets()->set_name(kName);
        c.push_back({"an event's ticket set without id", kTcEvents, std::nullopt, serialized(e), {}, "decode", "missing_field"});
    }
    {
        tcpb::Order o;
        o.set_id("b-tco-1");
        o.set_status(tcpb::Order::DONE);
        o.set_event("tc-base-evt");
        pii_customer(o.mutable_settings()->mutable_customer());
        o.add_tickets()->set_barcode("X");
        c.push_back({"an order's ticket without id", kTcOrders, std::nullopt, serialized(o), {}, "decode", "missing_field"});
    }
    c.push_back({"Protobuf garbage bytes (Ticketscloud)", kTcOrders, std::nullopt, "\xff\xff\xff\xff" + kEmail + " " + kPhone, {},
                 "decode", "malformed"});
    c.push_back({"a tombstone (Ticketscloud)", kTcOrders, std::string("b-tco-3"), std::nullopt, {}, "decode", "tombstone"});
    {
        tcpb::Order o;  // settings.customer.email's bytes are not UTF-8
        o.set_id("b-tco-4");
        o.set_status(tcpb::Order::DONE);
        std::string bytes = serialized(o);
        bytes += ld_field(20, ld_field(1, ld_field(3, "evlampia\xff@example.org") + ld_field(4, kPhone)));
        c.push_back({"invalid UTF-8 in the customer email (Ticketscloud)", kTcOrders, std::nullopt, bytes, {}, "decode",
                     "malformed"});
    }
    {
        tcpb::RefundRequest r;
        r.set_status(tcpb::RefundRequest::APPROVED);
        r.set_order("tc-base-ord");
        r.add_tickets()->set_id("tc-base-tkt-1");
        c.push_back({"a refund request without id", kTcRefunds, std::nullopt, serialized(r), {}, "decode", "missing_field"});
    }
    {
        tcpb::RefundRequest r;
        r.set_id("b-tcr-2");
        r.set_status(tcpb::RefundRequest::APPROVED);
        r.add_tickets()->set_price(100);
        c.push_back({"a refund request's ticket without id", kTcRefunds, std::nullopt, serialized(r), {}, "decode",
                     "missing_field"});
    }
    return c;
}

bool has_pii(const std::string &s) {
    for (const std::string &p : {kEmail, kPhone, kName, std::string("Корпусова"), std::string("evlampia"), kGoodEmail,
                                 kGoodPhone, kGoodName})
        if (s.find(p) != std::string::npos) return true;
    return false;
}

// Printable bytes, for messages about a record.
std::string printable(const std::optional<std::string> &s) {
    if (!s) return "(null)";
    std::string out;
    for (char ch : s->substr(0, 60)) out += (ch >= 0x20 && ch < 0x7f) ? ch : '?';
    return out + (s->size() > 60 ? "..." : "");
}

}  // namespace

TEST_CASE("dlq corpus: every kind of bad input is dead-lettered once with its stage and class, every good record is applied",
          "[dlq][corpus]") {
    const auto started = std::chrono::steady_clock::now();
    SinkOptions opts = SinkOptions::of({"orders", "tickets", "ticketscloud"});
    opts.topic_settings[kOrders] = "channels: [ticketland, box-office]";
    // Small batches: bad records meet the database in many transactions,
    // children often in a batch before their parent's.
    opts.max_records = 16;
    SinkFixture f(opts);

    Corpus corpus_(f);
    corpus_.base();
    for (Bad &b : corpus()) corpus_.bad(std::move(b));
    f.flush();
    const std::vector<Bad> &bads = corpus_.bads();
    REQUIRE(bads.size() >= 30);
    {
        std::set<std::string> kinds;
        for (const Bad &b : bads) kinds.insert(b.kind);
        REQUIRE(kinds.size() == bads.size());  // distinct kinds
    }
    // Offsets as counted: nothing was produced twice.
    for (const std::string &t : {kOrgs, kEvents, kOrders, kRefunds, kTOrgs, kTEvents, kTickets, kTcPartners, kTcEvents,
                                 kTcOrders, kTcRefunds})
        REQUIRE(f.admin().end_offsets(f.topic(t)) == std::vector<int64_t>{corpus_.produced(t)});

    f.start_sink();
    REQUIRE(f.wait_caught_up());

    // Every good record's rows, key and values.
    for (const Check &c : corpus_.checks()) {
        INFO(c.what << ": " << c.sql);
        CHECK(f.scalar(c.sql) == c.expected);
    }
    // Nothing but the corpus' records: no bad record left a row.
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM orders WHERE id LIKE 'b-%'") == "NULL");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM tickets WHERE id LIKE 'b-%'") == "NULL");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM organizers WHERE id LIKE 'b-%' OR id LIKE 'iiii%'") == "NULL");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM events WHERE id LIKE 'b-%'") == "NULL");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM refunds WHERE id LIKE 'b-%' OR id LIKE 'rrrr%' OR id LIKE 'kafka:%'") ==
          "NULL");
    CHECK(f.scalar("SELECT GROUP_CONCAT(id) FROM ticket_sets WHERE event_id LIKE 'b-%'") == "NULL");
    // Each good refund refunded its one ticket, and nothing else is refunded.
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets WHERE status = 'refunded'") ==
          f.scalar("SELECT COUNT(*) FROM refunds WHERE id LIKE 'g-rfd-%' OR id LIKE 'tcg-rfd-%'"));
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");

    // Exactly one letter per bad record.
    int64_t letters_total = 0;
    for (int64_t n : f.admin().end_offsets(f.dlq_topic())) letters_total += n;
    CHECK(letters_total == static_cast<int64_t>(bads.size()));
    const auto letters = f.dead_letters(static_cast<size_t>(letters_total));
    REQUIRE(letters.size() == static_cast<size_t>(letters_total));
    std::map<std::pair<std::string, std::string>, const ConsumedRecord *> by_origin;
    for (const auto &l : letters) {
        const auto origin = std::make_pair(l.header("vsink.error.topic").value_or("?"), l.header("vsink.error.offset").value_or("?"));
        INFO("letter from " << origin.first << " offset " << origin.second);
        CHECK(by_origin.emplace(origin, &l).second);  // one letter per record
    }

    std::map<std::pair<std::string, std::string>, int> per_class;
    for (const Bad &b : bads) {
        INFO("bad input: " << b.kind << " (topic " << b.topic << ", offset " << b.offset << ", key " << printable(b.key) << ")");
        auto it = by_origin.find({f.topic(b.topic), std::to_string(b.offset)});
        CHECK(it != by_origin.end());
        if (it == by_origin.end()) continue;
        const ConsumedRecord &l = *it->second;
        const std::string message = l.header("vsink.error.message").value_or("");
        INFO("letter: stage=" << l.header("vsink.error.stage").value_or("(none)")
                              << " class=" << l.header("vsink.error.class").value_or("(none)") << " message=" << message);
        CHECK(l.header("vsink.error.stage") == std::optional<std::string>(b.stage));
        CHECK(l.header("vsink.error.class") == std::optional<std::string>(b.error_class));
        ++per_class[{l.header("vsink.error.stage").value_or("?"), l.header("vsink.error.class").value_or("?")}];
        CHECK(l.header("vsink.error.partition") == std::optional<std::string>("0"));
        CHECK_THAT(l.header("vsink.error.plugin").value_or(""), Catch::StartsWith("vibe "));
        CHECK_THAT(l.header("vsink.error.timestamp").value_or(""),
                   Catch::Matches(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"));
        // The record as it came, byte for byte.
        CHECK(l.key == b.key);
        CHECK(l.value == b.value);
        Headers own;
        for (const auto &h : l.headers)
            if (h.first.rfind("vsink.error.", 0) != 0) own.push_back(h);
        CHECK(own == b.headers);
        // A reason, without the personal data the record holds.
        CHECK_FALSE(message.empty());
        CHECK_FALSE(has_pii(message));
        if (b.stage == "database") CHECK_THAT(message, Catch::Contains("MySQL error"));
    }

    f.stop_sink();
    const std::string log = f.sink().log();
    CHECK_FALSE(has_pii(log));
    CHECK_THAT(log, Catch::Contains("dead_lettered=" + std::to_string(bads.size())));

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::ostringstream report;
    report << "dlq corpus: " << bads.size() << " bad inputs, " << corpus_.goods() << " good records around them (+ base "
           << "records), " << letters.size() << " letters, " << seconds << " s\n";
    for (const auto &[sc, n] : per_class) report << "  " << sc.first << "/" << sc.second << " = " << n << "\n";
    std::cout << report.str() << std::flush;
}
