// Keeps the assigned partitions' consumption roughly in step in time (record
// timestamps) while the worker is behind: a partition whose last record is
// more than max_lead ahead of the furthest-behind partition that still has
// records to give is paused until that one has caught up.
//
// Why: after a restart or an outage, a small topic (refunds, ticket statuses)
// drains in a few batches while its parents' topic (orders, events) takes the
// whole backlog, so most of the children arrive before their parents, park
// and come back later, a write and a read each (issue 9: 29% of the orders
// topology's rows parked in a 100,000-record drain). In time order, a child
// comes after its parent, as the source system wrote them.
//
// It only ever delays a partition, never skips or reorders one: a paused
// partition resumes from its next record (librdkafka refetches from the
// application's position). Partitions at their end hold nobody back, nor does
// one that gave no record for a while (its broker may be gone): caught up,
// nothing is ever paused.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "persistence/offset_store.hpp"  // TopicPartition

namespace vsink {

class PartitionPacer {
public:
    using Clock = std::chrono::steady_clock;

    // max_lead 0: off (nothing is ever paused).
    // A partition that gave no record over the last idle_records records of
    // the others, or for idle_after, holds nobody back: after a pause at its
    // end, librdkafka does not report that end again.
    explicit PartitionPacer(std::chrono::milliseconds max_lead,
                            std::chrono::milliseconds idle_after = std::chrono::milliseconds(1000),
                            uint64_t idle_records = 1000);

    bool enabled() const { return max_lead_.count() > 0; }

    // Partitions were assigned: until each has given a record or its end
    // (or idle_after passed), the ones that did are held back, since what the
    // others hold is not known yet (the first fetch of a big topic would
    // otherwise fill batches before a small parent topic's first answer).
    void assigned(const std::vector<TopicPartition> &tps, Clock::time_point now);
    // A record was consumed from tp (timestamp_ms < 0: none). True when it
    // is tp's first word since the assignment (a decision is due at once).
    // Otherwise the caller decides every so many records: each pause and
    // resume costs a fetch round trip, so deciding at every record would
    // make a sparse timeline (records seconds apart) crawl one fetch at a
    // time.
    bool record(const TopicPartition &tp, int64_t timestamp_ms, Clock::time_point now);
    // Right after an assignment, while some partition has not answered: a
    // batch should not close just because the consumer holds nothing more
    // (its first record may be the parent of what is in hand).
    bool awaiting_first_answers(Clock::time_point now) const;
    // The consumer reported tp's end; true when it is the first word from tp.
    bool at_end(const TopicPartition &tp);
    // The assignment changed or partitions were sought back: what is known is
    // void. Returns the partitions that were paused (the caller resumes them).
    std::vector<TopicPartition> reset();

    struct Decision {
        std::vector<TopicPartition> pause, resume;
        // The furthest-behind partition with records to give, and its last
        // record's timestamp (-1: none): what the paused ones wait for.
        TopicPartition floor;
        int64_t floor_timestamp_ms = -1;
        bool empty() const { return pause.empty() && resume.empty(); }
    };
    // What to pause and resume now; the caller applies it and reports back
    // with applied() (so that a failed pause is tried again).
    Decision decide(Clock::time_point now) const;
    void applied(const Decision &d);

    size_t paused() const { return paused_.size(); }
    // How far tp's last record is ahead of the floor of d, in ms.
    int64_t lead_ms(const TopicPartition &tp, const Decision &d) const;
    bool is_paused(const TopicPartition &tp) const { return paused_.count(tp) != 0; }

private:
    struct Head {
        int64_t timestamp_ms = -1;     // of the last record consumed
        Clock::time_point last_record{};
        uint64_t last_seq = 0;  // records_ at its last record
        bool at_end = false;
        bool heard = false;  // a record or its end since the assignment
    };
    std::chrono::milliseconds max_lead_, idle_after_;
    uint64_t idle_records_;
    uint64_t records_ = 0;  // consumed, all partitions
    Clock::time_point assigned_at_{};
    std::map<TopicPartition, Head> heads_;
    std::set<TopicPartition> paused_;
};

}  // namespace vsink
