// Deterministic sample data of the Ticketland *tickets* topology (CONTRACT.md
// §1, §3 "Ticket"): organizers and events (the same messages as the orders
// topology) and flat tickets with their status; every K-th ticket is re-sent
// later with a new status (used or refunded) and a later `updated_at`, and the
// latest record wins. Used by vibe-datagen, the bench's latency tool and tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datagen/orders_generator.hpp"

namespace vsink::datagen {

struct TicketsOptions {
    std::string topic_prefix = "ticketland.tickets.";
    std::vector<std::string> channels = {"box-office", "live", "bank-shop"};
    int organizers = 3;
    int events = 10;
    int tickets = 1000;
    int update_every = 10;  // every K-th ticket is later re-sent with a new status; 0 = none
    uint64_t seed = 42;
    Shape shape = Shape::Mixed;  // of the events (organizers are shape A records)

    void validate() const;  // throws std::invalid_argument naming the bad option
};

class TicketsGenerator {
public:
    explicit TicketsGenerator(TicketsOptions options);  // validates

    const TicketsOptions &options() const { return opt_; }
    std::string organizers_topic() const { return opt_.topic_prefix + "organizers"; }
    std::string events_topic() const { return opt_.topic_prefix + "events"; }
    std::string tickets_topic() const { return opt_.topic_prefix + "tickets"; }
    std::vector<std::string> topics() const;
    const Expected &expected() const { return expected_; }

    // Production order: organizers, events, tickets 1..N (active), then the
    // updates in ticket order.
    bool next(GeneratedRecord &out);
    void reset();

    GeneratedRecord organizer(int i) const { return base_.organizer(i); }
    GeneratedRecord event(int j) const { return base_.event(j); }
    // Ticket i as first sold (status active), or its later update.
    GeneratedRecord ticket(int i) const;
    GeneratedRecord ticket_update(int i) const;
    bool is_updated(int i) const { return opt_.update_every > 0 && i % opt_.update_every == 0; }
    static std::string updated_status(int i);  // used or refunded, in turn
    static std::string ticket_id(int i);

    // Ticket i's content under another id and event (the latency tool's own
    // ids); `status` as given.
    GeneratedRecord ticket_as(int i, const std::string &id, int event, const std::string &status) const;

private:
    enum class Phase { Organizers, Events, Tickets, Updates, Done };
    Expected compute_expected() const;

    TicketsOptions opt_;
    OrdersGenerator base_;  // organizers and events (no orders)
    Expected expected_;
    Phase phase_ = Phase::Organizers;
    int index_ = 0;
};

}  // namespace vsink::datagen
