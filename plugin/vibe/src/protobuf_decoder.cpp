// Ticketland Protobuf vibe.v1 (CONTRACT.md §4) -> domain structs.
//
// proto3 has no presence for scalars: an empty string and enum value 0 mean
// "absent" (std::nullopt), and so do 0 for start_at/finish_at and 0.0 for a
// venue's lat and lon together (a coordinate pair at 0,0 is a missing one).
// price_nominal is `optional` in our .proto: absent is NULL, an explicit 0 a
// free ticket, as in JSON. An enum value newer than this schema is read as
// absent and noted (unknown_value, or unknown_category -> `other`).
#include "protobuf_decoder.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <memory>
#include <utility>

#include <google/protobuf/arena.h>

#include <vibe/v1/event.pb.h>
#include <vibe/v1/order.pb.h>
#include <vibe/v1/organizer.pb.h>
#include <vibe/v1/refund.pb.h>
#include <vibe/v1/ticket.pb.h>

#include "normalize.hpp"
#include "protobuf_arena.hpp"

namespace vibe::pb {
namespace {

// vibe::pb_arena::parse: one arena per thread for this decoder.
struct VibeV1Arena {};

template <class Msg>
const Msg &parse(std::string_view bytes) {
    return pb_arena::parse<VibeV1Arena, Msg>(bytes);
}

Opt opt(const std::string &s) {
    if (s.empty()) return std::nullopt;
    return s;
}

// Seconds or milliseconds (epoch_to_ms); 0 is absent. A time no DATETIME
// column can hold (before 1970, after 9999) is read as absent and noted, as
// in JSON.
std::optional<int64_t> opt_time(int64_t v, Anomalies &anomalies, const char *field) {
    constexpr int64_t kMaxTimestampMs = 253402300799999LL;  // 9999-12-31T23:59:59.999Z
    constexpr int64_t kMaxInput = INT64_MAX / 1000;         // epoch_to_ms must not overflow
    if (v == 0) return std::nullopt;
    const int64_t ms = v > -kMaxInput && v < kMaxInput ? epoch_to_ms(v) : -1;
    if (ms < 0 || ms > kMaxTimestampMs) {
        anomalies.note(anomaly::out_of_range, field);
        return std::nullopt;
    }
    return ms;
}

// Ids are never personal data, so an error may name the field but needs no value.
const std::string &require(const std::string &value, const std::string &field) {
    if (value.empty()) throw DecodeError(field + ": missing", "missing_field");
    return value;
}

// "<prefix>[<i>]<suffix>", the path of an element, made only when a message
// or an anomaly needs it.
std::string indexed(const char *prefix, int i, const char *suffix) {
    return prefix + ("[" + std::to_string(i) + "]") + suffix;
}

// require() of an element's field, its path made only on failure.
const std::string &require(const std::string &value, const char *prefix, int i, const char *suffix) {
    if (value.empty()) throw DecodeError(indexed(prefix, i, suffix) + ": missing", "missing_field");
    return value;
}

Opt currency(int c, Anomalies &anomalies, std::string field) {
    switch (c) {
        case v1::CURRENCY_UNSPECIFIED: return std::nullopt;
        case v1::USD: return "USD";
        case v1::EUR: return "EUR";
        case v1::RUB: return "RUB";
        case v1::GBP: return "GBP";
        case v1::CNY: return "CNY";
        default: anomalies.note(anomaly::unknown_value, std::move(field)); return std::nullopt;
    }
}

Opt legal_type(int t, Anomalies &anomalies, std::string field) {
    switch (t) {
        case v1::Legals::UNSPECIFIED: return std::nullopt;
        case v1::Legals::RU_LP: return "ru_lp";
        case v1::Legals::RU_LTD: return "ru_ltd";
        case v1::Legals::EN_LTD: return "en_ltd";
        default: anomalies.note(anomaly::unknown_value, std::move(field)); return std::nullopt;
    }
}

// Known values by their enum name in lower case, as the JSON shapes spell
// them (so both formats give the same row); an unknown number (a newer
// producer's category) is `other`, its number kept as the raw value.
void read_category(int c, Event &out, Anomalies &anomalies) {
    if (c == v1::CATEGORY_UNSPECIFIED) return;
    if (!v1::Category_IsValid(c)) {
        out.category_raw = std::to_string(c);
        anomalies.note(anomaly::unknown_category, "event.category");
        return;
    }
    const std::string &name = v1::Category_Name(static_cast<v1::Category>(c));
    std::string lower;
    lower.reserve(name.size());
    for (unsigned char ch : name) lower.push_back(static_cast<char>(std::tolower(ch)));
    out.category_raw = lower;
    out.category = normalize_category(lower);
}

Customer customer(const v1::Customer &c) {
    Customer out;
    out.email = opt(c.email());
    out.phone = opt(c.phone());
    out.name = opt(c.name());
    return out;
}

}  // namespace

Organizer decode_organizer(std::string_view bytes, Anomalies &anomalies) {
    const auto &msg = parse<v1::Organizer>(bytes);
    Organizer out;
    out.id = require(msg.id(), "organizer.id");
    out.name = opt(msg.name());
    if (msg.has_legals()) {
        const auto &l = msg.legals();
        Legals legals;
        legals.name = opt(l.name());
        legals.type = legal_type(l.type(), anomalies, "organizer.legals.type");
        legals.inn = opt(l.inn());
        legals.ogrn = opt(l.ogrn());
        legals.address = opt(l.address());
        out.legals = std::move(legals);
    }
    return out;
}

Event decode_event(std::string_view bytes, Anomalies &anomalies) {
    const auto &msg = parse<v1::Event>(bytes);
    Event out;
    out.id = require(msg.id(), "event.id");
    out.name = opt(msg.name());
    out.status = "active";  // vibe.v1 events carry no status
    read_category(msg.category(), out, anomalies);
    out.start_at_ms = opt_time(msg.start_at(), anomalies, "event.start_at");
    out.finish_at_ms = opt_time(msg.finish_at(), anomalies, "event.finish_at");
    out.organizer_id = opt(msg.organizer_id());
    out.media = opt(msg.media());
    out.timezone = opt(msg.timezone());
    out.description = opt(msg.description());
    if (msg.has_venue()) {
        const auto &v = msg.venue();
        Venue venue;  // no id on the wire: the emitter derives it from the event id
        venue.name = opt(v.name());
        venue.address = opt(v.address());
        venue.description = opt(v.description());
        venue.zipcode = opt(v.zipcode());
        venue.city_name = opt(v.city_name());
        if (v.lat() != 0.0 || v.lon() != 0.0) {
            // A pair with one coordinate out of range locates nothing.
            const bool lat_ok = v.lat() >= -90 && v.lat() <= 90, lon_ok = v.lon() >= -180 && v.lon() <= 180;
            if (!lat_ok) anomalies.note(anomaly::out_of_range, "event.venue.lat");
            if (!lon_ok) anomalies.note(anomaly::out_of_range, "event.venue.lon");
            if (lat_ok && lon_ok) {
                venue.lat = v.lat();
                venue.lon = v.lon();
            }
        }
        out.venue = std::move(venue);
    }
    return out;
}

Order decode_order(std::string_view bytes, Anomalies &anomalies) {
    const auto &msg = parse<v1::Order>(bytes);
    Order out;
    out.id = require(msg.id(), "order.id");
    out.event_id = opt(msg.event_id());
    out.organizer_id = opt(msg.organizer_id());
    // The event is its tickets' parent: required once there are tickets (as in JSON).
    if (!out.event_id && msg.tickets_size() > 0) throw DecodeError("order.event_id: missing", "missing_field");
    if (msg.has_customer()) out.customer = customer(msg.customer());
    out.tickets.reserve(static_cast<size_t>(msg.tickets_size()));
    for (int i = 0; i < msg.tickets_size(); ++i) {
        const auto &t = msg.tickets(i);
        Ticket ticket;
        ticket.id = require(t.id(), "order.tickets", i, ".id");
        // A ticket in an order belongs to the order's event and organizer,
        // and to its customer. Its status is left to the emitter (active).
        ticket.order_id = out.id;
        ticket.event_id = out.event_id;
        ticket.organizer_id = out.organizer_id;
        ticket.customer = out.customer;
        ticket.barcode = opt(t.barcode());
        ticket.number = opt(t.number());
        ticket.series = opt(t.series());
        ticket.row = opt(t.row());
        ticket.seat = opt(t.seat());
        ticket.category = opt(t.category());
        ticket.description = opt(t.description());
        if (t.has_price_nominal()) ticket.price_nominal = t.price_nominal();
        ticket.currency = currency(t.currency(), anomalies, v1::Currency_IsValid(t.currency()) ? std::string() : indexed("order.tickets", i, ".currency"));
        out.tickets.push_back(std::move(ticket));
    }
    return out;
}

Refund decode_refund(std::string_view bytes, std::string refund_id, Anomalies &) {
    const auto &msg = parse<v1::Refund>(bytes);
    Refund out;
    out.id = std::move(refund_id);
    require(out.id, "refund.id (record key)");
    if (msg.has_customer()) out.customer = customer(msg.customer());
    out.ticket_ids.reserve(static_cast<size_t>(msg.ticket_ids_size()));
    for (int i = 0; i < msg.ticket_ids_size(); ++i) {
        const std::string &id = require(msg.ticket_ids(i), "refund.ticket_ids", i, "");
        // A repeated id refunds the same ticket once (as in JSON).
        if (std::find(out.ticket_ids.begin(), out.ticket_ids.end(), id) == out.ticket_ids.end())
            out.ticket_ids.push_back(id);
    }
    return out;
}

Ticket decode_ticket(std::string_view bytes, Anomalies &anomalies) {
    const auto &msg = parse<v1::Ticket>(bytes);
    Ticket out;
    out.id = require(msg.id(), "ticket.id");
    switch (msg.status()) {
        case v1::Ticket::ACTIVE: out.status = "active"; break;
        case v1::Ticket::USED: out.status = "used"; break;
        case v1::Ticket::CANCELLED: out.status = "cancelled"; break;
        case v1::Ticket::REFUNDED: out.status = "refunded"; break;
        // Without a usable status the record still updates the rest, and the
        // stored status stays (the mapping keeps it when NULL).
        case v1::Ticket::STATUS_UNSPECIFIED: anomalies.note(anomaly::missing_value, "ticket.status"); break;
        default: anomalies.note(anomaly::unknown_value, "ticket.status"); break;
    }
    out.barcode = opt(msg.barcode());
    if (msg.has_customer()) out.customer = customer(msg.customer());
    out.event_id = require(msg.event_id(), "ticket.event_id");  // the parent: required, as in JSON
    out.organizer_id = opt(msg.organizer_id());
    out.number = opt(msg.number());
    out.series = opt(msg.series());
    out.row = opt(msg.row());
    out.seat = opt(msg.seat());
    out.category = opt(msg.category());
    out.order_id = opt(msg.order_id());
    out.description = opt(msg.description());
    if (msg.has_price_nominal()) out.price_nominal = msg.price_nominal();
    out.currency = currency(msg.currency(), anomalies, "ticket.currency");
    return out;
}

}  // namespace vibe::pb
