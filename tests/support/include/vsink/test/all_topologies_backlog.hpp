// A deterministic backlog of every topology the vibe plugin reads, in both
// formats where the topology has both: the Ticketland orders topology (JSON,
// shapes A and B, from vsink::datagen::OrdersGenerator, and Protobuf vibe.v1),
// the Ticketland tickets topology (JSON and Protobuf) and Ticketscloud
// (Protobuf only). Built for robustness tests that drain it twice and compare
// the two databases, so the final state a correct sink leaves depends only on
// the order of records within each Kafka partition, never on how the topics
// interleave:
//   - ids never meet across segments (each segment has its own id prefix or
//     system), and every update of an entity uses the same record key;
//   - entities get several versions (latest must win): organizers, events,
//     orders (Ticketland: changed customer and tickets, one extra ticket;
//     some Protobuf orders updated in JSON), tickets of the tickets topology
//     (a new status, then sometimes a record without one, which keeps it),
//     Ticketscloud partners, events, orders (in progress -> done -> sometimes
//     cancelled, or expired) and refund requests (new -> approved/rejected);
//   - refunds (Ticketland refunds of whole orders, Ticketscloud approved
//     refund requests) and replays;
//   - a tenth of the events and a few organizers/partners first appear deep
//     in their topic (behind other entities' updates), so their children
//     (events, orders, tickets, ticket status changes) often arrive first and
//     are parked;
//   - values shared by two topics are equal in both: an organizer nested in
//     a shape B event is never updated on its own topic, a Ticketscloud
//     partner's currency and a ticket set's name never change (tickets look
//     them up at write time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vsink::test {

struct BacklogRecord {
    std::string segment;  // "ticketland-orders/json", ..., "ticketscloud/protobuf"
    std::string topic;    // the mapped topic name (mappings/*.yaml), without a test's prefix
    std::string key;
    std::string value;
    std::vector<std::pair<std::string, std::string>> headers;
};

struct AllTopologiesOptions {
    uint64_t seed = 20260801;
    // Ticketland orders topology: orders per format, events per format.
    int orders_json = 10000;
    int orders_protobuf = 10000;
    int order_events = 160;
    // Ticketland tickets topology: tickets per format, events per format.
    int tickets_json = 8500;
    int tickets_protobuf = 8500;
    int ticket_events = 80;
    // Ticketscloud: orders, events.
    int tc_orders = 16000;
    int tc_events = 120;
    // Versions of an event: 1 + a number in [min, max] of updates.
    int event_updates_min = 6;
    int event_updates_max = 20;
};

// One column's expected final value per row: key "system|id" -> value
// (nullopt = NULL).
struct ExpectedColumn {
    std::string table, column;
    std::map<std::string, std::optional<std::string>> values;
};

class AllTopologiesBacklog {
public:
    explicit AllTopologiesBacklog(AllTopologiesOptions options = {});

    const AllTopologiesOptions &options() const { return opt_; }
    // Every record in production order. Records of one key keep their order.
    const std::vector<BacklogRecord> &records() const { return records_; }
    std::map<std::string, size_t> records_by_segment() const;
    std::map<std::string, size_t> records_by_topic() const;
    size_t total() const { return records_.size(); }

    // Rows a correct sink leaves, per table and system ("organizers/ticketland").
    const std::map<std::string, size_t> &expected_rows() const { return rows_; }
    // Tickets per system and status ("ticketscloud/refunded").
    const std::map<std::string, size_t> &expected_ticket_statuses() const { return ticket_statuses_; }
    // Final values of columns that updates change (latest wins) and refunds set:
    // organizers.name, events.name, orders.customer_email, tickets.status,
    // tickets.barcode, refunds.status.
    const std::vector<ExpectedColumn> &expected_columns() const { return columns_; }

private:
    struct Timed {
        double time;
        uint64_t seq;
        BacklogRecord record;
    };
    void add(double time, BacklogRecord r);
    void expect(const std::string &table, const std::string &column, const std::string &system,
                const std::string &id, std::optional<std::string> value);
    void count_row(const std::string &table, const std::string &system, size_t n = 1);

    void orders_json();
    void orders_protobuf();
    void tickets_topology(bool protobuf);
    void ticketscloud();

    AllTopologiesOptions opt_;
    std::vector<Timed> timed_;
    uint64_t seq_ = 0;
    std::vector<BacklogRecord> records_;
    std::map<std::string, size_t> rows_, ticket_statuses_;
    std::map<std::pair<std::string, std::string>, size_t> column_index_;
    std::vector<ExpectedColumn> columns_;
};

}  // namespace vsink::test
