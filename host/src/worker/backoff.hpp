// Exponential backoff with full jitter for transient failures.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

namespace vsink {

class Backoff {
public:
    Backoff(int initial_ms, int max_ms) : initial_(initial_ms), max_(max_ms), rng_(std::random_device{}()) {}
    // The next wait: uniform in [cap/2, cap], cap doubling up to max.
    int next_ms() {
        const int64_t cap = std::min<int64_t>(max_, static_cast<int64_t>(initial_) << std::min(attempt_, 20));
        ++attempt_;
        std::uniform_int_distribution<int64_t> d(cap / 2, cap);
        return static_cast<int>(d(rng_));
    }
    void reset() { attempt_ = 0; }
    int attempts() const { return attempt_; }

private:
    int initial_, max_;
    int attempt_ = 0;
    std::mt19937_64 rng_;
};

}  // namespace vsink
