// Deterministic sample data of the Ticketland *orders* topology (CONTRACT.md
// §2–3) as JSON Kafka records: organizers, events, orders and refunds, in
// shape A, shape B or both alternately. Used by vibe-datagen to fill Kafka and
// by integration tests to build the same records without it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vsink::datagen {

struct GeneratedRecord {
    std::string topic, key, value;
    std::vector<std::pair<std::string, std::string>> headers;
};

enum class Shape { A, B, Mixed };

std::optional<Shape> parse_shape(std::string_view text);  // "A", "B", "mixed" (any case)
const char *to_string(Shape shape);

struct OrdersOptions {
    std::string topic_prefix = "ticketland.orders.";
    // application-id headers, as Ticketland fills them: organizers and events
    // always `ticketland`; orders and refunds the order's sales channel,
    // taken in turn from `channels`.
    std::vector<std::string> channels = {"box-office", "live", "bank-shop"};
    int organizers = 3;
    int events = 10;
    int orders = 300;
    int tickets_min = 1;
    int tickets_max = 4;
    int refund_every = 10;  // every K-th order is refunded whole; 0 = no refunds
    uint64_t seed = 42;
    Shape shape = Shape::Mixed;
    bool refunds_first = false;  // all refunds before all orders (exercises parking)

    // Throws std::invalid_argument naming the bad option.
    void validate() const;
};

// CRC-32 (IEEE, as zlib's and MariaDB's CRC32()) of `data`.
uint32_t crc32(std::string_view data);

// A column's checksum as the bench computes it in SQL:
//   SUM(CRC32(CONCAT_WS('|', id, COALESCE(column, '<null>'))))
// over the table's rows, so each value is bound to its row's id.
inline uint64_t column_checksum_term(std::string_view id, std::string_view value) {
    std::string s;
    s.reserve(id.size() + 1 + value.size());
    s.append(id).append("|").append(value);
    return crc32(s);
}

// What the database holds once a correct sink has applied every record
// (every row's system is ticketland; orders, tickets and refunds carry the
// channel of their order).
struct Expected {
    std::string topology = "orders";
    std::vector<std::string> channels;
    std::map<std::string, size_t> records;  // topic -> records produced to it
    size_t organizers = 0, venues = 0, events = 0, orders = 0, tickets = 0, refunds = 0,
           refund_tickets = 0;
    size_t tickets_refunded = 0, tickets_active = 0;
    std::vector<std::string> refunded_ticket_ids;  // in order-id order
    std::map<std::string, size_t> tickets_by_status;  // status -> tickets
    // table -> column -> sum of column_checksum_term(id, value) over its rows
    std::map<std::string, std::map<std::string, uint64_t>> checksums;

    size_t total_records() const;
    std::string to_json() const;  // pretty JSON, the --expect file
};

class OrdersGenerator {
public:
    explicit OrdersGenerator(OrdersOptions options);  // validates

    const OrdersOptions &options() const { return opt_; }
    std::string organizers_topic() const { return opt_.topic_prefix + "organizers"; }
    std::string events_topic() const { return opt_.topic_prefix + "events"; }
    std::string orders_topic() const { return opt_.topic_prefix + "orders"; }
    std::string refunds_topic() const { return opt_.topic_prefix + "refunds"; }
    std::vector<std::string> topics() const;

    const Expected &expected() const { return expected_; }

    // The next record in production order (organizers, events, then orders
    // each followed by its refund, or all refunds first); false when done.
    bool next(GeneratedRecord &out);
    // Starts over from the first record.
    void reset();
    // Every record in production order (independent of next()).
    std::vector<GeneratedRecord> all() const;

    // Single records by 1-based index; each depends only on the options and
    // its index, so the data set is the same whatever the production order.
    GeneratedRecord organizer(int i) const;
    GeneratedRecord event(int j) const;
    GeneratedRecord order(int i) const;
    GeneratedRecord refund(int order_index) const;  // the refund of order i
    bool is_refunded(int order_index) const;
    Shape event_shape(int j) const;
    Shape order_shape(int i) const;
    Shape refund_shape(int order_index) const;
    int ticket_count(int order_index) const;

private:
    enum class Phase { Organizers, Events, Refunds, Orders, Done };
    Expected compute_expected() const;
    std::vector<std::pair<std::string, std::string>> headers(const std::string &channel) const;
    const std::string &channel_of_order(int order_index) const;

    OrdersOptions opt_;
    Expected expected_;
    Phase phase_ = Phase::Organizers;
    int index_ = 0;
    bool refund_pending_ = false;
};

}  // namespace vsink::datagen
