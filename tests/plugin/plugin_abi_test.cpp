// The plugin as the host sees it: libvsink-vibe.so loaded with dlopen, driven
// only through the C ABI entry point. Covers the record envelope rules
// (source, content-type, schema-version, tombstones, keys), that a bad record
// emits nothing, and the negative loader fixtures.
#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "entity_recorder.hpp"

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
    {"tl.organizers", "message: organizer\nsources: [ticketland]\nformat: json\nschema_versions: [\"1.0\"]\n"},
    {"tl.events", "message: event\nsources: [ticketland]\nschema_versions: [\"1.0\"]\n"},
    {"tl.orders", "message: order\nsources: [ticketland, bank-shop]\nformat: json\nschema_versions: [\"1.0\"]\n"},
    {"tl.refunds", "message: refund\nsources: [ticketland]\n"},
    {"tl.tickets", "message: ticket\nsources: [ticketland]\ndefault_source: ticketland\n"},
    {"tl.orders.pb", "message: order\nsources: [ticketland]\nformat: protobuf\n"},
    {"tc.orders", "message: ticketscloud.order\nsources: [ticketscloud]\ndefault_source: ticketscloud\n"},
};

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
    vsink_error err{buf.data(), buf.size()};
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
    {"content-type", "application/json"}, {"schema-version", "1.0"}, {"application-id", "ticketland"}};

struct Result {
    int32_t status;
    std::string error;
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
    vsink_error err{buf.data(), buf.size()};
    res.status = vibe_plugin().descriptor()->convert(inst.ptr, &r, &out, &err);
    res.error = buf.data();
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

TEST_CASE("the plugin exports one entry point with ABI version 1", "[abi]") {
    const vsink_plugin *d = vibe_plugin().descriptor();
    REQUIRE(d);
    CHECK(d->abi_version == VSINK_ABI_VERSION);
    CHECK(d->struct_size == sizeof(vsink_plugin));
    CHECK(std::string(d->name) == "vibe");
    CHECK(d->create);
    CHECK(d->convert);
    CHECK(d->destroy);
    // Built with hidden visibility: the decoders are not exported.
    CHECK_FALSE(vibe_plugin().symbol("_ZN4vibe4json12decode_orderESt17basic_string_viewIcSt11char_traitsIcEE"));
    CHECK_FALSE(vibe_plugin().symbol("_ZN4vibe18normalize_categoryESt17basic_string_viewIcSt11char_traitsIcEEPb"));
}

TEST_CASE("a JSON order through the ABI", "[abi]") {
    Instance inst;
    Result r = convert(inst, "tl.orders", fixture("order_a.json"));
    INFO(r.error);
    REQUIRE(r.status == VSINK_OK);
    CHECK(r.rec.types() == std::vector<std::string>{"order", "order_ticket", "order_ticket"});
    CHECK(r.rec.entities[0].str("source") == "ticketland");
    CHECK(r.rec.entities[1].str("customer_email") == "anna.petrova@example.com");
    // Another allowed source keeps its own identity.
    Result bank = convert(inst, "tl.orders", fixture("order_a.json"), with("application-id", "bank-shop"));
    REQUIRE(bank.status == VSINK_OK);
    for (const auto &e : bank.rec.entities) CHECK(e.str("source") == "bank-shop");
}

TEST_CASE("every Ticketland JSON message kind through the ABI", "[abi]") {
    Instance inst;
    CHECK(convert(inst, "tl.organizers", fixture("organizer_a.json")).rec.types() ==
          std::vector<std::string>{"organizer"});
    CHECK(convert(inst, "tl.events", fixture("event_b.json")).rec.types() ==
          std::vector<std::string>{"organizer", "venue", "event"});
    Result refund = convert(inst, "tl.refunds", fixture("refund_a.json"), kJsonHeaders, std::string("rf-9"));
    REQUIRE(refund.status == VSINK_OK);
    CHECK(refund.rec.entities[0].str("id") == "rf-9");
    CHECK(refund.rec.entities.back().str("status") == "refunded");
    CHECK(convert(inst, "tl.tickets", fixture("ticket.json")).rec.types() == std::vector<std::string>{"ticket"});
}

TEST_CASE("an application-id not allowed on the topic is refused", "[abi][source]") {
    Instance inst;
    Result r = convert(inst, "tl.orders", fixture("order_a.json"), with("application-id", "ticketscloud"));
    CHECK(r.status == VSINK_ERR_RECORD);
    CHECK_THAT(r.error, Equals("application-id 'ticketscloud' is not allowed on topic tl.orders"));
    CHECK(r.rec.entities.empty());
    // No header and no default_source: refused too.
    Result none = convert(inst, "tl.orders", fixture("order_a.json"), without("application-id"));
    CHECK(none.status == VSINK_ERR_RECORD);
    CHECK_THAT(none.error, Equals("no application-id header, and topic 'tl.orders' has no default_source"));
    CHECK(none.rec.entities.empty());
}

TEST_CASE("a missing application-id uses the topic's default_source", "[abi][source]") {
    Instance inst;
    Result r = convert(inst, "tl.tickets", fixture("ticket.json"), {});
    INFO(r.error);
    REQUIRE(r.status == VSINK_OK);
    CHECK(r.rec.entities[0].str("source") == "ticketland");
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
        CHECK_THAT(pb.error, !StartsWith("order: invalid JSON"));
        CHECK(pb.rec.entities.empty());
    }
}

TEST_CASE("header names match in any letter case", "[abi]") {
    Instance inst;
    Result pb = convert(inst, "tl.orders", fixture("order_a.json"),
                        {{"Content-Type", "application/x-protobuf"}, {"Schema-Version", "1.0"},
                         {"Application-Id", "ticketland"}});
    CHECK(pb.status == VSINK_ERR_RECORD);  // protobuf content type seen: not decoded as JSON
    CHECK_THAT(pb.error, !StartsWith("order: invalid JSON"));
    CHECK_THAT(pb.error, !Contains("application-id"));
    Result json = convert(inst, "tl.orders", fixture("order_a.json"),
                          {{"CONTENT-TYPE", "application/json"}, {"schema-version", "1.0"},
                           {"application-ID", "ticketland"}});
    INFO(json.error);
    CHECK(json.status == VSINK_OK);
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
    CHECK_THAT(pb.error, !StartsWith("order: invalid JSON"));
}

TEST_CASE("Ticketscloud topics are protobuf only", "[abi][content-type]") {
    Instance inst;
    Result r = convert(inst, "tc.orders", "{}", {{"content-type", "application/json"}});
    CHECK(r.status == VSINK_ERR_RECORD);
    CHECK_THAT(r.error, Equals("content-type 'application/json' on topic tc.orders: ticketscloud.order is protobuf only"));
}

TEST_CASE("schema-version: another version or none is refused", "[abi][schema-version]") {
    Instance inst;
    Result other = convert(inst, "tl.orders", fixture("order_a.json"), with("schema-version", "2.0"));
    CHECK(other.status == VSINK_ERR_RECORD);
    CHECK_THAT(other.error, Equals("schema-version '2.0' is not accepted on topic tl.orders"));
    CHECK(other.rec.entities.empty());
    Result none = convert(inst, "tl.orders", fixture("order_a.json"), without("schema-version"));
    CHECK(none.status == VSINK_ERR_RECORD);
    CHECK_THAT(none.error, StartsWith("no schema-version header"));
    // A topic without schema_versions accepts any.
    Result refund = convert(inst, "tl.refunds", fixture("refund_a.json"), with("schema-version", "7"));
    CHECK(refund.status == VSINK_OK);
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

TEST_CASE("refunds need their key: the refund id", "[abi][refund]") {
    Instance inst;
    Result none = convert(inst, "tl.refunds", fixture("refund_a.json"), kJsonHeaders, std::nullopt);
    CHECK(none.status == VSINK_ERR_RECORD);
    CHECK_THAT(none.error, Equals("refund: the record key (the refund id) is missing"));
    Result empty = convert(inst, "tl.refunds", fixture("refund_a.json"), kJsonHeaders, std::string());
    CHECK(empty.status == VSINK_ERR_RECORD);
    Result bad = convert(inst, "tl.refunds", fixture("refund_a.json"), kJsonHeaders, std::string("r\xc3"));
    CHECK(bad.status == VSINK_ERR_RECORD);
    CHECK_THAT(bad.error, Contains("not valid UTF-8"));
    CHECK(convert(inst, "tl.refunds", fixture("refund_a.json"), kJsonHeaders, std::string("возврат-1")).status ==
          VSINK_OK);
}

TEST_CASE("a bad record emits nothing", "[abi]") {
    Instance inst;
    // The order row and the first ticket are fine; the second ticket is not.
    std::string order = R"({"id":"o","event_id":"e",
        "customer":{"email":"anna.petrova@example.com","phone":"+79001234567","name":"Анна Петрова"},
        "tickets":[{"id":"t1"},{"id":"t2","price_nominal":"free"}]})";
    Result r = convert(inst, "tl.orders", order);
    CHECK(r.status == VSINK_ERR_RECORD);
    CHECK_THAT(r.error, Equals("order.tickets[1].price_nominal: expected an integer, got string"));
    CHECK(r.rec.entities.empty());
    for (const char *pii : {"anna.petrova@example.com", "+79001234567", "Анна", "Петрова"})
        CHECK(r.error.find(pii) == std::string::npos);

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
}

TEST_CASE("errors fit the host's buffer, and a missing buffer is fine", "[abi]") {
    Instance inst;
    std::string value = fixture("order_a.json");
    vsink_record r{};
    r.topic = vsink::bytes("tl.orders");
    r.value = vsink::bytes(value);
    EntityRecorder rec;
    vsink_emitter out = rec.emitter();
    std::array<char, 8> small{};
    small.fill('x');
    vsink_error err{small.data(), 5};
    CHECK(vibe_plugin().descriptor()->convert(inst.ptr, &r, &out, &err) == VSINK_ERR_RECORD);
    CHECK(std::string(small.data()) == "no a");  // truncated to cap - 1, NUL-terminated
    CHECK(small[5] == 'x');
    CHECK(vibe_plugin().descriptor()->convert(inst.ptr, &r, &out, nullptr) == VSINK_ERR_RECORD);
    CHECK(vibe_plugin().descriptor()->convert(nullptr, &r, &out, nullptr) == VSINK_ERR_FATAL);
}

TEST_CASE("create() errors name the file, the line and the key", "[abi][create]") {
    std::string error;
    CHECK_FALSE(create({{"t", "message: order\nsources: [ticketland]\nformt: json\n"}}, &error));
    CHECK_THAT(error, Equals("vibe: test.yaml:4: topic 't': unknown key 'formt' (expected message, sources, "
                             "default_source, format, schema_versions)"));
    CHECK_FALSE(create({{"a", "message: order\nsources: [x]\n"}, {"t", "message: order\n"}}, &error));
    CHECK_THAT(error, Equals("vibe: test.yaml:11: topic 't': missing 'sources' (the application-id values allowed on "
                             "this topic)"));
    CHECK_FALSE(create({{"t", "message: order\nsources: [x]\n"}, {"t", "message: event\nsources: [x]\n"}}, &error));
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
        vsink_error err{buf.data(), buf.size()};
        vsink_plugin_config config{nullptr, 0};
        void *instance = reinterpret_cast<void *>(1);
        CHECK(d->create(&config, &instance, &err) != 0);
        CHECK(instance == nullptr);
        CHECK(std::string(buf.data()) == "init-fails fixture: create() always fails");
    }
}
