// `sinkhost schema`: print the DDL the mappings need (no flag), show what the
// database lacks (--diff), or bring the database up to the mappings (--apply).
// Exit codes: 0 nothing missing (--diff) / everything applied (--apply);
// 1 something missing (--diff) / a change refused, not run (--apply).
#pragma once

#include <string>

namespace vsink {

int cmd_schema(const std::string &config_path, bool apply, bool diff);

}  // namespace vsink
