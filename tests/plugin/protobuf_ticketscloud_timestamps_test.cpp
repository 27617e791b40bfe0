// Ticketscloud Timestamps outside what a DATETIME(3) column holds: stored as
// NULL and noted out_of_range, as JSON and vibe.v1 times are. Regression test
// for what fuzz_ticketscloud (tests/fuzz) found: the decoder computed
// seconds * 1000 of any int64 seconds on the wire, a signed overflow (UB) for
// |seconds| > 9.2e15, and handed the host times before 1970 or after 9999.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <ticketscloud/event.pb.h>
#include <ticketscloud/order.pb.h>
#include <ticketscloud/partner.pb.h>
#include <ticketscloud/refund_request.pb.h>

#include "plugin_test_support.hpp"
#include "protobuf_wire.hpp"
#include "ticketscloud_decoder.hpp"

namespace tcpb = ::ticketscloud;

using protobuf_wire::bytes_of;
using vibe_test::Names;
using vibe_test::noted;

namespace {

constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

void set_time(google::protobuf::Timestamp *ts, int64_t seconds, int32_t nanos) {
    ts->set_seconds(seconds);
    ts->set_nanos(nanos);
}

}  // namespace

TEST_CASE("protobuf: ticketscloud times outside 1970..9999 are NULL, out_of_range", "[protobuf][ticketscloud]") {
    // seconds, nanos, the milliseconds stored (nullopt: NULL, noted)
    using Case = std::tuple<int64_t, int32_t, std::optional<int64_t>>;
    for (const auto &[seconds, nanos, expected] :
         {Case{0, 0, 0},                                         // the epoch is a time
          Case{1740990000, 250000000, 1740990000250},
          Case{kMaxSeconds, 999999999, 253402300799999},         // the last one a DATETIME(3) holds
          Case{kMaxSeconds + 1, 0, std::nullopt},                // year 10000
          Case{-1, 999999999, std::nullopt},                     // before 1970
          Case{1740990000, -1, std::nullopt},                    // nanos outside 0..999999999
          Case{1740990000, 1000000000, std::nullopt},
          Case{kInt64Max, 0, std::nullopt},                      // seconds * 1000 used to overflow
          Case{kInt64Min, 0, std::nullopt},
          Case{-7277816997830721537, 0, std::nullopt}}) {        // fuzz_ticketscloud's crash input
        INFO("seconds " << seconds << ", nanos " << nanos);
        const Names anomaly = expected ? Names{} : Names{"out_of_range order.created_at"};

        tcpb::Order o;
        o.set_id("ord-tc-1");
        set_time(o.mutable_created_at(), seconds, nanos);
        vibe::Anomalies a;
        const vibe::Order order = vibe::tc::decode_order(bytes_of(o), a);
        CHECK(order.created_at_ms == expected);
        CHECK(noted(a) == anomaly);
    }
}

TEST_CASE("protobuf: every ticketscloud time is range-checked, the rest of the record kept", "[protobuf][ticketscloud]") {
    tcpb::Partner p;
    p.set_id("5f1e0000000000000000aaaa");
    p.set_name("Teatr Dom");
    set_time(p.mutable_updated_at(), kInt64Max, 0);
    vibe::Anomalies pa;
    const vibe::Organizer partner = vibe::tc::decode_partner(bytes_of(p), pa);
    CHECK(partner.name == "Teatr Dom");
    CHECK_FALSE(partner.updated_at_ms);
    CHECK(noted(pa) == Names{"out_of_range partner.updated_at"});

    tcpb::Event e;
    e.set_id("ev-tc-1");
    set_time(e.mutable_lifetime()->mutable_start(), -86400, 0);
    set_time(e.mutable_lifetime()->mutable_finish(), 1741004400, 0);
    vibe::Anomalies ea;
    const vibe::Event event = vibe::tc::decode_event(bytes_of(e), {}, ea);
    CHECK_FALSE(event.start_at_ms);
    CHECK(event.finish_at_ms == 1741004400000);
    CHECK(noted(ea) == Names{"out_of_range event.lifetime.start"});
    set_time(e.mutable_lifetime()->mutable_start(), 1740997200, 0);
    set_time(e.mutable_lifetime()->mutable_finish(), kInt64Min, -5);
    ea = vibe::Anomalies{};
    CHECK_FALSE(vibe::tc::decode_event(bytes_of(e), {}, ea).finish_at_ms);
    CHECK(noted(ea) == Names{"out_of_range event.lifetime.finish"});

    tcpb::Order o;
    o.set_id("ord-tc-1");
    o.set_status(tcpb::Order::DONE);
    o.set_event("ev-tc-1");
    set_time(o.mutable_created_at(), 1740990000, 0);
    set_time(o.mutable_done_at(), 1000000000000000000, 0);
    o.add_tickets()->set_id("t-1");
    vibe::Anomalies oa;
    const vibe::Order order = vibe::tc::decode_order(bytes_of(o), oa);
    CHECK(order.created_at_ms == 1740990000000);
    CHECK_FALSE(order.done_at_ms);
    CHECK(order.tickets.size() == 1);
    CHECK(noted(oa) == Names{"out_of_range order.done_at"});

    tcpb::RefundRequest r;
    r.set_id("rr-1");
    r.set_status(tcpb::RefundRequest::APPROVED);
    set_time(r.mutable_created_at(), kMaxSeconds + 1, 0);
    set_time(r.mutable_finished_at(), 1741200000, 1000000000);
    r.add_tickets()->set_id("t-1");
    vibe::Anomalies ra;
    const vibe::Refund refund = vibe::tc::decode_refund_request(bytes_of(r), ra);
    CHECK_FALSE(refund.created_at_ms);
    CHECK_FALSE(refund.finished_at_ms);
    CHECK(refund.ticket_ids == std::vector<std::string>{"t-1"});
    CHECK(noted(ra) == Names{"out_of_range refund_request.created_at", "out_of_range refund_request.finished_at"});
}
