#include "plugin/plugin_library.hpp"

#include <dlfcn.h>

namespace vsink {

std::shared_ptr<PluginLibrary> PluginLibrary::open(const std::string &path) {
    std::shared_ptr<PluginLibrary> lib(new PluginLibrary());
    lib->path_ = path;
    lib->handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib->handle_) {
        const char *e = dlerror();
        throw PluginError("plugin " + path + ": cannot load: " + (e ? e : "unknown error"));
    }
    dlerror();
    void *sym = dlsym(lib->handle_, VSINK_PLUGIN_ENTRY_SYMBOL);
    if (!sym) {
        const char *e = dlerror();
        throw PluginError("plugin " + path + ": no entry symbol " VSINK_PLUGIN_ENTRY_SYMBOL ": " +
                          (e ? e : "symbol not found") + " (is it a vibe-sink plugin?)");
    }
    auto entry = reinterpret_cast<vsink_plugin_entry_fn>(sym);
    const vsink_plugin *api = entry(VSINK_ABI_VERSION);
    if (!api)
        throw PluginError("plugin " + path + ": refused host ABI version " + std::to_string(VSINK_ABI_VERSION));
    if (api->abi_version != VSINK_ABI_VERSION)
        throw PluginError("plugin " + path + ": built for ABI version " + std::to_string(api->abi_version) +
                          ", this host speaks ABI version " + std::to_string(VSINK_ABI_VERSION) +
                          "; rebuild the plugin against this host's SDK");
    if (api->struct_size < sizeof(vsink_plugin) || !api->create || !api->convert || !api->destroy)
        throw PluginError("plugin " + path + ": incomplete descriptor (struct_size " + std::to_string(api->struct_size) +
                          ", expected at least " + std::to_string(sizeof(vsink_plugin)) + ")");
    lib->api_ = api;
    return lib;
}

PluginLibrary::~PluginLibrary() {
    if (handle_) dlclose(handle_);
}

PluginInstance::PluginInstance(std::shared_ptr<PluginLibrary> lib, const std::vector<TopicDef> &topics)
    : lib_(std::move(lib)) {
    std::vector<vsink_topic_config> tc;
    tc.reserve(topics.size());
    for (const auto &t : topics)
        tc.push_back({{t.name.data(), t.name.size()}, {t.yaml.data(), t.yaml.size()}, {t.file.data(), t.file.size()},
                      t.line});
    vsink_plugin_config cfg{tc.data(), tc.size()};
    char buf[2048] = {0};
    vsink_error err{buf, sizeof buf, nullptr, 0};
    if (lib_->api().create(&cfg, &instance_, &err) != 0 || !instance_)
        throw PluginError("plugin " + lib_->path() + ": initialization failed: " + (buf[0] ? buf : "no reason given"));
}

PluginInstance::~PluginInstance() {
    if (instance_) lib_->api().destroy(instance_);
}

int32_t PluginInstance::convert(const vsink_record &record, const vsink_emitter &out, std::string &error,
                               std::string &error_class) {
    char buf[1024];
    char cls[64];
    buf[0] = '\0';
    cls[0] = '\0';
    vsink_error err{buf, sizeof buf, cls, sizeof cls};
    const int32_t rc = lib_->api().convert(instance_, &record, &out, &err);
    if (rc != VSINK_OK) {
        error = buf[0] ? buf : "the plugin gave no reason";
        error_class = cls[0] ? cls : "unclassified";
    }
    return rc;
}

}  // namespace vsink
