#include "log/redact.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace vsink {

namespace {

std::mutex &secrets_mutex() {
    static std::mutex m;
    return m;
}

std::vector<std::string> &secrets() {
    static std::vector<std::string> s;
    return s;
}

bool email_char(unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }

// Hides user@domain.tld tokens.
std::string hide_emails(std::string s) {
    for (size_t at = s.find('@'); at != std::string::npos; at = s.find('@', at + 1)) {
        size_t b = at, e = at + 1;
        while (b > 0 && email_char(static_cast<unsigned char>(s[b - 1]))) --b;
        while (e < s.size() && (std::isalnum(static_cast<unsigned char>(s[e])) || s[e] == '.' || s[e] == '-')) ++e;
        const std::string_view domain(s.data() + at + 1, e - at - 1);
        if (b == at || domain.find('.') == std::string_view::npos) continue;
        s.replace(b, e - b, kHidden);
        at = b + kHidden.size() - 1;
    }
    return s;
}

// Hides '+' followed by 10 or more digits (spaces, dashes, parentheses allowed between).
std::string hide_phones(std::string s) {
    for (size_t p = s.find('+'); p != std::string::npos; p = s.find('+', p + 1)) {
        size_t e = p + 1, digits = 0;
        while (e < s.size() && (std::isdigit(static_cast<unsigned char>(s[e])) || s[e] == ' ' || s[e] == '-' ||
                                s[e] == '(' || s[e] == ')')) {
            if (std::isdigit(static_cast<unsigned char>(s[e]))) ++digits;
            ++e;
        }
        if (digits < 10) continue;
        while (e > p + 1 && !std::isdigit(static_cast<unsigned char>(s[e - 1]))) --e;  // keep a trailing ") " etc.
        s.replace(p, e - p, kHidden);
        p += kHidden.size() - 1;
    }
    return s;
}

bool identifier(std::string_view v) {
    return !v.empty() && v.size() <= 64 &&
           std::all_of(v.begin(), v.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; });
}

// Whether the quoted token starting at `quote` names a schema object: it
// follows "column ", "key ", "table ", "database " (any case) and looks like
// an identifier.
bool names_an_object(const std::string &s, size_t quote, std::string_view value) {
    if (!identifier(value)) return false;
    // A database user and its host ('vsink'@'10.0.0.1') are not customer data either.
    static const char *kWords[] = {"column ", "key ", "table ", "database ", "constraint ", "index ", "user ", "@",
                                   "server on "};
    for (const char *w : kWords) {
        const size_t n = std::char_traits<char>::length(w);
        if (quote < n) continue;
        bool same = true;
        for (size_t i = 0; i < n && same; ++i)
            same = std::tolower(static_cast<unsigned char>(s[quote - n + i])) == w[i];
        if (same) return true;
    }
    return false;
}

}  // namespace

void add_secret(const std::string &value) {
    if (value.size() < 4) return;
    std::lock_guard<std::mutex> lock(secrets_mutex());
    auto &s = secrets();
    if (std::find(s.begin(), s.end(), value) != s.end()) return;
    // Longest first, so a secret that contains another is hidden whole.
    s.insert(std::find_if(s.begin(), s.end(), [&](const std::string &x) { return x.size() < value.size(); }), value);
}

std::string redact(std::string_view text) {
    std::string s(text);
    {
        std::lock_guard<std::mutex> lock(secrets_mutex());
        for (const std::string &secret : secrets())
            for (size_t p = s.find(secret); p != std::string::npos; p = s.find(secret, p + kHidden.size()))
                s.replace(p, secret.size(), kHidden);
    }
    return hide_phones(hide_emails(std::move(s)));
}

std::string redact_db_message(std::string_view text) {
    std::string s(text);
    // The server's own words hold apostrophes too ("Can't connect"): a quote
    // between two letters opens no value.
    auto opening_quote = [&s](size_t from) {
        for (size_t q = s.find('\'', from); q != std::string::npos; q = s.find('\'', q + 1)) {
            const bool contraction = q > 0 && q + 1 < s.size() && std::isalpha(static_cast<unsigned char>(s[q - 1])) &&
                                     std::isalpha(static_cast<unsigned char>(s[q + 1]));
            if (!contraction) return q;
        }
        return std::string::npos;
    };
    for (size_t open = opening_quote(0); open != std::string::npos;) {
        size_t close = s.find('\'', open + 1);
        if (close == std::string::npos) {  // unterminated: hide the rest
            s.replace(open + 1, std::string::npos, kHidden);
            break;
        }
        // A value may hold quotes itself (O'Brien): it ends at the quote
        // before the message goes on (" for key", " at row", " in ").
        size_t tail = std::string::npos;
        for (const char *t : {"' for ", "' at ", "' in "}) tail = std::min(tail, s.find(t, close));
        if (tail != std::string::npos && !names_an_object(s, open, std::string_view(s.data() + open + 1, close - open - 1)))
            close = tail;
        const std::string_view value(s.data() + open + 1, close - open - 1);
        if (!names_an_object(s, open, value)) {
            s.replace(open + 1, close - open - 1, kHidden);
            close = open + 1 + kHidden.size();
        }
        open = opening_quote(close + 1);
    }
    return redact(s);
}

std::string redact_url(std::string_view url) {
    std::string s(url);
    const size_t scheme = s.find("://");
    if (scheme == std::string::npos) return s;
    const size_t at = s.find('@', scheme + 3);
    const size_t slash = s.find('/', scheme + 3);
    if (at == std::string::npos || (slash != std::string::npos && slash < at)) return s;
    const size_t colon = s.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return s;
    s.replace(colon + 1, at - colon - 1, kHidden);
    return s;
}

}  // namespace vsink
