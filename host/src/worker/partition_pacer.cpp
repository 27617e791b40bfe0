#include "worker/partition_pacer.hpp"

#include <algorithm>
#include <limits>

namespace vsink {

PartitionPacer::PartitionPacer(std::chrono::milliseconds max_lead, std::chrono::milliseconds idle_after,
                               uint64_t idle_records)
    : max_lead_(max_lead), idle_after_(idle_after), idle_records_(idle_records) {}

void PartitionPacer::assigned(const std::vector<TopicPartition> &tps, Clock::time_point now) {
    if (!enabled()) return;
    for (const auto &tp : tps) heads_[tp];
    assigned_at_ = now;
}

bool PartitionPacer::record(const TopicPartition &tp, int64_t timestamp_ms, Clock::time_point now) {
    if (!enabled()) return false;
    Head &h = heads_[tp];
    const bool first = !h.heard;
    h.heard = true;
    h.at_end = false;
    h.last_record = now;
    h.last_seq = ++records_;
    if (timestamp_ms >= 0) h.timestamp_ms = timestamp_ms;
    return first;
}

bool PartitionPacer::awaiting_first_answers(Clock::time_point now) const {
    if (!enabled() || now - assigned_at_ >= idle_after_) return false;
    return std::any_of(heads_.begin(), heads_.end(), [](const auto &e) { return !e.second.heard; });
}

bool PartitionPacer::at_end(const TopicPartition &tp) {
    if (!enabled()) return false;
    Head &h = heads_[tp];
    const bool first = !h.heard;
    h.heard = true;
    h.at_end = true;
    return first;
}

std::vector<TopicPartition> PartitionPacer::reset() {
    std::vector<TopicPartition> was(paused_.begin(), paused_.end());
    heads_.clear();
    paused_.clear();
    return was;
}

PartitionPacer::Decision PartitionPacer::decide(Clock::time_point now) const {
    Decision d;
    if (!enabled()) return d;
    if (awaiting_first_answers(now)) {
        // Right after an assignment: while a partition has not answered, the
        // ones that did wait for it.
        d.floor = std::find_if(heads_.begin(), heads_.end(), [](const auto &e) { return !e.second.heard; })->first;
        for (const auto &[tp, h] : heads_)
            if (h.heard && !h.at_end && !paused_.count(tp)) d.pause.push_back(tp);
        return d;
    }
    // The floor: the furthest-behind partition that still gives records (not
    // at its end, heard from lately). A paused one can be it (paused while
    // waiting for a silent partition, or overtaken since): then it resumes.
    int64_t floor = std::numeric_limits<int64_t>::max();
    for (const auto &[tp, h] : heads_) {
        if (h.at_end || h.timestamp_ms < 0 || now - h.last_record > idle_after_ ||
            records_ - h.last_seq > idle_records_)
            continue;
        if (h.timestamp_ms < floor) {
            floor = h.timestamp_ms;
            d.floor = tp;
        }
    }
    const bool have_floor = floor != std::numeric_limits<int64_t>::max();
    if (have_floor) d.floor_timestamp_ms = floor;
    for (const TopicPartition &tp : paused_) {
        // Resumed once the floor is within half the lead (hysteresis: a
        // partition is not paused and resumed at every batch), or when
        // nothing holds it back any more.
        auto it = heads_.find(tp);
        if (!have_floor || it == heads_.end() || it->second.timestamp_ms <= floor + max_lead_.count() / 2)
            d.resume.push_back(tp);
    }
    if (!have_floor) return d;
    for (const auto &[tp, h] : heads_)
        if (!h.at_end && h.timestamp_ms >= 0 && !paused_.count(tp) && h.timestamp_ms > floor + max_lead_.count())
            d.pause.push_back(tp);
    return d;
}

void PartitionPacer::applied(const Decision &d) {
    for (const auto &tp : d.pause) paused_.insert(tp);
    for (const auto &tp : d.resume) paused_.erase(tp);
}

int64_t PartitionPacer::lead_ms(const TopicPartition &tp, const Decision &d) const {
    auto it = heads_.find(tp);
    if (it == heads_.end() || it->second.timestamp_ms < 0 || d.floor_timestamp_ms < 0) return 0;
    return it->second.timestamp_ms - d.floor_timestamp_ms;
}

}  // namespace vsink
