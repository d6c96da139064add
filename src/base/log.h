// Logging: a fixed lower-case message plus key=value fields, on spdlog.
// Thread-safe (spdlog's default logger is). Never pass secrets as fields.
#pragma once
#include <spdlog/spdlog.h>

#include <string_view>

namespace berth::log {

// level: trace, debug, info, warn, error, off.
void Init(std::string_view level);

}  // namespace berth::log
