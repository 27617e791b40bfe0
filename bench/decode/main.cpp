// vsink-decode-bench: the plugin's decoding cost per record, without Kafka or
// a database. Feeds N realistic records of each format through the plugin's
// core (RecordConverter::convert, what the C ABI's convert() calls) with a
// host emitter that only counts, and prints per format the wall time and CPU
// time per record and the heap allocations per record (malloc, calloc,
// realloc and operator new all end in the counting malloc below).
//
//   vsink-decode-bench [--records N] [--rounds R] [--format NAME]
//
// Formats: orders-json-a, orders-json-b (the orders topology: organizers,
// events, orders, refunds from vibe-datagen's generator), tickets-json-a,
// tickets-json-b (flat tickets), orders-pb / tickets-pb (vibe.v1 Protobuf),
// tc-orders-pb (Ticketscloud Protobuf orders). A round converts every record
// once; the best round is reported (the machine may be shared).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include <datagen/orders_generator.hpp>
#include <ticketscloud/order.pb.h>
#include <vibe/v1/order.pb.h>
#include <vibe/v1/ticket.pb.h>

#include "record_converter.hpp"
#include "topic_config.hpp"

// ---- counting allocator: every malloc-family call of the process --------
extern "C" {
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void __libc_free(void *);
}
static std::atomic<unsigned long long> g_allocs{0};
extern "C" {
void *malloc(size_t n) {
    g_allocs.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t s) {
    g_allocs.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(n, s);
}
void *realloc(void *p, size_t n) {
    g_allocs.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
}

namespace {

struct Rec {
    std::string topic, key, value;
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<vsink_header> hdrs;
    vsink_record r{};
    void seal(int64_t offset) {
        hdrs.clear();
        for (auto &h : headers)
            hdrs.push_back({{h.first.data(), h.first.size()}, {h.second.data(), h.second.size()}});
        r.topic = {topic.data(), topic.size()};
        r.partition = 0;
        r.offset = offset;
        r.timestamp_ms = 1767225600000;
        r.key = key.empty() ? vsink_bytes{nullptr, 0} : vsink_bytes{key.data(), key.size()};
        r.value = {value.data(), value.size()};
        r.headers = hdrs.data();
        r.header_count = hdrs.size();
    }
};

struct Counts {
    size_t entities = 0, fields = 0, tolerated = 0;
};
int on_emit(void *ctx, const vsink_entity *e) {
    auto *c = static_cast<Counts *>(ctx);
    ++c->entities;
    c->fields += e->field_count;
    return 0;
}
void on_tolerated(void *ctx, vsink_bytes, vsink_bytes) { ++static_cast<Counts *>(ctx)->tolerated; }

std::vector<std::pair<std::string, std::string>> headers(const std::string &channel) {
    return {{"application-id", channel}, {"schema-version", "1.0"}};
}

const char *kChannels[] = {"box-office", "live", "bank-shop"};
const char *kFirst[] = {"Анна", "Иван", "Olga", "Pyotr", "Мария"};
const char *kLast[] = {"Петрова", "Сидоров", "Ivanova", "Smirnov", "Кузнецова"};

std::vector<Rec> orders_json(vsink::datagen::Shape shape, int n) {
    vsink::datagen::OrdersOptions opt;
    opt.shape = shape;
    opt.organizers = std::max(1, n / 200);
    opt.events = std::max(1, n / 40);
    opt.orders = n;
    std::vector<Rec> out;
    for (auto &g : vsink::datagen::OrdersGenerator(opt).all()) {
        Rec r;
        r.topic = g.topic, r.key = g.key, r.value = g.value, r.headers = g.headers;
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<Rec> tickets_json(bool shape_b, int n) {
    std::vector<Rec> out;
    for (int i = 1; i <= n; ++i) {
        const std::string id = std::to_string(i);
        std::string customer = shape_b ? std::string("{\"email\": \"customer") + id + "@example.com\", \"phone\": \"+7900" +
                                             std::to_string(1000000 + i) + "\", \"first_name\": \"" + kFirst[i % 5] +
                                             "\", \"last_name\": \"" + kLast[i % 5] + "\"}"
                                       : std::string("{\"email\": \"customer") + id + "@example.com\", \"phone\": \"+7900" +
                                             std::to_string(1000000 + i) + "\", \"name\": \"" + kFirst[i % 5] + " " +
                                             kLast[i % 5] + "\"}";
        Rec r;
        r.topic = "ticketland.tickets.tickets";
        r.key = "t-" + id;
        r.value = "{\"id\": \"t-" + id + "\", \"status\": \"" + (i % 10 == 0 ? "used" : "active") +
                  "\", \"barcode\": \"46" + std::to_string(10000000000LL + i) + "\", \"customer\": " + customer +
                  ", \"event_id\": \"ev-" + std::to_string(i % 50) + "\", \"organizer_id\": \"org-" +
                  std::to_string(i % 5) + "\", \"number\": \"" + std::to_string(100000 + i) +
                  "\", \"series\": \"АБ\", \"row\": " + (shape_b ? std::to_string(i % 30) : "\"" + std::to_string(i % 30) + "\"") +
                  ", \"seat\": \"" + std::to_string(i % 40) + "\", \"category\": \"Партер\", \"order_id\": \"ord-" +
                  std::to_string(i / 3) + "\", \"description\": \"Вход с 18:00\", \"price_nominal\": " +
                  std::to_string(150000 + i % 1000 * 100) + ", \"currency\": \"" + (shape_b ? "rub" : "RUB") + "\"}";
        r.headers = headers(kChannels[i % 3]);
        out.push_back(std::move(r));
    }
    return out;
}

void fill_customer(vibe::v1::Customer *c, int i) {
    c->set_email("customer" + std::to_string(i) + "@example.com");
    c->set_phone("+7900" + std::to_string(1000000 + i));
    c->set_name(std::string(kFirst[i % 5]) + " " + kLast[i % 5]);
}

std::vector<Rec> orders_pb(int n) {
    std::vector<Rec> out;
    for (int i = 1; i <= n; ++i) {
        vibe::v1::Order o;
        o.set_id("ord-" + std::to_string(i));
        o.set_event_id("ev-" + std::to_string(i % 50));
        o.set_organizer_id("org-" + std::to_string(i % 5));
        fill_customer(o.mutable_customer(), i);
        for (int k = 0; k < 1 + i % 4; ++k) {
            auto *t = o.add_tickets();
            t->set_id("t-" + std::to_string(i) + "-" + std::to_string(k));
            t->set_barcode("46" + std::to_string(10000000000LL + i * 4 + k));
            t->set_number(std::to_string(100000 + i));
            t->set_row(std::to_string(k + 1));
            t->set_seat(std::to_string(i % 40));
            t->set_category("Партер");
            t->set_price_nominal(150000);
            t->set_currency(vibe::v1::RUB);
        }
        Rec r;
        r.topic = "vibe.orders";
        r.key = o.id();
        r.value = o.SerializeAsString();
        r.headers = headers(kChannels[i % 3]);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<Rec> tickets_pb(int n) {
    std::vector<Rec> out;
    for (int i = 1; i <= n; ++i) {
        vibe::v1::Ticket t;
        t.set_id("t-" + std::to_string(i));
        t.set_status(i % 10 == 0 ? vibe::v1::Ticket::USED : vibe::v1::Ticket::ACTIVE);
        t.set_barcode("46" + std::to_string(10000000000LL + i));
        fill_customer(t.mutable_customer(), i);
        t.set_event_id("ev-" + std::to_string(i % 50));
        t.set_organizer_id("org-" + std::to_string(i % 5));
        t.set_number(std::to_string(100000 + i));
        t.set_series("АБ");
        t.set_row(std::to_string(i % 30));
        t.set_seat(std::to_string(i % 40));
        t.set_category("Партер");
        t.set_order_id("ord-" + std::to_string(i / 3));
        t.set_description("Вход с 18:00");
        t.set_price_nominal(150000 + i % 1000 * 100);
        t.set_currency(vibe::v1::RUB);
        Rec r;
        r.topic = "vibe.tickets";
        r.key = t.id();
        r.value = t.SerializeAsString();
        r.headers = headers(kChannels[i % 3]);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<Rec> tc_orders_pb(int n) {
    std::vector<Rec> out;
    for (int i = 1; i <= n; ++i) {
        ticketscloud::Order o;
        o.set_id("5f3a" + std::to_string(1000000 + i));
        o.set_number(100000 + i);
        o.set_status(ticketscloud::Order::DONE);
        o.set_event("ev" + std::to_string(i % 50));
        o.set_org("org" + std::to_string(i % 5));
        o.mutable_created_at()->set_seconds(1767225600 + i);
        o.mutable_done_at()->set_seconds(1767225660 + i);
        auto *c = o.mutable_settings()->mutable_customer();
        c->set_email("customer" + std::to_string(i) + "@example.com");
        c->set_phone("+7900" + std::to_string(1000000 + i));
        c->set_name(std::string(kFirst[i % 5]) + " " + kLast[i % 5]);
        for (int k = 0; k < 1 + i % 4; ++k) {
            auto *t = o.add_tickets();
            t->set_id("tk" + std::to_string(i) + "x" + std::to_string(k));
            t->set_serial("AA");
            t->set_number(i * 4 + k);
            t->set_barcode("46" + std::to_string(10000000000LL + i * 4 + k));
            t->set_set("set" + std::to_string(i % 7));
            t->set_sector("Партер");
            t->mutable_seat()->set_row(std::to_string(k + 1));
            t->mutable_seat()->set_number(std::to_string(i % 40));
            t->set_price(150000);
            t->set_nominal(150000);
        }
        Rec r;
        r.topic = "ticketscloud.orders";
        r.key = o.id();
        r.value = o.SerializeAsString();
        r.headers = {{"application-id", kChannels[i % 3]}};
        out.push_back(std::move(r));
    }
    return out;
}

vibe::TopicConfig topic(const std::string &name, const std::string &yaml) {
    return vibe::parse_topic_config(name, yaml, "bench", 1);
}

vibe::RecordConverter converter() {
    const std::string json = "system: ticketland\nformat: json\nschema_versions: [\"1\"]\n";
    const std::string pb = "system: ticketland\nformat: protobuf\nschema_versions: [\"1\"]\n";
    std::vector<vibe::TopicConfig> t;
    t.push_back(topic("ticketland.orders.organizers", "message: organizer\n" + json));
    t.push_back(topic("ticketland.orders.events", "message: event\n" + json));
    t.push_back(topic("ticketland.orders.orders", "message: order\n" + json));
    t.push_back(topic("ticketland.orders.refunds", "message: refund\n" + json));
    t.push_back(topic("ticketland.tickets.tickets", "message: ticket\n" + json));
    t.push_back(topic("vibe.orders", "message: order\n" + pb));
    t.push_back(topic("vibe.tickets", "message: ticket\n" + pb));
    t.push_back(topic("ticketscloud.orders", "message: ticketscloud.order\nsystem: ticketscloud\nformat: protobuf\n"));
    return vibe::RecordConverter(std::move(t));
}

double cpu_ns() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

}  // namespace

int main(int argc, char **argv) {
    int n = 20000, rounds = 5;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--records" && i + 1 < argc) n = std::atoi(argv[++i]);
        else if (a == "--rounds" && i + 1 < argc) rounds = std::atoi(argv[++i]);
        else if (a == "--format" && i + 1 < argc) only = argv[++i];
        else {
            std::fprintf(stderr, "usage: vsink-decode-bench [--records N] [--rounds R] [--format NAME]\n");
            return 2;
        }
    }
    if (n < 1 || rounds < 1) return 2;
    using vsink::datagen::Shape;
    const std::vector<std::pair<std::string, std::function<std::vector<Rec>()>>> formats = {
        {"orders-json-a", [&] { return orders_json(Shape::A, n); }},
        {"orders-json-b", [&] { return orders_json(Shape::B, n); }},
        {"tickets-json-a", [&] { return tickets_json(false, n); }},
        {"tickets-json-b", [&] { return tickets_json(true, n); }},
        {"orders-pb", [&] { return orders_pb(n); }},
        {"tickets-pb", [&] { return tickets_pb(n); }},
        {"tc-orders-pb", [&] { return tc_orders_pb(n); }},
    };
    const vibe::RecordConverter conv = converter();
    std::printf("%-15s %8s %9s %9s %10s %9s %9s\n", "format", "records", "wall ns/r", "cpu ns/r", "allocs/r",
                "ent/r", "fields/r");
    bool any = false;
    for (const auto &[name, make] : formats) {
        if (!only.empty() && only != name) continue;
        any = true;
        std::vector<Rec> recs = make();
        for (size_t i = 0; i < recs.size(); ++i) recs[i].seal(static_cast<int64_t>(i));
        double best_wall = 1e300, best_cpu = 1e300, best_allocs = 1e300;
        Counts counts;
        size_t failed = 0;
        for (int round = 0; round < rounds; ++round) {
            counts = Counts{};
            failed = 0;
            vsink_emitter out{&counts, on_emit, on_tolerated};
            const unsigned long long a0 = g_allocs.load();
            const double c0 = cpu_ns();
            const auto t0 = std::chrono::steady_clock::now();
            for (const Rec &r : recs) {
                try {
                    conv.convert(r.r, out);
                } catch (const std::exception &) {
                    ++failed;
                }
            }
            const auto t1 = std::chrono::steady_clock::now();
            const double c1 = cpu_ns();
            const unsigned long long a1 = g_allocs.load();
            const double k = static_cast<double>(recs.size());
            best_wall = std::min(best_wall, std::chrono::duration<double, std::nano>(t1 - t0).count() / k);
            best_cpu = std::min(best_cpu, (c1 - c0) / k);
            best_allocs = std::min(best_allocs, static_cast<double>(a1 - a0) / k);
        }
        const double k = static_cast<double>(recs.size());
        std::printf("%-15s %8zu %9.0f %9.0f %10.2f %9.2f %9.1f\n", name.c_str(), recs.size(), best_wall, best_cpu,
                    best_allocs, counts.entities / k, counts.fields / k);
        if (failed) {
            std::fprintf(stderr, "%s: %zu records refused\n", name.c_str(), failed);
            return 1;
        }
    }
    if (!any) {
        std::fprintf(stderr, "unknown format %s\n", only.c_str());
        return 2;
    }
    return 0;
}
