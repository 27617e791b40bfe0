// The fence of two connections (or workers) taking partitions that have no
// stored offset yet: each must lock only its own rows, never the gap where
// another's row will go (two writers on new partitions deadlocked on their
// first batch every time), and a transaction that rolls back leaves nothing.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstdlib>
#include <sstream>

#include <vsink/test/database.hpp>
#include <vsink/test/server_env.hpp>
#include <vsink/test/unique_name.hpp>

#include "mapping/mapping.hpp"
#include "persistence/database.hpp"
#include "persistence/offset_store.hpp"
#include "persistence/schema_migrator.hpp"

namespace {

const char *kGroup = "offset-store-test";

class TwoConnections {
public:
    TwoConnections() : env_(vsink::test::ServerEnv::require()), name_("vibe_" + vsink::test::unique_name("offs")) {
        for (char &c : name_)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        admin = std::make_unique<vsink::test::Database>(env_);
        admin->create_database(name_);
        admin->use(name_);
        vsink::DatabaseConfig dc;
        dc.host = env_.db_host;
        dc.port = env_.db_port;
        dc.name = name_;
        dc.user = env_.db_user;
        dc.password = env_.db_password;
        const std::string src = std::getenv("VSINK_SOURCE_DIR") ? std::getenv("VSINK_SOURCE_DIR") : ".";
        const auto mapping = vsink::Mapping::load({src + "/mappings/vibe-tables.yaml", src + "/mappings/orders.yaml"});
        for (auto *db : {&a, &b}) {
            *db = std::make_unique<vsink::Database>(dc);
            (*db)->connect();
            // A wait for a lock fails fast here instead of after 50 s.
            (*db)->execute("SET SESSION innodb_lock_wait_timeout = 3");
        }
        std::ostringstream out;
        vsink::apply_schema(*a, mapping, out);
        a->commit();
    }
    ~TwoConnections() {
        a.reset();
        b.reset();
        try {
            admin->drop_database(name_);
        } catch (...) {
        }
    }
    std::unique_ptr<vsink::Database> a, b;
    std::unique_ptr<vsink::test::Database> admin;

private:
    vsink::test::ServerEnv env_;
    std::string name_;
};

}  // namespace

TEST_CASE("offset store: two transactions fencing new partitions lock only their own rows",
          "[integration][offsets-fence]") {
    TwoConnections t;
    vsink::OffsetStore oa(*t.a, kGroup), ob(*t.b, kGroup);
    const vsink::TopicPartition p0{"t", 0}, p1{"t", 1};
    t.a->begin();
    t.b->begin();
    // Both lock a partition with no row yet: none stored, for both.
    CHECK(oa.lock({p0}, {p0}).empty());
    CHECK(ob.lock({p1}, {p1}).empty());
    // Both store and commit: neither waits for the other's locks (a locking
    // read of a missing row would have locked the gap both rows go into, and
    // the first store would wait for the second transaction: 1205 here).
    REQUIRE_NOTHROW(oa.store({{p0, 10}}));
    REQUIRE_NOTHROW(ob.store({{p1, 20}}));
    t.a->commit();
    t.b->commit();
    CHECK(t.admin->scalar_int("SELECT next_offset FROM sink_offsets WHERE kafka_partition = 0") == 10);
    CHECK(t.admin->scalar_int("SELECT next_offset FROM sink_offsets WHERE kafka_partition = 1") == 20);

    // Stored rows are read back as they are, and a placeholder of a
    // transaction that rolls back never shows.
    t.a->begin();
    const auto stored = oa.lock({p0, p1, {"t", 2}}, {{"t", 2}});
    CHECK(stored.size() == 2);
    CHECK(stored.at(p0) == 10);
    CHECK(stored.at(p1) == 20);
    CHECK(t.admin->scalar_int("SELECT COUNT(*) FROM sink_offsets") == 2);  // another session sees no placeholder
    t.a->rollback();
    CHECK(t.admin->scalar_int("SELECT COUNT(*) FROM sink_offsets") == 2);
    CHECK(t.admin->scalar_int("SELECT COUNT(*) FROM sink_offsets WHERE next_offset < 0") == 0);
}
