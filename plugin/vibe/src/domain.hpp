// The Vibe domain as the plugin sees it, independent of wire format.
// Decoders (JSON, Protobuf vibe.v1, Ticketscloud Protobuf) fill these structs;
// entity_emitter turns them into the entities the mapping YAML maps to tables
// (mappings/vibe-tables.yaml names every entity and field).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vibe {

// A record that cannot be decoded or is not acceptable. The message names the
// field and the problem and must never contain personal data.
// `kind` classifies it for the dead-letter queue: "malformed" (not JSON,
// not the protobuf message), "missing_field" (a required id or parent link
// absent), "invalid_field" (present but unusable).
struct DecodeError : std::runtime_error {
    explicit DecodeError(const std::string &what, std::string error_kind = "invalid_field")
        : std::runtime_error(what), kind(std::move(error_kind)) {}
    std::string kind;
};

using Opt = std::optional<std::string>;

// Something a decoder read leniently instead of refusing the record
// (CONTRACT.md §2, tolerant reader): the field is stored as NULL, or as
// `other` for categories, and the anomaly is counted by the host per topic
// and kind. `field` is the field's path, never its value.
struct Anomaly {
    std::string kind;
    std::string field;
};

namespace anomaly {
inline constexpr const char *wrong_type = "wrong_type";              // dropped for its type
inline constexpr const char *out_of_range = "out_of_range";          // a value no column can mean
inline constexpr const char *unknown_value = "unknown_value";        // outside its enum
inline constexpr const char *unknown_category = "unknown_category";  // stored as `other`, raw kept
inline constexpr const char *missing_value = "missing_value";        // a field the contract promises
inline constexpr const char *missing_key = "missing_key";            // a refund without its key
inline constexpr const char *new_channel = "new_channel";            // first record of a channel
inline constexpr const char *unreadable_channel = "unreadable_channel";
inline constexpr const char *channel_refused = "channel_refused";    // outside the allow-list
}  // namespace anomaly

// The anomalies of one record, in the order met.
class Anomalies {
public:
    void note(const char *kind, std::string field) { list_.push_back({kind, std::move(field)}); }
    const std::vector<Anomaly> &list() const { return list_; }

private:
    std::vector<Anomaly> list_;
};

struct Legals {
    Opt name;
    Opt type;  // ru_lp | ru_ltd | en_ltd
    Opt inn, ogrn, address;
};

struct Organizer {
    std::string id;
    Opt name;
    std::optional<Legals> legals;
    // Ticketscloud partners: new | approved | bot | inactive, the hidden flag,
    // the role (organizer, distributor, ...), the currency of its prices.
    Opt status, role, currency;
    std::optional<bool> hidden;
    std::optional<int64_t> updated_at_ms;
};

struct Venue {
    Opt id;  // absent in shape A and vibe.v1: derived from the event id
    Opt name, address, description, zipcode, city_name;
    std::optional<double> lat, lon;
};

struct TicketSet {  // Ticketscloud: a seat category of an event
    std::string id;
    Opt name, description, sector;
    bool removed = false;
};

struct Event {
    std::string id;
    Opt group_id;
    Opt name;
    Opt status = std::string("active");  // active | paused | finished | cancelled; NULL when unknown
    std::string category = "other";      // normalized: one of the known categories, else "other"
    Opt category_raw;                    // the category as the source sent it (Ticketscloud: its id)
    std::optional<int64_t> start_at_ms, finish_at_ms;  // UTC, milliseconds
    Opt timezone;
    std::optional<int64_t> utc_offset_hours;
    Opt organizer_id;
    std::optional<Organizer> organizer;  // shape B: nested organizer, a partial copy
    Opt media, description, age_rating;
    std::optional<Venue> venue;
    std::optional<Legals> legals;        // Ticketscloud legal_ru
    std::vector<TicketSet> sets;         // Ticketscloud
};

struct Customer {
    Opt email, phone, name, first_name, last_name;
};

struct Ticket {
    std::string id;
    Opt status;  // tickets topology: active | used | cancelled | refunded; NULL when unknown
    Opt order_id, event_id, organizer_id;
    Opt barcode, number, series, row, seat, category, set_id, description;
    std::optional<int64_t> price_nominal;
    Opt currency;  // USD EUR RUB GBP CNY
    Customer customer;
};

// What an order says about its tickets.
enum class TicketEffect {
    sell,    // Ticketland orders; Ticketscloud DONE: the tickets are active
    cancel,  // Ticketscloud CANCELLED or EXPIRED: the tickets are cancelled
    none,    // Ticketscloud EXECUTED, IN_PROGRESS, or a status we do not know
};

struct Order {
    std::string id;
    Opt number;
    Opt event_id, organizer_id;
    Opt status;  // Ticketscloud: executed | in_progress | done | cancelled | expired; absent for Ticketland
    TicketEffect effect = TicketEffect::sell;
    Customer customer;
    std::optional<int64_t> created_at_ms, done_at_ms;
    std::vector<Ticket> tickets;
};

struct Refund {
    std::string id;  // Ticketland: the record key
    Opt order_id, event_id;
    Opt status;      // Ticketscloud: new | in_progress | approved | rejected; absent for Ticketland
    bool refunds_tickets = true;  // Ticketland refunds are final; Ticketscloud only once approved
    Customer customer;
    std::optional<int64_t> created_at_ms, finished_at_ms;
    std::vector<std::string> ticket_ids;
};

}  // namespace vibe
