// Statements are sized by bytes under the server's max_allowed_packet (issue
// 8, point 4, C6). A batch of 500 events whose descriptions are ~40 KB each
// made one 20 MB INSERT: the server answered 1153 (packet too large) or
// simply closed the connection (08S01, 2006, 2013), the transaction was
// retried with the same statement, and the partition stalled for ever.
#include <catch2/catch.hpp>

#include "sink_fixture.hpp"

#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

using namespace vsink::test;

namespace {

constexpr int64_t kPacketLimit = 1024 * 1024;  // 1 MiB, the server's max_allowed_packet for this test
constexpr int kRecords = 1500;  // three full batches of 500
constexpr size_t kEventTextBytes = 40000;  // events.description is TEXT: at most 65535 bytes
constexpr size_t kVenueTextBytes = 30000;  // every tenth record also has a venue with a long description

// Lowers the server's global max_allowed_packet (new sessions read it at
// connect) and puts the previous value back when the test ends, pass or fail.
class PacketLimit {
public:
    PacketLimit(Database &db, int64_t bytes)
        : db_(db), saved_(db.scalar_int("SELECT @@GLOBAL.max_allowed_packet")) {
        db_.exec("SET GLOBAL max_allowed_packet = " + std::to_string(bytes));
    }
    ~PacketLimit() {
        try {
            db_.exec("SET GLOBAL max_allowed_packet = " + std::to_string(saved_));
        } catch (...) {
        }
    }
    PacketLimit(const PacketLimit &) = delete;
    PacketLimit &operator=(const PacketLimit &) = delete;

private:
    Database &db_;
    int64_t saved_;
};

// `bytes` bytes of UTF-8 text, different for every `seed`: an ASCII prefix
// naming it, then Cyrillic letters (two bytes each), so that a byte budget
// that counted characters instead of bytes would be off by half.
std::string long_text(const std::string &seed, size_t bytes) {
    static const char *const kLetters[] = {"а", "б", "в", "г", "д", "е", "ж", "з", "и", "й", "к",
                                           "л", "м", "н", "о", "п", "р", "с", "т", "у", "ф", "х",
                                           "ц", "ч", "ш", "щ", "ъ", "ы", "ь", "э", "ю", "я"};
    std::string s = seed + ": ";
    s.reserve(bytes);
    const size_t offset = std::hash<std::string>{}(seed);
    for (size_t i = 0; s.size() + 2 <= bytes; ++i) {
        s += kLetters[(offset + i * 7 + i / 32) % 32];
        if (i % 20 == 19 && s.size() < bytes) s += ' ';
    }
    while (s.size() < bytes) s += '.';
    return s;
}

std::string event_id(int i) { return "evt-" + std::to_string(i); }
std::string venue_id(int i) { return "ven-" + std::to_string(i); }
bool has_venue(int i) { return i % 10 == 0; }
constexpr int kVenues = (kRecords + 9) / 10;

int64_t server_counter(SinkFixture &f, const std::string &name) {
    const auto rows = f.rows("SHOW GLOBAL STATUS LIKE " + Database::quote(name));
    REQUIRE(rows.size() == 1);
    return std::stoll(col(rows[0], "Value"));
}

}  // namespace

TEST_CASE("statement size: 40 KB texts in 500-record batches drain under a 1 MiB max_allowed_packet",
          "[integration][statement-size]") {
    SinkOptions opts;
    opts.max_records = 500;
    opts.max_wait_ms = 3000;  // full batches: 500 records, a 20 MB INSERT of events before the fix
    SinkFixture f(opts);

    size_t total_text_bytes = 0;
    for (int i = 0; i < kRecords; ++i) {
        const std::string id = event_id(i);
        std::string json = R"({"id":")" + id + R"(","name":"Event )" + std::to_string(i) +
                           R"(","category":"concert","start_at":1740997200,"description":")" +
                           long_text(id, kEventTextBytes) + "\"";
        total_text_bytes += kEventTextBytes;
        if (has_venue(i)) {
            json += R"(,"venue":{"id":")" + venue_id(i) + R"(","name":"Hall )" + std::to_string(i) +
                    R"(","description":")" + long_text(venue_id(i), kVenueTextBytes) + "\"}";
            total_text_bytes += kVenueTextBytes;
        }
        json += "}";
        f.produce("ticketland.orders.events", id, json);
    }
    f.flush();

    PacketLimit limit(f.db(), kPacketLimit);
    // INSERTs run (the upserts carry their values inline, as text; the
    // offsets' and parked rows' inserts are prepared: Com_insert counts both).
    const int64_t executes_before = server_counter(f, "Com_insert");

    Process p({std::getenv("VSINK_SINKHOST"), "run", "--stop-at-end", "--config", f.config_path()}, f.env().as_env(),
              f.config_path() + ".statement-size.log");
    auto st = p.wait(90000);
    INFO(p.log().substr(p.log().size() > 20000 ? p.log().size() - 20000 : 0));
    REQUIRE(st);  // before the fix: still retrying the same too-big INSERT after 90 s
    CHECK(st->success());
    CHECK_THAT(p.log(), Catch::Contains("caught up with the end of every assigned partition"));
    CHECK_THAT(p.log(), !Catch::Contains("retrying"));
    CHECK_THAT(p.log(), !Catch::Contains("rejected"));

    const int64_t executes = server_counter(f, "Com_insert") - executes_before;
    const int rows = kRecords + kVenues;
    INFO("INSERT statements: " << executes << " for " << rows << " rows, " << total_text_bytes
                                          << " bytes of text");
    // No statement carried more than the server's limit...
    CHECK(executes >= static_cast<int64_t>(total_text_bytes / kPacketLimit));
    // ...and rows still travel many to a statement.
    CHECK(executes < rows / 4);

    CHECK(f.scalar("SELECT next_offset FROM sink_offsets") == std::to_string(kRecords));
    CHECK(f.scalar("SELECT COUNT(*) FROM events") == std::to_string(kRecords));
    CHECK(f.scalar("SELECT COUNT(*) FROM venues") == std::to_string(kVenues));
    CHECK(f.scalar("SELECT COUNT(*) FROM events WHERE LENGTH(description) = " + std::to_string(kEventTextBytes)) ==
          std::to_string(kRecords));
    CHECK(f.scalar("SELECT COUNT(*) FROM venues WHERE LENGTH(description) = " + std::to_string(kVenueTextBytes)) ==
          std::to_string(kVenues));
    CHECK(f.scalar("SELECT COUNT(*) FROM events WHERE venue_id IS NOT NULL") == std::to_string(kVenues));

    // A sample, column by column, the long texts compared byte for byte.
    for (int i : {0, 1, 2, 499, 500, 501, 777, 998, 999, 1000, 1490, kRecords - 1}) {
        INFO("event " << i);
        const auto ev = f.rows("SELECT * FROM events WHERE id = " + Database::quote(event_id(i)));
        REQUIRE(ev.size() == 1);
        CHECK(col(ev[0], "system") == "ticketland");
        CHECK(col(ev[0], "name") == "Event " + std::to_string(i));
        CHECK(col(ev[0], "category") == "concert");
        CHECK(col(ev[0], "start_at") == "2025-03-03 10:20:00.000");
        CHECK(col(ev[0], "organizer_id") == "NULL");
        CHECK(col(ev[0], "venue_id") == (has_venue(i) ? venue_id(i) : std::string("NULL")));
        CHECK(col(ev[0], "description") == long_text(event_id(i), kEventTextBytes));
        if (has_venue(i)) {
            const auto ve = f.rows("SELECT * FROM venues WHERE id = " + Database::quote(venue_id(i)));
            REQUIRE(ve.size() == 1);
            CHECK(col(ve[0], "name") == "Hall " + std::to_string(i));
            CHECK(col(ve[0], "description") == long_text(venue_id(i), kVenueTextBytes));
        }
    }
}
