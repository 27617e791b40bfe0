// BatchAssembler with the real vibe plugin and the project's mappings: records
// built by hand (no broker), turned into entity rows, dead letters, offsets and
// tolerated counts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "mapping/mapping.hpp"
#include "plugin/plugin_library.hpp"
#include "temp_file.hpp"
#include "worker/batch_assembler.hpp"

using namespace vsink;

namespace {

const std::string kMappings = std::string(VSINK_SOURCE_DIR) + "/mappings/";

const std::string kOrganizers = "ticketland.orders.organizers";
const std::string kEvents = "ticketland.orders.events";
const std::string kOrders = "ticketland.orders.orders";

// A record whose key, value and header texts the test owns (the
// ConsumedRecord views point into them: keep it where it is).
struct OwnedRecord {
    std::string topic;
    int32_t partition;
    int64_t offset;
    std::string key, value;
    std::vector<std::pair<std::string, std::string>> headers;

    ConsumedRecord view() const {
        ConsumedRecord c;
        c.topic = topic;
        c.partition = partition;
        c.offset = offset;
        c.source.key = std::string_view(key);
        c.source.value = std::string_view(value);
        c.source.timestamp_ms = 1740997200000;
        for (const auto &[k, v] : headers) c.source.headers.push_back({k, std::string_view(v)});
        return c;
    }
};

OwnedRecord ticketland(std::string topic, int32_t partition, int64_t offset, std::string key, std::string json,
                       std::string schema_version = "1.0", std::string channel = "ticketland") {
    return {std::move(topic), partition, offset, std::move(key), std::move(json),
            {{"content-type", "application/json"}, {"schema-version", std::move(schema_version)},
             {"application-id", std::move(channel)}}};
}

std::vector<ConsumedRecord> views(const std::vector<OwnedRecord> &owned) {
    std::vector<ConsumedRecord> out;
    for (const auto &o : owned) out.push_back(o.view());
    return out;
}

// The value of `column` in a row ("NULL" for a null value).
std::string value_of(const EntityRow &row, const std::string &column) {
    REQUIRE(row.def);
    auto it = std::find(row.def->columns.begin(), row.def->columns.end(), column);
    REQUIRE(it != row.def->columns.end());
    const Value &v = row.values[static_cast<size_t>(it - row.def->columns.begin())];
    switch (v.kind) {
    case Value::Kind::Null: return "NULL";
    case Value::Kind::String: return v.s;
    case Value::Kind::Int: return std::to_string(v.i);
    default: return v.key_text();
    }
}

std::vector<std::string> entity_names(const std::vector<EntityRow> &rows) {
    std::vector<std::string> out;
    for (const auto &r : rows) out.push_back(r.def ? r.def->name : "?");
    return out;
}

const EntityRow *find_entity(const std::vector<EntityRow> &rows, const std::string &name) {
    for (const auto &r : rows)
        if (r.def && r.def->name == name) return &r;
    return nullptr;
}

// The plugin and mapping a test assembles with.
struct Setup {
    Mapping mapping;
    std::shared_ptr<PluginLibrary> lib;
    std::unique_ptr<PluginInstance> plugin;
    std::unique_ptr<BatchAssembler> assembler;

    explicit Setup(std::vector<std::string> files) : mapping(Mapping::load(files)) {
        lib = PluginLibrary::open(VSINK_VIBE_PLUGIN);
        plugin = std::make_unique<PluginInstance>(lib, mapping.topics());
        assembler = std::make_unique<BatchAssembler>(mapping, *plugin);
    }
    static Setup orders() { return Setup({kMappings + "vibe-tables.yaml", kMappings + "orders.yaml"}); }
};

const char *kOrganizer1 = R"({"id":"org-1","name":"Организатор","legals":{"name":"ООО Ромашка","type":"ru_ltd","inn":"7701234567"}})";
const char *kOrganizer2 = R"({"id":"org-2","name":"Second"})";
const char *kEvent = R"({"id":"evt-1","name":"Лебединое озеро","category":"magic-show","start_at":1740997200,"organizer_id":"org-1"})";
const char *kOrder = R"({"id":"ord-1","number":"N-1","event_id":"evt-1","organizer_id":"org-1",
  "customer":{"email":"anna@example.com","phone":"+79001112233","name":"Анна Иванова"},
  "tickets":[{"id":"tkt-1","barcode":"B1","category":"Партер","price_nominal":150000,"currency":"RUB"}]})";

}  // namespace

TEST_CASE("batch assembler: good records become rows per record with their entities and values",
          "[batch-assembler]") {
    Setup s = Setup::orders();
    const std::vector<OwnedRecord> owned = {
        ticketland(kOrganizers, 0, 10, "org-1", kOrganizer1),
        ticketland(kEvents, 0, 3, "evt-1", kEvent),
        ticketland(kOrders, 1, 7, "ord-1", kOrder, "1.4", "box-office"),
        ticketland(kOrganizers, 0, 11, "org-2", kOrganizer2),
    };
    const std::vector<ConsumedRecord> records = views(owned);
    const AssembledBatch b = s.assembler->assemble(records);

    REQUIRE(b.size() == 4);
    REQUIRE(b.rows.size() == 4);
    CHECK(b.refused.empty());

    // The organizer: one row, every column from the message, keyed by the topic's system.
    REQUIRE(entity_names(b.rows[0]) == std::vector<std::string>{"organizer"});
    const EntityRow &org = b.rows[0][0];
    CHECK(value_of(org, "system") == "ticketland");
    CHECK(value_of(org, "id") == "org-1");
    CHECK(value_of(org, "name") == "Организатор");
    CHECK(value_of(org, "legal_name") == "ООО Ромашка");
    CHECK(value_of(org, "legal_inn") == "7701234567");
    CHECK(org.origin.topic == kOrganizers);
    CHECK(org.origin.partition == 0);
    CHECK(org.origin.offset == 10);
    CHECK(org.origin.source == &records[0].source);

    // The event: its row (an unknown category stored as `other`, raw kept)
    // next to whatever else it carries (its venue).
    const EntityRow *ev = find_entity(b.rows[1], "event");
    REQUIRE(ev);
    CHECK(value_of(*ev, "id") == "evt-1");
    CHECK(value_of(*ev, "organizer_id") == "org-1");
    CHECK(value_of(*ev, "category") == "other");
    CHECK(value_of(*ev, "category_raw") == "magic-show");
    CHECK(ev->origin.offset == 3);

    // The order and its ticket, both with the record's channel.
    const EntityRow *ord = find_entity(b.rows[2], "order");
    REQUIRE(ord);
    CHECK(value_of(*ord, "id") == "ord-1");
    CHECK(value_of(*ord, "number") == "N-1");
    CHECK(value_of(*ord, "event_id") == "evt-1");
    CHECK(value_of(*ord, "channel") == "box-office");
    CHECK(value_of(*ord, "customer_email") == "anna@example.com");
    const EntityRow *tkt = find_entity(b.rows[2], "order_ticket");
    REQUIRE(tkt);
    CHECK(value_of(*tkt, "id") == "tkt-1");
    CHECK(value_of(*tkt, "order_id") == "ord-1");
    CHECK(value_of(*tkt, "channel") == "box-office");
    CHECK(value_of(*tkt, "price_nominal") == "150000");
    for (const auto &r : b.rows[2]) {
        CHECK(r.origin.topic == kOrders);
        CHECK(r.origin.partition == 1);
        CHECK(r.origin.offset == 7);
        CHECK(r.origin.source == &records[2].source);
    }

    REQUIRE(entity_names(b.rows[3]) == std::vector<std::string>{"organizer"});
    CHECK(value_of(b.rows[3][0], "id") == "org-2");
    CHECK(value_of(b.rows[3][0], "legal_name") == "NULL");

    // One origin per record, in order, pointing at the record itself.
    for (size_t i = 0; i < records.size(); ++i) {
        CHECK(b.origins[i].topic == owned[i].topic);
        CHECK(b.origins[i].partition == owned[i].partition);
        CHECK(b.origins[i].offset == owned[i].offset);
        CHECK(b.origins[i].source == &records[i].source);
    }
}

TEST_CASE("batch assembler: first and next offsets per partition", "[batch-assembler]") {
    Setup s = Setup::orders();
    const std::vector<OwnedRecord> owned = {
        ticketland(kOrganizers, 0, 10, "org-1", kOrganizer1),
        ticketland(kOrganizers, 1, 5, "org-2", kOrganizer2),
        ticketland(kOrganizers, 0, 11, "org-1", kOrganizer1),
        ticketland(kEvents, 0, 100, "evt-1", kEvent),
        ticketland(kOrganizers, 0, 14, "org-2", "{not json"),  // a refused record moves the offsets too
        ticketland(kOrganizers, 1, 6, "org-2", kOrganizer2),
    };
    const std::vector<ConsumedRecord> records = views(owned);
    const AssembledBatch b = s.assembler->assemble(records);
    REQUIRE(b.size() == 6);
    CHECK(b.refused.size() == 1);
    CHECK(b.first == std::map<TopicPartition, int64_t>{
                         {{kOrganizers, 0}, 10}, {{kOrganizers, 1}, 5}, {{kEvents, 0}, 100}});
    CHECK(b.next == std::map<TopicPartition, int64_t>{
                        {{kOrganizers, 0}, 15}, {{kOrganizers, 1}, 7}, {{kEvents, 0}, 101}});

    // An empty batch: nothing at all.
    const AssembledBatch empty = s.assembler->assemble({});
    CHECK(empty.size() == 0);
    CHECK(empty.rows.empty());
    CHECK(empty.first.empty());
    CHECK(empty.next.empty());
    CHECK(empty.refused.empty());
}

TEST_CASE("batch assembler: malformed JSON is a decode dead letter with its origin", "[batch-assembler]") {
    Setup s = Setup::orders();
    const std::vector<OwnedRecord> owned = {
        ticketland(kOrganizers, 2, 40, "org-1", kOrganizer1),
        ticketland(kOrganizers, 2, 41, "org-9", R"({"id":"org-9","name":)"),  // truncated
        ticketland(kOrganizers, 2, 42, "org-2", kOrganizer2),
    };
    const std::vector<ConsumedRecord> records = views(owned);
    const AssembledBatch b = s.assembler->assemble(records);
    REQUIRE(b.size() == 3);
    REQUIRE(b.refused.size() == 1);
    const DeadLetter &l = b.refused[0];
    CHECK(l.stage == stage::decode);
    CHECK(l.error_class == "malformed");
    CHECK_FALSE(l.message.empty());
    CHECK(l.origin.topic == kOrganizers);
    CHECK(l.origin.partition == 2);
    CHECK(l.origin.offset == 41);
    CHECK(l.origin.source == &records[1].source);
    REQUIRE(l.origin.source->value);
    CHECK(*l.origin.source->value == owned[1].value);
    // The refused record has no rows; its neighbours do.
    CHECK(b.rows[0].size() == 1);
    CHECK(b.rows[1].empty());
    CHECK(b.rows[2].size() == 1);
    CHECK(b.next.at({kOrganizers, 2}) == 43);
}

TEST_CASE("batch assembler: a schema major the topic does not accept is refused at validate", "[batch-assembler]") {
    Setup s = Setup::orders();
    const std::vector<OwnedRecord> owned = {
        ticketland(kOrganizers, 0, 0, "org-1", kOrganizer1, "2.0"),
        ticketland(kOrganizers, 0, 1, "org-2", kOrganizer2, "1.7"),  // a minor of an accepted major
    };
    const std::vector<ConsumedRecord> records = views(owned);
    const AssembledBatch b = s.assembler->assemble(records);
    REQUIRE(b.refused.size() == 1);
    const DeadLetter &l = b.refused[0];
    CHECK(l.stage == stage::validate);
    CHECK(l.error_class == "schema_version_refused");
    CHECK_THAT(l.message, Catch::Contains("2.0"));
    CHECK(l.origin.topic == kOrganizers);
    CHECK(l.origin.offset == 0);
    CHECK(l.origin.source == &records[0].source);
    CHECK(b.rows[0].empty());
    REQUIRE(b.rows[1].size() == 1);
    CHECK(value_of(b.rows[1][0], "id") == "org-2");
}

TEST_CASE("batch assembler: a channel outside the topic's channels is refused at validate, and tolerated "
          "anomalies are counted",
          "[batch-assembler]") {
    // The orders topology with an allow-list on the orders topic.
    TempFile topics("orders-channels.yaml", R"(topics:
  ticketland.orders.organizers:
    message: organizer
    system: ticketland
    format: json
  ticketland.orders.events:
    message: event
    system: ticketland
    format: json
  ticketland.orders.orders:
    message: order
    system: ticketland
    format: json
    channels: [box-office]
)");
    Setup s({kMappings + "vibe-tables.yaml", topics.str()});
    const std::vector<OwnedRecord> owned = {
        ticketland(kOrders, 0, 5, "ord-1", kOrder, "1.0", "box-office"),
        ticketland(kOrders, 0, 6, "ord-2", kOrder, "1.0", "reseller"),
        ticketland(kEvents, 0, 9, "evt-1", kEvent),  // unknown category: tolerated
        ticketland(kEvents, 0, 10, "evt-2",
                   R"({"id":"evt-2","name":"Two","category":"circus-on-ice","organizer_id":"org-1"})"),
    };
    const std::vector<ConsumedRecord> records = views(owned);
    const AssembledBatch b = s.assembler->assemble(records);
    REQUIRE(b.size() == 4);
    REQUIRE(b.refused.size() == 1);
    const DeadLetter &l = b.refused[0];
    CHECK(l.stage == stage::validate);
    CHECK(l.error_class == "channel_refused");
    CHECK_THAT(l.message, Catch::Contains("reseller") && Catch::Contains(kOrders));
    CHECK(l.origin.topic == kOrders);
    CHECK(l.origin.partition == 0);
    CHECK(l.origin.offset == 6);
    CHECK(l.origin.source == &records[1].source);
    CHECK_FALSE(b.rows[0].empty());
    CHECK(b.rows[1].empty());

    // Counted per (topic, kind): the refused channel (the record was refused,
    // its count stays), the first record of each channel of a topic, the
    // unknown categories.
    CHECK(b.tolerated == ToleratedCounts{{{kOrders, "channel_refused"}, 1},
                                         {{kOrders, "new_channel"}, 1},
                                         {{kEvents, "new_channel"}, 1},
                                         {{kEvents, "unknown_category"}, 2}});

    // A channel is new once per topic for the plugin instance.
    const std::vector<OwnedRecord> again = {ticketland(kOrders, 0, 7, "ord-3", kOrder, "1.0", "box-office")};
    const std::vector<ConsumedRecord> again_records = views(again);
    const AssembledBatch b2 = s.assembler->assemble(again_records);
    CHECK(b2.refused.empty());
    CHECK(b2.tolerated.empty());
}
