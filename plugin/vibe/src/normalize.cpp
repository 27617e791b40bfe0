#include "normalize.hpp"

#include <array>

namespace vibe {

namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Every category name the Vibe database knows (CONTRACT.md §3, shapes A and B).
constexpr std::array<std::string_view, 22> kKnownCategories = {
    "ballet",  "business", "concert", "development", "excursion", "exhibition", "festival", "health",
    "kids",    "movie",    "museum",  "party",       "show",      "sport",      "test",     "theater",
    "other",   "circus",   "games",   "musical",     "standup",   "workshop"};

// Spellings seen in the producers' schemas that mean a known category:
// shape A's historic typo, and the plural forms of one revision of shape B.
struct Alias {
    std::string_view spelled;
    std::string_view means;
};
constexpr std::array<Alias, 3> kAliases = {{
    {"develpoment", "development"},
    {"standups", "standup"},
    {"workshops", "workshop"},
}};

}  // namespace

std::string normalize_category(std::string_view raw, bool *unknown) {
    std::string lower;
    lower.reserve(raw.size());
    for (char c : raw) lower.push_back(ascii_lower(c));
    if (unknown) *unknown = false;
    for (std::string_view known : kKnownCategories)
        if (lower == known) return lower;
    for (const Alias &a : kAliases)
        if (lower == a.spelled) return std::string(a.means);
    if (unknown) *unknown = true;
    return "other";
}

Opt full_name(const Opt &first, const Opt &last) {
    if (first && !first->empty() && last && !last->empty()) return *first + " " + *last;
    if (first && !first->empty()) return first;
    if (last && !last->empty()) return last;
    return std::nullopt;
}

}  // namespace vibe
