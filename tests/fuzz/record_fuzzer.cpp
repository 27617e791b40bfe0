// libFuzzer target: the whole plugin as the host drives it, through its C ABI
// entry (plugin.cpp): create() with a topic entry, convert() of one record,
// destroy(). The input (record_input.hpp) picks the entry and carries the
// record's headers (content-type, schema-version, application-id, in any
// letter case, repeated, null), key and value, so the record converter's
// envelope checks are fuzzed together with every decoder.
//
// Beyond the entity checks of fuzz_support.hpp:
//   - create() accepts every entry the input can pick, except a format of
//     json on a Ticketscloud message, which it must refuse;
//   - convert() returns VSINK_OK or VSINK_ERR_RECORD (or, from ABI 3 on,
//     VSINK_ERR_REFUSED), never FATAL: a bad record must not stop the
//     worker; an error text whenever it refuses (and from ABI 3 on, an
//     error class token);
//   - a refused record emits no entity, an accepted one at least one;
//   - a tombstone and a record of an unconfigured topic are refused;
//   - with `channels`, a record is accepted only with an allowed
//     application-id, and every `channel` it emits is an allowed one;
//   - a record accepted with a schema-version header has major version 1.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vsink/plugin.hpp>

#include "fuzz_support.hpp"
#include "record_input.hpp"

extern "C" const vsink_plugin *vsink_plugin_entry(uint32_t host_abi_version);

namespace {

using vsink_fuzz::fail;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// The last non-null header of that name, any letter case.
std::optional<std::string> header(const vsink_fuzz::RecordInput &in, std::string_view name) {
    std::optional<std::string> found;
    for (const auto &[k, v] : in.headers)
        if (v && lower(k) == name) found = v;
    return found;
}

// "1", "01", "1.7" (digits, at most 9 each), blanks around: major version 1.
bool is_major_one(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    const size_t dot = v.find('.');
    std::string_view major = v.substr(0, dot);
    if (major.empty() || major.size() > 9 || major.find_first_not_of("0123456789") != std::string_view::npos) return false;
    while (major.size() > 1 && major.front() == '0') major.remove_prefix(1);
    return major == "1";
}

std::string topic_entry_yaml(const vsink_fuzz::RecordInput &in) {
    std::string y = "message: " + std::string(vsink_fuzz::kRecordMessages[in.message()]) + "\n";
    y += in.ticketscloud() ? "system: ticketscloud\n" : "system: ticketland\n";
    if (in.format() == 1) y += "format: json\n";
    if (in.format() == 2) y += "format: protobuf\n";
    if (in.channels()) y += "channels: [web, box_office]\n";
    if (in.extra()) {
        if (in.message() == 6)
            y += "categories: {cat-concert: concert, cat-theater: theater}\n";
        else
            y += "schema_versions: [\"1\"]\ndefault_schema_version: \"1\"\n";
    }
    return y;
}

// Also records every `channel` the plugin emits.
struct ChannelWatch {
    vsink_emitter inner;
    std::vector<std::optional<std::string>> channels;

    static int emit(void *ctx, const vsink_entity *e) {
        auto *self = static_cast<ChannelWatch *>(ctx);
        const int rc = self->inner.emit(self->inner.host_ctx, e);
        for (size_t i = 0; i < e->field_count; ++i)
            if (vsink::view(e->fields[i].name) == "channel")
                self->channels.push_back(e->fields[i].value.kind == VSINK_STRING
                                             ? std::optional<std::string>(std::string(vsink::view(e->fields[i].value.str)))
                                             : std::nullopt);
        return rc;
    }
    static void tolerated(void *ctx, vsink_bytes kind, vsink_bytes field) {
        auto *self = static_cast<ChannelWatch *>(ctx);
        self->inner.tolerated(self->inner.host_ctx, kind, field);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const vsink_fuzz::RecordInput in =
        vsink_fuzz::RecordInput::parse(std::string_view(reinterpret_cast<const char *>(data), size));

    static const vsink_plugin *plugin = vsink_plugin_entry(VSINK_ABI_VERSION);
    if (!plugin || plugin->abi_version != VSINK_ABI_VERSION || plugin->struct_size != sizeof(vsink_plugin))
        fail("the plugin's descriptor does not match this ABI");

    const std::string topic = in.long_topic() ? "fuzz." + std::string(195, 't') : "fuzz.topic";
    const std::string yaml = topic_entry_yaml(in);
    const vsink_topic_config entry{vsink::bytes(topic), vsink::bytes(yaml), vsink::bytes("fuzz.yaml"), 1};
    const vsink_plugin_config config{&entry, 1};
    char err_buf[1024];
    vsink_error err{};
    err.buf = err_buf;
    err.cap = sizeof err_buf;
#if VSINK_ABI_VERSION >= 3
    char class_buf[64] = "";  // the refusal's class, for the dead-letter queue
    err.class_buf = class_buf;
    err.class_cap = sizeof class_buf;
#endif

    err_buf[0] = '\0';
    void *instance = nullptr;
    const int created = plugin->create(&config, &instance, &err);
    const bool must_refuse = in.ticketscloud() && in.format() == 1;
    if (created != 0) {
        if (!must_refuse) fail("create() refused a valid topic entry: " + std::string(err_buf) + "\n" + yaml);
        if (instance) fail("create() failed but handed out an instance");
        if (!err_buf[0]) fail("create() failed without an error text");
        return 0;
    }
    if (must_refuse) fail("create() accepted format json for " + std::string(vsink_fuzz::kRecordMessages[in.message()]));
    if (!instance) fail("create() succeeded without an instance");

    std::vector<vsink_header> headers;
    for (const auto &[k, v] : in.headers)
        headers.push_back(vsink_header{vsink::bytes(k), v ? vsink::bytes(*v) : vsink_bytes{nullptr, 0}});
    const std::string record_topic = in.other_topic() ? "fuzz.other" : topic;
    vsink_record record{};
    record.topic = vsink::bytes(record_topic);
    record.partition = in.partition();
    record.offset = in.offset();
    record.timestamp_ms = -1;
    record.key = in.null_key() ? vsink_bytes{nullptr, 0} : vsink::bytes(in.key);
    // A non-null pointer for an empty value: empty is not a tombstone.
    static const char kEmpty[1] = {0};
    record.value = in.tombstone() ? vsink_bytes{nullptr, 0}
                                  : vsink_bytes{in.value.empty() ? kEmpty : in.value.data(), in.value.size()};
    record.headers = headers.data();
    record.header_count = headers.size();

    vsink_fuzz::CheckingEmitter host;
    ChannelWatch watch{host.emitter(), {}};
    const vsink_emitter out{&watch, &ChannelWatch::emit, &ChannelWatch::tolerated};
    err_buf[0] = '\0';
    const int32_t rc = plugin->convert(instance, &record, &out, &err);
    plugin->destroy(instance);

    // VSINK_FUZZ_VERBOSE=1: what became of each input (to read a reproduced crash, or the seeds).
    static const bool verbose = std::getenv("VSINK_FUZZ_VERBOSE") != nullptr;
    if (verbose)
        std::fprintf(stderr, "fuzz_record: %s on %s: convert() = %d, %zu entities, %zu tolerated%s%s\n",
                     vsink_fuzz::kRecordMessages[in.message()], record_topic.c_str(), rc, host.entities(),
                     host.tolerated(), err_buf[0] ? ": " : "", err_buf);

    bool refused = rc == VSINK_ERR_RECORD;
#if VSINK_ABI_VERSION >= 3
    refused = refused || rc == VSINK_ERR_REFUSED;  // a configured rule refuses the record
#endif
    if (rc != VSINK_OK && !refused)
        fail("convert() returned " + std::to_string(rc) + " for a record: " + std::string(err_buf));
    if (std::memchr(err_buf, '\0', sizeof err_buf) == nullptr) fail("the error text is not NUL-terminated");
    if (refused) {
        if (!err_buf[0]) fail("convert() refused the record without an error text");
#if VSINK_ABI_VERSION >= 3
        const std::string cls(class_buf);
        if (cls.empty() || cls.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
            fail("convert() refused the record with the error class '" + cls + "' (want a token): " + err_buf);
#endif
        if (host.entities() != 0) fail("a refused record emitted " + std::to_string(host.entities()) + " entities");
        return 0;
    }
    if (host.entities() == 0) fail("an accepted record emitted no entity");
    if (in.tombstone()) fail("a tombstone was accepted");
    if (in.other_topic()) fail("a record of a topic that is not configured was accepted");
    const std::optional<std::string> channel = header(in, "application-id");
    if (in.channels()) {
        auto allowed = [](const std::optional<std::string> &c) { return c && (*c == "web" || *c == "box_office"); };
        if (!allowed(channel)) fail("a record outside the channel allow-list was accepted");
        for (const std::optional<std::string> &c : watch.channels)
            if (!allowed(c)) fail("an entity carries a channel outside the allow-list");
    }
    if (const std::optional<std::string> v = header(in, "schema-version"); v && !is_major_one(*v))
        fail("a record with schema-version '" + *v + "' was accepted");
    return 0;
}
