// Normalization rules shared by every decoder (CONTRACT.md §3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain.hpp"

namespace vibe {

// Unix time in seconds or milliseconds -> milliseconds. Values below 10^11
// are seconds (shape A, vibe.v1 samples); above, milliseconds (shape B).
inline int64_t epoch_to_ms(int64_t v) {
    constexpr int64_t kSecondsLimit = 100000000000LL;  // 10^11
    return (v > -kSecondsLimit && v < kSecondsLimit) ? v * 1000 : v;
}

// A category from any source dictionary -> one of the known names, or
// "other" for anything unknown (the dictionary is extensible: never reject).
// Accepts any letter case, the historic misspelling "develpoment" and the
// plural "standups"/"workshops" of one shape-B revision.
// Sets *unknown when the value was not recognized.
std::string normalize_category(std::string_view raw, bool *unknown = nullptr);

// A customer's display name from shape B's parts: "first last", or whichever
// part is given; absent when neither is.
Opt full_name(const Opt &first, const Opt &last);

// Shortest-form UTF-8 without surrogates: what a VARCHAR key may hold
// (bytes MySQL would reject or mangle are refused).
bool valid_utf8(std::string_view s);

}  // namespace vibe
