// `sinkhost offsets` against the real servers (issue 10, point 5): the
// numbers it shows are the database's and Kafka's; a reset writes
// sink_offsets and the group's Kafka offsets, --dry-run writes nothing, and
// unknown topics, negative or out-of-range offsets and an active group are
// refused with nothing written.
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <regex>

#include "sink_fixture.hpp"

using namespace vsink::test;

namespace {

const std::string kOrganizers = "ticketland.orders.organizers";

// Produces organizers org-<from> .. org-<to - 1> on partition 0.
void produce_organizers(SinkFixture &f, int from, int to) {
    for (int i = from; i < to; ++i)
        f.produce(kOrganizers, "org-" + std::to_string(i),
                  R"({"id":"org-)" + std::to_string(i) + R"(","name":"N)" + std::to_string(i) + R"("})");
    f.flush();
}

std::string stored(SinkFixture &f, const std::string &topic, int partition = 0) {
    const auto rows = f.rows("SELECT next_offset FROM sink_offsets WHERE group_id = '" + f.group() +
                             "' AND topic = '" + topic + "' AND kafka_partition = " + std::to_string(partition));
    return rows.empty() ? "none" : col(rows[0], "next_offset");
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string iso8601(int64_t ms) {
    const std::time_t s = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[80];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
    return out;
}

// The row `offsets` prints for topic[partition]: stored, end and lag.
std::smatch row_of(const std::string &out, const std::string &topic, int partition, std::string &storage) {
    storage = out;
    std::smatch m;
    std::regex re("(^|\n)" + std::regex_replace(topic, std::regex(R"([.])"), R"(\.)") + " +" +
                  std::to_string(partition) + " +(-|[0-9]+) +([0-9]+) +([0-9]+)\n");
    std::regex_search(storage, m, re);
    return m;
}

// Drains 3 organizers into the database, then produces 2 more it does not read.
struct Drained {
    SinkFixture f;
    std::string topic = f.topic(kOrganizers);
    int64_t between_ms = 0;  // after the first 3 records' timestamps, before the last 2's
    Drained() {
        produce_organizers(f, 0, 3);
        f.start_sink();
        REQUIRE(f.wait_caught_up());
        f.stop_sink();
        between_ms = now_ms() + 1;
        // The next records' create time must be later than between_ms: wait for the clock to pass it.
        while (now_ms() <= between_ms) {
        }
        produce_organizers(f, 3, 5);
        REQUIRE(f.admin().end_offsets(topic) == std::vector<int64_t>{5});
        REQUIRE(stored(f, topic) == "3");
    }
};

}  // namespace

TEST_CASE("offsets: every subscribed partition with its stored offset, end offset and lag", "[integration][offsets]") {
    Drained d;
    auto [st, out] = d.f.run_cli({"offsets"});
    INFO(out);
    REQUIRE(st.success());
    CHECK_THAT(out, Catch::Contains("group " + d.f.group()));
    CHECK_THAT(out, Catch::Contains("partition") && Catch::Contains("stored") && Catch::Contains("end") &&
                        Catch::Contains("lag"));
    std::string s;
    const auto m = row_of(out, d.topic, 0, s);
    REQUIRE(!m.empty());
    CHECK(m[2] == stored(d.f, d.topic));                                  // the database's sink_offsets: 3
    CHECK(m[3] == std::to_string(d.f.admin().end_offsets(d.topic)[0]));  // Kafka's high watermark: 5
    CHECK(m[4] == "2");
    // Every other mapped topic of the orders topology is listed too, nothing stored, nothing to read.
    const auto events = row_of(out, d.f.topic("ticketland.orders.events"), 0, s);
    REQUIRE(!events.empty());
    CHECK(events[2] == "-");
    CHECK(events[3] == "0");
    CHECK(events[4] == "0");
    CHECK_THAT(out, Catch::Contains("total lag 2 over"));
    // The columns line up: every row is as wide as the header.
    std::smatch hdr;
    REQUIRE(std::regex_search(out, hdr, std::regex("\n(topic +partition +stored +end +lag)\n")));
    std::smatch first_row;
    REQUIRE(std::regex_search(out, first_row, std::regex("lag\n([^\n]+)\n")));
    CHECK(first_row[1].length() == hdr[1].length());
}

TEST_CASE("offsets: reset to an offset, earliest, latest and a time, each after a dry run that writes nothing",
          "[integration][offsets]") {
    Drained d;
    auto &f = d.f;
    struct Case {
        std::vector<std::string> to;
        std::string before, after;
    };
    const std::vector<Case> cases = {
        {{"--to", "1"}, "3", "1"},
        {{"--to", "latest"}, "1", "5"},
        {{"--to", "earliest"}, "5", "0"},
        {{"--to-time", iso8601(d.between_ms)}, "0", "3"},
        {{"--to-time", "2000-01-01T00:00:00Z"}, "3", "0"},
        {{"--to-time", "2100-01-01T00:00:00+02:00"}, "0", "5"},
    };
    for (const auto &c : cases) {
        std::vector<std::string> args{"offsets", "--reset", d.topic};
        args.insert(args.end(), c.to.begin(), c.to.end());
        INFO(c.to[0] << " " << c.to[1]);
        {
            auto dry_args = args;
            dry_args.push_back("--dry-run");
            auto [st, out] = f.run_cli(dry_args);
            INFO(out);
            REQUIRE(st.success());
            CHECK_THAT(out, Catch::Contains("dry run, nothing written") &&
                                Catch::Contains(d.topic + "[0]: " + c.before + " -> " + c.after));
            CHECK(stored(f, d.topic) == c.before);
        }
        auto [st, out] = f.run_cli(args);
        INFO(out);
        REQUIRE(st.success());
        CHECK_THAT(out, Catch::Contains(d.topic + "[0]: " + c.before + " -> " + c.after));
        CHECK_THAT(out, Catch::Contains("reset 1 partition(s)"));
        CHECK(stored(f, d.topic) == c.after);
        // The group's Kafka offset agrees with the database.
        CHECK(f.admin().committed_offsets(f.group(), d.topic) == std::vector<int64_t>{std::stoll(c.after)});
        CHECK(f.scalar("SELECT COUNT(*) FROM sink_offsets") == "1");
    }

    // The older form still works.
    auto [old_st, old_out] = f.run_cli({"offsets", "--reset", d.topic + ":0", "--to", "4"});
    INFO(old_out);
    CHECK(old_st.success());
    CHECK(stored(f, d.topic) == "4");

    // --all moves every subscribed partition; topics never read get a row too.
    auto [all_st, all_out] = f.run_cli({"offsets", "--all", "--to", "latest"});
    INFO(all_out);
    REQUIRE(all_st.success());
    CHECK(stored(f, d.topic) == "5");
    CHECK(stored(f, f.topic("ticketland.orders.events")) == "0");
    CHECK(std::stoi(f.scalar("SELECT COUNT(*) FROM sink_offsets")) > 1);

    // A reset to 3 makes the next run read org-3 and org-4 only, exactly once.
    REQUIRE(f.run_cli({"offsets", "--reset", d.topic, "--to", "3"}).first.success());
    f.db().exec("UPDATE organizers SET name = 'changed' WHERE id IN ('org-1', 'org-2')");
    f.start_sink();
    REQUIRE(f.wait_scalar("SELECT COUNT(*) FROM organizers", "5"));
    REQUIRE(f.wait_caught_up());
    f.stop_sink();
    CHECK(f.scalar("SELECT name FROM organizers WHERE id = 'org-4'") == "N4");
    CHECK(f.scalar("SELECT name FROM organizers WHERE id = 'org-2'") == "changed");
    CHECK(stored(f, d.topic) == "5");
}

TEST_CASE("offsets: unknown topics, negative or out-of-range offsets and bad times are refused, nothing written",
          "[integration][offsets]") {
    Drained d;
    auto &f = d.f;
    const std::vector<std::pair<std::vector<std::string>, std::string>> refusals = {
        {{"--reset", "no.such.topic", "--to", "0"}, "not one the worker subscribes to"},
        {{"--reset", d.topic, "--to", "-5"}, "an offset cannot be negative"},
        {{"--reset", d.topic + ":0", "--to", "-1"}, "an offset cannot be negative"},
        {{"--reset", d.topic, "--to", "6"}, "holds offsets 0 to 5"},
        {{"--reset", d.topic, "--to", "soon"}, "not earliest, latest or an offset"},
        {{"--reset", d.topic, "--to-time", "yesterday"}, "not an ISO 8601 time"},
        {{"--reset", d.topic, "--partition", "3", "--to", "0"}, "has no partition 3"},
        {{"--reset", d.topic}, "give where to"},
        {{"--to", "0"}, "name one topic (--reset TOPIC) or --all"},
        {{"--reset", d.topic, "--to", "0", "--dry-run", "--all"}, "name one topic (--reset TOPIC) or --all"},
    };
    for (const auto &[args, why] : refusals) {
        std::vector<std::string> a{"offsets"};
        a.insert(a.end(), args.begin(), args.end());
        auto [st, out] = f.run_cli(a);
        INFO(out);
        CHECK(st.code == 1);
        CHECK_THAT(out, Catch::Contains("refused, nothing written") && Catch::Contains(why));
        CHECK(stored(f, d.topic) == "3");
        CHECK(f.scalar("SELECT COUNT(*) FROM sink_offsets") == "1");
    }
    // A mapped topic that is not in the cluster.
    const std::string events = f.topic("ticketland.orders.events");
    f.admin().delete_topic(events);
    REQUIRE(f.admin().partition_count(events) == -1);
    auto [st, out] = f.run_cli({"offsets", "--reset", events, "--to", "earliest"});
    INFO(out);
    CHECK(st.code == 1);
    CHECK_THAT(out, Catch::Contains("topic " + events + " is not in the Kafka cluster"));
    CHECK(stored(f, events) == "none");
}

TEST_CASE("offsets: a reset is refused while a worker of the group runs", "[integration][offsets]") {
    Drained d;
    auto &f = d.f;
    f.start_sink();
    REQUIRE(f.wait_caught_up());  // the worker is in the group and has read everything
    REQUIRE(stored(f, d.topic) == "5");
    for (const char *dry : {"--dry-run", ""}) {
        std::vector<std::string> a{"offsets", "--reset", d.topic, "--to", "0"};
        if (*dry) a.push_back(dry);
        auto [st, out] = f.run_cli(a);
        INFO(out);
        CHECK(st.code == 1);
        CHECK_THAT(out, Catch::Contains("group " + f.group() + " is active") && Catch::Contains("1 member(s)") &&
                            Catch::Contains("stop its workers first"));
        CHECK(stored(f, d.topic) == "5");
    }
    f.stop_sink();  // leaves the group
    auto [st, out] = f.run_cli({"offsets", "--reset", d.topic, "--to", "0"});
    INFO(out);
    CHECK(st.success());
    CHECK(stored(f, d.topic) == "0");
}
