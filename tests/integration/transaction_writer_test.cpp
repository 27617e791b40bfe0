// TransactionWriter against a real MariaDB (no broker): a fresh database with
// the project's schema, the real EntityWriter and OffsetStore, and test
// doubles for the dead-letter queue. Rows are built by hand.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <limits>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mapping/mapping.hpp"
#include "persistence/database.hpp"
#include "persistence/entity_writer.hpp"
#include "persistence/offset_store.hpp"
#include "persistence/schema_migrator.hpp"
#include "worker/transaction_writer.hpp"

#include <vsink/test/database.hpp>
#include <vsink/test/server_env.hpp>
#include <vsink/test/unique_name.hpp>

namespace {

using vsink::AssembledBatch;
using vsink::DeadLetter;
using vsink::DeadLetterError;
using vsink::EntityRow;
using vsink::ExpectedOffsets;
using vsink::RecordOrigin;
using vsink::SourceRecord;
using vsink::TopicPartition;
using vsink::TransactionResult;
using vsink::Value;
using Outcome = vsink::TransactionResult::Outcome;

const std::string kTopic = "ticketland.orders.organizers";
const std::string kOrdersTopic = "ticketland.orders.orders";
const std::string kGroup = "txn-test";

std::string source_dir() {
    const char *v = std::getenv("VSINK_SOURCE_DIR");
    if (!v || !*v) throw std::runtime_error("VSINK_SOURCE_DIR is not set: run the tests through scripts/test");
    return v;
}

// A letter as the sink saw it when publish() was called (the origin's record
// is copied then: it may be gone after the transaction).
struct SeenLetter {
    std::string stage, error_class, message, topic;
    int32_t partition = -1;
    int64_t offset = -1;
    const SourceRecord *source = nullptr;
    std::optional<std::string> key, value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

// Records every publish; throws DeadLetterError on the first `failures` calls.
class RecordingSink : public vsink::DeadLetterSink {
public:
    explicit RecordingSink(int failures = 0) : failures_(failures) {}
    void publish(const std::vector<DeadLetter> &letters) override {
        ++calls;
        if (failures_ > 0) {
            --failures_;
            ++failed;
            throw DeadLetterError("dead-letter queue: test double refuses (" + std::to_string(letters.size()) +
                                  " letter(s))");
        }
        if (!letters.empty()) ++published_batches;
        for (const DeadLetter &l : letters) {
            SeenLetter s{l.stage, l.error_class, l.message, l.origin.topic, l.origin.partition, l.origin.offset,
                         l.origin.source, {}, {}, {}};
            if (l.origin.source) {
                if (l.origin.source->key) s.key = std::string(*l.origin.source->key);
                if (l.origin.source->value) s.value = std::string(*l.origin.source->value);
                for (const auto &h : l.origin.source->headers)
                    s.headers.emplace_back(std::string(h.key),
                                           h.value ? std::optional<std::string>(std::string(*h.value)) : std::nullopt);
            }
            seen.push_back(std::move(s));
        }
    }
    const std::string &topic() const override { return topic_; }

    int calls = 0, failed = 0, published_batches = 0;
    std::vector<SeenLetter> seen;

private:
    int failures_;
    std::string topic_ = "txn-test.dlq";
};

// A record with its storage (the batch's origins point at `source`).
struct OwnedRecord {
    std::string key, value;
    std::vector<std::pair<std::string, std::string>> headers;
    SourceRecord source;
};

// A batch built by hand: one row of `entity` per record.
class BatchBuilder {
public:
    explicit BatchBuilder(const vsink::Mapping &m) : m_(m) {}

    // Adds a record at (topic, partition, offset) with one row of `entity`
    // whose columns take `values` (the rest NULL).
    void add(const std::string &topic, int32_t partition, int64_t offset, const std::string &entity,
             const std::vector<std::pair<std::string, std::string>> &values) {
        auto rec = std::make_unique<OwnedRecord>();
        rec->key = values.size() > 1 ? values[1].second : "";
        rec->value = R"({"test":")" + rec->key + R"("})";
        rec->headers = {{"content-type", "application/json"}, {"application-id", "ticketland"}};
        rec->source.key = std::string_view(rec->key);
        rec->source.value = std::string_view(rec->value);
        for (const auto &[k, v] : rec->headers) rec->source.headers.push_back({k, std::string_view(v)});
        rec->source.timestamp_ms = 1740997200000 + offset;

        const vsink::EntityDef *def = m_.entity(entity);
        REQUIRE(def);
        EntityRow row;
        row.def = def;
        row.values.assign(def->columns.size(), Value::null());
        for (const auto &[col, v] : values) {
            size_t i = 0;
            while (i < def->columns.size() && def->columns[i] != col) ++i;
            REQUIRE(i < def->columns.size());
            row.values[i] = Value::str(v);
        }
        RecordOrigin origin{topic, partition, offset, &rec->source};
        row.origin = origin;
        b.origins.push_back(origin);
        b.rows.push_back({std::move(row)});
        const TopicPartition tp{topic, partition};
        b.first.emplace(tp, offset);
        b.next[tp] = offset + 1;
        records_.push_back(std::move(rec));
    }
    void organizer(int64_t offset, const std::string &id, const std::string &name) {
        add(kTopic, 0, offset, "organizer", {{"system", "ticketland"}, {"id", id}, {"name", name}});
    }
    const SourceRecord *source(size_t i) const { return &records_[i]->source; }

    AssembledBatch b;

private:
    const vsink::Mapping &m_;
    std::vector<std::unique_ptr<OwnedRecord>> records_;
};

// A fresh database with the schema, and the writer's parts over it.
class TxnFixture {
public:
    TxnFixture()
        : env_(vsink::test::ServerEnv::require()),
          name_("vibe_" + vsink::test::unique_name("txn")),
          mapping(vsink::Mapping::load({source_dir() + "/mappings/vibe-tables.yaml", source_dir() + "/mappings/orders.yaml"})) {
        for (char &c : name_)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        admin_ = std::make_unique<vsink::test::Database>(env_);
        admin_->create_database(name_);
        admin_->use(name_);

        vsink::DatabaseConfig &dc = db_config;
        dc.host = env_.db_host;
        dc.port = env_.db_port;
        dc.name = name_;
        dc.user = env_.db_user;
        dc.password = env_.db_password;
        db = std::make_unique<vsink::Database>(dc);
        db->connect();
        std::ostringstream out;
        vsink::apply_schema(*db, mapping, out);
        db->commit();

        cfg.group_id = kGroup;
        cfg.retry.initial_backoff_ms = 10;
        cfg.retry.max_backoff_ms = 50;
        writer = std::make_unique<vsink::EntityWriter>(*db, mapping);
        offsets = std::make_unique<vsink::OffsetStore>(*db, kGroup);
    }
    ~TxnFixture() {
        txn.reset();
        writer.reset();
        offsets.reset();
        db.reset();
        try {
            admin_->drop_database(name_);
        } catch (...) {
        }
    }

    vsink::TransactionWriter &make(vsink::DeadLetterSink &sink) {
        txn = std::make_unique<vsink::TransactionWriter>(*db, *writer, *offsets, sink, cfg, stop);
        txn->set_max_in_place_retry(std::chrono::milliseconds(5000));
        return *txn;
    }

    int64_t count(const std::string &sql) { return admin_->scalar_int(sql); }
    std::string scalar(const std::string &sql) { return admin_->scalar(sql).value_or("NULL"); }
    void exec(const std::string &sql) { admin_->exec(sql); }
    // The stored next offset of a partition, or -1.
    int64_t stored(const std::string &topic, int32_t p) {
        auto rows = admin_->query("SELECT next_offset FROM sink_offsets WHERE group_id = " +
                                  vsink::test::Database::quote(kGroup) + " AND topic = " +
                                  vsink::test::Database::quote(topic) + " AND kafka_partition = " + std::to_string(p));
        return rows.empty() ? -1 : std::stoll(*rows[0].begin()->second);
    }
    void store(const std::string &topic, int32_t p, int64_t next) {
        exec("INSERT INTO sink_offsets (group_id, topic, kafka_partition, next_offset, updated_at) VALUES (" +
             vsink::test::Database::quote(kGroup) + ", " + vsink::test::Database::quote(topic) + ", " +
             std::to_string(p) + ", " + std::to_string(next) + ", UTC_TIMESTAMP(3))");
    }

    vsink::test::ServerEnv env_;
    std::string name_;
    vsink::Mapping mapping;
    vsink::DatabaseConfig db_config;  // of the fresh database: another session connects with it
    std::unique_ptr<vsink::test::Database> admin_;
    std::unique_ptr<vsink::Database> db;
    std::unique_ptr<vsink::EntityWriter> writer;
    std::unique_ptr<vsink::OffsetStore> offsets;
    vsink::WorkerConfig cfg;
    std::atomic<bool> stop{false};
    std::unique_ptr<vsink::TransactionWriter> txn;
};

}  // namespace

TEST_CASE("transaction writer: a batch whose stored offsets moved is fenced: nothing written, offsets unchanged",
          "[integration][txn]") {
    TxnFixture f;
    f.store(kTopic, 0, 7);  // another worker got further
    RecordingSink sink;
    auto &txn = f.make(sink);
    BatchBuilder bb(f.mapping);
    for (int i = 0; i < 3; ++i) bb.organizer(5 + i, "org-" + std::to_string(i), "Name " + std::to_string(i));
    // A letter that must not go out either.
    bb.b.refused.push_back({vsink::stage::decode, "malformed", "json: invalid", bb.b.origins[1]});

    const ExpectedOffsets expected{{{kTopic, 0}, 5}};
    const TransactionResult r = txn.write(bb.b, expected, false);
    CHECK(r.outcome == Outcome::Fenced);
    CHECK(r.fenced == std::vector<TopicPartition>{{kTopic, 0}});
    CHECK(r.stored == std::map<TopicPartition, int64_t>{{{kTopic, 0}, 7}});
    CHECK(f.count("SELECT COUNT(*) FROM organizers") == 0);
    CHECK(f.stored(kTopic, 0) == 7);
    CHECK(sink.calls == 0);

    // Believing nothing is stored while something is: fenced as well.
    const TransactionResult r2 = txn.write(bb.b, ExpectedOffsets{{{kTopic, 0}, std::nullopt}}, false);
    CHECK(r2.outcome == Outcome::Fenced);
    // And a partition never stored that this worker believes stored.
    BatchBuilder other(f.mapping);
    other.add(kTopic, 3, 0, "organizer", {{"system", "ticketland"}, {"id", "org-x"}});
    const TransactionResult r3 = txn.write(other.b, ExpectedOffsets{{{kTopic, 3}, 0}}, false);
    CHECK(r3.outcome == Outcome::Fenced);
    CHECK(r3.fenced == std::vector<TopicPartition>{{kTopic, 3}});
    CHECK(f.count("SELECT COUNT(*) FROM organizers") == 0);
    CHECK(f.stored(kTopic, 3) == -1);
    CHECK(sink.calls == 0);

    // With what is stored, it commits.
    const TransactionResult ok = txn.write(bb.b, ExpectedOffsets{{{kTopic, 0}, 7}}, false);
    CHECK(ok.outcome == Outcome::Committed);
    CHECK(f.count("SELECT COUNT(*) FROM organizers") == 3);
    CHECK(f.stored(kTopic, 0) == 8);
}

TEST_CASE("transaction writer: rows the database refuses are dead-lettered with their origins, the rest commits",
          "[integration][txn]") {
    TxnFixture f;
    RecordingSink sink;
    auto &txn = f.make(sink);
    BatchBuilder bb(f.mapping);
    const std::string too_long(600, 'x');  // organizers.name is VARCHAR(512)
    for (int i = 0; i < 20; ++i)
        bb.organizer(100 + i, "org-" + std::to_string(i), (i == 4 || i == 13) ? too_long : "Name " + std::to_string(i));

    const TransactionResult r = txn.write(bb.b, ExpectedOffsets{{{kTopic, 0}, std::nullopt}}, false);
    REQUIRE(r.outcome == Outcome::Committed);
    REQUIRE(r.letters.size() == 2);
    const size_t bad[] = {4, 13};
    for (size_t k = 0; k < 2; ++k) {
        const DeadLetter &l = r.letters[k];
        INFO("letter " << k);
        CHECK(l.stage == vsink::stage::database);
        CHECK(l.error_class == "ER_DATA_TOO_LONG");
        CHECK_THAT(l.message, Catch::Contains("1406") && Catch::Contains("name"));
        CHECK(l.message.find("xxxx") == std::string::npos);  // never the value
        CHECK(l.origin.topic == kTopic);
        CHECK(l.origin.partition == 0);
        CHECK(l.origin.offset == 100 + static_cast<int64_t>(bad[k]));
        CHECK(l.origin.source == bb.source(bad[k]));
    }
    // Published once, in the committing transaction, exactly those two.
    CHECK(sink.calls == 1);
    REQUIRE(sink.seen.size() == 2);
    CHECK(sink.seen[0].offset == 104);
    CHECK(sink.seen[1].offset == 113);
    CHECK(sink.seen[0].key == std::optional<std::string>("org-4"));

    CHECK(f.count("SELECT COUNT(*) FROM organizers") == 18);
    CHECK(f.count("SELECT COUNT(*) FROM organizers WHERE id IN ('org-4', 'org-13')") == 0);
    CHECK(f.scalar("SELECT name FROM organizers WHERE id = 'org-19'") == "Name 19");
    CHECK(f.stored(kTopic, 0) == 120);
    CHECK(r.stats.rows_by_table.at("organizers") == 18);
}

TEST_CASE("transaction writer: a dead-letter queue that fails twice is retried, the batch commits once",
          "[integration][txn]") {
    TxnFixture f;
    RecordingSink sink(2);
    auto &txn = f.make(sink);
    BatchBuilder bb(f.mapping);
    // Record 2 was refused by the plugin, record 4 the database refuses.
    for (int i = 0; i < 6; ++i)
        bb.organizer(i, "org-" + std::to_string(i), i == 4 ? std::string(513, 'z') : "Name " + std::to_string(i));
    bb.b.rows[2].clear();
    bb.b.refused.push_back({vsink::stage::decode, "malformed", "json: invalid JSON at byte 7", bb.b.origins[2]});

    const TransactionResult r = txn.write(bb.b, ExpectedOffsets{{{kTopic, 0}, std::nullopt}}, false);
    REQUIRE(r.outcome == Outcome::Committed);
    CHECK(sink.calls == 3);
    CHECK(sink.failed == 2);
    CHECK(sink.published_batches == 1);  // the letters went out in the final attempt only
    // Each letter once, although three attempts met them.
    REQUIRE(sink.seen.size() == 2);
    CHECK(sink.seen[0].stage == "decode");
    CHECK(sink.seen[0].offset == 2);
    CHECK(sink.seen[0].source == bb.source(2));
    CHECK(sink.seen[1].stage == "database");
    CHECK(sink.seen[1].error_class == "ER_DATA_TOO_LONG");
    CHECK(sink.seen[1].offset == 4);
    CHECK(sink.seen[1].source == bb.source(4));
    REQUIRE(r.letters.size() == 2);
    CHECK(r.letters[0].error_class == "malformed");
    CHECK(r.letters[1].error_class == "ER_DATA_TOO_LONG");
    CHECK(txn.retries() == 2);
    CHECK(f.count("SELECT COUNT(*) FROM organizers") == 4);
    CHECK(f.count("SELECT COUNT(*) FROM organizers WHERE id IN ('org-2', 'org-4')") == 0);
    CHECK(f.stored(kTopic, 0) == 6);

    // A queue that never takes them: the batch is abandoned after the
    // in-place retry limit, nothing written.
    RecordingSink never(1000000);
    auto &txn2 = f.make(never);
    txn2.set_max_in_place_retry(std::chrono::milliseconds(300));
    BatchBuilder more(f.mapping);
    more.organizer(6, "org-6", "Six");
    more.b.refused.push_back({vsink::stage::decode, "malformed", "json", more.b.origins[0]});
    more.b.rows[0].clear();
    more.organizer(7, "org-7", "Seven");
    const TransactionResult a = txn2.write(more.b, ExpectedOffsets{{{kTopic, 0}, 6}}, false);
    CHECK(a.outcome == Outcome::Abandoned);
    CHECK(never.calls >= 2);
    CHECK(txn2.retries() == static_cast<uint64_t>(never.calls));
    CHECK(f.count("SELECT COUNT(*) FROM organizers WHERE id = 'org-7'") == 0);
    CHECK(f.stored(kTopic, 0) == 6);
}

TEST_CASE("transaction writer: errors.tolerance none stops at a refused record with nothing written",
          "[integration][txn]") {
    TxnFixture f;
    f.cfg.errors.tolerate_all = false;
    f.store(kTopic, 0, 50);
    RecordingSink sink;
    auto &txn = f.make(sink);
    BatchBuilder bb(f.mapping);
    for (int i = 0; i < 6; ++i)
        bb.organizer(50 + i, "org-" + std::to_string(i), i == 3 ? std::string(700, 'y') : "Name " + std::to_string(i));
    CHECK_THROWS_AS(txn.write(bb.b, ExpectedOffsets{{{kTopic, 0}, 50}}, false), vsink::ToleranceExceeded);
    CHECK_THROWS_WITH(txn.write(bb.b, ExpectedOffsets{{{kTopic, 0}, 50}}, false),
                      Catch::Contains("offset=53") && Catch::Contains("ER_DATA_TOO_LONG") &&
                          Catch::Contains("tolerance is none"));
    CHECK(f.count("SELECT COUNT(*) FROM organizers") == 0);
    CHECK(f.stored(kTopic, 0) == 50);
    CHECK(sink.calls == 0);

    // A plugin refusal likewise.
    BatchBuilder refused(f.mapping);
    refused.organizer(50, "org-a", "A");
    refused.b.refused.push_back({vsink::stage::validate, "channel_refused", "not allowed", refused.b.origins[0]});
    refused.b.rows[0].clear();
    refused.organizer(51, "org-b", "B");
    CHECK_THROWS_AS(txn.write(refused.b, ExpectedOffsets{{{kTopic, 0}, 50}}, false), vsink::ToleranceExceeded);
    CHECK(f.count("SELECT COUNT(*) FROM organizers") == 0);
    CHECK(f.stored(kTopic, 0) == 50);
    CHECK(sink.calls == 0);
}

TEST_CASE("transaction writer: a parked row past its age limit is dead-lettered as parked-expired and deleted",
          "[integration][txn][parking]") {
    TxnFixture f;
    f.cfg.parking.max_age_s = 1;
    RecordingSink sink;
    auto &txn = f.make(sink);

    // An order whose event never came: parked.
    BatchBuilder bb(f.mapping);
    bb.add(kOrdersTopic, 2, 30, "order",
           {{"system", "ticketland"}, {"id", "ord-1"}, {"number", "N-1"}, {"event_id", "evt-missing"}});
    const TransactionResult parked = txn.write(bb.b, ExpectedOffsets{{{kOrdersTopic, 2}, std::nullopt}}, true);
    REQUIRE(parked.outcome == Outcome::Committed);
    CHECK(parked.stats.parked == 1);
    CHECK(parked.letters.empty());  // not old enough yet
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked") == 1);
    CHECK(f.count("SELECT COUNT(*) FROM orders") == 0);
    CHECK(f.stored(kOrdersTopic, 2) == 31);

    // Not expired yet: an expiry run leaves it.
    const TransactionResult early = txn.write(AssembledBatch{}, ExpectedOffsets{}, true);
    CHECK(early.outcome == Outcome::Committed);
    CHECK(early.letters.empty());
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked") == 1);

    f.exec("UPDATE sink_parked SET parked_at = parked_at - INTERVAL 10 SECOND");

    // Without expire_parked an empty batch does nothing.
    const TransactionResult none = txn.write(AssembledBatch{}, ExpectedOffsets{}, false);
    CHECK(none.outcome == Outcome::Committed);
    CHECK(none.letters.empty());
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked") == 1);

    const TransactionResult r = txn.write(AssembledBatch{}, ExpectedOffsets{}, true);
    REQUIRE(r.outcome == Outcome::Committed);
    REQUIRE(r.letters.size() == 1);
    CHECK(r.letters[0].stage == vsink::stage::parked_expired);
    CHECK(r.letters[0].error_class == "parent_missing");
    CHECK_THAT(r.letters[0].message, Catch::Contains("order") && Catch::Contains("for its parent in events") &&
                                         Catch::Contains("max_age_s=1"));
    REQUIRE(sink.seen.size() == 1);
    const SeenLetter &l = sink.seen[0];
    CHECK(l.stage == "parked-expired");
    CHECK(l.topic == kOrdersTopic);
    CHECK(l.partition == 2);
    CHECK(l.offset == 30);
    // The record itself, as stored with the parked row.
    REQUIRE(l.source);
    CHECK(l.key == std::optional<std::string>("ord-1"));
    CHECK(l.value == std::optional<std::string>(R"({"test":"ord-1"})"));
    CHECK(l.headers == std::vector<std::pair<std::string, std::optional<std::string>>>{
                           {"content-type", std::string("application/json")},
                           {"application-id", std::string("ticketland")}});
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked") == 0);
    CHECK(f.count("SELECT COUNT(*) FROM orders") == 0);
    CHECK(f.stored(kOrdersTopic, 2) == 31);  // an expiry moves no offset

    // Nothing left to expire.
    const TransactionResult again = txn.write(AssembledBatch{}, ExpectedOffsets{}, true);
    CHECK(again.letters.empty());
    CHECK(sink.seen.size() == 1);
}

namespace {

// Statements this session has sent so far, prepared (COM_STMT_EXECUTE) or
// as text (the upserts, COMMIT, SAVEPOINT): the server's Questions (the read
// itself included: callers subtract what a read alone costs).
int64_t stmt_executes(vsink::Database &db) {
    std::unique_ptr<sql::ResultSet> rs(
        db.prepare("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'QUESTIONS'")
            .executeQuery());
    REQUIRE(rs->next());
    return rs->getInt64(1);
}

}  // namespace

TEST_CASE("transaction writer: ticket status changes are multi-row updates that leave the rows single updates left",
          "[integration][txn][writer]") {
    TxnFixture f;
    RecordingSink sink;
    auto &txn = f.make(sink);
    for (int i = 0; i < 30; ++i)
        f.exec("INSERT INTO tickets (system, id, status) VALUES ('ticketland', 't-" + std::to_string(i) + "', " +
               (i == 5 ? "'refunded'" : "'active'") + ")");
    const std::string refunds = "ticketland.orders.refunds";
    BatchBuilder bb(f.mapping);
    int64_t offset = 0;
    auto status = [&](const std::string &id, const std::string &s) {
        bb.add(refunds, 0, offset++, "ticket_status", {{"system", "ticketland"}, {"id", id}, {"status", s}});
    };
    for (int i = 0; i < 25; ++i)
        status("t-" + std::to_string(i), i == 3 || i == 5 ? "cancelled" : "refunded");
    status("t-26", "cancelled");
    status("t-99", "refunded");   // no such ticket: waits for it
    status("t-3", "refunded");    // a later change of the same ticket wins
    status("t-7", "active");      // a refund is final (unless: refunded)

    const TransactionResult r = txn.write(bb.b, ExpectedOffsets{{{refunds, 0}, std::nullopt}}, false);
    REQUIRE(r.outcome == Outcome::Committed);
    CHECK(r.letters.empty());
    CHECK(r.stats.parked == 1);
    CHECK(r.stats.rows_by_table.at("tickets") == 28);
    // One ticket check, the 26 changes up to the first repeated ticket as
    // 16 + 8 + 2 rows, the 2 after it as one statement, one parked insert
    // (one UPDATE per row before: 28 of them).
    CHECK(r.stats.statements == 6);
    for (int i = 0; i < 30; ++i) {
        const std::string id = "t-" + std::to_string(i);
        INFO(id);
        const std::string expected = i == 3 ? "refunded"                 // cancelled, then refunded
                                     : i == 5 ? "refunded"               // already refunded: unless
                                     : i == 7 ? "refunded"               // refunded, then active: unless
                                     : i == 26 ? "cancelled"
                                     : i < 25 ? "refunded" : "active";   // 25, 27..29 untouched
        CHECK(f.scalar("SELECT status FROM tickets WHERE system = 'ticketland' AND id = '" + id + "'") == expected);
    }
    CHECK(f.count("SELECT COUNT(*) FROM tickets") == 30);
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked WHERE entity = 'ticket_status' AND parent_key LIKE '%t-99'") == 1);
    CHECK(f.stored(refunds, 0) == offset);

    // A value the column cannot hold fails the multi-row statement; the
    // record at fault alone is dead-lettered, the others still change.
    BatchBuilder more(f.mapping);
    for (int i = 25; i < 30; ++i)
        more.add(refunds, 0, offset + (i - 25), "ticket_status",
                 {{"system", "ticketland"}, {"id", "t-" + std::to_string(i)},
                  {"status", i == 27 ? std::string(40, 'q') : std::string("cancelled")}});
    const TransactionResult r2 = txn.write(more.b, ExpectedOffsets{{{refunds, 0}, offset}}, false);
    REQUIRE(r2.outcome == Outcome::Committed);
    REQUIRE(r2.letters.size() == 1);
    CHECK(r2.letters[0].error_class == "ER_DATA_TOO_LONG");
    CHECK(r2.letters[0].origin.offset == offset + 2);
    CHECK(f.count("SELECT COUNT(*) FROM tickets WHERE id IN ('t-25','t-26','t-28','t-29') AND status = 'cancelled'") == 4);
    CHECK(f.scalar("SELECT status FROM tickets WHERE id = 't-27'") == "active");
}

TEST_CASE("transaction writer: the parked rows waiting for a batch's tables are asked for in one statement",
          "[integration][txn][writer][parking]") {
    TxnFixture f;
    RecordingSink sink;
    auto &txn = f.make(sink);
    auto batch = [&](BatchBuilder &bb, int64_t first, const std::string &n) {
        bb.add(kTopic, 0, first, "organizer", {{"system", "ticketland"}, {"id", "org-" + n}, {"name", "O" + n}});
        bb.add(kTopic, 0, first + 1, "event",
               {{"system", "ticketland"}, {"id", "evt-" + n}, {"organizer_id", "org-" + n}, {"name", "E" + n},
                {"category", "concert"}});
        bb.add(kTopic, 0, first + 2, "order",
               {{"system", "ticketland"}, {"id", "ord-" + n}, {"number", "N" + n}, {"event_id", "evt-" + n}});
    };
    const int64_t first_read = stmt_executes(*f.db);
    const int64_t read_alone = stmt_executes(*f.db) - first_read;

    // Nothing parked: three tables written, one question to sink_parked for
    // all three (one per table before), besides the rows' statements.
    BatchBuilder one(f.mapping);
    batch(one, 0, "1");
    const int64_t before = stmt_executes(*f.db);
    const TransactionResult r = txn.write(one.b, ExpectedOffsets{{{kTopic, 0}, std::nullopt}}, false);
    const int64_t executed = stmt_executes(*f.db) - before - read_alone;
    REQUIRE(r.outcome == Outcome::Committed);
    CHECK(r.letters.empty());
    CHECK(r.stats.parked == 0);
    // 3 upserts + 1 locking probe of sink_parked (nothing parked for these
    // entities, nothing waits for these tables: no keyed question follows);
    // the fence (a placeholder row for the partition with no stored offset
    // yet, then the locking read) and the offsets are the writer's 3 more,
    // and its COMMIT.
    CHECK(r.stats.statements == 4);
    CHECK(executed == 8);
    CHECK(f.count("SELECT COUNT(*) FROM orders WHERE id = 'ord-1'") == 1);

    // An order parked for its event, then the event and its organizer: the
    // order comes back with the same one question, and is deleted.
    BatchBuilder park(f.mapping);
    park.add(kOrdersTopic, 0, 0, "order",
             {{"system", "ticketland"}, {"id", "ord-2"}, {"number", "N2"}, {"event_id", "evt-2"}});
    REQUIRE(txn.write(park.b, ExpectedOffsets{{{kOrdersTopic, 0}, std::nullopt}}, false).stats.parked == 1);
    BatchBuilder parents(f.mapping);
    parents.add(kTopic, 0, 3, "organizer", {{"system", "ticketland"}, {"id", "org-2"}, {"name", "O2"}});
    parents.add(kTopic, 0, 4, "event",
                {{"system", "ticketland"}, {"id", "evt-2"}, {"organizer_id", "org-2"}, {"name", "E2"},
                 {"category", "concert"}});
    const TransactionResult u = txn.write(parents.b, ExpectedOffsets{{{kTopic, 0}, 3}}, false);
    REQUIRE(u.outcome == Outcome::Committed);
    CHECK(u.stats.unparked == 1);
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked") == 0);
    CHECK(f.scalar("SELECT number FROM orders WHERE id = 'ord-2'") == "N2");
    CHECK(f.scalar("SELECT event_id FROM orders WHERE id = 'ord-2'") == "evt-2");
}

TEST_CASE("transaction writer: a parking storm is applied in rounds: every row lands, a refused one keeps its record",
          "[integration][txn][writer][parking]") {
    // 4,500 orders wait for one event (a parent topic read long after its
    // children): the event's transaction applies them in rounds of bounded
    // memory (1,000 rows each), the records of rows applied are let go after
    // each round, and a row the database refuses in the fourth round goes to
    // the dead-letter queue with its own record, intact.
    TxnFixture f;
    RecordingSink sink;
    auto &txn = f.make(sink);
    constexpr int kOrders = 4500, kBad = 3100;
    BatchBuilder park(f.mapping);
    for (int i = 0; i < kOrders; ++i)
        park.add(kOrdersTopic, 0, i, "order",
                 {{"system", "ticketland"},
                  {"id", "ord-" + std::to_string(i)},
                  {"number", "N-" + std::to_string(i)},
                  {"event_id", "evt-s"},
                  {"customer_phone", i == kBad ? "+79001112233" : "+7900"}});
    const TransactionResult parked = txn.write(park.b, ExpectedOffsets{{{kOrdersTopic, 0}, std::nullopt}}, false);
    REQUIRE(parked.outcome == Outcome::Committed);
    REQUIRE(parked.stats.parked == kOrders);
    REQUIRE(f.count("SELECT COUNT(*) FROM sink_parked") == kOrders);
    // While they wait, the column narrows: one of them no longer fits.
    f.exec("ALTER TABLE orders MODIFY customer_phone VARCHAR(8)");

    BatchBuilder parents(f.mapping);
    parents.add(kTopic, 0, 0, "organizer", {{"system", "ticketland"}, {"id", "org-s"}, {"name", "OS"}});
    parents.add(kTopic, 0, 1, "event",
                {{"system", "ticketland"}, {"id", "evt-s"}, {"organizer_id", "org-s"}, {"name", "ES"},
                 {"category", "concert"}});
    const TransactionResult u = txn.write(parents.b, ExpectedOffsets{{{kTopic, 0}, std::nullopt}}, false);
    REQUIRE(u.outcome == Outcome::Committed);
    CHECK(u.stats.unparked == kOrders);
    CHECK(u.stats.rejected_parked == 1);
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked") == 0);
    CHECK(f.count("SELECT COUNT(*) FROM orders") == kOrders - 1);
    CHECK(f.count("SELECT COUNT(*) FROM orders WHERE event_id = 'evt-s' AND customer_phone = '+7900' AND "
                  "number = CONCAT('N-', SUBSTRING(id, 5))") == kOrders - 1);
    CHECK(f.count("SELECT COUNT(*) FROM orders WHERE id = 'ord-" + std::to_string(kBad) + "'") == 0);
    for (const int i : {0, 999, 1000, 2999, 3000, 3999, 4000, kOrders - 1})
        CHECK(f.scalar("SELECT number FROM orders WHERE id = 'ord-" + std::to_string(i) + "'") ==
              "N-" + std::to_string(i));
    CHECK(f.stored(kTopic, 0) == 2);
    REQUIRE(sink.seen.size() == 1);
    const SeenLetter &l = sink.seen[0];
    CHECK(l.stage == "database");
    CHECK(l.error_class == "ER_DATA_TOO_LONG");
    CHECK(l.topic == kOrdersTopic);
    CHECK(l.offset == kBad);
    REQUIRE(l.source);
    CHECK(l.key == std::optional<std::string>("ord-" + std::to_string(kBad)));
    CHECK(l.value == std::optional<std::string>(R"({"test":"ord-)" + std::to_string(kBad) + R"("})"));
    CHECK(l.headers == std::vector<std::pair<std::string, std::optional<std::string>>>{
                           {"content-type", std::string("application/json")},
                           {"application-id", std::string("ticketland")}});
}

TEST_CASE("entity writer: a row another worker parked after this transaction began is applied with its parent",
          "[integration][txn][writer][parking]") {
    // Worker A's transaction has read before worker B parks an order and
    // commits; A then writes the order's event. The parked rows A finds and
    // reads must be the latest committed ones, not A's snapshot, or the
    // order stays parked although its event is there.
    TxnFixture f;
    f.db->begin();
    {
        std::unique_ptr<sql::ResultSet> rs(f.db->prepare("SELECT COUNT(*) FROM `sink_parked`").executeQuery());
        REQUIRE(rs->next());
        REQUIRE(rs->getInt64(1) == 0);  // A's snapshot: nothing parked
    }
    {
        vsink::Database other(f.db_config);
        other.connect();
        vsink::EntityWriter b(other, f.mapping);
        BatchBuilder park(f.mapping);
        park.add(kOrdersTopic, 1, 7, "order",
                 {{"system", "ticketland"}, {"id", "ord-b"}, {"number", "NB"}, {"event_id", "evt-b"}});
        other.begin();
        b.begin_transaction();
        REQUIRE(b.apply(park.b.rows[0]).parked == 1);
        other.commit();
    }
    BatchBuilder parents(f.mapping);
    parents.add(kTopic, 0, 0, "organizer", {{"system", "ticketland"}, {"id", "org-b"}, {"name", "OB"}});
    parents.add(kTopic, 0, 1, "event",
                {{"system", "ticketland"}, {"id", "evt-b"}, {"organizer_id", "org-b"}, {"name", "EB"},
                 {"category", "concert"}});
    f.writer->begin_transaction();
    std::vector<const EntityRow *> rows;
    for (const auto &rec : parents.b.rows)
        for (const auto &row : rec) rows.push_back(&row);
    const vsink::WriteStats st = f.writer->apply(rows);
    f.db->commit();
    CHECK(st.unparked == 1);
    CHECK(f.scalar("SELECT number FROM orders WHERE id = 'ord-b'") == "NB");
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked") == 0);
}

TEST_CASE("entity writer: while rows stay parked, two workers writing parents of other keys do not wait for each other",
          "[integration][txn][writer][parking]") {
    // Orders wait for two events. Workers A and B each write an event
    // nothing waits for, at once. Finding rows parked for `events` must not
    // lock the first of them: B's transaction would wait until A's ends, and
    // two workers of one group would write one after the other for as long
    // as anything stays parked (orders topology, issue 9).
    TxnFixture f;
    RecordingSink sink;
    auto &txn = f.make(sink);
    BatchBuilder park(f.mapping);
    park.add(kOrdersTopic, 0, 0, "order",
             {{"system", "ticketland"}, {"id", "ord-1"}, {"number", "N1"}, {"event_id", "evt-p1"}});
    park.add(kOrdersTopic, 0, 1, "order",
             {{"system", "ticketland"}, {"id", "ord-2"}, {"number", "N2"}, {"event_id", "evt-p2"}});
    REQUIRE(txn.write(park.b, ExpectedOffsets{{{kOrdersTopic, 0}, std::nullopt}}, false).stats.parked == 2);

    vsink::Database other(f.db_config);
    other.connect();
    other.execute("SET SESSION innodb_lock_wait_timeout = 3");
    vsink::EntityWriter b(other, f.mapping);
    const auto event = [&](BatchBuilder &bb, int64_t offset, const std::string &id) {
        bb.add(kTopic, 0, offset, "event",
               {{"system", "ticketland"}, {"id", id}, {"name", "E " + id}, {"category", "concert"}});
    };
    const auto apply = [](vsink::EntityWriter &w, BatchBuilder &bb) {
        w.begin_transaction();
        std::vector<const EntityRow *> rows;
        for (const auto &rec : bb.b.rows)
            for (const auto &row : rec) rows.push_back(&row);
        return w.apply(rows);
    };
    // Each worker has written once since the orders parked (their probes
    // know rows wait for events).
    BatchBuilder a0(f.mapping), b0(f.mapping);
    event(a0, 0, "evt-a0");
    event(b0, 1, "evt-b0");
    f.db->begin();
    REQUIRE(apply(*f.writer, a0).unparked == 0);
    f.db->commit();
    other.begin();
    REQUIRE(apply(b, b0).unparked == 0);
    other.commit();

    // Now at once: A's transaction stays open while B writes and commits.
    BatchBuilder a1(f.mapping), b1(f.mapping);
    event(a1, 2, "evt-a1");
    event(b1, 3, "evt-b1");
    f.db->begin();
    REQUIRE(apply(*f.writer, a1).unparked == 0);
    other.begin();
    const auto started = std::chrono::steady_clock::now();
    vsink::WriteStats bs;
    REQUIRE_NOTHROW(bs = apply(b, b1));  // a lock wait ends in "Lock wait timeout exceeded"
    other.commit();
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    f.db->commit();
    CHECK(bs.unparked == 0);
    CHECK(waited < 2.0);
    CHECK(f.count("SELECT COUNT(*) FROM events WHERE id IN ('evt-a0', 'evt-b0', 'evt-a1', 'evt-b1')") == 4);
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked") == 2);

    // The orders' events: each order lands with its own, nothing is left.
    BatchBuilder a2(f.mapping), b2(f.mapping);
    event(a2, 4, "evt-p1");
    event(b2, 5, "evt-p2");
    f.db->begin();
    CHECK(apply(*f.writer, a2).unparked == 1);
    f.db->commit();
    other.begin();
    CHECK(apply(b, b2).unparked == 1);
    other.commit();
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked") == 0);
    CHECK(f.scalar("SELECT CONCAT(id, ':', number, ':', event_id) FROM orders WHERE id = 'ord-1'") == "ord-1:N1:evt-p1");
    CHECK(f.scalar("SELECT CONCAT(id, ':', number, ':', event_id) FROM orders WHERE id = 'ord-2'") == "ord-2:N2:evt-p2");
}

TEST_CASE("transaction writer: a batch of more keys than one statement takes binds them only for tables something waits for",
          "[integration][txn][writer][parking]") {
    TxnFixture f;
    RecordingSink sink;
    auto &txn = f.make(sink);
    // An order waits for its event.
    BatchBuilder park(f.mapping);
    park.add(kOrdersTopic, 0, 0, "order",
             {{"system", "ticketland"}, {"id", "ord-p"}, {"number", "NP"}, {"event_id", "evt-p"}});
    REQUIRE(txn.write(park.b, ExpectedOffsets{{{kOrdersTopic, 0}, std::nullopt}}, false).stats.parked == 1);

    // 300 organizers and the event (301 keys, more than one 200-key
    // statement): nothing waits for an organizer, the order for the event.
    BatchBuilder big(f.mapping);
    for (int i = 0; i < 300; ++i)
        big.add(kTopic, 0, i, "organizer",
                {{"system", "ticketland"}, {"id", "org-" + std::to_string(i)}, {"name", "O" + std::to_string(i)}});
    big.add(kTopic, 0, 300, "event",
            {{"system", "ticketland"}, {"id", "evt-p"}, {"organizer_id", "org-7"}, {"name", "EP"},
             {"category", "concert"}});
    const TransactionResult u = txn.write(big.b, ExpectedOffsets{{{kTopic, 0}, std::nullopt}}, false);
    REQUIRE(u.outcome == Outcome::Committed);
    CHECK(u.stats.unparked == 1);
    CHECK(u.stats.parked == 0);
    CHECK(f.count("SELECT COUNT(*) FROM sink_parked") == 0);
    CHECK(f.count("SELECT COUNT(*) FROM organizers") == 300);
    CHECK(f.scalar("SELECT number FROM orders WHERE id = 'ord-p'") == "NP");
    CHECK(f.scalar("SELECT event_id FROM orders WHERE id = 'ord-p'") == "evt-p");

    // Nothing parked, 300 more organizers: one upsert of 300 rows (its values
    // inline) and one probe of sink_parked, no statement binding the 300 keys
    // (two 200-key statements before).
    BatchBuilder more(f.mapping);
    for (int i = 300; i < 600; ++i)
        more.add(kTopic, 0, i - 300 + 301, "organizer",
                 {{"system", "ticketland"}, {"id", "org-" + std::to_string(i)}, {"name", "O" + std::to_string(i)}});
    const TransactionResult r = txn.write(more.b, ExpectedOffsets{{{kTopic, 0}, 301}}, false);
    REQUIRE(r.outcome == Outcome::Committed);
    CHECK(r.stats.unparked == 0);
    CHECK(r.stats.statements == 2);
    CHECK(r.stats.rows_by_table.at("organizers") == 300);
    CHECK(f.count("SELECT COUNT(*) FROM organizers") == 600);
    CHECK(f.scalar("SELECT name FROM organizers WHERE id = 'org-599'") == "O599");
    CHECK(f.scalar("SELECT name FROM organizers WHERE id = 'org-555'") == "O555");
}

// The fence of two connections (or workers) taking partitions that have no
// stored offset yet: each must lock only its own rows, never the gap where
// another's row will go (two writers on new partitions deadlocked on their
// first batch every time), and a transaction that rolls back leaves nothing.
TEST_CASE("offset store: two transactions fencing new partitions lock only their own rows",
          "[integration][offsets-fence]") {
    TxnFixture f;
    vsink::Database other(f.db_config);
    other.connect();
    for (vsink::Database *d : {f.db.get(), &other})
        d->execute("SET SESSION innodb_lock_wait_timeout = 3");  // a wait for a lock fails fast, not after 50 s
    vsink::OffsetStore oa(*f.db, kGroup), ob(other, kGroup);
    const vsink::TopicPartition p0{"t", 0}, p1{"t", 1};
    f.db->begin();
    other.begin();
    // Both lock a partition with no row yet: none stored, for both.
    CHECK(oa.lock({p0}, {p0}).empty());
    CHECK(ob.lock({p1}, {p1}).empty());
    // Both store and commit: neither waits for the other's locks (a locking
    // read of a missing row would have locked the gap both rows go into, and
    // the first store would wait for the second transaction: 1205 here).
    REQUIRE_NOTHROW(oa.store({{p0, 10}}));
    REQUIRE_NOTHROW(ob.store({{p1, 20}}));
    f.db->commit();
    other.commit();
    CHECK(f.stored("t", 0) == 10);
    CHECK(f.stored("t", 1) == 20);

    // Stored rows are read back as they are, and a placeholder of a
    // transaction that rolls back never shows.
    f.db->begin();
    const auto stored = oa.lock({p0, p1, {"t", 2}}, {{"t", 2}});
    CHECK(stored.size() == 2);
    CHECK(stored.at(p0) == 10);
    CHECK(stored.at(p1) == 20);
    CHECK(f.count("SELECT COUNT(*) FROM sink_offsets") == 2);  // another session sees no placeholder
    f.db->rollback();
    CHECK(f.count("SELECT COUNT(*) FROM sink_offsets") == 2);
    CHECK(f.count("SELECT COUNT(*) FROM sink_offsets WHERE next_offset < 0") == 0);
}

TEST_CASE("database: cached statements hold at most kStatementCacheParams parameters, the one in use stays open",
          "[integration][txn][database]") {
    TxnFixture f;
    vsink::Database &db = *f.db;
    // SELECT COALESCE(?, ..., ?) of `n` parameters; `tag` makes the text distinct.
    auto text = [](size_t n, int tag) {
        std::string q = "SELECT COALESCE(";
        for (size_t i = 0; i < n; ++i) q += i ? ",?" : "?";
        return q + ") AS v /* " + std::to_string(tag) + " */";
    };
    auto run = [](sql::PreparedStatement &st, size_t n, const std::string &first) {
        st.setString(1, first);
        for (size_t i = 2; i <= n; ++i) st.setNull(static_cast<unsigned>(i), sql::DataType::VARCHAR);
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        REQUIRE(rs->next());
        return std::string(rs->getString(1));
    };
    const size_t before = db.cached_parameters();
    constexpr size_t kParams = 5000;
    for (int i = 0; i < 12; ++i) {
        sql::PreparedStatement &st = db.prepare(text(kParams, i));
        CHECK(run(st, kParams, "v" + std::to_string(i)) == "v" + std::to_string(i));
        CHECK(db.cached_parameters() <= vsink::Database::kStatementCacheParams);
    }
    CHECK(db.cached_parameters() >= vsink::Database::kStatementCacheParams - kParams - before);
    CHECK(db.cached_statements() <= vsink::Database::kStatementCacheParams / kParams + 1);

    // One statement alone over the budget closes every other one, but not
    // the statement prepared just before it: its results are still read.
    sql::PreparedStatement &small = db.prepare(text(3, 100));
    small.setString(1, "kept");
    small.setNull(2, sql::DataType::VARCHAR);
    small.setNull(3, sql::DataType::VARCHAR);
    std::unique_ptr<sql::ResultSet> open(small.executeQuery());
    sql::PreparedStatement &huge = db.prepare(text(vsink::Database::kStatementCacheParams + 1000, 101));
    CHECK(db.cached_statements() == 2);
    REQUIRE(open->next());
    CHECK(std::string(open->getString(1)) == "kept");
    open.reset();
    CHECK(run(huge, vsink::Database::kStatementCacheParams + 1000, "huge") == "huge");
    CHECK(run(small, 3, "again") == "again");
}

TEST_CASE("entity writer: every kind of value reads back byte for byte: quotes, backslashes, control bytes, "
          "Cyrillic and emoji, doubles, booleans, timestamps, NULLs",
          "[integration][txn][writer][values]") {
    // The upserts carry their values as literals (upsert_text): what goes in
    // must come back exactly, whatever it holds.
    TxnFixture f;
    const vsink::EntityDef *venue = f.mapping.entity("venue");
    const vsink::EntityDef *organizer = f.mapping.entity("organizer");
    REQUIRE(venue);
    REQUIRE(organizer);
    auto row = [](const vsink::EntityDef *def, const std::vector<std::pair<std::string, Value>> &values) {
        EntityRow r;
        r.def = def;
        r.values.assign(def->columns.size(), Value::null());
        for (const auto &[col, v] : values) {
            size_t i = 0;
            while (i < def->columns.size() && def->columns[i] != col) ++i;
            REQUIRE(i < def->columns.size());
            r.values[i] = v;
        }
        r.origin = RecordOrigin{kTopic, 0, 0, nullptr};
        return r;
    };
    auto dbl = [](double d) {
        Value v;
        v.kind = Value::Kind::Double;
        v.d = d;
        return v;
    };
    auto hex = [](const std::string &s) {
        static const char digits[] = "0123456789ABCDEF";
        std::string out;
        for (const unsigned char c : s) {
            out += digits[c >> 4];
            out += digits[c & 15];
        }
        return out;
    };
    const char raw[] = "O'Brien \\ \"Hall\"\n\t\x1a end\0after";
    const std::string nasty(raw, sizeof raw - 1);  // the NUL byte included
    const std::string cyrillic = "Москва, Лужники 🎫";
    Value hidden;
    hidden.kind = Value::Kind::Bool;
    hidden.i = 1;
    Value updated;
    updated.kind = Value::Kind::TimestampMs;
    updated.i = 1740997200123;
    std::vector<EntityRow> rows;
    rows.push_back(row(venue, {{"system", Value::str("ticketland")},
                               {"id", Value::str("v-1")},
                               {"name", Value::str(nasty)},
                               {"address", Value::str(cyrillic)},
                               {"description", Value::str("")},
                               {"lat", dbl(55.715551)},
                               {"lon", dbl(-37.553719)}}));
    rows.push_back(row(venue, {{"system", Value::str("ticketland")},
                               {"id", Value::str("v-'2")},
                               {"name", Value::str("\\")},
                               {"lat", dbl(1e-300)},
                               {"lon", dbl(std::numeric_limits<double>::quiet_NaN())}}));
    rows.push_back(row(organizer, {{"system", Value::str("ticketland")},
                                   {"id", Value::str("org-1")},
                                   {"name", Value::str("ООО «Тест»")},
                                   {"hidden", hidden},
                                   {"updated_at", updated}}));
    f.db->begin();
    f.writer->begin_transaction();
    const vsink::WriteStats st = f.writer->apply(rows);
    f.db->commit();
    CHECK(st.parked == 0);
    CHECK(f.count("SELECT COUNT(*) FROM venues") == 2);
    CHECK(f.scalar("SELECT HEX(name) FROM venues WHERE id = 'v-1'") == hex(nasty));
    CHECK(f.scalar("SELECT HEX(address) FROM venues WHERE id = 'v-1'") == hex(cyrillic));
    CHECK(f.scalar("SELECT CHAR_LENGTH(address) FROM venues WHERE id = 'v-1'") == "17");
    CHECK(f.scalar("SELECT description FROM venues WHERE id = 'v-1'").empty());
    CHECK(f.scalar("SELECT description IS NULL FROM venues WHERE id = 'v-1'") == "0");
    CHECK(f.scalar("SELECT zipcode IS NULL FROM venues WHERE id = 'v-1'") == "1");
    CHECK(f.scalar("SELECT lat = 55.715551e0 AND lon = -37.553719e0 FROM venues WHERE id = 'v-1'") == "1");
    CHECK(f.scalar("SELECT name FROM venues WHERE id = 'v-''2'") == "\\");
    CHECK(f.scalar("SELECT lat = 1e-300 FROM venues WHERE id = 'v-''2'") == "1");
    CHECK(f.scalar("SELECT lon IS NULL FROM venues WHERE id = 'v-''2'") == "1");  // NaN: no SQL value
    CHECK(f.scalar("SELECT name FROM organizers WHERE id = 'org-1'") == "ООО «Тест»");
    CHECK(f.scalar("SELECT hidden FROM organizers WHERE id = 'org-1'") == "1");
    CHECK(f.scalar("SELECT updated_at FROM organizers WHERE id = 'org-1'") == "2025-03-03 10:20:00.123");
}
