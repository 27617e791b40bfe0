#include "orders_backlog.hpp"

#include <catch2/catch.hpp>

#include <set>

namespace vsink::test {

vsink::datagen::OrdersGenerator produce_orders_backlog(SinkFixture &f, vsink::datagen::OrdersOptions options) {
    options.topic_prefix = f.topic("ticketland.orders.");
    vsink::datagen::OrdersGenerator gen(options);
    vsink::datagen::GeneratedRecord r;
    size_t n = 0;
    while (gen.next(r)) {
        f.produce_raw(r.topic.substr(f.topic("").size()), r.key, r.value, r.headers);
        if (++n % 5000 == 0) f.flush();
    }
    f.flush();
    return gen;
}

void check_orders_landed(SinkFixture &f, const vsink::datagen::Expected &exp) {
    CHECK(f.scalar(kAppliedRecordsSql) == std::to_string(exp.total_records()));
    CHECK(f.scalar("SELECT COUNT(*) FROM organizers") == std::to_string(exp.organizers));
    CHECK(f.scalar("SELECT COUNT(*) FROM venues") == std::to_string(exp.venues));
    CHECK(f.scalar("SELECT COUNT(*) FROM events") == std::to_string(exp.events));
    CHECK(f.scalar("SELECT COUNT(*) FROM orders") == std::to_string(exp.orders));
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets") == std::to_string(exp.tickets));
    CHECK(f.scalar("SELECT COUNT(*) FROM refunds") == std::to_string(exp.refunds));
    CHECK(f.scalar("SELECT COUNT(*) FROM refund_tickets") == std::to_string(exp.refund_tickets));
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets WHERE status = 'refunded'") == std::to_string(exp.tickets_refunded));
    CHECK(f.scalar("SELECT COUNT(*) FROM tickets WHERE status = 'active'") == std::to_string(exp.tickets_active));
    CHECK(f.scalar("SELECT COUNT(*) FROM sink_parked") == "0");
    // Every refunded ticket by id, not just the count.
    std::set<std::string> refunded;
    for (const auto &row : f.rows("SELECT id FROM tickets WHERE status = 'refunded'")) refunded.insert(col(row, "id"));
    CHECK(refunded == std::set<std::string>(exp.refunded_ticket_ids.begin(), exp.refunded_ticket_ids.end()));
}

}  // namespace vsink::test
