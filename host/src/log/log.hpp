// Logging: one line per event, text or JSON. Personal data never reaches a
// log line: the plugin's reasons name fields, not values, and the host logs
// only topic, partition, offset, counts and reasons.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace vsink {

void setup_logging(const std::string &level, const std::string &format);
std::shared_ptr<spdlog::logger> logger();

}  // namespace vsink
