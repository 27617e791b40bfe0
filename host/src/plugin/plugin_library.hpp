// Loads a plugin .so through the versioned C ABI (plugin_abi.h) and wraps an
// instance of it. Teardown order: every PluginInstance is destroyed before the
// PluginLibrary that made it (the instance holds a shared_ptr to it).
#pragma once

#include <vsink/plugin_abi.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "mapping/mapping.hpp"

namespace vsink {

// The plugin cannot be loaded or started: names the file and the reason.
struct PluginError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class PluginLibrary {
public:
    // dlopen(RTLD_NOW | RTLD_LOCAL), find the entry symbol, check the ABI version.
    static std::shared_ptr<PluginLibrary> open(const std::string &path);
    ~PluginLibrary();
    PluginLibrary(const PluginLibrary &) = delete;
    PluginLibrary &operator=(const PluginLibrary &) = delete;

    const vsink_plugin &api() const { return *api_; }
    const std::string &path() const { return path_; }
    std::string name() const { return api_->name ? api_->name : "?"; }
    std::string version() const { return api_->version ? api_->version : "?"; }

private:
    PluginLibrary() = default;
    std::string path_;
    void *handle_ = nullptr;
    const vsink_plugin *api_ = nullptr;
};

class PluginInstance {
public:
    PluginInstance(std::shared_ptr<PluginLibrary> lib, const std::vector<TopicDef> &topics);
    ~PluginInstance();
    PluginInstance(const PluginInstance &) = delete;
    PluginInstance &operator=(const PluginInstance &) = delete;

    // Returns the plugin's vsink_status; on error `error` holds the reason
    // and `error_class` the plugin's short class token ("malformed", ...).
    int32_t convert(const vsink_record &record, const vsink_emitter &out, std::string &error, std::string &error_class);
    const PluginLibrary &library() const { return *lib_; }

private:
    std::shared_ptr<PluginLibrary> lib_;
    void *instance_ = nullptr;
};

}  // namespace vsink
