#include "vsink/test/wait_until.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

namespace vsink::test {

bool wait_until(int deadline_ms, const std::function<bool()> &predicate, const std::string &what,
                int poll_ms) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const auto deadline = start + std::chrono::milliseconds(std::max(deadline_ms, 0));
    const auto poll = std::chrono::milliseconds(std::clamp(poll_ms, 1, 1000));
    for (;;) {
        if (predicate()) return true;
        const auto now = clock::now();
        if (now >= deadline) break;
        std::this_thread::sleep_for(std::min<clock::duration>(poll, deadline - now));
    }
    std::cerr << "wait_until: gave up after " << deadline_ms << " ms waiting for "
              << (what.empty() ? std::string("a condition") : what) << "\n";
    return false;
}

}  // namespace vsink::test
