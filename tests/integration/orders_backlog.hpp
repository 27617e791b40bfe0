// A backlog of the Ticketland orders topology for robustness tests: produced
// to a SinkFixture's topics, and the database checked against what the
// generator says must land.
#pragma once

#include <datagen/orders_generator.hpp>

#include "sink_fixture.hpp"

namespace vsink::test {

// Produces the whole data set of `options` (topic prefix set to the fixture's).
vsink::datagen::OrdersGenerator produce_orders_backlog(SinkFixture &f, vsink::datagen::OrdersOptions options);

// Every table's row count, ticket statuses (refunded ones by id), nothing
// parked, and stored offsets adding up to every record produced.
void check_orders_landed(SinkFixture &f, const vsink::datagen::Expected &exp);

// SUM of the stored next offsets: how many records the database has applied.
inline const char *kAppliedRecordsSql = "SELECT COALESCE(SUM(next_offset), 0) FROM sink_offsets";

}  // namespace vsink::test
