// The C ABI entry of the vibe plugin (plugin_abi.h). Nothing but C types
// crosses this file's boundary: every exception is caught here and turned
// into a status and an error text.
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <vsink/plugin.hpp>

#include "record_converter.hpp"
#include "topic_config.hpp"

#ifndef VIBE_PLUGIN_VERSION
#define VIBE_PLUGIN_VERSION "0.0.0"
#endif

namespace {

int create(const vsink_plugin_config *config, void **instance, vsink_error *err) {
    if (!instance) {
        vsink::set_error(err, "vibe: create() called without an instance pointer");
        return 1;
    }
    *instance = nullptr;
    if (!config || (config->topic_count > 0 && !config->topics)) {
        vsink::set_error(err, "vibe: create() called without a configuration");
        return 1;
    }
    try {
        std::vector<vibe::TopicConfig> topics;
        topics.reserve(config->topic_count);
        for (size_t i = 0; i < config->topic_count; ++i) {
            const vsink_topic_config &t = config->topics[i];
            topics.push_back(vibe::parse_topic_config(vsink::view(t.topic), vsink::view(t.yaml),
                                                      vsink::view(t.source_file), t.source_line));
        }
        *instance = new vibe::RecordConverter(std::move(topics));
        return 0;
    } catch (const std::exception &e) {
        vsink::set_error(err, std::string("vibe: ") + e.what());
    } catch (...) {
        vsink::set_error(err, "vibe: unexpected error while reading the topic configuration");
    }
    return 1;
}

int32_t convert(void *instance, const vsink_record *record, const vsink_emitter *out, vsink_error *err) {
    if (!instance || !record || !out || !out->emit) {
        vsink::set_error(err, "vibe: convert() called without an instance, record or emitter");
        return VSINK_ERR_FATAL;
    }
    try {
        static_cast<const vibe::RecordConverter *>(instance)->convert(*record, *out);
        return VSINK_OK;
    } catch (const std::bad_alloc &) {
        // Out of memory is not the record's fault: let the worker stop.
        vsink::set_error(err, "vibe: out of memory");
        return VSINK_ERR_FATAL;
    } catch (const vibe::RefusedRecord &e) {
        vsink::set_error(err, e.what());
        vsink::set_error_class(err, e.kind);
        return VSINK_ERR_REFUSED;
    } catch (const vibe::RecordError &e) {
        vsink::set_error(err, e.what());
        vsink::set_error_class(err, e.kind);
    } catch (const vibe::DecodeError &e) {
        vsink::set_error(err, e.what());
        vsink::set_error_class(err, e.kind);
    } catch (const std::exception &e) {
        // Anything a decoder library throws (protobuf; RapidJSON never does
        // with our flags) means a bad record.
        vsink::set_error(err, e.what());
        vsink::set_error_class(err, "malformed");
    } catch (...) {
        vsink::set_error(err, "vibe: unexpected error while converting the record");
    }
    return VSINK_ERR_RECORD;
}

void destroy(void *instance) { delete static_cast<vibe::RecordConverter *>(instance); }

constexpr vsink_plugin kDescriptor = {
    VSINK_ABI_VERSION, sizeof(vsink_plugin), "vibe", VIBE_PLUGIN_VERSION, create, convert, destroy,
};

}  // namespace

// The only exported symbol. The descriptor is returned whatever version the
// host asks for, so that the host can report both versions on a mismatch.
extern "C" __attribute__((visibility("default"))) const vsink_plugin *vsink_plugin_entry(uint32_t host_abi_version) {
    (void)host_abi_version;
    return &kDescriptor;
}
