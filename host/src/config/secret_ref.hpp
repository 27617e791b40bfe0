// References in the worker config, expanded in every scalar before it is read:
//   ${env:NAME}            an environment variable (an error when unset)
//   ${env:NAME:-default}   ... or the default when unset or empty
//   ${file:PATH}           a file's contents, one trailing newline trimmed;
//                          a relative PATH is read from the config's folder
// Values are never part of an error message (they may be secrets). Nested
// references (${env:${env:X}}) are refused.
#pragma once

#include <string>

namespace vsink {

// Expands every reference in `text`. `where` ("file:line") prefixes errors;
// `base_dir` resolves relative ${file:} paths (empty: the current folder).
// Throws ConfigError naming the reference (never its value).
std::string expand_references(const std::string &text, const std::string &where, const std::string &base_dir = "");

// The same, kept for callers that expand one value themselves.
inline std::string resolve_secret_refs(const std::string &text, const std::string &where) {
    return expand_references(text, where);
}

}  // namespace vsink
