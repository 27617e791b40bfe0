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

bool valid_utf8(std::string_view s) {
    static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};  // shortest form only
    for (size_t i = 0; i < s.size();) {
        const unsigned char lead = static_cast<unsigned char>(s[i]);
        size_t n = 0;
        uint32_t cp = 0;
        if (lead < 0x80) {
            ++i;
            continue;
        } else if ((lead & 0xe0) == 0xc0) {
            n = 1, cp = lead & 0x1f;
        } else if ((lead & 0xf0) == 0xe0) {
            n = 2, cp = lead & 0x0f;
        } else if ((lead & 0xf8) == 0xf0) {
            n = 3, cp = lead & 0x07;
        } else {
            return false;
        }
        if (s.size() - i <= n) return false;
        for (size_t k = 1; k <= n; ++k) {
            const unsigned char b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3f);
        }
        if (cp < kMinForLength[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += n + 1;
    }
    return true;
}

}  // namespace vibe
