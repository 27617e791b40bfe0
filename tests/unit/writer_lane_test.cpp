// split_by_partition: a batch's partitions spread over the writer lanes, each
// partition whole and in order, balanced by records.
#include <catch2/catch.hpp>

#include "worker/writer_lane.hpp"

using namespace vsink;

namespace {

// A batch of records (topic, partition) in this order, offsets counting per
// partition from 10; record i carries one row whose only value is i.
AssembledBatch batch_of(const std::vector<std::pair<std::string, int32_t>> &records) {
    AssembledBatch b;
    std::map<TopicPartition, int64_t> at;
    for (size_t i = 0; i < records.size(); ++i) {
        const TopicPartition tp{records[i].first, records[i].second};
        const int64_t off = at.count(tp) ? at[tp] : 10;
        at[tp] = off + 1;
        RecordOrigin o{tp.first, tp.second, off, nullptr};
        b.origins.push_back(o);
        EntityRow row;
        row.values.push_back(Value::integer(static_cast<int64_t>(i)));
        row.origin = o;
        b.rows.push_back({row});
        b.first.emplace(tp, off);
        b.next[tp] = off + 1;
    }
    return b;
}

}  // namespace

TEST_CASE("split_by_partition: one lane or one partition is not split", "[lanes]") {
    AssembledBatch one = batch_of({{"t", 0}, {"t", 0}});
    CHECK(split_by_partition(one, 3).empty());
    AssembledBatch two = batch_of({{"t", 0}, {"t", 1}});
    CHECK(split_by_partition(two, 1).empty());
    CHECK(two.rows[1].size() == 1);  // untouched
}

TEST_CASE("split_by_partition: partitions whole, in order, balanced, offsets and letters with them", "[lanes]") {
    // t[0]: 4 records, t[1]: 2, u[0]: 2, u[1]: 1, interleaved.
    AssembledBatch b = batch_of({{"t", 0}, {"t", 1}, {"u", 0}, {"t", 0}, {"u", 1}, {"t", 0}, {"t", 1}, {"u", 0}, {"t", 0}});
    DeadLetter refused;
    refused.origin = b.origins[4];  // u[1]'s record
    b.refused.push_back(refused);
    b.tolerated[{"t", "new_channel"}] = 2;

    auto parts = split_by_partition(b, 2);
    REQUIRE(parts.size() == 2);
    // Biggest first to the least loaded lane: t[0] (4) -> 0; then t[1] (2) and
    // u[0] (2) -> 1 each in turn; u[1] (1) -> 0 (4 vs 4: the lowest lane).
    // Ties in size keep the partitions' order: t[1] before u[0].
    const std::map<TopicPartition, size_t> want = {{{"t", 0}, 0}, {{"t", 1}, 1}, {{"u", 0}, 1}, {{"u", 1}, 0}};
    size_t total = 0;
    for (size_t lane = 0; lane < parts.size(); ++lane) {
        const AssembledBatch &p = parts[lane];
        REQUIRE(p.rows.size() == p.origins.size());
        total += p.size();
        std::map<TopicPartition, int64_t> last;
        int64_t last_index = -1;
        for (size_t i = 0; i < p.size(); ++i) {
            const TopicPartition tp{p.origins[i].topic, p.origins[i].partition};
            CHECK(want.at(tp) == lane);
            if (last.count(tp)) CHECK(p.origins[i].offset == last[tp] + 1);  // in order, none missing
            last[tp] = p.origins[i].offset;
            // The rows moved with their record, in the batch's order.
            REQUIRE(p.rows[i].size() == 1);
            CHECK(p.rows[i][0].origin.offset == p.origins[i].offset);
            CHECK(p.rows[i][0].values[0].i > last_index);
            last_index = p.rows[i][0].values[0].i;
        }
        for (const auto &[tp, off] : p.next) {
            CHECK(want.at(tp) == lane);
            CHECK(b.next.at(tp) == off);
            CHECK(p.first.at(tp) == b.first.at(tp));
        }
        CHECK(p.tolerated.empty());  // counted once, by the caller
    }
    CHECK(total == b.size());
    CHECK(parts[0].size() == 5);
    CHECK(parts[1].size() == 4);
    CHECK(parts[0].next.size() == 2);
    CHECK(parts[1].next.size() == 2);
    REQUIRE(parts[0].refused.size() == 1);
    CHECK(parts[0].refused[0].origin.partition == 1);
    CHECK(parts[1].refused.empty());
    // What stays in the batch: its origins, offsets and tolerated counts.
    CHECK(b.origins.size() == 9);
    CHECK(b.next.size() == 4);
    CHECK(b.tolerated.at({"t", "new_channel"}) == 2);
}

TEST_CASE("split_by_partition: more lanes than partitions leaves lanes empty, lane 0 never", "[lanes]") {
    AssembledBatch b = batch_of({{"t", 1}, {"t", 0}, {"t", 0}});
    auto parts = split_by_partition(b, 4);
    REQUIRE(parts.size() == 4);
    CHECK(parts[0].size() == 2);  // t[0], the biggest
    CHECK(parts[1].size() == 1);
    CHECK(parts[2].size() == 0);
    CHECK(parts[3].size() == 0);
}
