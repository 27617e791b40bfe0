// Ticketscloud Protobuf (CONTRACT.md §5) -> domain structs.
//
// proto3 has no presence for scalars: an empty string means "absent", and so
// does 0 for the int64 order and ticket numbers. Timestamps are messages, so
// their presence is real; a time no DATETIME column can hold (before 1970,
// after 9999, nanos outside 0..999999999) is stored as NULL and noted
// (out_of_range), as in JSON and vibe.v1. Enum value 0 is a real value in
// every Ticketscloud enum (STAND_BY, EXECUTED, NEW, LTD), not "absent". A
// value newer than this schema is stored as NULL and noted (unknown_value):
// guessing a status would write a wrong one, and refusing the record would
// lose the rest of it.
#include "ticketscloud_decoder.hpp"

#include <algorithm>
#include <climits>
#include <optional>
#include <string>
#include <memory>
#include <utility>

#include <google/protobuf/arena.h>

#include <ticketscloud/event.pb.h>
#include <ticketscloud/order.pb.h>
#include <ticketscloud/partner.pb.h>
#include <ticketscloud/refund_request.pb.h>

#include "normalize.hpp"
#include "protobuf_arena.hpp"

namespace vibe::tc {
namespace tcpb = ::ticketscloud;

namespace {

// vibe::pb_arena::parse: one arena per thread for this decoder.
struct TicketscloudArena {};

template <class Msg>
const Msg &parse(std::string_view bytes) {
    return pb_arena::parse<TicketscloudArena, Msg>(bytes);
}

Opt opt(const std::string &s) {
    if (s.empty()) return std::nullopt;
    return s;
}

Opt opt_number(int64_t n) {
    if (n == 0) return std::nullopt;
    return std::to_string(n);
}

// A Timestamp as milliseconds since the epoch, or absent (noted) when out of
// range. Checked before multiplying: any int64 seconds arrives on the wire,
// and seconds * 1000 of one beyond +-9.2e15 overflows (found by fuzz_ticketscloud).
std::optional<int64_t> to_ms(const google::protobuf::Timestamp &ts, Anomalies &anomalies, const char *field) {
    constexpr int64_t kMaxTimestampMs = 253402300799999LL;  // 9999-12-31T23:59:59.999Z
    const int64_t seconds = ts.seconds();
    const int32_t nanos = ts.nanos();
    if (seconds < 0 || seconds > kMaxTimestampMs / 1000 || nanos < 0 || nanos > 999999999) {
        anomalies.note(anomaly::out_of_range, field);
        return std::nullopt;
    }
    return seconds * 1000 + nanos / 1000000;
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

Opt unknown_enum(Anomalies &anomalies, const char *field) {
    anomalies.note(anomaly::unknown_value, field);
    return std::nullopt;
}

}  // namespace

Organizer decode_partner(std::string_view bytes, Anomalies &anomalies) {
    const auto &msg = parse<tcpb::Partner>(bytes);
    Organizer out;
    out.id = require(msg.id(), "partner.id");
    out.name = opt(msg.name());
    // What tells a real organizer from a bot, a hidden or inactive partner,
    // or a distributor (CONTRACT.md §5).
    switch (msg.status()) {
        case tcpb::Partner::NEW: out.status = "new"; break;
        case tcpb::Partner::APPROVED: out.status = "approved"; break;
        case tcpb::Partner::BOT: out.status = "bot"; break;
        case tcpb::Partner::INACTIVE: out.status = "inactive"; break;
        default: out.status = unknown_enum(anomalies, "partner.status");
    }
    out.hidden = msg.hidden();
    out.role = opt(msg.role());
    // The currency of the partner's prices, e.g. "RUB" (its tickets' currency).
    // An ISO 4217 code ("RUB"); anything else cannot be a ticket's currency.
    if (!msg.currency().empty()) {
        std::string code = msg.currency();
        for (char &c : code)
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
            out.currency = code;
        else
            anomalies.note(anomaly::unknown_value, "partner.currency");
    }
    if (msg.has_updated_at()) out.updated_at_ms = to_ms(msg.updated_at(), anomalies, "partner.updated_at");
    if (msg.has_legal()) {
        const auto &l = msg.legal();
        Legals legals;
        legals.name = opt(l.name());
        legals.address = opt(l.address());
        legals.inn = opt(l.inn());
        switch (l.registration_case()) {
            case tcpb::Partner::Legal::kOgrn:
                legals.ogrn = opt(l.ogrn());
                legals.type = "ru_ltd";
                break;
            case tcpb::Partner::Legal::kOgrnip:
                legals.ogrn = opt(l.ogrnip());
                legals.type = "ru_lp";
                break;
            case tcpb::Partner::Legal::REGISTRATION_NOT_SET:
                break;
        }
        out.legals = std::move(legals);
    }
    return out;
}

Event decode_event(std::string_view bytes, const CategoryDictionary &categories, Anomalies &anomalies) {
    const auto &msg = parse<tcpb::Event>(bytes);
    Event out;
    out.id = require(msg.id(), "event.id");
    out.group_id = opt(msg.meta());
    out.name = opt(msg.name());
    out.description = opt(msg.description());
    switch (msg.status()) {
        case tcpb::Event::STAND_BY: out.status = "paused"; break;
        case tcpb::Event::PUBLIC: out.status = "active"; break;
        case tcpb::Event::CANCELED: out.status = "cancelled"; break;
        case tcpb::Event::FINISHED: out.status = "finished"; break;
        default: out.status = unknown_enum(anomalies, "event.status");
    }
    out.organizer_id = opt(msg.org());
    if (!msg.venue().empty()) {
        Venue venue;
        venue.id = msg.venue();
        out.venue = std::move(venue);
    }
    if (msg.has_lifetime()) {
        const auto &life = msg.lifetime();
        if (life.has_start()) out.start_at_ms = to_ms(life.start(), anomalies, "event.lifetime.start");
        if (life.has_finish()) out.finish_at_ms = to_ms(life.finish(), anomalies, "event.lifetime.finish");
    }
    // An id in Ticketscloud's dictionary, not a name: kept as given, and
    // mapped to a Vibe category only where the topic's dictionary says so.
    if (!msg.category().empty()) {
        out.category_raw = msg.category();
        auto known = categories.find(msg.category());
        if (known != categories.end())
            out.category = known->second;
        else
            anomalies.note(anomaly::unknown_category, "event.category");
    }
    out.age_rating = opt(msg.age_rating());
    if (msg.has_media()) out.media = opt(msg.media().cover());
    if (msg.has_legal_ru()) {
        const auto &l = msg.legal_ru();
        Legals legals;
        switch (l.type()) {
            case tcpb::Event::LegalRu::LTD: legals.type = "ru_ltd"; break;
            case tcpb::Event::LegalRu::IP: legals.type = "ru_lp"; break;
            default: anomalies.note(anomaly::unknown_value, "event.legal_ru.type"); break;
        }
        legals.name = opt(l.name());
        legals.inn = opt(l.inn());
        legals.address = opt(l.address());
        switch (l.registration_case()) {
            case tcpb::Event::LegalRu::kOgrn: legals.ogrn = opt(l.ogrn()); break;
            case tcpb::Event::LegalRu::kOgrnip: legals.ogrn = opt(l.ogrnip()); break;
            case tcpb::Event::LegalRu::REGISTRATION_NOT_SET: break;
        }
        out.legals = std::move(legals);
    }
    out.sets.reserve(static_cast<size_t>(msg.sets_size()));
    for (int i = 0; i < msg.sets_size(); ++i) {
        const auto &s = msg.sets(i);
        TicketSet set;
        set.id = require(s.id(), "event.sets", i, ".id");
        set.name = opt(s.name());
        set.description = opt(s.description());
        set.sector = opt(s.sector());
        set.removed = s.removed();
        out.sets.push_back(std::move(set));
    }
    return out;
}

Order decode_order(std::string_view bytes, Anomalies &anomalies) {
    const auto &msg = parse<tcpb::Order>(bytes);
    Order out;
    out.id = require(msg.id(), "order.id");
    out.number = opt_number(msg.number());
    // Only DONE orders hold sold tickets; CANCELLED and EXPIRED ones cancel
    // theirs; the others say nothing about tickets.
    out.effect = TicketEffect::none;
    switch (msg.status()) {
        case tcpb::Order::EXECUTED: out.status = "executed"; break;
        case tcpb::Order::IN_PROGRESS: out.status = "in_progress"; break;
        case tcpb::Order::DONE: out.status = "done", out.effect = TicketEffect::sell; break;
        case tcpb::Order::CANCELLED: out.status = "cancelled", out.effect = TicketEffect::cancel; break;
        case tcpb::Order::EXPIRED: out.status = "expired", out.effect = TicketEffect::cancel; break;
        default: out.status = unknown_enum(anomalies, "order.status");
    }
    out.event_id = opt(msg.event());
    out.organizer_id = opt(msg.org());
    if (msg.has_settings() && msg.settings().has_customer()) {
        const auto &c = msg.settings().customer();
        out.customer.email = opt(c.email());
        out.customer.phone = opt(c.phone());
        out.customer.name = opt(c.name());
    }
    if (msg.has_created_at()) out.created_at_ms = to_ms(msg.created_at(), anomalies, "order.created_at");
    if (msg.has_done_at()) out.done_at_ms = to_ms(msg.done_at(), anomalies, "order.done_at");
    out.tickets.reserve(static_cast<size_t>(msg.tickets_size()));
    for (int i = 0; i < msg.tickets_size(); ++i) {
        const auto &t = msg.tickets(i);
        Ticket ticket;
        ticket.id = require(t.id(), "order.tickets", i, ".id");
        // A ticket belongs to its order's event, organizer and customer. Its
        // status follows the order's (the emitter decides: DONE sells,
        // CANCELLED/EXPIRED cancel), so it is left unset here.
        ticket.order_id = out.id;
        ticket.event_id = out.event_id;
        ticket.organizer_id = out.organizer_id;
        ticket.customer = out.customer;
        ticket.number = opt_number(t.number());
        ticket.barcode = opt(t.barcode());
        ticket.set_id = opt(t.set());
        ticket.series = opt(t.serial());
        if (t.has_seat()) {
            ticket.row = opt(t.seat().row());
            ticket.seat = opt(t.seat().number());
        }
        ticket.price_nominal = t.nominal();
        out.tickets.push_back(std::move(ticket));
    }
    return out;
}

Refund decode_refund_request(std::string_view bytes, Anomalies &anomalies) {
    const auto &msg = parse<tcpb::RefundRequest>(bytes);
    Refund out;
    out.id = require(msg.id(), "refund_request.id");
    switch (msg.status()) {
        case tcpb::RefundRequest::NEW: out.status = "new"; break;
        case tcpb::RefundRequest::IN_PROGRESS: out.status = "in_progress"; break;
        case tcpb::RefundRequest::APPROVED: out.status = "approved"; break;
        case tcpb::RefundRequest::REJECTED: out.status = "rejected"; break;
        default: out.status = unknown_enum(anomalies, "refund_request.status");
    }
    // Only an approved request refunds its tickets.
    out.refunds_tickets = out.status == "approved";
    out.order_id = opt(msg.order());
    out.event_id = opt(msg.event());
    if (msg.has_created_at()) out.created_at_ms = to_ms(msg.created_at(), anomalies, "refund_request.created_at");
    if (msg.has_finished_at()) out.finished_at_ms = to_ms(msg.finished_at(), anomalies, "refund_request.finished_at");
    out.ticket_ids.reserve(static_cast<size_t>(msg.tickets_size()));
    for (int i = 0; i < msg.tickets_size(); ++i) {
        out.ticket_ids.push_back(
            require(msg.tickets(i).id(), "refund_request.tickets", i, ".id"));
    }
    return out;
}

}  // namespace vibe::tc
