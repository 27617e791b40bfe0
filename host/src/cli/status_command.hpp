// sinkhost status: what a running worker says about itself (its /status).
#pragma once

#include <string>

namespace vsink {

// Prints the /status JSON of the worker at `url` (default: the config's
// worker.http address). 0 when it answered; 1, with a message on stderr,
// when no worker answers there.
int cmd_status(const std::string &config_path, const std::string &url);

}  // namespace vsink
