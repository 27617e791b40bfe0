// Each partition's next offset, stored in the database in the same
// transaction as the rows it produced: the single truth the worker resumes
// from on start and on every partition assignment.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "persistence/database.hpp"

namespace vsink {

using TopicPartition = std::pair<std::string, int32_t>;

class OffsetStore {
public:
    OffsetStore(Database &db, std::string group_id) : db_(db), group_(std::move(group_id)) {}

    // Next offsets stored for these partitions (absent: none stored yet).
    // Runs in its own short transaction.
    std::map<TopicPartition, int64_t> load(const std::vector<TopicPartition> &partitions);
    // Every stored offset of the group.
    std::map<TopicPartition, int64_t> load_all();
    // Inside the caller's open transaction: the stored next offsets of these
    // partitions (absent: none stored), their rows locked until it ends, so
    // that no other worker can move them meanwhile (the fence, C7 of issue 8).
    // Each of `unstored` (partitions of these the caller believes have no row
    // yet) gets a placeholder row (kNoOffset) first, which store() must
    // replace in the same transaction, or the caller rolls back.
    std::map<TopicPartition, int64_t> lock(const std::vector<TopicPartition> &partitions,
                                           const std::vector<TopicPartition> &unstored = {});
    static constexpr int64_t kNoOffset = -1;
    // Inside the caller's open transaction.
    void store(const std::map<TopicPartition, int64_t> &next_offsets);
    // Sets (or with offset < 0 deletes) one partition's stored offset, committed.
    void reset(const TopicPartition &tp, int64_t next_offset);

private:
    Database &db_;
    std::string group_;
};

}  // namespace vsink
