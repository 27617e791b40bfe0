#include "datagen/orders_generator.hpp"
#include "datagen/tickets_generator.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <stdexcept>

namespace vsink::datagen {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// SplitMix64: a fixed, portable sequence (the standard distributions are not
// the same across standard libraries, and the data set must be).
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    // Uniform enough in [lo, hi] for sample data.
    int64_t range(int64_t lo, int64_t hi) {
        return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
    }
    template <class T, size_t N>
    const T &pick(const std::array<T, N> &items) {
        return items[next() % N];
    }
    std::string digits(int n) {
        std::string s;
        for (int i = 0; i < n; ++i) s += static_cast<char>('0' + (i == 0 ? range(1, 9) : range(0, 9)));
        return s;
    }

private:
    uint64_t state_;
};

enum Kind : uint64_t { kOrganizer = 1, kEvent = 2, kOrder = 3 };

// Each entity's own random stream: depends on seed, kind and index only.
Rng rng_for(uint64_t seed, Kind kind, int index) {
    Rng mix(seed ^ (kind * 0x100000001B3ULL));
    const uint64_t a = mix.next();
    return Rng(a ^ (static_cast<uint64_t>(index) * 0xD6E8FEB86659FD93ULL));
}

constexpr int64_t kFirstEventStart = 1788278400;  // 2026-09-01 19:00 Moscow time, in seconds

struct VenueInfo {
    const char *name, *address, *description, *zipcode, *city, *timezone;
    double lat, lon;
    int offset_hours;
};

const std::array<VenueInfo, 8> kVenues = {{
    {"Большой театр", "Театральная пл., 1", "Историческая сцена", "125009", "Москва",
     "Europe/Moscow", 55.760176, 37.618632, 3},
    {"Крокус Сити Холл", "65-66 км МКАД", nullptr, "143402", "Красногорск", "Europe/Moscow",
     55.825230, 37.388915, 3},
    {"ВТБ Арена", "Ленинградский пр-т, 36", "Малая арена", "125167", "Москва", "Europe/Moscow",
     55.791537, 37.559738, 3},
    {"Мариинский театр", "Театральная пл., 1", "Основная сцена", "190000", "Санкт-Петербург",
     "Europe/Moscow", 59.925706, 30.296109, 3},
    {"БКЗ «Октябрьский»", "Лиговский пр-т, 6", nullptr, "191014", "Санкт-Петербург",
     "Europe/Moscow", 59.933599, 30.363434, 3},
    {"Екатеринбург Экспо", "Экспо-бульвар, 2", "Павильон 1", "620060", "Екатеринбург",
     "Asia/Yekaterinburg", 56.743291, 60.807398, 5},
    {"Казань Экспо", "ул. Выставочная, 1", nullptr, "422624", "Казань", "Europe/Moscow",
     55.634720, 49.228303, 3},
    {"Новосибирский театр оперы и балета", "Красный пр-т, 36", "Большой зал", "630099",
     "Новосибирск", "Asia/Novosibirsk", 55.030573, 82.923740, 7},
}};

struct Show {
    const char *name;
    const char *category_a;  // shape A's dictionary (with its "develpoment")
    const char *category_b;  // shape B's dictionary
    const char *description;
};

const std::array<Show, 14> kShows = {{
    {"Лебединое озеро", "ballet", "ballet", "Балет П. И. Чайковского в двух действиях"},
    {"Щелкунчик", "ballet", "ballet", "Новогодняя сказка для всей семьи"},
    {"Би-2. Большой концерт", "concert", "concert", "Лучшие песни за 30 лет"},
    {"Стендап: сольный концерт", "show", "standup", "Новая программа 18+"},
    {"Айвазовский. Море и свет", "exhibition", "exhibition", "Мультимедийная выставка"},
    {"Цирк на воде", "show", "circus", "Программа с участием морских животных"},
    {"Мастер-класс по гончарному делу", "other", "workshop", "Все материалы включены"},
    {"ЦСКА — Спартак", "sport", "sport", "Чемпионат России по баскетболу"},
    {"Фестиваль «Дикая мята»", "festival", "festival", "Три дня живой музыки"},
    {"Мюзикл «Анна Каренина»", "theater", "musical", "Постановка Театра оперетты"},
    {"Конференция HighLoad", "develpoment", "development", "Доклады о высоконагруженных системах"},
    {"Кинопоказ «Брат»", "movie", "movie", "Показ отреставрированной копии"},
    {"Экскурсия по крышам", "excursion", "excursion", "Маршрут по историческому центру"},
    {"Маша и Медведь: спектакль", "kids", "kids", "Для детей от 3 лет"},
}};

struct OrganizerInfo {
    const char *name;
    const char *legal_type;  // ru_ltd | ru_lp | en_ltd
    const char *legal_name;
    const char *address;
};

const std::array<OrganizerInfo, 6> kOrganizers = {{
    {"Ивент Холдинг", "ru_ltd", "ООО «Ивент Холдинг»", "г. Москва, ул. Тверская, д. 7"},
    {"Гастроль", "ru_lp", "ИП Смирнов Алексей Викторович", "г. Санкт-Петербург, Невский пр-т, д. 28"},
    {"Global Shows", "en_ltd", "Global Shows Ltd", "71-75 Shelton Street, London WC2H 9JQ"},
    {"Премьера", "ru_ltd", "ООО «Театральная компания Премьера»", "г. Москва, ул. Арбат, д. 35"},
    {"Спорт Промо", "ru_ltd", "ООО «Спорт Промо»", "г. Казань, ул. Баумана, д. 12"},
    {"Арт-Урал", "ru_lp", "ИП Кузнецова Мария Игоревна", "г. Екатеринбург, ул. Малышева, д. 51"},
}};

const std::array<const char *, 10> kMaleFirst = {"Александр", "Дмитрий", "Максим", "Сергей",
                                                 "Андрей",    "Алексей", "Иван",   "Михаил",
                                                 "Никита",    "Артём"};
const std::array<const char *, 10> kFemaleFirst = {"Анна",  "Мария",    "Елена",   "Ольга",
                                                   "Наталья", "Екатерина", "Дарья", "Анастасия",
                                                   "Татьяна", "Юлия"};
// Surnames as {masculine, feminine}.
const std::array<std::pair<const char *, const char *>, 10> kSurnames = {{
    {"Иванов", "Иванова"},   {"Смирнов", "Смирнова"}, {"Кузнецов", "Кузнецова"},
    {"Попов", "Попова"},     {"Васильев", "Васильева"}, {"Петров", "Петрова"},
    {"Соколов", "Соколова"}, {"Михайлов", "Михайлова"}, {"Новиков", "Новикова"},
    {"Фёдоров", "Фёдорова"},
}};

struct SeatCategory {
    const char *name;
    bool seated;
    int64_t min_price_rub, max_price_rub;
};
const std::array<SeatCategory, 6> kSeatCategories = {{
    {"Партер", true, 3000, 15000},
    {"Амфитеатр", true, 2000, 8000},
    {"Бельэтаж", true, 2500, 9000},
    {"Балкон", true, 1000, 4000},
    {"Танцпол", false, 2500, 6000},
    {"VIP-ложа", true, 15000, 40000},
}};

struct Customer {
    std::string email, phone, first_name, last_name;
    std::string full_name() const { return first_name + " " + last_name; }
};

struct OrderPlan {
    int event = 1;    // 1-based event index
    int tickets = 1;  // ticket count
    Customer customer;
    Rng rng{0};       // continues the order's stream for ticket details
};

OrderPlan plan_order(const OrdersOptions &o, int i) {
    OrderPlan p;
    p.rng = rng_for(o.seed, kOrder, i);
    p.event = static_cast<int>(p.rng.range(1, std::max(o.events, 1)));
    p.tickets = static_cast<int>(p.rng.range(o.tickets_min, o.tickets_max));
    const bool female = p.rng.next() % 2;
    const auto &surname = p.rng.pick(kSurnames);
    p.customer.first_name = female ? p.rng.pick(kFemaleFirst) : p.rng.pick(kMaleFirst);
    p.customer.last_name = female ? surname.second : surname.first;
    p.customer.email = "user" + std::to_string(i) + "@example.com";
    std::string digits = std::to_string(i % 10000000);
    p.customer.phone = "+7900" + std::string(7 - digits.size(), '0') + digits;
    return p;
}

int organizer_of_event(const OrdersOptions &o, int j) { return (j - 1) % o.organizers + 1; }

std::string org_id(int i) { return "org-" + std::to_string(i); }
std::string evt_id(int j) { return "evt-" + std::to_string(j); }
std::string ord_id(int i) { return "ord-" + std::to_string(i); }
std::string tkt_id(int i, int k) { return "tkt-" + std::to_string(i) + "-" + std::to_string(k); }
std::string rfd_id(int i) { return "rfd-" + std::to_string(i); }

void kv(Writer &w, const char *key, const std::string &value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}
void kv(Writer &w, const char *key, const char *value) {
    w.Key(key);
    w.String(value);
}
void kv(Writer &w, const char *key, int64_t value) {
    w.Key(key);
    w.Int64(value);
}

// The organizer object, the same whether it is a record of its own (shape A)
// or nested in a shape B event, so both shapes leave the same row.
void write_organizer(Writer &w, const OrdersOptions &o, int i) {
    Rng rng = rng_for(o.seed, kOrganizer, i);
    const OrganizerInfo &info = kOrganizers[(i - 1) % kOrganizers.size()];
    const std::string suffix = i > static_cast<int>(kOrganizers.size()) ? " " + std::to_string(i) : "";
    const std::string type = info.legal_type;
    w.StartObject();
    kv(w, "id", org_id(i));
    kv(w, "name", info.name + suffix);
    w.Key("legals");
    w.StartObject();
    kv(w, "name", info.legal_name + suffix);
    kv(w, "type", type);
    if (type == "ru_ltd") {
        kv(w, "inn", rng.digits(10));
        kv(w, "ogrn", "1" + rng.digits(12));
    } else if (type == "ru_lp") {
        kv(w, "inn", rng.digits(12));
        kv(w, "ogrn", "3" + rng.digits(14));  // OGRNIP
    }
    kv(w, "address", info.address);
    w.EndObject();
    w.EndObject();
}

}  // namespace

uint32_t crc32(std::string_view data) {
    static const auto table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    uint32_t c = 0xFFFFFFFFU;
    for (const char ch : data) c = table[(c ^ static_cast<unsigned char>(ch)) & 0xFFU] ^ (c >> 8);
    return c ^ 0xFFFFFFFFU;
}

std::optional<Shape> parse_shape(std::string_view text) {
    std::string s(text);
    for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "a") return Shape::A;
    if (s == "b") return Shape::B;
    if (s == "mixed") return Shape::Mixed;
    return std::nullopt;
}

const char *to_string(Shape shape) {
    switch (shape) {
    case Shape::A: return "A";
    case Shape::B: return "B";
    case Shape::Mixed: break;
    }
    return "mixed";
}

void OrdersOptions::validate() const {
    auto fail = [](const std::string &m) { throw std::invalid_argument(m); };
    if (channels.empty()) fail("--channels must list at least one channel");
    for (const auto &c : channels)
        if (c.empty()) fail("--channels must not hold an empty channel");
    if (organizers < 1) fail("--organizers must be at least 1");
    if (events < 1) fail("--events must be at least 1");
    if (orders < 0) fail("--orders must not be negative");
    if (tickets_min < 1 || tickets_max < tickets_min)
        fail("--tickets-per-order must be MIN-MAX with 1 <= MIN <= MAX");
    if (tickets_max > 1000) fail("--tickets-per-order MAX is at most 1000");
    if (refund_every < 0) fail("--refund-every must not be negative");
}

size_t Expected::total_records() const {
    size_t n = 0;
    for (const auto &[topic, count] : records) n += count;
    return n;
}

std::string Expected::to_json() const {
    rapidjson::StringBuffer buf;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("topology");
    w.String(topology.c_str());
    w.Key("channels");
    w.StartArray();
    for (const auto &c : channels) w.String(c.c_str());
    w.EndArray();
    w.Key("records");
    w.StartObject();
    for (const auto &[topic, count] : records) {
        w.Key(topic.c_str());
        w.Uint64(count);
    }
    w.EndObject();
    w.Key("tables");
    w.StartObject();
    const std::pair<const char *, size_t> tables[] = {
        {"organizers", organizers}, {"venues", venues},   {"events", events},
        {"orders", orders},         {"tickets", tickets}, {"refunds", refunds},
        {"refund_tickets", refund_tickets}};
    for (const auto &[name, count] : tables) {
        w.Key(name);
        w.Uint64(count);
    }
    w.EndObject();
    w.Key("tickets_refunded");
    w.Uint64(tickets_refunded);
    w.Key("tickets_active");
    w.Uint64(tickets_active);
    w.Key("tickets_by_status");
    w.StartObject();
    for (const auto &[status, count] : tickets_by_status) {
        w.Key(status.c_str());
        w.Uint64(count);
    }
    w.EndObject();
    w.Key("checksums");
    w.StartObject();
    for (const auto &[table, columns] : checksums) {
        w.Key(table.c_str());
        w.StartObject();
        for (const auto &[column, sum] : columns) {
            w.Key(column.c_str());
            w.Uint64(sum);
        }
        w.EndObject();
    }
    w.EndObject();
    w.Key("refunded_ticket_ids");
    w.StartArray();
    for (const auto &id : refunded_ticket_ids) w.String(id.c_str());
    w.EndArray();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

OrdersGenerator::OrdersGenerator(OrdersOptions options) : opt_(std::move(options)) {
    opt_.validate();
    expected_ = compute_expected();
}

std::vector<std::string> OrdersGenerator::topics() const {
    return {organizers_topic(), events_topic(), orders_topic(), refunds_topic()};
}

std::vector<std::pair<std::string, std::string>> OrdersGenerator::headers(const std::string &channel) const {
    return {{"content-type", "application/json"},
            {"schema-version", "1.0"},
            {"application-id", channel}};
}

const std::string &OrdersGenerator::channel_of_order(int order_index) const {
    return opt_.channels[static_cast<size_t>(order_index) % opt_.channels.size()];
}

Shape OrdersGenerator::event_shape(int j) const {
    if (opt_.shape != Shape::Mixed) return opt_.shape;
    return j % 2 ? Shape::A : Shape::B;
}

Shape OrdersGenerator::order_shape(int i) const {
    if (opt_.shape != Shape::Mixed) return opt_.shape;
    return i % 2 ? Shape::A : Shape::B;
}

Shape OrdersGenerator::refund_shape(int order_index) const {
    if (opt_.shape != Shape::Mixed) return opt_.shape;
    if (opt_.refund_every <= 0) return Shape::A;
    // Alternate by the refund's own sequence number, not the order's: with an
    // even --refund-every every refunded order index is even.
    return (order_index / opt_.refund_every) % 2 ? Shape::A : Shape::B;
}

bool OrdersGenerator::is_refunded(int order_index) const {
    return opt_.refund_every > 0 && order_index % opt_.refund_every == 0;
}

int OrdersGenerator::ticket_count(int order_index) const {
    return plan_order(opt_, order_index).tickets;
}

GeneratedRecord OrdersGenerator::organizer(int i) const {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    write_organizer(w, opt_, i);
    return {organizers_topic(), org_id(i), std::string(buf.GetString(), buf.GetSize()), headers("ticketland")};
}

GeneratedRecord OrdersGenerator::event(int j) const {
    Rng rng = rng_for(opt_.seed, kEvent, j);
    const size_t show_index = rng.next() % kShows.size();
    const Show &show = kShows[show_index];
    const size_t venue_index = static_cast<size_t>(j - 1) % kVenues.size();
    const VenueInfo &venue = kVenues[venue_index];
    const int64_t start = kFirstEventStart + (j - 1) * 86400LL + rng.range(-2, 1) * 3600LL;
    const int64_t finish = start + rng.range(2, 4) * 3600LL;
    const bool a = event_shape(j) == Shape::A;

    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    kv(w, "id", evt_id(j));
    if (!a) kv(w, "group_id", "grp-" + std::to_string(show_index + 1));
    kv(w, "name", show.name);
    if (!a) kv(w, "status", "active");
    kv(w, "category", a ? show.category_a : show.category_b);
    // Shape A: Unix seconds; shape B: milliseconds (CONTRACT.md §3).
    kv(w, "start_at", a ? start : start * 1000);
    kv(w, "finish_at", a ? finish : finish * 1000);
    if (a) {
        kv(w, "timezone", venue.timezone);
        kv(w, "organizer_id", org_id(organizer_of_event(opt_, j)));
    } else {
        kv(w, "offset", static_cast<int64_t>(venue.offset_hours));
        w.Key("organizer");
        write_organizer(w, opt_, organizer_of_event(opt_, j));
    }
    kv(w, "media", "https://img.example.com/ticketland/" + evt_id(j) + ".jpg");
    kv(w, "description", show.description);
    w.Key("venue");
    w.StartObject();
    if (!a) kv(w, "id", "ven-" + std::to_string(venue_index + 1));
    kv(w, "name", venue.name);
    kv(w, "address", venue.address);
    if (venue.description) kv(w, "description", venue.description);
    kv(w, "zipcode", venue.zipcode);
    kv(w, "city_name", venue.city);
    w.Key("lat");
    w.Double(venue.lat);
    w.Key("lon");
    w.Double(venue.lon);
    w.EndObject();
    w.EndObject();
    return {events_topic(), evt_id(j), std::string(buf.GetString(), buf.GetSize()), headers("ticketland")};
}

GeneratedRecord OrdersGenerator::order(int i) const {
    OrderPlan p = plan_order(opt_, i);
    const bool a = order_shape(i) == Shape::A;
    const std::string event = evt_id(p.event);
    const std::string organizer = org_id(organizer_of_event(opt_, p.event));

    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    kv(w, "id", ord_id(i));
    if (a) {
        kv(w, "event_id", event);
        kv(w, "organizer_id", organizer);
    } else {
        const std::string n = std::to_string(i);
        kv(w, "number", "TL-" + std::string(n.size() < 8 ? 8 - n.size() : 0, '0') + n);
    }
    w.Key("customer");
    w.StartObject();
    kv(w, "email", p.customer.email);
    kv(w, "phone", p.customer.phone);
    if (a) {
        kv(w, "name", p.customer.full_name());
    } else {
        kv(w, "first_name", p.customer.first_name);
        kv(w, "last_name", p.customer.last_name);
    }
    w.EndObject();
    w.Key("tickets");
    w.StartArray();
    for (int k = 1; k <= p.tickets; ++k) {
        const SeatCategory &cat = p.rng.pick(kSeatCategories);
        w.StartObject();
        kv(w, "id", tkt_id(i, k));
        if (!a) {
            kv(w, "event_id", event);
            // Some shape B producer versions also name the organizer per ticket.
            if (i % 4 == 0) kv(w, "organizer_id", organizer);
        }
        kv(w, "barcode", p.rng.digits(12));
        kv(w, "number", std::to_string(i * 100 + k));
        kv(w, "series", "ТЛ");
        if (cat.seated) {
            kv(w, "row", std::to_string(p.rng.range(1, 25)));
            kv(w, "seat", std::to_string(p.rng.range(1, 40)));
        }
        kv(w, "category", cat.name);
        if (k == 1) kv(w, "description", "Электронный билет");
        kv(w, "price_nominal", p.rng.range(cat.min_price_rub / 100, cat.max_price_rub / 100) * 10000);
        kv(w, "currency", "RUB");
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {orders_topic(), ord_id(i), std::string(buf.GetString(), buf.GetSize()), headers(channel_of_order(i))};
}

GeneratedRecord OrdersGenerator::refund(int order_index) const {
    const OrderPlan p = plan_order(opt_, order_index);
    const bool a = refund_shape(order_index) == Shape::A;
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("customer");
    w.StartObject();
    kv(w, "email", p.customer.email);
    kv(w, "phone", p.customer.phone);
    if (a) {
        kv(w, "name", p.customer.full_name());
    } else {
        kv(w, "first_name", p.customer.first_name);
        kv(w, "last_name", p.customer.last_name);
    }
    w.EndObject();
    w.Key("ticket_ids");
    w.StartArray();
    for (int k = 1; k <= p.tickets; ++k) w.String(tkt_id(order_index, k).c_str());
    w.EndArray();
    w.EndObject();
    // The refund body has no id: the key is the refund id.
    return {refunds_topic(), rfd_id(order_index), std::string(buf.GetString(), buf.GetSize()),
            headers(channel_of_order(order_index))};
}

Expected OrdersGenerator::compute_expected() const {
    Expected e;
    e.channels = opt_.channels;
    for (const auto &t : topics()) e.records[t] = 0;

    std::set<int> organizers;
    if (opt_.shape != Shape::B) {
        e.records[organizers_topic()] = static_cast<size_t>(opt_.organizers);
        for (int i = 1; i <= opt_.organizers; ++i) organizers.insert(i);
    }
    // Shape A venues carry no id: the plugin derives one per event, so each
    // shape A event makes its own venue row; shape B venues are shared by id.
    std::set<size_t> venue_ids;
    size_t venues_a = 0;
    for (int j = 1; j <= opt_.events; ++j) {
        organizers.insert(organizer_of_event(opt_, j));
        if (event_shape(j) == Shape::A)
            ++venues_a;
        else
            venue_ids.insert(static_cast<size_t>(j - 1) % kVenues.size());
    }
    e.organizers = organizers.size();
    e.venues = venues_a + venue_ids.size();
    e.events = static_cast<size_t>(opt_.events);
    e.records[events_topic()] = e.events;
    e.orders = static_cast<size_t>(opt_.orders);
    e.records[orders_topic()] = e.orders;
    auto &sums = e.checksums["tickets"];
    for (const char *c : {"status", "event_id", "order_id", "channel"}) sums[c] = 0;
    for (int i = 1; i <= opt_.orders; ++i) {
        const OrderPlan p = plan_order(opt_, i);
        const int n = p.tickets;
        e.tickets += static_cast<size_t>(n);
        const bool refunded = is_refunded(i);
        const std::string event = evt_id(p.event), order = ord_id(i);
        for (int k = 1; k <= n; ++k) {
            const std::string id = tkt_id(i, k);
            sums["status"] += column_checksum_term(id, refunded ? "refunded" : "active");
            sums["event_id"] += column_checksum_term(id, event);
            sums["order_id"] += column_checksum_term(id, order);
            sums["channel"] += column_checksum_term(id, channel_of_order(i));
        }
        if (!refunded) continue;
        ++e.refunds;
        for (int k = 1; k <= n; ++k) e.refunded_ticket_ids.push_back(tkt_id(i, k));
    }
    e.records[refunds_topic()] = e.refunds;
    e.refund_tickets = e.refunded_ticket_ids.size();
    e.tickets_refunded = e.refund_tickets;
    e.tickets_active = e.tickets - e.tickets_refunded;
    e.tickets_by_status["active"] = e.tickets_active;
    e.tickets_by_status["refunded"] = e.tickets_refunded;
    return e;
}

void OrdersGenerator::reset() {
    phase_ = Phase::Organizers;
    index_ = 0;
    refund_pending_ = false;
}

bool OrdersGenerator::next(GeneratedRecord &out) {
    for (;;) {
        switch (phase_) {
        case Phase::Organizers:
            // Shape B has no organizer records: organizers travel inside events.
            if (opt_.shape != Shape::B && index_ < opt_.organizers) {
                out = organizer(++index_);
                return true;
            }
            phase_ = Phase::Events;
            index_ = 0;
            break;
        case Phase::Events:
            if (index_ < opt_.events) {
                out = event(++index_);
                return true;
            }
            phase_ = opt_.refunds_first ? Phase::Refunds : Phase::Orders;
            index_ = 0;
            break;
        case Phase::Refunds:
            while (index_ < opt_.orders) {
                if (is_refunded(++index_)) {
                    out = refund(index_);
                    return true;
                }
            }
            phase_ = Phase::Orders;
            index_ = 0;
            break;
        case Phase::Orders:
            if (refund_pending_) {
                refund_pending_ = false;
                out = refund(index_);
                return true;
            }
            if (index_ < opt_.orders) {
                out = order(++index_);
                refund_pending_ = !opt_.refunds_first && is_refunded(index_);
                return true;
            }
            phase_ = Phase::Done;
            break;
        case Phase::Done:
            return false;
        }
    }
}

std::vector<GeneratedRecord> OrdersGenerator::all() const {
    OrdersGenerator copy(*this);
    copy.reset();
    std::vector<GeneratedRecord> records;
    records.reserve(expected_.total_records());
    GeneratedRecord r;
    while (copy.next(r)) records.push_back(r);
    return records;
}

}  // namespace vsink::datagen

// ---- the tickets topology ------------------------------------------------


namespace vsink::datagen {
namespace {

enum : uint64_t { kTicket = 4 };

OrdersOptions base_options(const TicketsOptions &t) {
    OrdersOptions o;
    o.topic_prefix = t.topic_prefix;
    o.channels = t.channels;
    o.organizers = t.organizers;
    o.events = t.events;
    o.orders = 0;
    o.refund_every = 0;
    o.seed = t.seed;
    o.shape = t.shape;
    return o;
}

constexpr int64_t kSoldAt = 1785000000;  // 2026-07-25, when the tickets were sold

// What a ticket record carries; the same plan for the first record and its update.
struct TicketPlan {
    int event = 1;
    std::string barcode, number, row, seat, category, order_id, channel;
    int64_t price = 0;
    Customer customer;
};

TicketPlan plan_ticket(const TicketsOptions &o, int i) {
    Rng rng = rng_for(o.seed, static_cast<Kind>(kTicket), i);
    TicketPlan p;
    p.event = static_cast<int>(rng.range(1, o.events));
    const bool female = rng.next() % 2;
    const auto &surname = rng.pick(kSurnames);
    p.customer.first_name = female ? rng.pick(kFemaleFirst) : rng.pick(kMaleFirst);
    p.customer.last_name = female ? surname.second : surname.first;
    p.customer.email = "fan" + std::to_string(i) + "@example.com";
    std::string digits = std::to_string(i % 10000000);
    p.customer.phone = "+7901" + std::string(7 - digits.size(), '0') + digits;
    const SeatCategory &cat = rng.pick(kSeatCategories);
    p.barcode = rng.digits(13);
    p.number = std::to_string(i);
    if (cat.seated) {
        p.row = std::to_string(rng.range(1, 25));
        p.seat = std::to_string(rng.range(1, 40));
    }
    p.category = cat.name;
    p.price = rng.range(cat.min_price_rub / 100, cat.max_price_rub / 100) * 10000;
    p.order_id = "tord-" + std::to_string((i + 1) / 2);  // two tickets per order
    p.channel = o.channels[static_cast<size_t>(i) % o.channels.size()];
    return p;
}

}  // namespace

void TicketsOptions::validate() const {
    base_options(*this).validate();
    if (tickets < 0) throw std::invalid_argument("--tickets must not be negative");
    if (update_every < 0) throw std::invalid_argument("--update-every must not be negative");
}

TicketsGenerator::TicketsGenerator(TicketsOptions options)
    : opt_(std::move(options)), base_((opt_.validate(), base_options(opt_))) {
    expected_ = compute_expected();
}

std::vector<std::string> TicketsGenerator::topics() const {
    return {organizers_topic(), events_topic(), tickets_topic()};
}

std::string TicketsGenerator::ticket_id(int i) { return "tkt-" + std::to_string(i); }

std::string TicketsGenerator::updated_status(int i) { return (i / 10) % 2 ? "used" : "refunded"; }

GeneratedRecord TicketsGenerator::ticket_as(int i, const std::string &id, int event,
                                            const std::string &status) const {
    const TicketPlan p = plan_ticket(opt_, i);
    const bool update = status != "active";
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    kv(w, "id", id);
    kv(w, "status", status);
    kv(w, "barcode", p.barcode);
    w.Key("customer");
    w.StartObject();
    kv(w, "email", p.customer.email);
    kv(w, "phone", p.customer.phone);
    kv(w, "name", p.customer.full_name());
    w.EndObject();
    kv(w, "event_id", evt_id(event));
    kv(w, "organizer_id", org_id(organizer_of_event(base_.options(), event)));
    kv(w, "number", p.number);
    kv(w, "series", "ТЛ");
    if (!p.row.empty()) {
        kv(w, "row", p.row);
        kv(w, "seat", p.seat);
    }
    kv(w, "category", p.category);
    kv(w, "order_id", p.order_id);
    kv(w, "description", "Электронный билет");
    kv(w, "price_nominal", p.price);
    kv(w, "currency", "RUB");
    // Not in the contract (the tolerant reader skips it): when the status changed.
    kv(w, "updated_at", kSoldAt + (update ? 86400 * 30 : 0) + i);
    w.EndObject();
    return {tickets_topic(), id, std::string(buf.GetString(), buf.GetSize()),
            {{"content-type", "application/json"}, {"schema-version", "1.0"}, {"application-id", p.channel}}};
}

GeneratedRecord TicketsGenerator::ticket(int i) const {
    return ticket_as(i, ticket_id(i), plan_ticket(opt_, i).event, "active");
}

GeneratedRecord TicketsGenerator::ticket_update(int i) const {
    return ticket_as(i, ticket_id(i), plan_ticket(opt_, i).event, updated_status(i));
}

Expected TicketsGenerator::compute_expected() const {
    Expected e = base_.expected();  // organizers, venues, events
    e.topology = "tickets";
    e.records.clear();
    e.records[organizers_topic()] = opt_.shape == Shape::B ? 0 : static_cast<size_t>(opt_.organizers);
    e.records[events_topic()] = static_cast<size_t>(opt_.events);
    e.checksums.clear();
    e.tickets_by_status.clear();
    e.tickets = static_cast<size_t>(opt_.tickets);
    size_t updates = 0;
    auto &sums = e.checksums["tickets"];
    for (const char *c : {"status", "event_id", "order_id", "channel", "barcode", "price_nominal", "category"})
        sums[c] = 0;
    for (int i = 1; i <= opt_.tickets; ++i) {
        const TicketPlan p = plan_ticket(opt_, i);
        const std::string id = ticket_id(i);
        const std::string status = is_updated(i) ? updated_status(i) : "active";
        updates += is_updated(i) ? 1 : 0;
        ++e.tickets_by_status[status];
        sums["status"] += column_checksum_term(id, status);
        sums["event_id"] += column_checksum_term(id, evt_id(p.event));
        sums["order_id"] += column_checksum_term(id, p.order_id);
        sums["channel"] += column_checksum_term(id, p.channel);
        sums["barcode"] += column_checksum_term(id, p.barcode);
        sums["price_nominal"] += column_checksum_term(id, std::to_string(p.price));
        sums["category"] += column_checksum_term(id, p.category);
    }
    e.records[tickets_topic()] = e.tickets + updates;
    e.tickets_active = e.tickets_by_status["active"];
    e.tickets_refunded = e.tickets_by_status["refunded"];
    return e;
}

void TicketsGenerator::reset() {
    phase_ = Phase::Organizers;
    index_ = 0;
}

bool TicketsGenerator::next(GeneratedRecord &out) {
    for (;;) {
        switch (phase_) {
        case Phase::Organizers:
            if (opt_.shape != Shape::B && index_ < opt_.organizers) {
                out = organizer(++index_);
                return true;
            }
            phase_ = Phase::Events;
            index_ = 0;
            break;
        case Phase::Events:
            if (index_ < opt_.events) {
                out = event(++index_);
                return true;
            }
            phase_ = Phase::Tickets;
            index_ = 0;
            break;
        case Phase::Tickets:
            if (index_ < opt_.tickets) {
                out = ticket(++index_);
                return true;
            }
            phase_ = Phase::Updates;
            index_ = 0;
            break;
        case Phase::Updates:
            while (index_ < opt_.tickets) {
                if (is_updated(++index_)) {
                    out = ticket_update(index_);
                    return true;
                }
            }
            phase_ = Phase::Done;
            break;
        case Phase::Done:
            return false;
        }
    }
}

}  // namespace vsink::datagen
