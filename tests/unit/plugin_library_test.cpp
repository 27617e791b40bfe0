#include <catch2/catch.hpp>

#include "plugin/plugin_library.hpp"

using namespace vsink;

namespace {
const std::string kFixtures = VSINK_PLUGIN_FIXTURES;
}

TEST_CASE("plugin loader: the vibe plugin loads and speaks this ABI", "[plugin]") {
    auto lib = PluginLibrary::open(VSINK_VIBE_PLUGIN);
    CHECK(lib->api().abi_version == VSINK_ABI_VERSION);
    CHECK(lib->name() == "vibe");
}

TEST_CASE("plugin loader: a plugin built for another ABI is refused naming both versions", "[plugin]") {
    const std::string path = kFixtures + "/libvsink-wrong-abi.so";
    CHECK_THROWS_WITH(PluginLibrary::open(path),
                      Catch::Contains(path) && Catch::Contains("ABI version 999") &&
                          Catch::Contains("host speaks ABI version " + std::to_string(VSINK_ABI_VERSION)));
}

TEST_CASE("plugin loader: a library without the entry symbol is refused", "[plugin]") {
    const std::string path = kFixtures + "/libvsink-no-entry.so";
    CHECK_THROWS_WITH(PluginLibrary::open(path), Catch::Contains(path) && Catch::Contains("no entry symbol"));
}

TEST_CASE("plugin loader: a missing file is refused with dlerror", "[plugin]") {
    CHECK_THROWS_WITH(PluginLibrary::open("/nonexistent/libx.so"),
                      Catch::Contains("/nonexistent/libx.so") && Catch::Contains("cannot load"));
}

TEST_CASE("plugin loader: a plugin whose init fails gives its reason", "[plugin]") {
    auto lib = PluginLibrary::open(kFixtures + "/libvsink-init-fails.so");
    CHECK_THROWS_WITH(PluginInstance(lib, {}), Catch::Contains("initialization failed"));
}
