// The plugin as the host sees it: libvsink-vibe.so loaded with dlopen, driven
// only through the C ABI entry point (ABI 2). Covers the record envelope rules
// (system and channel, the channel allow-list, content-type, schema-version,
// tombstones, refund keys), anomalies reported through tolerated() before the
// entities, that a bad record emits nothing, and the negative loader fixtures.
#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "entity_recorder.hpp"
#include "protobuf_wire_encoding.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;
using vibe_test::EntityRecorder;
using vibe_test::fixture;

namespace {

struct Library {
    explicit Library(const std::string &path) : handle(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
        INFO("dlopen " << path << ": " << (handle ? "" : dlerror()));
        REQUIRE(handle);
    }
    ~Library() {
        if (handle) dlclose(handle);
    }
    Library(const Library &) = delete;
    Library &operator=(const Library &) = delete;
    void *symbol(const char *name) const { return dlsym(handle, name); }
    const vsink_plugin *descriptor() const {
        auto entry = reinterpret_cast<vsink_plugin_entry_fn>(symbol(VSINK_PLUGIN_ENTRY_SYMBOL));
        REQUIRE(entry);
        return entry(VSINK_ABI_VERSION);
    }
    void *handle;
};

const Library &vibe_plugin() {
    static Library lib(VIBE_PLUGIN_PATH);
    return lib;
}

struct Topic {
    std::string name, yaml;
};

const std::vector<Topic> kTopics = {
    {"tl.organizers", "message: organizer\nsystem: ticketland\nformat: json\nschema_versions: [\"1\"]\n"},
    {"tl.events", "message: event\nsystem: ticketland\nschema_versions: [\"1.0\"]\n"},
    {"tl.orders", "message: order\nsystem: ticketland\nformat: json\nschema_versions: [\"1\"]\n"},
    {"tl.orders.allow", "message: order\nsystem: ticketland\nchannels: [box_office, bank-shop]\n"},
    {"tl.refunds", "message: refund\nsystem: ticketland\n"},
    {"tl.tickets", "message: ticket\nsystem: ticketland\ndefault_schema_version: \"1\"\n"},
    {"tl.orders.pb", "message: order\nsystem: ticketland\nformat: protobuf\n"},
    {"tc.orders", "message: ticketscloud.order\nsystem: ticketscloud\n"},
};

// Raw protobuf wire encoding: this process must not link the generated
// classes (see tests/plugin/CMakeLists.txt).
using protobuf_wire::field_bytes;
using protobuf_wire::field_varint;

// Returns the instance, or the create() error in *error.
void *create(const std::vector<Topic> &topics, std::string *error = nullptr) {
    std::vector<vsink_topic_config> cfg;
    int line = 1;
    for (const Topic &t : topics) {
        cfg.push_back(vsink_topic_config{vsink::bytes(t.name), vsink::bytes(t.yaml), vsink::bytes("test.yaml"), line});
        line += 10;
    }
    vsink_plugin_config config{cfg.data(), cfg.size()};
    std::array<char, 512> buf{};
    vsink_error err{buf.data(), buf.size(), nullptr, 0};
    void *instance = nullptr;
    const int rc = vibe_plugin().descriptor()->create(&config, &instance, &err);
    if (error) *error = rc == 0 ? std::string() : std::string(buf.data());
    if (rc != 0) CHECK(instance == nullptr);
    return rc == 0 ? instance : nullptr;
}

struct Instance {
    Instance() : ptr(create(kTopics)) { REQUIRE(ptr); }
    ~Instance() { vibe_plugin().descriptor()->destroy(ptr); }
    Instance(const Instance &) = delete;
    Instance &operator=(const Instance &) = delete;
    void *ptr;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

const Headers kJsonHeaders = {
    {"content-type", "application/json"}, {"schema-version", "1.0"}, {"application-id", "box_office"}};

struct Result {
    int32_t status;
    std::string error;
    std::string error_class;  // vsink_error's class token (ABI 3)
    EntityRecorder rec;
};

// Builds a record; a null key or value is passed as std::nullopt.
Result convert(Instance &inst, const std::string &topic, const std::optional<std::string> &value,
               const Headers &headers = kJsonHeaders, const std::optional<std::string> &key = std::string("k"),
               int refuse_at = -1) {
    std::vector<vsink_header> hs;
    for (const auto &[k, v] : headers) hs.push_back(vsink_header{vsink::bytes(k), vsink::bytes(v)});
    vsink_record r{};
    r.topic = vsink::bytes(topic);
    r.partition = 0;
    r.offset = 42;
    r.timestamp_ms = -1;
    r.key = key ? vsink::bytes(*key) : vsink_bytes{nullptr, 0};
    r.value = value ? vsink::bytes(*value) : vsink_bytes{nullptr, 0};
    r.headers = hs.data();
    r.header_count = hs.size();
    Result res;
    res.rec.refuse_at = refuse_at;
    vsink_emitter out = res.rec.emitter();
    std::array<char, 512> buf{};
    std::array<char, 64> cls{};
    vsink_error err{buf.data(), buf.size(), cls.data(), cls.size()};
    res.status = vibe_plugin().descriptor()->convert(inst.ptr, &r, &out, &err);
    res.error = buf.data();
    res.error_class = cls.data();
    return res;
}

Headers without(const std::string &name) {
    Headers h;
    for (const auto &kv : kJsonHeaders)
        if (kv.first != name) h.push_back(kv);
    return h;
}

Headers with(const std::string &name, const std::string &value) {
    Headers h = without(name);
    h.emplace_back(name, value);
    return h;
}

}  // namespace

TEST_CASE("the plugin exports one entry point with ABI version 3", "[abi]") {
    const vsink_plugin *d = vibe_plugin().descriptor();
    REQUIRE(d);
    CHECK(VSINK_ABI_VERSION == 3u);  // VSINK_ERR_REFUSED and the error class joined
    CHECK(d->abi_version == VSINK_ABI_VERSION);
    CHECK(d->struct_size == sizeof(vsink_plugin));
    CHECK(std::string(d->name) == "vibe");
    CHECK(d->create);
    CHECK(d->convert);
    CHECK(d->destroy);
    // Built with hidden visibility: the decoders are not exported.
    CHECK_FALSE(vibe_plugin().symbol("_ZN4vibe4json12decode_orderESt17basic_string_viewIcSt11char_traitsIcEERNS_9AnomaliesE"));
    CHECK_FALSE(vibe_plugin().symbol("_ZN4vibe2pb12decode_orderESt17basic_string_viewIcSt11char_traitsIcEERNS_9AnomaliesE"));
    CHECK_FALSE(vibe_plugin().symbol("_ZN4vibe18normalize_categoryB5cxx11ESt17basic_string_viewIcSt11char_traitsIcEEPb"));
    CHECK_FALSE(vibe_plugin().symbol(
        "_ZN4vibe15RecordConverter23refund_id_from_positionESt17basic_string_viewIcSt11char_traitsIcEEil"));
}

TEST_CASE("a JSON order through the ABI: system, channel, and the first channel reported", "[abi]") {
    Instance inst;
    Result r = convert(inst, "tl.orders", fixture("order_a.json"));
    INFO(r.error);
    REQUIRE(r.status == VSINK_OK);
    CHECK(r.rec.types() == std::vector<std::string>{"order", "order_ticket", "order_ticket"});
    for (const auto &e : r.rec.entities) {
        CHECK(e.str("system") == "ticketland");
        CHECK(e.str("channel") == "box_office");
    }
    CHECK(r.rec.entities[1].str("customer_email") == "anna.petrova@example.com");
    CHECK(r.rec.tolerated == std::vector<std::string>{"new_channel application-id"});
    CHECK(r.rec.tolerated_after == std::vector<size_t>{0});  // before the first entity
    // Another channel: the same ids in the same system, only the channel differs.
    Result bank = convert(inst, "tl.orders", fixture("order_a.json"), with("application-id", "bank-shop"));
    REQUIRE(bank.status == VSINK_OK);
    for (const auto &e : bank.rec.entities) {
        CHECK(e.str("system") == "ticketland");
        CHECK(e.str("channel") == "bank-shop");
    }
    CHECK(bank.rec.entities[0].str("id") == "ord-1");
    CHECK(bank.rec.tolerated == std::vector<std::string>{"new_channel application-id"});
    // Seen before on this instance: nothing to report.
    CHECK(convert(inst, "tl.orders", fixture("order_a.json")).rec.tolerated.empty());
}

TEST_CASE("every Ticketland JSON message kind through the ABI", "[abi]") {
    Instance inst;
    CHECK(convert(inst, "tl.organizers", fixture("organizer_a.json")).rec.types() ==
          std::vector<std::string>{"organizer"});
    CHECK(convert(inst, "tl.events", fixture("event_b.json"), with("application-id", "ticketland")).rec.types() ==
          std::vector<std::string>{"nested_organizer", "venue", "event"});
    Result refund = convert(inst, "tl.refunds", fixture("refund_a.json"), kJsonHeaders, std::string("rf-9"));
    REQUIRE(refund.status == VSINK_OK);
    CHECK(refund.rec.entities[0].str("id") == "rf-9");
    CHECK(refund.rec.entities[0].str("channel") == "box_office");
    CHECK(refund.rec.entities.back().str("status") == "refunded");
    Result ticket = convert(inst, "tl.tickets", fixture("ticket.json"));
    CHECK(ticket.rec.types() == std::vector<std::string>{"ticket"});
    CHECK(ticket.rec.entities[0].str("channel") == "box_office");
}

TEST_CASE("a record without an application-id is accepted, channel NULL", "[abi][channel]") {
    Instance inst;
    Result r = convert(inst, "tl.tickets", fixture("ticket.json"), {});
    INFO(r.error);
    REQUIRE(r.status == VSINK_OK);
    CHECK(r.rec.entities[0].str("system") == "ticketland");
    CHECK(r.rec.entities[0].is_null("channel"));
    CHECK(r.rec.tolerated.empty());
    Result order = convert(inst, "tl.orders", fixture("order_a.json"), without("application-id"));
    REQUIRE(order.status == VSINK_OK);
    for (const auto &e : order.rec.entities) CHECK(e.is_null("channel"));
}

TEST_CASE("a channel outside the topic's allow-list is refused, and reported", "[abi][channel]") {
    Instance inst;
    Result ok = convert(inst, "tl.orders.allow", fixture("order_a.json"), with("application-id", "bank-shop"));
    INFO(ok.error);
    REQUIRE(ok.status == VSINK_OK);
    CHECK(ok.rec.entities[0].str("channel") == "bank-shop");

    Result r = convert(inst, "tl.orders.allow", fixture("order_a.json"), with("application-id", "live"));
    CHECK(r.status == VSINK_ERR_REFUSED);
    CHECK(r.error_class == "channel_refused");
    CHECK_THAT(r.error, Equals("application-id 'live' is not in the channels allowed on topic tl.orders.allow"));
    CHECK(r.rec.entities.empty());
    CHECK(r.rec.tolerated == std::vector<std::string>{"channel_refused application-id"});

    Result none = convert(inst, "tl.orders.allow", fixture("order_a.json"), without("application-id"));
    CHECK(none.status == VSINK_ERR_REFUSED);
    CHECK(none.error_class == "channel_refused");
    CHECK_THAT(none.error,
               Equals("a record without an application-id is not in the channels allowed on topic tl.orders.allow"));
    CHECK(none.rec.entities.empty());
    CHECK(none.rec.tolerated == std::vector<std::string>{"channel_refused application-id"});
}

TEST_CASE("an unreadable application-id is stored as NULL and reported", "[abi][channel]") {
    Instance inst;
    Result r = convert(inst, "tl.orders", fixture("order_a.json"), with("application-id", "bank\xff"));
    INFO(r.error);
    REQUIRE(r.status == VSINK_OK);
    for (const auto &e : r.rec.entities) CHECK(e.is_null("channel"));
    CHECK(r.rec.tolerated == std::vector<std::string>{"unreadable_channel application-id"});
}

TEST_CASE("tolerated anomalies through the ABI, before the entities", "[abi][tolerated]") {
    Instance inst;
    Result ev = convert(inst, "tl.events", fixture("event_tolerant.json"), with("application-id", "ticketland"));
    INFO(ev.error);
    REQUIRE(ev.status == VSINK_OK);
    CHECK(ev.rec.types() == std::vector<std::string>{"nested_organizer", "venue", "event"});
    CHECK(ev.rec.entities[2].str("id") == "9001");
    CHECK(ev.rec.entities[2].str("category") == "other");
    CHECK(ev.rec.entities[2].str("category_raw") == "42");
    CHECK(ev.rec.tolerated ==
          std::vector<std::string>{"new_channel application-id", "unknown_value event.status",
                                   "unknown_category event.category", "wrong_type event.start_at",
                                   "out_of_range event.offset", "wrong_type event.media",
                                   "unknown_value event.organizer.legals.type", "out_of_range event.venue.lat"});
    CHECK(ev.rec.tolerated_after == std::vector<size_t>(8, 0));

    // A host without tolerated() (it is optional): the record still lands.
    std::string value = fixture("order_tolerant.json");
    vsink_record rec{};
    rec.topic = vsink::bytes("tl.orders");
    rec.value = vsink::bytes(value);
    rec.key = vsink_bytes{nullptr, 0};
    EntityRecorder quiet;
    vsink_emitter out = quiet.emitter_without_tolerated();
    std::array<char, 256> buf{};
    vsink_error err{buf.data(), buf.size(), nullptr, 0};
    CHECK(vibe_plugin().descriptor()->convert(inst.ptr, &rec, &out, &err) == VSINK_OK);
    CHECK(quiet.entities.size() == 4);
}

TEST_CASE("a vibe.v1 order through the ABI: absent price NULL, unknown currency reported", "[abi][protobuf]") {
    Instance inst;
    // Order{id=1 "o1", event_id=2 "e1", tickets=5 [{id "t1", currency 42}, {id "t2", price_nominal 0, currency RUB}]}
    const std::string t1 = field_bytes(1, "t1") + field_varint(10, 42);
    const std::string t2 = field_bytes(1, "t2") + field_varint(9, 0) + field_varint(10, 3);
    const std::string order = field_bytes(1, "o1") + field_bytes(2, "e1") + field_bytes(5, t1) + field_bytes(5, t2);
    Result r = convert(inst, "tl.orders.pb", order, {{"application-id", "live"}});
    INFO(r.error);
    REQUIRE(r.status == VSINK_OK);
    REQUIRE(r.rec.types() == std::vector<std::string>{"order", "order_ticket", "order_ticket"});
    CHECK(r.rec.entities[0].str("channel") == "live");
    CHECK(r.rec.entities[1].is_null("price_nominal"));
    CHECK(r.rec.entities[1].is_null("currency"));
    CHECK(r.rec.entities[2].i64("price_nominal") == 0);
    CHECK(r.rec.entities[2].str("currency") == "RUB");
    CHECK(r.rec.tolerated ==
          std::vector<std::string>{"new_channel application-id", "unknown_value order.tickets[0].currency"});
}

TEST_CASE("content-type: json with parameters, protobuf aliases, unknown refused", "[abi][content-type]") {
    Instance inst;
    CHECK(convert(inst, "tl.orders", fixture("order_a.json"), with("content-type", "application/json; charset=utf-8"))
              .status == VSINK_OK);
    CHECK(convert(inst, "tl.orders", fixture("order_a.json"), with("content-type", "Application/JSON")).status ==
          VSINK_OK);

    Result text = convert(inst, "tl.orders", fixture("order_a.json"), with("content-type", "text/plain"));
    CHECK(text.status == VSINK_ERR_RECORD);
    CHECK_THAT(text.error,
               Equals("content-type 'text/plain' is not supported (expected application/json or application/x-protobuf)"));
    CHECK(text.rec.entities.empty());

    // Protobuf content types reach the protobuf decoder, which cannot read JSON.
    for (const char *ct : {"application/x-protobuf", "application/protobuf"}) {
        Result pb = convert(inst, "tl.orders", fixture("order_a.json"), with("content-type", ct));
        CHECK(pb.status == VSINK_ERR_RECORD);
        CHECK_THAT(pb.error, Equals("protobuf: cannot parse vibe.v1.Order"));
        CHECK(pb.rec.entities.empty());
    }
}

TEST_CASE("header names match in any letter case", "[abi]") {
    Instance inst;
    Result pb = convert(inst, "tl.orders", fixture("order_a.json"),
                        {{"Content-Type", "application/x-protobuf"}, {"Schema-Version", "1.0"},
                         {"Application-Id", "box_office"}});
    CHECK(pb.status == VSINK_ERR_RECORD);  // protobuf content type seen: not decoded as JSON
    CHECK_THAT(pb.error, Equals("protobuf: cannot parse vibe.v1.Order"));
    Result json = convert(inst, "tl.orders", fixture("order_a.json"),
                          {{"CONTENT-TYPE", "application/json"}, {"schema-version", "1.0"},
                           {"application-ID", "bank-shop"}});
    INFO(json.error);
    REQUIRE(json.status == VSINK_OK);
    CHECK(json.rec.entities[0].str("channel") == "bank-shop");
    Result version = convert(inst, "tl.orders", fixture("order_a.json"), {{"SCHEMA-VERSION", "2.0"}});
    CHECK(version.status == VSINK_ERR_REFUSED);
    CHECK(version.error_class == "schema_version_refused");
}

TEST_CASE("a missing content-type uses the topic's format", "[abi][content-type]") {
    Instance inst;
    Result json = convert(inst, "tl.orders", fixture("order_a.json"), without("content-type"));
    INFO(json.error);
    CHECK(json.status == VSINK_OK);
    CHECK(json.rec.entities.size() == 3);
    // tl.events has no format key: JSON by default.
    CHECK(convert(inst, "tl.events", fixture("event_a.json"), without("content-type")).status == VSINK_OK);
    // tl.orders.pb is protobuf: the JSON body goes to the protobuf decoder.
    Result pb = convert(inst, "tl.orders.pb", fixture("order_a.json"), without("content-type"));
    CHECK(pb.status == VSINK_ERR_RECORD);
    CHECK_THAT(pb.error, Equals("protobuf: cannot parse vibe.v1.Order"));
}

TEST_CASE("Ticketscloud topics are protobuf only", "[abi][content-type]") {
    Instance inst;
    Result r = convert(inst, "tc.orders", "{}", {{"content-type", "application/json"}});
    CHECK(r.status == VSINK_ERR_RECORD);
    CHECK_THAT(r.error, Equals("content-type 'application/json' on topic tc.orders: ticketscloud.order is protobuf only"));
    // Without headers (as the producer sends them): protobuf, system ticketscloud.
    const std::string order = field_bytes(1, "o1") + field_varint(4, 2) + field_bytes(7, "ev-1");  // DONE
    Result pb = convert(inst, "tc.orders", order, {});
    INFO(pb.error);
    REQUIRE(pb.status == VSINK_OK);
    REQUIRE(pb.rec.types() == std::vector<std::string>{"order"});
    CHECK(pb.rec.entities[0].str("system") == "ticketscloud");
    CHECK(pb.rec.entities[0].str("status") == "done");
    CHECK(pb.rec.entities[0].is_null("channel"));
}

TEST_CASE("schema-version: a minor of an accepted major is read, another major refused", "[abi][schema-version]") {
    Instance inst;
    for (const char *v : {"1", "1.0", "1.7", "1.42"}) {
        Result r = convert(inst, "tl.orders", fixture("order_a.json"), with("schema-version", v));
        INFO(v << ": " << r.error);
        CHECK(r.status == VSINK_OK);
    }
    Result other = convert(inst, "tl.orders", fixture("order_a.json"), with("schema-version", "2.0"));
    CHECK(other.status == VSINK_ERR_REFUSED);
    CHECK(other.error_class == "schema_version_refused");
    CHECK_THAT(other.error, Equals("schema-version '2.0': major version 2 is not accepted on topic tl.orders"));
    CHECK(other.rec.entities.empty());
    Result bad = convert(inst, "tl.orders", fixture("order_a.json"), with("schema-version", "one"));
    CHECK(bad.status == VSINK_ERR_RECORD);
    CHECK_THAT(bad.error, Equals("schema-version 'one' is not MAJOR.MINOR"));
    // No header: read as the topic's default version.
    Result none = convert(inst, "tl.orders", fixture("order_a.json"), without("schema-version"));
    INFO(none.error);
    CHECK(none.status == VSINK_OK);
    CHECK(none.rec.entities.size() == 3);
}

TEST_CASE("a tombstone is refused", "[abi]") {
    Instance inst;
    Result r = convert(inst, "tl.orders", std::nullopt);
    CHECK(r.status == VSINK_ERR_RECORD);
    CHECK_THAT(r.error, Equals("tombstone: no value"));
    CHECK(r.rec.entities.empty());
}

TEST_CASE("an unknown topic is refused", "[abi]") {
    Instance inst;
    Result r = convert(inst, "nobody.knows", fixture("order_a.json"));
    CHECK(r.status == VSINK_ERR_RECORD);
    CHECK_THAT(r.error, Equals("topic 'nobody.knows' is not configured for the vibe plugin"));
}

TEST_CASE("refunds: the key is the refund id, without one, the record's position", "[abi][refund]") {
    Instance inst;
    Result none = convert(inst, "tl.refunds", fixture("refund_a.json"), kJsonHeaders, std::nullopt);
    INFO(none.error);
    REQUIRE(none.status == VSINK_OK);
    CHECK(none.rec.types() ==
          std::vector<std::string>{"refund", "refund_ticket", "refund_ticket", "ticket_status", "ticket_status"});
    CHECK(none.rec.entities[0].str("id") == "kafka:tl.refunds:0:42");
    CHECK(none.rec.entities[3].str("status") == "refunded");  // its tickets are still refunded
    CHECK(none.rec.tolerated ==
          std::vector<std::string>{"new_channel application-id", "missing_key refund.key"});
    Result empty = convert(inst, "tl.refunds", fixture("refund_a.json"), kJsonHeaders, std::string());
    REQUIRE(empty.status == VSINK_OK);
    CHECK(empty.rec.entities[0].str("id") == "kafka:tl.refunds:0:42");
    CHECK(empty.rec.tolerated == std::vector<std::string>{"missing_key refund.key"});

    Result bad = convert(inst, "tl.refunds", fixture("refund_a.json"), kJsonHeaders, std::string("r\xc3"));
    CHECK(bad.status == VSINK_ERR_RECORD);
    CHECK_THAT(bad.error, Contains("not valid UTF-8"));
    Result ok = convert(inst, "tl.refunds", fixture("refund_a.json"), kJsonHeaders, std::string("возврат-1"));
    REQUIRE(ok.status == VSINK_OK);
    CHECK(ok.rec.entities[0].str("id") == "возврат-1");
}

TEST_CASE("a bad record emits nothing, and still reports what it tolerated", "[abi]") {
    Instance inst;
    // The order row and the first ticket are fine (its currency tolerated);
    // the second ticket has no id.
    std::string order = R"({"id":"o","event_id":"e",
        "customer":{"email":"anna.petrova@example.com","phone":"+79001234567","name":"Анна Петрова"},
        "tickets":[{"id":"t1","currency":"KZT"},{"barcode":"anna.petrova@example.com"}]})";
    Result r = convert(inst, "tl.orders", order);
    CHECK(r.status == VSINK_ERR_RECORD);
    CHECK_THAT(r.error, Equals("order.tickets[1].id: missing"));
    CHECK(r.rec.entities.empty());
    CHECK(r.rec.tolerated ==
          std::vector<std::string>{"new_channel application-id", "unknown_value order.tickets[0].currency"});
    for (const char *pii : {"anna.petrova@example.com", "+79001234567", "Анна", "Петрова"}) {
        CHECK(r.error.find(pii) == std::string::npos);
        for (const std::string &t : r.rec.tolerated) CHECK(t.find(pii) == std::string::npos);
    }

    Result invalid = convert(inst, "tl.orders", R"({"id":"o","customer":{"email":"anna.petrova@example.com")");
    CHECK(invalid.status == VSINK_ERR_RECORD);
    CHECK_THAT(invalid.error, StartsWith("order: invalid JSON at byte "));
    CHECK(invalid.error.find("anna.petrova") == std::string::npos);
    CHECK(invalid.rec.entities.empty());
}

TEST_CASE("an entity the host refuses fails the record", "[abi]") {
    Instance inst;
    Result r = convert(inst, "tl.orders", fixture("order_a.json"), kJsonHeaders, std::string("k"), 1);
    CHECK(r.status == VSINK_ERR_RECORD);
    CHECK_THAT(r.error, Equals("the host refused entity 'order_ticket' (#2 of 3)"));
    CHECK(r.rec.entities.size() == 1);
}

TEST_CASE("errors fit the host's buffer, and a missing buffer is fine", "[abi]") {
    Instance inst;
    std::string value = "{";
    vsink_record r{};
    r.topic = vsink::bytes("tl.orders");
    r.value = vsink::bytes(value);
    EntityRecorder rec;
    vsink_emitter out = rec.emitter();
    std::array<char, 8> small{};
    small.fill('x');
    vsink_error err{small.data(), 5, nullptr, 0};
    CHECK(vibe_plugin().descriptor()->convert(inst.ptr, &r, &out, &err) == VSINK_ERR_RECORD);
    CHECK(std::string(small.data()) == "orde");  // "order: invalid JSON ..." cut to cap - 1, NUL-terminated
    CHECK(small[5] == 'x');
    CHECK(vibe_plugin().descriptor()->convert(inst.ptr, &r, &out, nullptr) == VSINK_ERR_RECORD);
    CHECK(vibe_plugin().descriptor()->convert(nullptr, &r, &out, nullptr) == VSINK_ERR_FATAL);
    vsink_emitter no_emit{&rec, nullptr, nullptr};
    CHECK(vibe_plugin().descriptor()->convert(inst.ptr, &r, &no_emit, nullptr) == VSINK_ERR_FATAL);
}

TEST_CASE("create() errors name the file, the line and the key", "[abi][create]") {
    std::string error;
    CHECK_FALSE(create({{"t", "message: order\nsystem: ticketland\nformt: json\n"}}, &error));
    CHECK_THAT(error, Equals("vibe: test.yaml:4: topic 't': unknown key 'formt' (expected message, system, channels, "
                             "format, schema_versions, default_schema_version, categories)"));
    CHECK_FALSE(create({{"a", "message: order\nsystem: x\n"}, {"t", "message: order\n"}}, &error));
    CHECK_THAT(error, Equals("vibe: test.yaml:11: topic 't': missing 'system' (the ticketing system its ids belong "
                             "to, e.g. ticketland)"));
    CHECK_FALSE(create({{"t", "message: order\nsources: [ticketland]\n"}}, &error));
    CHECK_THAT(error, StartsWith("vibe: test.yaml:3: topic 't': 'sources' is gone: set 'system'"));
    CHECK_FALSE(create({{"t", "message: order\nsystem: x\nschema_versions: [\"2\"]\n"}}, &error));
    CHECK_THAT(error, Contains("schema major version 2 is not one this plugin reads"));
    CHECK_FALSE(create({{"t", "message: order\nsystem: x\n"}, {"t", "message: event\nsystem: x\n"}}, &error));
    CHECK_THAT(error, Equals("vibe: topic 't' is configured twice"));
    // A configuration without topics is valid (it converts nothing).
    void *empty = create({}, &error);
    CHECK(empty);
    vibe_plugin().descriptor()->destroy(empty);
}

TEST_CASE("negative loader fixtures behave as the host's tests expect", "[abi][fixtures]") {
    const std::string dir = VSINK_FIXTURE_PLUGIN_DIR;
    {
        Library wrong(dir + "/libvsink-wrong-abi.so");
        CHECK(wrong.descriptor()->abi_version == 999u);
    }
    {
        Library none(dir + "/libvsink-no-entry.so");
        CHECK_FALSE(none.symbol(VSINK_PLUGIN_ENTRY_SYMBOL));
    }
    {
        Library fails(dir + "/libvsink-init-fails.so");
        const vsink_plugin *d = fails.descriptor();
        CHECK(d->abi_version == VSINK_ABI_VERSION);
        std::array<char, 128> buf{};
        vsink_error err{buf.data(), buf.size(), nullptr, 0};
        vsink_plugin_config config{nullptr, 0};
        void *instance = reinterpret_cast<void *>(1);
        CHECK(d->create(&config, &instance, &err) != 0);
        CHECK(instance == nullptr);
        CHECK(std::string(buf.data()) == "init-fails fixture: create() always fails");
    }
}

TEST_CASE("every refusal carries a class for the dead-letter queue", "[abi][dlq]") {
    Instance inst;
    struct Case {
        const char *what;
        std::string topic;
        std::optional<std::string> value;
        Headers headers;
        int32_t status;
        const char *error_class;
    };
    const std::vector<Case> cases = {
        {"not JSON", "tl.orders", std::string("{not json"), kJsonHeaders, VSINK_ERR_RECORD, "malformed"},
        {"a NUL byte", "tl.orders", std::string("{\"id\":\0}", 9), kJsonHeaders, VSINK_ERR_RECORD, "malformed"},
        {"no order id", "tl.orders", std::string("{\"event_id\": \"e1\"}"), kJsonHeaders, VSINK_ERR_RECORD,
         "missing_field"},
        {"a tombstone", "tl.orders", std::nullopt, kJsonHeaders, VSINK_ERR_RECORD, "tombstone"},
        {"an unknown topic", "nobody.knows", std::string("{}"), kJsonHeaders, VSINK_ERR_RECORD, "unknown_topic"},
        {"an unknown content-type", "tl.orders", fixture("order_a.json"), with("content-type", "text/csv"),
         VSINK_ERR_RECORD, "unsupported_content_type"},
        {"a schema-version that is not MAJOR.MINOR", "tl.orders", fixture("order_a.json"),
         with("schema-version", "one"), VSINK_ERR_RECORD, "bad_header"},
        {"bytes that are not the protobuf message", "tl.orders.pb", std::string("\xff\xff\xff\xff"),
         with("content-type", "application/x-protobuf"), VSINK_ERR_RECORD, "malformed"},
        {"another major", "tl.orders", fixture("order_a.json"), with("schema-version", "9.0"), VSINK_ERR_REFUSED,
         "schema_version_refused"},
    };
    for (const Case &c : cases) {
        Result r = convert(inst, c.topic, c.value, c.headers);
        INFO(c.what << ": " << r.error);
        CHECK(r.status == c.status);
        CHECK(r.error_class == c.error_class);
        CHECK_FALSE(r.error.empty());
    }
}
