#include "vsink/test/unique_name.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>

namespace vsink::test {
namespace {

std::string base36(unsigned long long v) {
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string s;
    do {
        s.insert(s.begin(), digits[v % 36]);
        v /= 36;
    } while (v);
    return s;
}

}  // namespace

std::string unique_name(const std::string &prefix) {
    static std::atomic<unsigned long> counter{0};
    // Milliseconds since the epoch tell two runs with a recycled pid apart;
    // the counter tells names within one process apart.
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return prefix + "_" + std::to_string(::getpid()) + "_" +
           base36(static_cast<unsigned long long>(ms)) + "_" + std::to_string(++counter);
}

}  // namespace vsink::test
