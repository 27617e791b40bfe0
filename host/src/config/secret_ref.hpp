// Secrets in the worker config are references, never literals in logs:
// "${env:NAME}" takes an environment variable, "${file:/path}" a file's
// contents (trailing newline stripped). Other text is returned as is.
#pragma once

#include <string>

namespace vsink {

// Expands every ${env:...} / ${file:...} in `text`. Throws ConfigError naming
// the reference (never its value) when it cannot be resolved.
std::string resolve_secret_refs(const std::string &text, const std::string &where);

}  // namespace vsink
