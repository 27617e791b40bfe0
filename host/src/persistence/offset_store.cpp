#include "persistence/offset_store.hpp"

#include <chrono>

namespace vsink {

namespace {
std::string now_text() {
    return format_utc_datetime(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count());
}
}  // namespace

std::map<TopicPartition, int64_t> OffsetStore::load(const std::vector<TopicPartition> &partitions) {
    std::map<TopicPartition, int64_t> all = load_all();
    std::map<TopicPartition, int64_t> out;
    for (const auto &tp : partitions) {
        auto it = all.find(tp);
        if (it != all.end()) out.insert(*it);
    }
    return out;
}

std::map<TopicPartition, int64_t> OffsetStore::load_all() {
    std::map<TopicPartition, int64_t> out;
    auto &st = db_.prepare("SELECT `topic`, `kafka_partition`, `next_offset` FROM `sink_offsets` WHERE `group_id` = ?");
    st.setString(1, group_);
    {
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        while (rs->next()) out[{rs->getString(1), rs->getInt(2)}] = rs->getInt64(3);
    }
    db_.commit();  // end the read's snapshot so the next transaction sees fresh data
    return out;
}

std::map<TopicPartition, int64_t> OffsetStore::lock(const std::vector<TopicPartition> &partitions,
                                                    const std::vector<TopicPartition> &unstored) {
    std::map<TopicPartition, int64_t> out;
    if (partitions.empty()) return out;
    // A locking read of a row that is not there locks the gap where it would
    // go, and two transactions that then insert into that gap deadlock: the
    // first batch of two connections (or workers) on new partitions did so
    // every time. So a row the caller does not know is inserted first, as a
    // placeholder (kNoOffset) that only this transaction sees and that
    // store() replaces before COMMIT (on rollback it was never there); the
    // locking read then finds a row for every partition and locks just those.
    if (!unstored.empty()) {
        std::string ins = "INSERT IGNORE INTO `sink_offsets` (`group_id`, `topic`, `kafka_partition`, `next_offset`, "
                          "`updated_at`) VALUES ";
        for (size_t i = 0; i < unstored.size(); ++i) ins += i ? ",(?,?,?,?,?)" : "(?,?,?,?,?)";
        auto &st = db_.prepare(ins);
        const std::string now = now_text();
        unsigned p = 1;
        for (const auto &tp : unstored) {
            st.setString(p++, group_);
            st.setString(p++, tp.first);
            st.setInt(p++, tp.second);
            st.setInt64(p++, kNoOffset);
            st.setString(p++, now);
        }
        st.executeUpdate();
    }
    std::string q = "SELECT `topic`, `kafka_partition`, `next_offset` FROM `sink_offsets` WHERE `group_id` = ? AND (";
    for (size_t i = 0; i < partitions.size(); ++i) q += i ? " OR (`topic` = ? AND `kafka_partition` = ?)" : "(`topic` = ? AND `kafka_partition` = ?)";
    q += ") FOR UPDATE";
    auto &st = db_.prepare(q);
    unsigned p = 1;
    st.setString(p++, group_);
    for (const auto &tp : partitions) {
        st.setString(p++, tp.first);
        st.setInt(p++, tp.second);
    }
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    while (rs->next())
        if (const int64_t next = rs->getInt64(3); next != kNoOffset) out[{rs->getString(1), rs->getInt(2)}] = next;
    return out;
}

void OffsetStore::store(const std::map<TopicPartition, int64_t> &next_offsets) {
    if (next_offsets.empty()) return;
    std::string q =
        "INSERT INTO `sink_offsets` (`group_id`, `topic`, `kafka_partition`, `next_offset`, `updated_at`) VALUES ";
    for (size_t i = 0; i < next_offsets.size(); ++i) q += i ? ",(?,?,?,?,?)" : "(?,?,?,?,?)";
    q += " ON DUPLICATE KEY UPDATE `next_offset` = VALUES(`next_offset`), `updated_at` = VALUES(`updated_at`)";
    auto &st = db_.prepare(q);
    const std::string now = now_text();
    unsigned p = 1;
    for (const auto &[tp, off] : next_offsets) {
        st.setString(p++, group_);
        st.setString(p++, tp.first);
        st.setInt(p++, tp.second);
        st.setInt64(p++, off);
        st.setString(p++, now);
    }
    st.executeUpdate();
}

void OffsetStore::reset(const TopicPartition &tp, int64_t next_offset) {
    if (next_offset < 0) {
        auto &st = db_.prepare("DELETE FROM `sink_offsets` WHERE `group_id` = ? AND `topic` = ? AND `kafka_partition` = ?");
        st.setString(1, group_);
        st.setString(2, tp.first);
        st.setInt(3, tp.second);
        st.executeUpdate();
    } else {
        store({{tp, next_offset}});
    }
    db_.commit();
}

}  // namespace vsink
