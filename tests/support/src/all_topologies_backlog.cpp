#include "vsink/test/all_topologies_backlog.hpp"

#include <datagen/orders_generator.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>

#include <ticketscloud/event.pb.h>
#include <ticketscloud/order.pb.h>
#include <ticketscloud/partner.pb.h>
#include <ticketscloud/refund_request.pb.h>
#include <vibe/v1/event.pb.h>
#include <vibe/v1/order.pb.h>
#include <vibe/v1/organizer.pb.h>
#include <vibe/v1/refund.pb.h>
#include <vibe/v1/ticket.pb.h>

namespace vsink::test {

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

const char *kJson = "application/json";
const char *kProtobuf = "application/x-protobuf";
const char *kTicketland = "ticketland";
const char *kTicketscloud = "ticketscloud";

// SplitMix64: the same sequence with every standard library.
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1)); }
    bool chance(double p) { return uniform() < p; }
    std::string digits(int n) {
        std::string s;
        for (int i = 0; i < n; ++i) s += static_cast<char>('0' + (i == 0 ? range(1, 9) : range(0, 9)));
        return s;
    }

private:
    uint64_t state_;
};

// The time of the version after one at `t`: later, before the end.
double later(Rng &rng, double t, double lo = 0.05, double hi = 0.6) { return t + (1.0 - t) * rng.uniform(lo, hi); }

// When a parent first appears: early, or (late ones) deep in its topic.
double parent_time(Rng &rng, bool late) { return late ? rng.uniform(0.55, 0.9) : rng.uniform(0.0, 0.02); }

Headers tl_headers(const std::string &channel, const char *content_type, const char *version = "1.0") {
    return {{"content-type", content_type}, {"schema-version", version}, {"application-id", channel}};
}

const std::array<const char *, 3> kChannels = {"box-office", "live", "bank-shop"};

template <class Msg>
std::string bytes_of(const Msg &m) {
    std::string out;
    if (!m.SerializeToString(&out)) throw std::runtime_error("cannot serialize a generated message");
    return out;
}

std::string json_text(const rapidjson::Document &doc) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    doc.Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
}

rapidjson::Document parse_json(const std::string &text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError() || !doc.IsObject()) throw std::runtime_error("generated JSON does not parse: " + text);
    return doc;
}

void set_string(rapidjson::Document &doc, rapidjson::Value &obj, const char *member, const std::string &value) {
    rapidjson::Value v(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), doc.GetAllocator());
    if (obj.HasMember(member))
        obj[member] = v;
    else
        obj.AddMember(rapidjson::Value(member, doc.GetAllocator()), v, doc.GetAllocator());
}

std::string get_string(const rapidjson::Value &obj, const char *member) {
    if (!obj.HasMember(member) || !obj[member].IsString()) return {};
    return obj[member].GetString();
}

void kv(Writer &w, const char *key, const std::string &value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}
void kv(Writer &w, const char *key, int64_t value) {
    w.Key(key);
    w.Int64(value);
}
void kvd(Writer &w, const char *key, double value) {
    w.Key(key);
    w.Double(value);
}

struct VenueInfo {
    const char *name, *address, *description, *zipcode, *city;
    double lat, lon;
};
const std::array<VenueInfo, 6> kVenues = {{
    {"Зелёный театр", "ул. Крымский Вал, 9", "Летняя сцена", "119049", "Москва", 55.729, 37.601},
    {"Дворец спорта", "пр. Мира, 10", "Большая арена", "129090", "Москва", 55.781, 37.633},
    {"Филармония", "ул. Михайловская, 2", "Большой зал", "191186", "Санкт-Петербург", 59.936, 30.332},
    {"Концертный зал", "ул. Пушкина, 86", "Главный зал", "420015", "Казань", 55.790, 49.131},
    {"Городской ДК", "ул. Ленина, 5", "Малый зал", "620014", "Екатеринбург", 56.838, 60.603},
    {"Opera House", "Bow Street", "Main stage", "WC2E 9DD", "London", 51.513, -0.122},
}};

const std::array<const char *, 8> kShowNames = {"Вечер джаза",      "Ревизор",        "Рок-фестиваль",
                                                "Балет «Жизель»",   "Лекция о космосе", "Stand-up вечер",
                                                "Детский спектакль", "Хоккей: финал"};
const std::array<const char *, 8> kJsonCategories = {"concert", "theater", "festival", "ballet",
                                                      "business", "show",    "kids",     "sport"};
const std::array<vibe::v1::Category, 8> kPbCategories = {
    vibe::v1::CONCERT, vibe::v1::THEATER, vibe::v1::FESTIVAL, vibe::v1::BALLET,
    vibe::v1::BUSINESS, vibe::v1::SHOW,   vibe::v1::KIDS,     vibe::v1::SPORT};
const std::array<const char *, 5> kSeatCategories = {"Партер", "Амфитеатр", "Балкон", "Танцпол", "VIP"};
const std::array<const char *, 6> kNames = {"Анна Петрова", "Иван Смирнов", "Olga Kim",
                                            "Пётр Орлов",   "Мария Белова", "John Smith"};
const std::array<const char *, 4> kSetNames = {"Партер", "Балкон", "Танцпол", "Ложа"};

constexpr int64_t kFirstStart = 1790000000;  // 2026-09-21, seconds

std::string key_of(const std::string &system, const std::string &id) { return system + "|" + id; }

}  // namespace

void AllTopologiesBacklog::add(double time, BacklogRecord r) { timed_.push_back({time, seq_++, std::move(r)}); }

void AllTopologiesBacklog::expect(const std::string &table, const std::string &column, const std::string &system,
                                  const std::string &id, std::optional<std::string> value) {
    auto [it, inserted] = column_index_.emplace(std::make_pair(table, column), columns_.size());
    if (inserted) columns_.push_back({table, column, {}});
    columns_[it->second].values[key_of(system, id)] = std::move(value);
}

void AllTopologiesBacklog::count_row(const std::string &table, const std::string &system, size_t n) {
    rows_[table + "/" + system] += n;
}

AllTopologiesBacklog::AllTopologiesBacklog(AllTopologiesOptions options) : opt_(std::move(options)) {
    orders_json();
    orders_protobuf();
    tickets_topology(false);
    tickets_topology(true);
    ticketscloud();
    std::stable_sort(timed_.begin(), timed_.end(), [](const Timed &a, const Timed &b) {
        return a.time != b.time ? a.time < b.time : a.seq < b.seq;
    });
    records_.reserve(timed_.size());
    for (auto &t : timed_) records_.push_back(std::move(t.record));
    timed_.clear();
    timed_.shrink_to_fit();
}

std::map<std::string, size_t> AllTopologiesBacklog::records_by_segment() const {
    std::map<std::string, size_t> out;
    for (const auto &r : records_) ++out[r.segment];
    return out;
}

std::map<std::string, size_t> AllTopologiesBacklog::records_by_topic() const {
    std::map<std::string, size_t> out;
    for (const auto &r : records_) ++out[r.topic];
    return out;
}

// Ticketland orders topology, JSON: the existing sample-data generator's
// records (shapes A and B alternate) as first versions, and updates made by
// editing them.
void AllTopologiesBacklog::orders_json() {
    const std::string seg = "ticketland-orders/json";
    datagen::OrdersOptions go;
    go.topic_prefix = "ticketland.orders.";
    go.organizers = 24;  // even: odd events (shape A) have odd organizers, even events (shape B) even ones
    go.events = opt_.order_events;
    go.orders = opt_.orders_json;
    go.tickets_min = 1;
    go.tickets_max = 3;
    go.refund_every = 6;
    go.seed = opt_.seed;
    const datagen::OrdersGenerator gen(go);
    Rng rng(opt_.seed ^ 0x4F4A000000000001ULL);
    auto record = [&](const datagen::GeneratedRecord &g) {
        return BacklogRecord{seg, g.topic, g.key, g.value, g.headers};
    };

    // Organizers. Only odd ones (never nested in a shape B event) change;
    // even ones are delivered twice, the same bytes.
    std::map<int, double> organizer_time;
    for (int i = 1; i <= go.organizers; ++i) {
        const bool late = i % 12 == 1 && i % 2 == 1;
        const datagen::GeneratedRecord v1 = gen.organizer(i);
        double t = parent_time(rng, late);
        organizer_time[i] = t;
        add(t, record(v1));
        rapidjson::Document base = parse_json(v1.value);
        std::string name = get_string(base, "name");
        if (i % 2 == 1) {
            const int updates = static_cast<int>(rng.range(1, 3));
            for (int k = 2; k <= updates + 1; ++k) {
                rapidjson::Document d = parse_json(v1.value);
                name = get_string(base, "name") + " (ред. " + std::to_string(k) + ")";
                set_string(d, d, "name", name);
                rapidjson::Value &legals = d["legals"];
                set_string(d, legals, "address", get_string(base["legals"], "address") + ", офис " + std::to_string(k));
                t = later(rng, t);
                add(t, BacklogRecord{seg, v1.topic, v1.key, json_text(d), v1.headers});
            }
        } else {
            add(later(rng, t), record(v1));
        }
        expect("organizers", "name", kTicketland, v1.key, name);
    }
    count_row("organizers", kTicketland, gen.expected().organizers);
    count_row("venues", kTicketland, gen.expected().venues);

    // Events: many versions each, so the topic is deep; a tenth first appear
    // late, and so do the events of the late organizers (1, 13).
    for (int j = 1; j <= go.events; ++j) {
        const bool late = j % 10 == 3;
        const datagen::GeneratedRecord v1 = gen.event(j);
        const bool shape_a = gen.event_shape(j) == datagen::Shape::A;
        double t = parent_time(rng, late);
        add(t, record(v1));
        const rapidjson::Document base = parse_json(v1.value);
        std::string name = get_string(base, "name");
        const int updates = static_cast<int>(rng.range(opt_.event_updates_min, opt_.event_updates_max));
        for (int k = 2; k <= updates + 1; ++k) {
            rapidjson::Document d = parse_json(v1.value);
            name = get_string(base, "name") + " · " + std::to_string(k);
            set_string(d, d, "name", name);
            set_string(d, d, "description", get_string(base, "description") + " (обновление " + std::to_string(k) + ")");
            const int64_t shift = k * 3600LL * (shape_a ? 1 : 1000);
            d["start_at"].SetInt64(base["start_at"].GetInt64() + shift);
            d["finish_at"].SetInt64(base["finish_at"].GetInt64() + shift);
            if (!shape_a) set_string(d, d, "status", k % 3 == 0 ? "paused" : "active");
            t = later(rng, t, 0.02, 0.25);
            add(t, BacklogRecord{seg, v1.topic, v1.key, json_text(d), v1.headers});
        }
        expect("events", "name", kTicketland, v1.key, name);
    }
    count_row("events", kTicketland, static_cast<size_t>(go.events));

    // Orders: a quarter updated (new contact, new barcodes and prices; every
    // eighth gains a ticket); a sixth refunded whole, a twelfth's refund resent
    // with other contact data.
    for (int i = 1; i <= go.orders; ++i) {
        const datagen::GeneratedRecord v1 = gen.order(i);
        const double t1 = rng.uniform();
        add(t1, record(v1));
        const rapidjson::Document base = parse_json(v1.value);
        std::string email = get_string(base["customer"], "email");
        std::vector<std::pair<std::string, std::string>> barcodes;  // ticket id -> final barcode
        for (const auto &tk : base["tickets"].GetArray()) barcodes.emplace_back(get_string(tk, "id"), get_string(tk, "barcode"));
        const double t2 = later(rng, t1);
        if (i % 4 == 0) {
            rapidjson::Document d = parse_json(v1.value);
            rapidjson::Value &c = d["customer"];
            email = "user" + std::to_string(i) + ".v2@example.com";
            set_string(d, c, "email", email);
            set_string(d, c, "phone", "+7911" + std::to_string(1000000 + i));
            if (c.HasMember("name"))
                set_string(d, c, "name", get_string(c, "name") + " (v2)");
            else
                set_string(d, c, "last_name", get_string(c, "last_name") + "-Иванова");
            barcodes.clear();
            for (auto &tk : d["tickets"].GetArray()) {
                const std::string bc = "V2" + get_string(tk, "barcode");
                rapidjson::Value v(bc.c_str(), static_cast<rapidjson::SizeType>(bc.size()), d.GetAllocator());
                tk["barcode"] = v;
                tk["price_nominal"].SetInt64(tk["price_nominal"].GetInt64() + 50000);
                barcodes.emplace_back(get_string(tk, "id"), bc);
            }
            if (i % 8 == 0) {
                rapidjson::Value extra(d["tickets"][0], d.GetAllocator());
                const std::string id = "tkt-" + std::to_string(i) + "-9", bc = "EX" + std::to_string(i);
                extra["id"].SetString(id.c_str(), static_cast<rapidjson::SizeType>(id.size()), d.GetAllocator());
                extra["barcode"].SetString(bc.c_str(), static_cast<rapidjson::SizeType>(bc.size()), d.GetAllocator());
                d["tickets"].PushBack(extra, d.GetAllocator());
                barcodes.emplace_back(id, bc);
            }
            add(t2, BacklogRecord{seg, v1.topic, v1.key, json_text(d), v1.headers});
        }
        expect("orders", "customer_email", kTicketland, v1.key, email);
        count_row("orders", kTicketland);
        const bool refunded = gen.is_refunded(i);
        const size_t sold = static_cast<size_t>(gen.ticket_count(i));
        for (size_t k = 0; k < barcodes.size(); ++k) {
            const bool this_refunded = refunded && k < sold;
            expect("tickets", "status", kTicketland, barcodes[k].first, std::string(this_refunded ? "refunded" : "active"));
            expect("tickets", "barcode", kTicketland, barcodes[k].first, barcodes[k].second);
            ++ticket_statuses_[std::string(kTicketland) + "/" + (this_refunded ? "refunded" : "active")];
        }
        count_row("tickets", kTicketland, barcodes.size());
        if (!refunded) continue;
        const datagen::GeneratedRecord r = gen.refund(i);
        double tr = std::clamp(t1 + rng.uniform(-0.3, 0.3), 0.0, 0.999);
        add(tr, record(r));
        std::string refund_email = get_string(parse_json(r.value)["customer"], "email");
        if (i % 12 == 0) {
            rapidjson::Document d = parse_json(r.value);
            refund_email = "refund" + std::to_string(i) + ".v2@example.com";
            set_string(d, d["customer"], "email", refund_email);
            add(later(rng, tr), BacklogRecord{seg, r.topic, r.key, json_text(d), r.headers});
        }
        expect("refunds", "customer_email", kTicketland, r.key, refund_email);
        count_row("refunds", kTicketland);
        count_row("refund_tickets", kTicketland, sold);
    }
}

// Ticketland orders topology, Protobuf vibe.v1 (ids "pb-..."). A twelfth of
// the orders' updates travel as JSON (shape A) on the same topic.
void AllTopologiesBacklog::orders_protobuf() {
    const std::string seg = "ticketland-orders/protobuf";
    Rng rng(opt_.seed ^ 0x50420000000000A2ULL);
    const int organizers = 16;
    const std::string t_org = "ticketland.orders.organizers", t_evt = "ticketland.orders.events",
                      t_ord = "ticketland.orders.orders", t_rfd = "ticketland.orders.refunds";
    const Headers tl_pb = tl_headers(kTicketland, kProtobuf, "1.2");

    for (int i = 1; i <= organizers; ++i) {
        const std::string id = "pb-org-" + std::to_string(i);
        double t = parent_time(rng, i % 8 == 3);
        const int versions = 1 + static_cast<int>(rng.range(0, 3));
        std::string name;
        for (int k = 1; k <= versions; ++k) {
            vibe::v1::Organizer o;
            o.set_id(id);
            name = "PB Promo " + std::to_string(i) + (k > 1 ? " v" + std::to_string(k) : "");
            o.set_name(name);
            auto *l = o.mutable_legals();
            l->set_name("ООО «ПБ Промо " + std::to_string(i) + "»");
            l->set_type(i % 3 == 0 ? vibe::v1::Legals::RU_LP : vibe::v1::Legals::RU_LTD);
            l->set_inn(std::to_string(7700000000LL + i));
            l->set_ogrn(std::to_string(1027700000000LL + i));
            l->set_address("г. Москва, ул. Новая, д. " + std::to_string(i + k));
            if (k > 1) t = later(rng, t);
            add(t, BacklogRecord{seg, t_org, id, bytes_of(o), tl_pb});
        }
        expect("organizers", "name", kTicketland, id, name);
    }
    count_row("organizers", kTicketland, organizers);

    const int events = opt_.order_events;
    for (int j = 1; j <= events; ++j) {
        const std::string id = "pb-evt-" + std::to_string(j);
        const VenueInfo &v = kVenues[static_cast<size_t>(j) % kVenues.size()];
        double t = parent_time(rng, j % 10 == 3);
        const int versions = 1 + static_cast<int>(rng.range(opt_.event_updates_min, opt_.event_updates_max));
        std::string name;
        for (int k = 1; k <= versions; ++k) {
            vibe::v1::Event e;
            e.set_id(id);
            name = std::string(kShowNames[static_cast<size_t>(j) % kShowNames.size()]) + " PB-" + std::to_string(j) + " · " + std::to_string(k);
            e.set_name(name);
            e.set_category(kPbCategories[static_cast<size_t>(j + k) % kPbCategories.size()]);
            const int64_t start = kFirstStart + j * 86400LL + k * 1800LL;
            e.set_start_at(start);                  // seconds
            e.set_finish_at((start + 7200) * 1000);  // milliseconds
            e.set_organizer_id("pb-org-" + std::to_string((j - 1) % organizers + 1));
            e.set_media("https://img.example.com/pb/" + id + "-" + std::to_string(k) + ".jpg");
            e.set_timezone(j % 6 == 5 ? "Europe/London" : "Europe/Moscow");
            e.set_description("Описание, версия " + std::to_string(k));
            auto *ven = e.mutable_venue();
            ven->set_name(v.name);
            ven->set_address(v.address);
            ven->set_description(v.description);
            ven->set_zipcode(v.zipcode);
            ven->set_city_name(v.city);
            ven->set_lat(v.lat);
            ven->set_lon(v.lon);
            if (k > 1) t = later(rng, t, 0.02, 0.25);
            add(t, BacklogRecord{seg, t_evt, id, bytes_of(e), tl_pb});
        }
        expect("events", "name", kTicketland, id, name);
    }
    count_row("events", kTicketland, static_cast<size_t>(events));
    count_row("venues", kTicketland, static_cast<size_t>(events));  // one per event: "event:<id>"

    struct PbTicket {
        std::string id, barcode, number, row, seat, category, description;
        int64_t price;
        vibe::v1::Currency currency;
    };
    for (int i = 1; i <= opt_.orders_protobuf; ++i) {
        const std::string id = "pb-ord-" + std::to_string(i);
        const int ev = static_cast<int>(rng.range(1, events));
        const std::string event = "pb-evt-" + std::to_string(ev), organizer = "pb-org-" + std::to_string((ev - 1) % organizers + 1);
        const std::string channel = kChannels[static_cast<size_t>(i) % kChannels.size()];
        const std::string name = kNames[static_cast<size_t>(rng.range(0, kNames.size() - 1))];
        const int n = static_cast<int>(rng.range(1, 3));
        std::vector<PbTicket> tickets;
        for (int k = 1; k <= n; ++k) {
            const bool seated = rng.chance(0.7);
            tickets.push_back({"pb-tkt-" + std::to_string(i) + "-" + std::to_string(k), rng.digits(12),
                               std::to_string(i * 10 + k), seated ? std::to_string(rng.range(1, 30)) : "",
                               seated ? std::to_string(rng.range(1, 40)) : "",
                               kSeatCategories[static_cast<size_t>(rng.range(0, kSeatCategories.size() - 1))],
                               k == 1 ? "Электронный билет" : "", rng.range(5, 90) * 10000,
                               i % 5 == 0 ? vibe::v1::EUR : vibe::v1::RUB});
        }
        auto pb_order = [&](const std::string &email, const std::string &customer_name) {
            vibe::v1::Order o;
            o.set_id(id);
            o.set_event_id(event);
            o.set_organizer_id(organizer);
            auto *c = o.mutable_customer();
            c->set_email(email);
            c->set_phone("+7902" + std::to_string(1000000 + i));
            c->set_name(customer_name);
            for (const PbTicket &tk : tickets) {
                auto *t = o.add_tickets();
                t->set_id(tk.id);
                t->set_barcode(tk.barcode);
                t->set_number(tk.number);
                t->set_series("PB");
                t->set_row(tk.row);
                t->set_seat(tk.seat);
                t->set_category(tk.category);
                t->set_description(tk.description);
                t->set_price_nominal(tk.price);
                t->set_currency(tk.currency);
            }
            return bytes_of(o);
        };
        const double t1 = rng.uniform();
        std::string email = "pbuser" + std::to_string(i) + "@example.com";
        add(t1, BacklogRecord{seg, t_ord, id, pb_order(email, name), tl_headers(channel, kProtobuf)});
        if (i % 4 == 0) {
            email = "pbuser" + std::to_string(i) + ".v2@example.com";
            for (PbTicket &tk : tickets) {
                tk.barcode = "V2" + tk.barcode;
                tk.price += 30000;
            }
            const double t2 = later(rng, t1);
            if (i % 12 == 0) {
                // The update in JSON, shape A, on the same topic and key.
                rapidjson::StringBuffer buf;
                Writer w(buf);
                w.StartObject();
                kv(w, "id", id);
                kv(w, "event_id", event);
                kv(w, "organizer_id", organizer);
                w.Key("customer");
                w.StartObject();
                kv(w, "email", email);
                kv(w, "phone", "+7902" + std::to_string(1000000 + i));
                kv(w, "name", name + " (v2)");
                w.EndObject();
                w.Key("tickets");
                w.StartArray();
                for (const PbTicket &tk : tickets) {
                    w.StartObject();
                    kv(w, "id", tk.id);
                    kv(w, "barcode", tk.barcode);
                    kv(w, "number", tk.number);
                    kv(w, "series", "PB");
                    if (!tk.row.empty()) kv(w, "row", tk.row);
                    if (!tk.seat.empty()) kv(w, "seat", tk.seat);
                    kv(w, "category", tk.category);
                    if (!tk.description.empty()) kv(w, "description", tk.description);
                    kv(w, "price_nominal", tk.price);
                    kv(w, "currency", tk.currency == vibe::v1::EUR ? "EUR" : "RUB");
                    w.EndObject();
                }
                w.EndArray();
                w.EndObject();
                add(t2, BacklogRecord{seg, t_ord, id, std::string(buf.GetString(), buf.GetSize()),
                                      tl_headers(channel, kJson)});
            } else {
                add(t2, BacklogRecord{seg, t_ord, id, pb_order(email, name + " (v2)"), tl_headers(channel, kProtobuf)});
            }
        }
        expect("orders", "customer_email", kTicketland, id, email);
        count_row("orders", kTicketland);
        count_row("tickets", kTicketland, tickets.size());
        const bool refunded = i % 6 == 0;
        for (const PbTicket &tk : tickets) {
            expect("tickets", "status", kTicketland, tk.id, std::string(refunded ? "refunded" : "active"));
            expect("tickets", "barcode", kTicketland, tk.id, tk.barcode);
            ++ticket_statuses_[std::string(kTicketland) + "/" + (refunded ? "refunded" : "active")];
        }
        if (!refunded) continue;
        const std::string rid = "pb-rfd-" + std::to_string(i);
        auto pb_refund = [&](const std::string &refund_email) {
            vibe::v1::Refund r;
            auto *c = r.mutable_customer();
            c->set_email(refund_email);
            c->set_phone("+7902" + std::to_string(1000000 + i));
            c->set_name(name);
            for (const PbTicket &tk : tickets) r.add_ticket_ids(tk.id);
            return bytes_of(r);
        };
        double tr = std::clamp(t1 + rng.uniform(-0.3, 0.3), 0.0, 0.999);
        std::string refund_email = "pbuser" + std::to_string(i) + "@example.com";
        add(tr, BacklogRecord{seg, t_rfd, rid, pb_refund(refund_email), tl_headers(channel, kProtobuf)});
        if (i % 12 == 0) {
            refund_email = "pbrefund" + std::to_string(i) + ".v2@example.com";
            add(later(rng, tr), BacklogRecord{seg, t_rfd, rid, pb_refund(refund_email), tl_headers(channel, kProtobuf)});
        }
        expect("refunds", "customer_email", kTicketland, rid, refund_email);
        count_row("refunds", kTicketland);
        count_row("refund_tickets", kTicketland, tickets.size());
    }
}

// Ticketland tickets topology (ids "tj-..." in JSON, "tp-..." in Protobuf):
// tickets with their current status; a ticket gets a new status (used,
// cancelled, refunded, active again) and sometimes then a record without
// one, which must keep it.
void AllTopologiesBacklog::tickets_topology(bool protobuf) {
    const std::string seg = std::string("ticketland-tickets/") + (protobuf ? "protobuf" : "json");
    const std::string p = protobuf ? "tp-" : "tj-";
    Rng rng(opt_.seed ^ (protobuf ? 0x5450000000000B3ULL : 0x544A0000000000C4ULL));
    const std::string t_org = "ticketland.tickets.organizers", t_evt = "ticketland.tickets.events",
                      t_tkt = "ticketland.tickets.tickets";
    const char *ct = protobuf ? kProtobuf : kJson;
    const int organizers = 12;  // even: JSON odd events (shape A) have odd organizers, even events (B) even ones

    // The organizer object, the same on its own topic and nested in a JSON
    // shape B event (legals with name and type, so the nested copy adds nothing).
    auto org_json = [&](Writer &w, int i, int k) {
        w.StartObject();
        kv(w, "id", p + "org-" + std::to_string(i));
        kv(w, "name", "Tickets Promo " + std::to_string(i) + (k > 1 ? " v" + std::to_string(k) : ""));
        w.Key("legals");
        w.StartObject();
        kv(w, "name", "ООО «Билеты " + std::to_string(i) + "»");
        kv(w, "type", "ru_ltd");
        kv(w, "inn", std::to_string(5000000000LL + i));
        kv(w, "ogrn", std::to_string(1025000000000LL + i));
        kv(w, "address", "г. Самара, ул. Садовая, д. " + std::to_string(i + k));
        w.EndObject();
        w.EndObject();
    };
    for (int i = 1; i <= organizers; ++i) {
        const std::string id = p + "org-" + std::to_string(i);
        double t = parent_time(rng, i % 6 == 1);
        // JSON: only odd organizers change (even ones travel inside shape B events).
        const int versions = (protobuf || i % 2 == 1) ? 1 + static_cast<int>(rng.range(0, 2)) : 1;
        for (int k = 1; k <= versions; ++k) {
            std::string value;
            if (protobuf) {
                vibe::v1::Organizer o;
                o.set_id(id);
                o.set_name("Tickets Promo " + std::to_string(i) + (k > 1 ? " v" + std::to_string(k) : ""));
                auto *l = o.mutable_legals();
                l->set_name("ООО «Билеты " + std::to_string(i) + "»");
                l->set_type(vibe::v1::Legals::RU_LTD);
                l->set_inn(std::to_string(5000000000LL + i));
                l->set_ogrn(std::to_string(1025000000000LL + i));
                l->set_address("г. Самара, ул. Садовая, д. " + std::to_string(i + k));
                value = bytes_of(o);
            } else {
                rapidjson::StringBuffer buf;
                Writer w(buf);
                org_json(w, i, k);
                value = std::string(buf.GetString(), buf.GetSize());
            }
            if (k > 1) t = later(rng, t);
            add(t, BacklogRecord{seg, t_org, id, value, tl_headers(kTicketland, ct)});
        }
        expect("organizers", "name", kTicketland, id,
               "Tickets Promo " + std::to_string(i) + (versions > 1 ? " v" + std::to_string(versions) : ""));
    }
    count_row("organizers", kTicketland, organizers);

    const int events = opt_.ticket_events;
    std::set<int> shared_venues;
    size_t own_venues = 0;
    for (int j = 1; j <= events; ++j) {
        const std::string id = p + "evt-" + std::to_string(j);
        const int org = (j - 1) % organizers + 1;
        const bool shape_b = !protobuf && j % 2 == 0;
        const int venue_index = j % static_cast<int>(kVenues.size());
        const VenueInfo &v = kVenues[static_cast<size_t>(venue_index)];
        if (shape_b)
            shared_venues.insert(venue_index);
        else
            ++own_venues;
        double t = parent_time(rng, j % 10 == 3);
        const int versions = 1 + static_cast<int>(rng.range(opt_.event_updates_min, opt_.event_updates_max));
        std::string name;
        for (int k = 1; k <= versions; ++k) {
            name = std::string(kShowNames[static_cast<size_t>(j + 3) % kShowNames.size()]) + " " + p + std::to_string(j) + " · " +
                   std::to_string(k);
            const int64_t start = kFirstStart + j * 43200LL + k * 600LL;
            std::string value;
            if (protobuf) {
                vibe::v1::Event e;
                e.set_id(id);
                e.set_name(name);
                e.set_category(kPbCategories[static_cast<size_t>(j) % kPbCategories.size()]);
                e.set_start_at(start * 1000);
                e.set_finish_at(start + 10800);
                e.set_organizer_id(p + "org-" + std::to_string(org));
                e.set_media("https://img.example.com/tp/" + id + ".jpg");
                e.set_timezone("Europe/Samara");
                e.set_description("Версия " + std::to_string(k));
                auto *ven = e.mutable_venue();
                ven->set_name(v.name);
                ven->set_address(v.address);
                ven->set_zipcode(v.zipcode);
                ven->set_city_name(v.city);
                ven->set_lat(v.lat);
                ven->set_lon(v.lon);
                value = bytes_of(e);
            } else {
                rapidjson::StringBuffer buf;
                Writer w(buf);
                w.StartObject();
                kv(w, "id", id);
                kv(w, "name", name);
                kv(w, "category", kJsonCategories[static_cast<size_t>(j) % kJsonCategories.size()]);
                if (shape_b) {
                    kv(w, "group_id", p + "grp-" + std::to_string(j % 7));
                    kv(w, "status", k % 4 == 0 ? "paused" : "active");
                    kv(w, "start_at", start * 1000);
                    kv(w, "finish_at", (start + 10800) * 1000);
                    kv(w, "offset", int64_t{4});
                    w.Key("organizer");
                    org_json(w, org, 1);
                } else {
                    kv(w, "start_at", start);
                    kv(w, "finish_at", start + 10800);
                    kv(w, "timezone", "Europe/Samara");
                    kv(w, "organizer_id", p + "org-" + std::to_string(org));
                }
                kv(w, "media", "https://img.example.com/tj/" + id + ".jpg");
                kv(w, "description", "Версия " + std::to_string(k));
                w.Key("venue");
                w.StartObject();
                if (shape_b) kv(w, "id", p + "ven-" + std::to_string(venue_index));
                kv(w, "name", v.name);
                kv(w, "address", v.address);
                kv(w, "description", v.description);
                kv(w, "zipcode", v.zipcode);
                kv(w, "city_name", v.city);
                kvd(w, "lat", v.lat);
                kvd(w, "lon", v.lon);
                w.EndObject();
                w.EndObject();
                value = std::string(buf.GetString(), buf.GetSize());
            }
            if (k > 1) t = later(rng, t, 0.02, 0.25);
            add(t, BacklogRecord{seg, t_evt, id, value, tl_headers(kTicketland, ct)});
        }
        expect("events", "name", kTicketland, id, name);
    }
    count_row("events", kTicketland, static_cast<size_t>(events));
    count_row("venues", kTicketland, own_venues + shared_venues.size());

    const std::array<const char *, 4> statuses = {"used", "cancelled", "refunded", "active"};
    const int tickets = protobuf ? opt_.tickets_protobuf : opt_.tickets_json;
    for (int n = 1; n <= tickets; ++n) {
        const std::string id = p + "tkt-" + std::to_string(n);
        const int ev = static_cast<int>(rng.range(1, events));
        const int org = (ev - 1) % organizers + 1;
        const std::string name = kNames[static_cast<size_t>(rng.range(0, kNames.size() - 1))];
        std::string barcode = rng.digits(12), seat = std::to_string(rng.range(1, 40)), description = "Входной билет";
        std::string channel = kChannels[static_cast<size_t>(n) % kChannels.size()];
        const std::string category = kSeatCategories[static_cast<size_t>(rng.range(0, kSeatCategories.size() - 1))];
        const int64_t price = rng.range(10, 80) * 10000;
        auto ticket = [&](const char *status) {
            if (protobuf) {
                vibe::v1::Ticket tk;
                tk.set_id(id);
                if (status) {
                    const std::string s = status;
                    tk.set_status(s == "active"      ? vibe::v1::Ticket::ACTIVE
                                  : s == "used"      ? vibe::v1::Ticket::USED
                                  : s == "cancelled" ? vibe::v1::Ticket::CANCELLED
                                                     : vibe::v1::Ticket::REFUNDED);
                }
                tk.set_barcode(barcode);
                auto *c = tk.mutable_customer();
                c->set_email("tp" + std::to_string(n) + "@example.com");
                c->set_phone("+7903" + std::to_string(1000000 + n));
                c->set_name(name);
                tk.set_event_id(p + "evt-" + std::to_string(ev));
                tk.set_organizer_id(p + "org-" + std::to_string(org));
                tk.set_number(std::to_string(n));
                tk.set_series("TP");
                tk.set_row(std::to_string(n % 25 + 1));
                tk.set_seat(seat);
                tk.set_category(category);
                tk.set_order_id(p + "ord-" + std::to_string((n + 2) / 3));
                tk.set_description(description);
                tk.set_price_nominal(price);
                tk.set_currency(n % 7 == 0 ? vibe::v1::USD : vibe::v1::RUB);
                return bytes_of(tk);
            }
            rapidjson::StringBuffer buf;
            Writer w(buf);
            w.StartObject();
            kv(w, "id", id);
            if (status) kv(w, "status", status);  // absent: the stored status stays
            kv(w, "event_id", p + "evt-" + std::to_string(ev));
            kv(w, "organizer_id", p + "org-" + std::to_string(org));
            kv(w, "order_id", p + "ord-" + std::to_string((n + 2) / 3));
            w.Key("customer");
            w.StartObject();
            kv(w, "email", "tj" + std::to_string(n) + "@example.com");
            kv(w, "phone", "+7904" + std::to_string(1000000 + n));
            kv(w, "name", name);
            w.EndObject();
            kv(w, "barcode", barcode);
            kv(w, "number", std::to_string(n));
            kv(w, "series", "TJ");
            kv(w, "row", std::to_string(n % 25 + 1));
            kv(w, "seat", seat);
            kv(w, "category", category);
            kv(w, "description", description);
            kv(w, "price_nominal", price);
            kv(w, "currency", n % 7 == 0 ? "USD" : "RUB");
            w.EndObject();
            return std::string(buf.GetString(), buf.GetSize());
        };
        std::string status = rng.chance(0.85) ? "active" : "used";
        double t = rng.uniform();
        add(t, BacklogRecord{seg, t_tkt, id, ticket(status.c_str()), tl_headers(channel, ct)});
        if (rng.chance(0.5)) {
            status = statuses[static_cast<size_t>(rng.range(0, statuses.size() - 1))];
            barcode = "V2" + barcode;
            if (rng.chance(0.3)) channel = kChannels[static_cast<size_t>(n + 1) % kChannels.size()];
            t = later(rng, t);
            add(t, BacklogRecord{seg, t_tkt, id, ticket(status.c_str()), tl_headers(channel, ct)});
            if (rng.chance(0.3)) {
                seat = std::to_string(rng.range(41, 60));
                description = "Пересадка";
                t = later(rng, t);
                add(t, BacklogRecord{seg, t_tkt, id, ticket(nullptr), tl_headers(channel, ct)});
            }
        }
        expect("tickets", "status", kTicketland, id, status);
        expect("tickets", "barcode", kTicketland, id, barcode);
        ++ticket_statuses_[std::string(kTicketland) + "/" + status];
    }
    count_row("tickets", kTicketland, static_cast<size_t>(tickets));
}

// Ticketscloud (Protobuf, no headers): partners, events with ticket sets,
// orders in progress -> done (or expired) -> sometimes cancelled, refund
// requests new -> (in progress) -> approved or rejected.
void AllTopologiesBacklog::ticketscloud() {
    const std::string seg = "ticketscloud/protobuf";
    Rng rng(opt_.seed ^ 0x5443000000000D5ULL);
    const std::string t_par = "ticketscloud.partners", t_evt = "ticketscloud.events", t_ord = "ticketscloud.orders",
                      t_rr = "ticketscloud.refund_requests";
    const int partners = 16;
    auto ts = [](google::protobuf::Timestamp *out, int64_t seconds) { out->set_seconds(seconds), out->set_nanos(123000000); };

    const std::array<ticketscloud::Partner::Status, 3> partner_statuses = {
        ticketscloud::Partner::APPROVED, ticketscloud::Partner::INACTIVE, ticketscloud::Partner::BOT};
    for (int i = 1; i <= partners; ++i) {
        const std::string id = "tc-org-" + std::to_string(i);
        double t = parent_time(rng, i % 8 == 3);
        const int versions = i % 2 ? 1 + static_cast<int>(rng.range(1, 3)) : 1;
        std::string name;
        for (int k = 1; k <= versions; ++k) {
            ticketscloud::Partner pt;
            pt.set_id(id);
            name = "TC Partner " + std::to_string(i) + (k > 1 ? " v" + std::to_string(k) : "");
            pt.set_name(name);
            pt.set_role(i % 4 == 0 ? "distributor" : "organizer");
            pt.set_status(k == 1 ? ticketscloud::Partner::APPROVED : partner_statuses[static_cast<size_t>(k) % 3]);
            pt.set_hidden(k % 2 == 0);
            pt.set_currency(i % 5 == 0 ? "usd" : "RUB");  // never changes: tickets look it up
            ts(pt.mutable_updated_at(), kFirstStart - 86400 * 30 + k * 3600);
            auto *l = pt.mutable_legal();
            l->set_name("ООО «ТК " + std::to_string(i) + "»");
            l->set_address("г. Москва, ул. Облачная, д. " + std::to_string(k));
            l->set_inn(std::to_string(7800000000LL + i));
            if (i % 3 == 0)
                l->set_ogrnip(std::to_string(304780000000000LL + i));
            else
                l->set_ogrn(std::to_string(1027800000000LL + i));
            if (k > 1) t = later(rng, t);
            add(t, BacklogRecord{seg, t_par, id, bytes_of(pt), {}});
        }
        expect("organizers", "name", kTicketscloud, id, name);
    }
    count_row("organizers", kTicketscloud, partners);

    const int events = opt_.tc_events;
    std::vector<int> set_count(static_cast<size_t>(events) + 1);
    std::set<int> venues;
    size_t sets_total = 0;
    const std::array<ticketscloud::Event::Status, 4> event_statuses = {
        ticketscloud::Event::PUBLIC, ticketscloud::Event::STAND_BY, ticketscloud::Event::PUBLIC,
        ticketscloud::Event::FINISHED};
    for (int j = 1; j <= events; ++j) {
        const std::string id = "tc-evt-" + std::to_string(j);
        const int sets = 2 + j % 3;
        set_count[static_cast<size_t>(j)] = sets;
        sets_total += static_cast<size_t>(sets);
        venues.insert(j % 12);
        double t = parent_time(rng, j % 10 == 3);
        const int versions = 1 + static_cast<int>(rng.range(opt_.event_updates_min, opt_.event_updates_max));
        std::string name;
        for (int k = 1; k <= versions; ++k) {
            ticketscloud::Event e;
            e.set_id(id);
            e.set_meta("tc-meta-" + std::to_string(j % 20));
            name = "TC Event " + std::to_string(j) + " · " + std::to_string(k);
            e.set_name(name);
            e.set_description("Событие Ticketscloud, версия " + std::to_string(k));
            e.set_status(k == 1 ? ticketscloud::Event::PUBLIC : event_statuses[static_cast<size_t>(k) % 4]);
            e.set_org("tc-org-" + std::to_string((j - 1) % partners + 1));
            e.set_venue("tc-ven-" + std::to_string(j % 12));
            const int64_t start = kFirstStart + j * 86400LL + k * 900LL;
            ts(e.mutable_lifetime()->mutable_start(), start);
            ts(e.mutable_lifetime()->mutable_finish(), start + 3 * 3600);
            e.set_category("cat-" + std::to_string(j % 9));
            e.set_age_rating(j % 2 ? "12+" : "18+");
            e.mutable_media()->set_cover("https://img.example.com/tc/" + id + "-" + std::to_string(k) + ".png");
            if (j % 3 == 0) {
                auto *l = e.mutable_legal_ru();
                l->set_type(j % 2 ? ticketscloud::Event::LegalRu::IP : ticketscloud::Event::LegalRu::LTD);
                l->set_name("Юрлицо события " + std::to_string(j));
                l->set_inn(std::to_string(7700100000LL + j));
                l->set_address("г. Москва");
                if (j % 2)
                    l->set_ogrnip(std::to_string(304770000000000LL + j));
                else
                    l->set_ogrn(std::to_string(1027700100000LL + j));
            }
            for (int s = 1; s <= sets; ++s) {
                auto *set = e.add_sets();
                set->set_id("tc-set-" + std::to_string(j) + "-" + std::to_string(s));
                set->set_name(kSetNames[static_cast<size_t>(s - 1) % kSetNames.size()]);  // never changes
                set->set_description(k % 2 ? "Места согласно билету" : "Свободная рассадка");
                set->set_sector("S" + std::to_string(s));
                set->set_removed(s == sets && k % 3 == 0);
            }
            if (k > 1) t = later(rng, t, 0.02, 0.25);
            add(t, BacklogRecord{seg, t_evt, id, bytes_of(e), {}});
        }
        expect("events", "name", kTicketscloud, id, name);
    }
    count_row("events", kTicketscloud, static_cast<size_t>(events));
    count_row("ticket_sets", kTicketscloud, sets_total);
    count_row("venues", kTicketscloud, venues.size());

    for (int i = 1; i <= opt_.tc_orders; ++i) {
        const std::string id = "tc-ord-" + std::to_string(i);
        const int ev = static_cast<int>(rng.range(1, events));
        const std::string org = "tc-org-" + std::to_string((ev - 1) % partners + 1);
        const int n = static_cast<int>(rng.range(1, 3));
        struct TcTicket {
            std::string id, barcode, set, row, seat;
            int64_t nominal;
        };
        std::vector<TcTicket> tickets;
        for (int k = 1; k <= n; ++k) {
            const bool seated = rng.chance(0.7);
            tickets.push_back({"tc-tkt-" + std::to_string(i) + "-" + std::to_string(k), rng.digits(13),
                               "tc-set-" + std::to_string(ev) + "-" + std::to_string(rng.range(1, set_count[static_cast<size_t>(ev)])),
                               seated ? std::to_string(rng.range(1, 20)) : "", seated ? std::to_string(rng.range(1, 30)) : "",
                               rng.range(10, 60) * 10000});
        }
        const std::string cname = kNames[static_cast<size_t>(rng.range(0, kNames.size() - 1))];
        const int64_t created = kFirstStart - 86400 * 10 + i * 7;
        auto order = [&](ticketscloud::Order::Status status) {
            ticketscloud::Order o;
            o.set_id(id);
            o.set_number(100000 + i);
            o.set_status(status);
            o.set_event("tc-evt-" + std::to_string(ev));
            o.set_org(org);
            o.set_vendor(org);
            ts(o.mutable_created_at(), created);
            if (status == ticketscloud::Order::DONE || status == ticketscloud::Order::CANCELLED)
                ts(o.mutable_done_at(), created + 300);
            auto *c = o.mutable_settings()->mutable_customer();
            c->set_name(cname);
            c->set_email("tc" + std::to_string(i) + "@example.com");
            c->set_phone("+7905" + std::to_string(1000000 + i));
            for (int k = 0; k < n; ++k) {
                const TcTicket &tk = tickets[static_cast<size_t>(k)];
                auto *t = o.add_tickets();
                t->set_id(tk.id);
                t->set_serial("TC");
                t->set_number(i * 10 + k + 1);
                t->set_barcode(tk.barcode);
                t->set_set(tk.set);
                if (!tk.row.empty()) {
                    t->mutable_seat()->set_row(tk.row);
                    t->mutable_seat()->set_number(tk.seat);
                }
                t->set_nominal(tk.nominal);
                t->set_price(tk.nominal + 5000);
            }
            return bytes_of(o);
        };
        double t = rng.uniform(0.0, 0.9);
        add(t, BacklogRecord{seg, t_ord, id, order(rng.chance(0.3) ? ticketscloud::Order::EXECUTED : ticketscloud::Order::IN_PROGRESS), {}});
        const bool expired = rng.chance(0.08);
        t = later(rng, t, 0.01, 0.3);
        add(t, BacklogRecord{seg, t_ord, id, order(expired ? ticketscloud::Order::EXPIRED : ticketscloud::Order::DONE), {}});
        const bool cancelled = !expired && rng.chance(0.08);
        if (cancelled) {
            t = later(rng, t);
            add(t, BacklogRecord{seg, t_ord, id, order(ticketscloud::Order::CANCELLED), {}});
        }
        std::string order_status = expired ? "expired" : cancelled ? "cancelled" : "done";
        expect("orders", "customer_email", kTicketscloud, id, "tc" + std::to_string(i) + "@example.com");
        expect("orders", "status", kTicketscloud, id, order_status);
        count_row("orders", kTicketscloud);
        count_row("tickets", kTicketscloud, tickets.size());

        // A refund request for every eighth done order: its first tickets.
        size_t refunded = 0;
        if (!expired && !cancelled && i % 8 == 0) {
            const std::string rid = "tc-rr-" + std::to_string(i);
            const size_t m = static_cast<size_t>(rng.range(1, n));
            auto request = [&](ticketscloud::RefundRequest::Status status, bool finished) {
                ticketscloud::RefundRequest r;
                r.set_id(rid);
                r.set_status(status);
                r.set_partner(org);
                r.set_order(id);
                r.set_event("tc-evt-" + std::to_string(ev));
                r.set_org(org);
                ts(r.mutable_created_at(), created + 86400);
                if (finished) ts(r.mutable_finished_at(), created + 2 * 86400);
                for (size_t k = 0; k < m; ++k) {
                    auto *tk = r.add_tickets();
                    tk->set_id(tickets[k].id);
                    tk->set_nominal(tickets[k].nominal);
                    tk->set_price(tickets[k].nominal + 5000);
                }
                return bytes_of(r);
            };
            double tr = std::clamp(t + rng.uniform(-0.4, 0.1), 0.0, 0.95);
            add(tr, BacklogRecord{seg, t_rr, rid, request(ticketscloud::RefundRequest::NEW, false), {}});
            if (rng.chance(0.5)) {
                tr = later(rng, tr, 0.01, 0.2);
                add(tr, BacklogRecord{seg, t_rr, rid, request(ticketscloud::RefundRequest::IN_PROGRESS, false), {}});
            }
            const bool approved = rng.chance(0.75);
            tr = later(rng, tr, 0.01, 0.3);
            add(tr, BacklogRecord{seg, t_rr, rid,
                                  request(approved ? ticketscloud::RefundRequest::APPROVED : ticketscloud::RefundRequest::REJECTED, true),
                                  {}});
            expect("refunds", "status", kTicketscloud, rid, std::string(approved ? "approved" : "rejected"));
            count_row("refunds", kTicketscloud);
            count_row("refund_tickets", kTicketscloud, m);
            if (approved) refunded = m;
        }
        for (size_t k = 0; k < tickets.size(); ++k) {
            const std::string status = expired || cancelled ? "cancelled" : k < refunded ? "refunded" : "active";
            expect("tickets", "status", kTicketscloud, tickets[k].id, status);
            expect("tickets", "barcode", kTicketscloud, tickets[k].id, tickets[k].barcode);
            ++ticket_statuses_[std::string(kTicketscloud) + "/" + status];
        }
    }
}

}  // namespace vsink::test
