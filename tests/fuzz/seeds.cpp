// fuzz_seeds JSON_FIXTURES_DIR OUT_DIR: writes the seed corpora of the fuzz
// targets into OUT_DIR/<target>/ (json, vibe_v1, ticketscloud, record), each
// input in the target's layout (a message byte, then the message; record:
// record_input.hpp):
//   json          every tests/fixtures/json/<message>_*.json, as is
//   vibe_v1       one full message of each kind, built with the generated
//                 classes (the repository keeps no Protobuf fixture files)
//   ticketscloud  likewise
//   record        each of the above as a Kafka record with the headers a
//                 producer sends, plus a few envelopes the converter refuses
// scripts/fuzz copies them into the writable corpus folders it fuzzes.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <ticketscloud/event.pb.h>
#include <ticketscloud/order.pb.h>
#include <ticketscloud/partner.pb.h>
#include <ticketscloud/refund_request.pb.h>
#include <vibe/v1/event.pb.h>
#include <vibe/v1/order.pb.h>
#include <vibe/v1/organizer.pb.h>
#include <vibe/v1/refund.pb.h>
#include <vibe/v1/ticket.pb.h>

#include "record_input.hpp"

namespace fs = std::filesystem;

namespace {

fs::path out_root;
int written = 0;

void write(const std::string &target, const std::string &name, const std::string &bytes) {
    const fs::path dir = out_root / target;
    fs::create_directories(dir);
    std::ofstream f(dir / ("seed-" + name), std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) {
        std::cerr << "fuzz_seeds: cannot write " << (dir / name) << "\n";
        std::exit(1);
    }
    ++written;
}

template <class Msg>
std::string wire(const Msg &m) {
    std::string s;
    if (!m.SerializeToString(&s)) std::abort();
    return s;
}

std::string with_kind(unsigned kind, const std::string &body) { return std::string(1, static_cast<char>(kind)) + body; }

void set_time(google::protobuf::Timestamp *ts, int64_t seconds) {
    ts->set_seconds(seconds);
    ts->set_nanos(250000000);
}

// vibe.v1, in the kind order of fuzz_vibe_v1: organizer, event, order, refund, ticket.
std::vector<std::string> vibe_v1_messages() {
    vibe::v1::Organizer org;
    org.set_id("org-1");
    org.set_name("Concert Agency");
    org.mutable_legals()->set_name("OOO Concert Agency");
    org.mutable_legals()->set_type(vibe::v1::Legals::RU_LTD);
    org.mutable_legals()->set_inn("7701234567");
    org.mutable_legals()->set_ogrn("1027700132195");
    org.mutable_legals()->set_address("Moscow, Tverskaya 1");

    vibe::v1::Event ev;
    ev.set_id("ev-100");
    ev.set_name("Rock night");
    ev.set_category(vibe::v1::CONCERT);
    ev.set_start_at(1767225600);
    ev.set_finish_at(1767236400000);
    ev.set_organizer_id("org-1");
    ev.set_media("https://example.com/poster.jpg");
    ev.set_timezone("Europe/Moscow");
    ev.set_description("An evening of rock");
    auto *v = ev.mutable_venue();
    v->set_name("Club");
    v->set_address("Moscow, Arbat 10");
    v->set_zipcode("119002");
    v->set_city_name("Moscow");
    v->set_lat(55.75);
    v->set_lon(37.59);

    vibe::v1::Order order;
    order.set_id("ord-1");
    order.set_event_id("ev-100");
    order.set_organizer_id("org-1");
    order.mutable_customer()->set_email("anna@example.com");
    order.mutable_customer()->set_phone("+79001234567");
    order.mutable_customer()->set_name("Anna Petrova");
    for (int i = 1; i <= 2; ++i) {
        auto *t = order.add_tickets();
        t->set_id("t-" + std::to_string(i));
        t->set_barcode("QR-" + std::to_string(i));
        t->set_number(std::to_string(100 + i));
        t->set_series("AA");
        t->set_row("5");
        t->set_seat(std::to_string(i));
        t->set_category("Parterre");
        t->set_price_nominal(250000);
        t->set_currency(vibe::v1::RUB);
    }

    vibe::v1::Refund refund;
    refund.mutable_customer()->set_email("anna@example.com");
    refund.add_ticket_ids("t-1");
    refund.add_ticket_ids("t-2");

    vibe::v1::Ticket ticket;
    ticket.set_id("t-1");
    ticket.set_status(vibe::v1::Ticket::USED);
    ticket.set_barcode("QR-1");
    ticket.mutable_customer()->set_name("Anna Petrova");
    ticket.set_event_id("ev-100");
    ticket.set_organizer_id("org-1");
    ticket.set_order_id("ord-1");
    ticket.set_row("5");
    ticket.set_seat("1");
    ticket.set_price_nominal(0);
    ticket.set_currency(vibe::v1::EUR);

    return {wire(org), wire(ev), wire(order), wire(refund), wire(ticket)};
}

// Ticketscloud, in the kind order of fuzz_ticketscloud: partner, event, order, refund request.
std::vector<std::string> ticketscloud_messages() {
    ticketscloud::Partner p;
    p.set_id("5f0000000000000000000001");
    p.set_name("Club Partner");
    p.set_role("organizer");
    p.set_status(ticketscloud::Partner::APPROVED);
    p.set_hidden(false);
    p.set_currency("rub");
    set_time(p.mutable_updated_at(), 1767225600);
    p.mutable_legal()->set_name("IP Ivanov");
    p.mutable_legal()->set_inn("771234567890");
    p.mutable_legal()->set_ogrnip("304770000000001");

    ticketscloud::Event ev;
    ev.set_id("5f0000000000000000000100");
    ev.set_meta("5f0000000000000000000099");
    ev.set_name("Jazz evening");
    ev.set_status(ticketscloud::Event::PUBLIC);
    ev.set_org("5f0000000000000000000001");
    ev.set_venue("5f0000000000000000000200");
    set_time(ev.mutable_lifetime()->mutable_start(), 1767225600);
    set_time(ev.mutable_lifetime()->mutable_finish(), 1767236400);
    ev.set_category("cat-concert");
    ev.set_age_rating("16+");
    ev.mutable_media()->set_cover("https://example.com/cover.jpg");
    ev.mutable_legal_ru()->set_type(ticketscloud::Event::LegalRu::LTD);
    ev.mutable_legal_ru()->set_name("OOO Jazz");
    ev.mutable_legal_ru()->set_ogrn("1027700132195");
    for (int i = 1; i <= 2; ++i) {
        auto *s = ev.add_sets();
        s->set_id("set-" + std::to_string(i));
        s->set_name(i == 1 ? "Dance floor" : "Balcony");
        s->set_sector("A");
        s->set_removed(i == 2);
    }

    ticketscloud::Order order;
    order.set_id("5f0000000000000000000300");
    order.set_number(4242);
    order.set_status(ticketscloud::Order::DONE);
    order.set_event("5f0000000000000000000100");
    order.set_org("5f0000000000000000000001");
    set_time(order.mutable_created_at(), 1767225600);
    set_time(order.mutable_done_at(), 1767225660);
    auto *c = order.mutable_settings()->mutable_customer();
    c->set_name("Anna Petrova");
    c->set_email("anna@example.com");
    c->set_phone("+79001234567");
    for (int i = 1; i <= 2; ++i) {
        auto *t = order.add_tickets();
        t->set_id("tc-t-" + std::to_string(i));
        t->set_serial("SER");
        t->set_number(7000 + i);
        t->set_barcode("BC-" + std::to_string(i));
        t->set_set("set-1");
        t->mutable_seat()->set_row("3");
        t->mutable_seat()->set_number(std::to_string(i));
        t->set_nominal(150000);
    }

    ticketscloud::RefundRequest r;
    r.set_id("5f0000000000000000000400");
    r.set_status(ticketscloud::RefundRequest::APPROVED);
    r.set_order("5f0000000000000000000300");
    r.set_event("5f0000000000000000000100");
    set_time(r.mutable_created_at(), 1767225700);
    set_time(r.mutable_finished_at(), 1767225800);
    r.add_tickets()->set_id("tc-t-1");
    r.add_tickets()->set_id("tc-t-2");

    return {wire(p), wire(ev), wire(order), wire(r)};
}

std::string read_file(const fs::path &p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

vsink_fuzz::RecordInput record(unsigned message, unsigned format, const char *content_type, std::string value) {
    vsink_fuzz::RecordInput r;
    r.entry = static_cast<uint8_t>(message | format << 4);
    if (content_type) r.headers.emplace_back("content-type", std::string(content_type));
    r.headers.emplace_back("schema-version", std::string("1.0"));
    r.headers.emplace_back("application-id", std::string("web"));
    r.key = "refund-1";
    r.value = std::move(value);
    return r;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 3) {
        std::cerr << "usage: fuzz_seeds JSON_FIXTURES_DIR OUT_DIR\n";
        return 2;
    }
    const fs::path fixtures = argv[1];
    out_root = argv[2];
    const std::vector<std::string> json_kinds = {"organizer", "event", "order", "refund", "ticket"};
    const std::vector<std::string> tc_kinds = {"partner", "event", "order", "refund_request"};

    // JSON fixtures: the message is the file name's first word.
    std::map<std::string, fs::path> files;
    for (const fs::directory_entry &e : fs::directory_iterator(fixtures))
        if (e.path().extension() == ".json") files[e.path().filename().string()] = e.path();
    for (const auto &[name, path] : files) {
        const std::string stem = path.stem().string();
        unsigned kind = 0;
        while (kind < json_kinds.size() && stem.rfind(json_kinds[kind] + "_", 0) != 0 && stem != json_kinds[kind]) ++kind;
        if (kind == json_kinds.size()) {
            std::cerr << "fuzz_seeds: " << path << ": which message is it? (expected organizer_*, event_*, ...)\n";
            return 1;
        }
        const std::string body = read_file(path);
        write("json", stem, with_kind(kind, body));
        write("record", "json-" + stem, record(kind, 1, "application/json", body).serialize());
    }
    if (files.empty()) {
        std::cerr << "fuzz_seeds: no *.json in " << fixtures << "\n";
        return 1;
    }

    const std::vector<std::string> v1 = vibe_v1_messages();
    for (unsigned k = 0; k < v1.size(); ++k) {
        write("vibe_v1", json_kinds[k], with_kind(k, v1[k]));
        write("record", "vibe-v1-" + json_kinds[k], record(k, 0, "application/x-protobuf", v1[k]).serialize());
    }
    const std::vector<std::string> tc = ticketscloud_messages();
    for (unsigned k = 0; k < tc.size(); ++k) {
        write("ticketscloud", tc_kinds[k], with_kind(k, tc[k]));
        // As Ticketscloud produces them today: no headers at all.
        vsink_fuzz::RecordInput r = record(5 + k, 2, nullptr, tc[k]);
        r.headers.clear();
        if (k == 1) r.entry |= 0x80;  // with the topic's categories
        write("record", "ticketscloud-" + tc_kinds[k], r.serialize());
    }

    // Envelopes: an allow-list, a refund without a key, header names in
    // another case, a schema-version of another major, a tombstone.
    vsink_fuzz::RecordInput r = record(2, 1, "application/json", read_file(fixtures / "order_a.json"));
    r.entry |= 0x40;
    r.headers.back().second = "box_office";
    write("record", "channels", r.serialize());
    r = record(3, 0, "Application/JSON; charset=utf-8", read_file(fixtures / "refund_a.json"));
    r.flags = 0x04 | 0x20 | 0x01;
    r.headers.emplace_back("Schema-Version", std::string(" 1.3 "));
    write("record", "refund-without-key", r.serialize());
    r = record(4, 2, "application/x-protobuf", v1[4]);
    r.headers.emplace_back("schema-version", std::string("2.0"));
    r.headers.emplace_back("application-id", std::nullopt);
    write("record", "other-major", r.serialize());
    r = record(0, 0, nullptr, "");
    r.flags = 0x08;
    write("record", "tombstone", r.serialize());

    std::printf("fuzz_seeds: %d seeds in %s\n", written, out_root.c_str());
    return 0;
}
