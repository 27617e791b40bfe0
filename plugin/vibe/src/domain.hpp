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
struct DecodeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using Opt = std::optional<std::string>;

struct Legals {
    Opt name;
    Opt type;  // ru_lp | ru_ltd | en_ltd
    Opt inn, ogrn, address;
};

struct Organizer {
    std::string id;
    Opt name;
    std::optional<Legals> legals;
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
    std::string status = "active";   // active | paused | finished | cancelled
    std::string category = "other";  // normalized: one of the known categories, else "other"
    std::optional<int64_t> start_at_ms, finish_at_ms;  // UTC, milliseconds
    Opt timezone;
    std::optional<int64_t> utc_offset_hours;
    Opt organizer_id;
    std::optional<Organizer> organizer;  // shape B: nested organizer, emitted too
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
    Opt status;  // tickets topology: active | used | cancelled | refunded
    Opt order_id, event_id, organizer_id;
    Opt barcode, number, series, row, seat, category, set_id, description;
    std::optional<int64_t> price_nominal;
    Opt currency;  // USD EUR RUB GBP CNY
    Customer customer;
};

struct Order {
    std::string id;
    Opt number;
    Opt event_id, organizer_id;
    Opt status;  // Ticketscloud: executed | in_progress | done | cancelled | expired; absent for Ticketland
    Customer customer;
    std::optional<int64_t> created_at_ms, done_at_ms;
    std::vector<Ticket> tickets;
};

struct Refund {
    std::string id;  // Ticketland: the record key
    Opt order_id, event_id;
    Opt status;      // Ticketscloud: new | in_progress | approved | rejected; absent for Ticketland (= approved)
    Customer customer;
    std::optional<int64_t> created_at_ms, finished_at_ms;
    std::vector<std::string> ticket_ids;
};

}  // namespace vibe
