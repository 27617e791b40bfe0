#include "worker/writer_lane.hpp"

#include <algorithm>

namespace vsink {

std::vector<AssembledBatch> split_by_partition(AssembledBatch &batch, size_t lanes) {
    if (lanes <= 1 || batch.next.size() <= 1) return {};
    std::map<TopicPartition, size_t> records;
    for (const RecordOrigin &o : batch.origins) ++records[{o.topic, o.partition}];
    std::vector<std::pair<size_t, TopicPartition>> biggest_first;
    for (const auto &[tp, n] : records) biggest_first.emplace_back(n, tp);
    std::stable_sort(biggest_first.begin(), biggest_first.end(),
                     [](const auto &a, const auto &b) { return a.first > b.first; });
    std::vector<size_t> load(lanes, 0);
    std::map<TopicPartition, size_t> lane_of;
    for (const auto &[n, tp] : biggest_first) {
        const size_t lane = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        load[lane] += n;
        lane_of[tp] = lane;
    }
    std::vector<AssembledBatch> parts(lanes);
    for (size_t i = 0; i < batch.origins.size(); ++i) {
        const RecordOrigin &o = batch.origins[i];
        AssembledBatch &part = parts[lane_of.at({o.topic, o.partition})];
        part.origins.push_back(o);
        part.rows.push_back(std::move(batch.rows[i]));
    }
    // (Every partition has records; lane 0 for anything that would not.)
    auto lane = [&](const TopicPartition &tp) {
        const auto it = lane_of.find(tp);
        return it != lane_of.end() ? it->second : 0;
    };
    for (const DeadLetter &l : batch.refused) parts[lane({l.origin.topic, l.origin.partition})].refused.push_back(l);
    for (const auto &[tp, off] : batch.first) parts[lane(tp)].first[tp] = off;
    for (const auto &[tp, off] : batch.next) parts[lane(tp)].next[tp] = off;
    return parts;
}

}  // namespace vsink
