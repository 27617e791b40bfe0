#include "json_decoder.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <memory>
#include <unordered_set>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <simdjson.h>

#include "json_object.hpp"
#include "normalize.hpp"

namespace vibe::json {

namespace {

// Iterative parsing: a deeply nested hostile document cannot exhaust the
// stack. Encoding validation: text columns only ever receive valid UTF-8.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
// For input already known to be valid UTF-8, parsed in place.
constexpr unsigned kFastParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseInsituFlag;
constexpr unsigned kFastRecursiveFlags = rapidjson::kParseInsituFlag;
constexpr size_t kMaxRecursiveDepth = 256;

// The offset of a \uDC00-\uDFFF escape that no \uD800-\uDBFF escape
// precedes: RapidJSON refuses a lone high surrogate but decodes a lone low
// one into bytes that are not UTF-8. npos when there is none.
size_t lone_low_surrogate(std::string_view json) {
    auto hex4 = [&](size_t at) -> long {
        if (at + 4 > json.size()) return -1;
        long v = 0;
        for (size_t k = at; k < at + 4; ++k) {
            const char c = json[k];
            const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v;
    };
    size_t after_high = std::string_view::npos;  // where an escape must follow a high surrogate
    for (size_t i = json.find('\\'); i != std::string_view::npos && i + 1 < json.size(); i = json.find('\\', i)) {
        if (json[i + 1] != 'u') {
            i += 2;
            continue;
        }
        const long cp = hex4(i + 2);
        if (cp >= 0xDC00 && cp <= 0xDFFF && after_high != i) return i;
        after_high = cp >= 0xD800 && cp <= 0xDBFF ? i + 6 : std::string_view::npos;
        i += 6;
    }
    return std::string_view::npos;
}

// A number too large for a double (1e400) makes RapidJSON refuse the whole
// document; an optional field must not refuse a record (CONTRACT.md §2). The
// number is read as the largest double of its sign instead, which every
// range check then stores as NULL and counts as out_of_range.
bool clamp_huge_number(std::string &json, size_t at) {
    size_t end = at;
    while (end < json.size() && (std::isdigit(static_cast<unsigned char>(json[end])) || json[end] == '-' ||
                                 json[end] == '+' || json[end] == '.' || json[end] == 'e' || json[end] == 'E'))
        ++end;
    if (end == at) return false;
    const bool negative = json[at] == '-';
    json.replace(at, end - at, negative ? "-1e308" : "1e308");
    return true;
}

// Memory for one parse, reused by the thread's next parse: the DOM's values
// and strings, and the parser's stack. A document that outgrows it takes more
// chunks from the heap, freed when its Message ends.
struct ParseArena {
    static constexpr size_t kValues = 64 * 1024;
    static constexpr size_t kStack = 16 * 1024;
    std::unique_ptr<char[]> values{new char[kValues]};
    std::unique_ptr<char[]> stack{new char[kStack]};
    // A NUL-terminated, padded copy of the message, parsed in place.
    static constexpr size_t kPadding = 64;
    static constexpr size_t kKeepText = 1 << 20;
    std::string text;
    bool in_use = false;
};

using Pool = rapidjson::MemoryPoolAllocator<>;
using Document = rapidjson::GenericDocument<rapidjson::UTF8<>, Pool, Pool>;

// How often c occurs in s, counting no further than limit + 1 (memchr: SIMD).
size_t count_up_to(std::string_view s, char c, size_t limit) {
    size_t n = 0;
    if (s.empty()) return 0;
    for (const char *p = s.data(), *end = s.data() + s.size(); n <= limit; ++n, ++p) {
        p = static_cast<const char *>(std::memchr(p, c, static_cast<size_t>(end - p)));
        if (!p) break;
    }
    return n;
}

// Owns the parsed document; root() is the message object.
class Message {
public:
    Message(const Message &) = delete;
    Message &operator=(const Message &) = delete;
    ~Message() {
        if (!arena_) return;
        // The DOM may point into the text: an outlier's copy goes only now.
        if (arena_->text.capacity() > ParseArena::kKeepText) std::string().swap(arena_->text);
        arena_->in_use = false;
    }
    Message(std::string_view json, const char *kind, Anomalies &anomalies)
        : arena_(claim_arena()),
          values_(arena_ ? Pool(arena_->values.get(), ParseArena::kValues) : Pool()),
          stack_(arena_ ? Pool(arena_->stack.get(), ParseArena::kStack) : Pool()),
          doc_(&values_, ParseArena::kStack / 2, &stack_) {
        // RapidJSON takes a NUL byte for the end of the input and would
        // silently drop what follows; raw NULs are never valid JSON.
        if (size_t nul = json.find('\0'); nul != std::string_view::npos)
            throw DecodeError(std::string(kind) + ": invalid JSON at byte " + std::to_string(nul) + ": a NUL byte", "malformed");
        // Some producers' serializers start UTF-8 text with a byte order mark.
        size_t skipped = 0;
        if (json.substr(0, 3) == "\xEF\xBB\xBF") json.remove_prefix(skipped = 3);
        // The fast path, for valid UTF-8 (simdjson checks it at SIMD speed):
        // RapidJSON's own per-character validation is then redundant, and a
        // NUL-terminated, padded copy in the arena lets it parse in place with
        // its SSE2 scanners. Anything it refuses is parsed again below, the
        // validating way, so errors (offsets, texts, the clamped 1e400) are
        // exactly those of the validating parse.
        bool parsed = false;
        if (arena_ && simdjson::validate_utf8(json.data(), json.size())) {
            std::string &text = arena_->text;
            text.assign(json.data(), json.size());
            text.append(ParseArena::kPadding, '\0');  // SSE2 loads stay inside it
            // Nesting is at most the number of '{' and '[' bytes: when that
            // is small, the recursive parser (faster than the iterative one)
            // cannot exhaust the stack.
            if (count_up_to(json, '{', kMaxRecursiveDepth) + count_up_to(json, '[', kMaxRecursiveDepth) <=
                kMaxRecursiveDepth)
                doc_.ParseInsitu<kFastRecursiveFlags>(text.data());
            else
                doc_.ParseInsitu<kFastParseFlags>(text.data());
            parsed = !doc_.HasParseError();
        }
        if (!parsed) doc_.Parse<kParseFlags>(json.data(), json.size());
        if (doc_.HasParseError() && doc_.GetParseError() == rapidjson::kParseErrorNumberTooBig) {
            std::string copy(json);
            for (int tries = 0; tries < 64 && doc_.HasParseError() &&
                                doc_.GetParseError() == rapidjson::kParseErrorNumberTooBig &&
                                clamp_huge_number(copy, doc_.GetErrorOffset());
                 ++tries)
                doc_.Parse<kParseFlags>(copy.data(), copy.size());
        }
        if (!doc_.HasParseError())
            if (size_t at = lone_low_surrogate(json); at != std::string_view::npos)
                throw DecodeError(std::string(kind) + ": invalid JSON at byte " + std::to_string(skipped + at) +
                                      ": a low surrogate escape without its high surrogate",
                                  "malformed");
        if (doc_.HasParseError())
            throw DecodeError(std::string(kind) + ": invalid JSON at byte " +
                              std::to_string(skipped + doc_.GetErrorOffset()) + ": " +
                              rapidjson::GetParseError_En(doc_.GetParseError()),
                              "malformed");
        root_.emplace(doc_, kind, anomalies);
    }
    const Object &root() const { return *root_; }

private:
    // The thread's arena, or nullptr when a Message of this thread holds it
    // already (then this one allocates as RapidJSON does by default).
    static ParseArena *claim_arena() {
        static thread_local ParseArena arena;
        if (arena.in_use) return nullptr;
        arena.in_use = true;
        return &arena;
    }

    ParseArena *arena_;
    Pool values_;
    Pool stack_;
    Document doc_;
    std::optional<Object> root_;
};

std::string lower(std::string s) {
    for (char &c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string upper(std::string s) {
    for (char &c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

// An enumerated value from a fixed dictionary, case-insensitive. A value
// outside it is read as absent and noted (unknown_value).
template <size_t N>
Opt one_of(const Object &o, const char *member, const std::array<std::string_view, N> &allowed,
           std::string (*canon)(std::string) = lower) {
    Opt v = o.string(member);
    if (!v) return v;
    std::string c = canon(*v);
    for (std::string_view a : allowed)
        if (c == a) return c;
    o.note(anomaly::unknown_value, member);
    return std::nullopt;
}

constexpr std::array<std::string_view, 3> kLegalTypes = {"ru_lp", "ru_ltd", "en_ltd"};
constexpr std::array<std::string_view, 4> kEventStatuses = {"active", "paused", "finished", "cancelled"};
constexpr std::array<std::string_view, 4> kTicketStatuses = {"active", "used", "cancelled", "refunded"};
constexpr std::array<std::string_view, 5> kCurrencies = {"USD", "EUR", "RUB", "GBP", "CNY"};
constexpr size_t kMaxRawCategory = 255;  // events.category_raw

Legals read_legals(const Object &o) {
    Legals l;
    l.name = o.string("name");
    l.type = one_of(o, "type", kLegalTypes);
    l.inn = o.label("inn");
    l.ogrn = o.label("ogrn");
    l.address = o.string("address");
    return l;
}

// Shape A's `name`, shape B's `first_name`/`last_name`. `name` is kept when
// given, else made from B's parts so every row has a display name.
Customer read_customer(const Object &parent) {
    Customer c;
    std::optional<Object> o = parent.object("customer");
    if (!o) return c;
    c.email = o->string("email");
    c.phone = o->string("phone");
    c.first_name = o->string("first_name");
    c.last_name = o->string("last_name");
    c.name = o->string("name");
    if (!c.name) c.name = full_name(c.first_name, c.last_name);
    return c;
}

// The fields a ticket has in both an order (orders topology) and a ticket
// message (tickets topology).
void read_ticket_details(const Object &o, Ticket &t) {
    t.barcode = o.string("barcode");
    t.number = o.label("number");
    t.series = o.label("series");
    t.row = o.label("row");
    t.seat = o.label("seat");
    t.category = o.label("category");
    t.description = o.string("description");
    t.price_nominal = o.integer("price_nominal");
    t.currency = one_of(o, "currency", kCurrencies, upper);
}

Venue read_venue(const Object &o) {
    Venue v;
    v.id = o.id("id");  // an empty id is no id: the emitter derives one
    v.name = o.string("name");
    v.address = o.string("address");
    v.description = o.string("description");
    v.zipcode = o.label("zipcode");
    v.city_name = o.string("city_name");
    v.lat = o.number("lat");
    v.lon = o.number("lon");
    // A pair with one coordinate out of range locates nothing: drop both.
    const bool lat_bad = v.lat && !(*v.lat >= -90 && *v.lat <= 90);
    const bool lon_bad = v.lon && !(*v.lon >= -180 && *v.lon <= 180);
    if (lat_bad) o.note(anomaly::out_of_range, "lat");
    if (lon_bad) o.note(anomaly::out_of_range, "lon");
    if (lat_bad || lon_bad) v.lat.reset(), v.lon.reset();
    return v;
}

// A category from an extensible dictionary: a known name, else `other`
// (noted); the raw value is kept beside it whatever its type.
void read_category(const Object &o, Event &e) {
    const rapidjson::Value *v = o.find("category");
    if (!v) return;
    e.category_raw = raw_text(*v, kMaxRawCategory);
    bool unknown = true;
    if (v->IsString()) e.category = normalize_category(std::string_view(v->GetString(), v->GetStringLength()), &unknown);
    if (unknown) o.note(anomaly::unknown_category, "category");
}

// The event's UTC offset in whole hours (shape B; the unit is inferred from
// samples). The world spans -12..+14; a value outside, or a fraction the INT
// column cannot hold (+5.5), is stored as NULL and noted.
std::optional<int64_t> read_offset(const Object &o) {
    std::optional<double> offset = o.number("offset");
    if (!offset) return std::nullopt;
    if (!(*offset >= -12 && *offset <= 14) || *offset != std::trunc(*offset)) {
        o.note(anomaly::out_of_range, "offset");
        return std::nullopt;
    }
    return static_cast<int64_t>(*offset);
}

// If every ticket names the same value, that value; else absent.
template <typename Field>
Opt common_value(const std::vector<Ticket> &tickets, Field field) {
    if (tickets.empty() || !(tickets.front().*field)) return std::nullopt;
    for (const Ticket &t : tickets)
        if (t.*field != tickets.front().*field) return std::nullopt;
    return tickets.front().*field;
}

}  // namespace

Organizer decode_organizer(std::string_view json, Anomalies &anomalies) {
    Message m(json, "organizer", anomalies);
    const Object &o = m.root();
    Organizer org;
    org.id = o.required_id("id");
    org.name = o.string("name");
    if (std::optional<Object> legals = o.object("legals")) org.legals = read_legals(*legals);
    return org;
}

Event decode_event(std::string_view json, Anomalies &anomalies) {
    Message m(json, "event", anomalies);
    const Object &o = m.root();
    Event e;
    e.id = o.required_id("id");
    e.group_id = o.id("group_id");
    e.name = o.string("name");
    // Absent in shape A: active. Outside the enum: unknown (NULL), noted.
    if (o.find("status")) e.status = one_of(o, "status", kEventStatuses);
    read_category(o, e);
    e.start_at_ms = o.timestamp_ms("start_at");
    e.finish_at_ms = o.timestamp_ms("finish_at");
    e.timezone = o.string("timezone");
    e.utc_offset_hours = read_offset(o);
    e.media = o.string("media");
    e.description = o.string("description");

    e.organizer_id = o.id("organizer_id");
    if (std::optional<Object> nested = o.object("organizer")) {
        // Shape B: the organizer travels inside the event and wins over A's
        // id. Without an id it identifies nothing: the event keeps A's link.
        if (Opt id = nested->id("id")) {
            Organizer org;
            org.id = *id;
            org.name = nested->string("name");
            if (std::optional<Object> legals = nested->object("legals")) {
                Legals l = read_legals(*legals);
                // Defaults only where the member is absent: an unknown type
                // stays unknown (NULL) rather than guessed.
                if (!legals->find("type")) l.type = "ru_ltd";
                if (!l.name) l.name = org.name;
                org.legals = l;
            }
            e.organizer_id = org.id;
            e.organizer = std::move(org);
        } else {
            nested->note(anomaly::missing_value, "id");
        }
    }
    // An event without an organizer still lands (B before mid-2026): a null
    // parent link needs no parent.

    if (std::optional<Object> venue = o.object("venue")) e.venue = read_venue(*venue);
    return e;
}

Order decode_order(std::string_view json, Anomalies &anomalies) {
    Message m(json, "order", anomalies);
    const Object &o = m.root();
    Order order;
    order.id = o.required_id("id");
    order.number = o.label("number");
    order.event_id = o.id("event_id");
    order.organizer_id = o.id("organizer_id");
    order.customer = read_customer(o);

    // An order without tickets still records the order.
    if (const rapidjson::Value *tickets = o.array("tickets")) {
        order.tickets.reserve(tickets->Size());
        for (rapidjson::SizeType i = 0; i < tickets->Size(); ++i) {
            Object t((*tickets)[i], o, "tickets", i);
            Ticket ticket;
            ticket.id = t.required_id("id");
            ticket.order_id = order.id;
            // Shape B names the event per ticket; shape A only at order level.
            // The event is the ticket's parent: required.
            ticket.event_id = t.id("event_id");
            if (!ticket.event_id) ticket.event_id = order.event_id;
            if (!ticket.event_id)
                throw DecodeError(t.path("event_id") + ": missing (and no " + o.path("event_id") + ")", "missing_field");
            ticket.organizer_id = t.id("organizer_id");
            if (!ticket.organizer_id) ticket.organizer_id = order.organizer_id;
            read_ticket_details(t, ticket);
            order.tickets.push_back(std::move(ticket));
        }
    }
    // Shape B has no order-level event: the order row's parent is the event
    // all its tickets share (a mixed order keeps it empty).
    if (!order.event_id) order.event_id = common_value(order.tickets, &Ticket::event_id);
    if (!order.organizer_id) order.organizer_id = common_value(order.tickets, &Ticket::organizer_id);
    return order;
}

Refund decode_refund(std::string_view json, std::string refund_id, Anomalies &anomalies) {
    Message m(json, "refund", anomalies);
    const Object &o = m.root();
    if (refund_id.empty()) throw DecodeError("refund: missing id (the record key)", "missing_field");
    Refund r;
    r.id = std::move(refund_id);
    r.customer = read_customer(o);
    if (const rapidjson::Value *ids = o.array("ticket_ids")) {
        std::unordered_set<std::string> seen;
        for (rapidjson::SizeType i = 0; i < ids->Size(); ++i) {
            // The tickets are what the refund links to: each id is required.
            const rapidjson::Value &v = (*ids)[i];
            // A non-empty string is the id as is; anything else is read (or
            // refused, naming its path) by required_id_element.
            std::string id = v.IsString() && v.GetStringLength() > 0
                                 ? std::string(v.GetString(), v.GetStringLength())
                                 : required_id_element(v, o.path("ticket_ids") + "[" + std::to_string(i) + "]");
            // A repeated id refunds the same ticket once.
            if (seen.insert(id).second) r.ticket_ids.push_back(std::move(id));
        }
    } else if (!o.find("ticket_ids")) {
        o.note(anomaly::missing_value, "ticket_ids");
    }
    return r;
}

Ticket decode_ticket(std::string_view json, Anomalies &anomalies) {
    Message m(json, "ticket", anomalies);
    const Object &o = m.root();
    Ticket t;
    t.id = o.required_id("id");
    // The current status is what this topic is about; a record without a
    // usable one still updates the rest and keeps the stored status.
    if (o.find("status"))
        t.status = one_of(o, "status", kTicketStatuses);
    else
        o.note(anomaly::missing_value, "status");
    t.event_id = o.required_id("event_id");
    t.organizer_id = o.id("organizer_id");
    t.order_id = o.id("order_id");
    t.customer = read_customer(o);
    read_ticket_details(o, t);
    return t;
}

}  // namespace vibe::json
