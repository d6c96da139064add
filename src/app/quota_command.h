// `berth quota verify`: recomputes every project's storage usage from the reference tables (the
// project_usage view) and compares it with the recorded usage, printing one line per project:
//   project=<name> id=<id> used=<recorded bytes> recomputed=<bytes> drift=<recomputed - used>
// then `checked=<n> drifted=<m>`. Safe while the server runs (a read-only snapshot of the same
// database; SQLite WAL). Exit status 0 when nothing drifted, 1 on drift, 2 on errors.
#pragma once
#include <map>
#include <optional>
#include <string>

namespace berth::app {

int QuotaVerify(const std::optional<std::string>& config_file, const std::map<std::string, std::string>& overrides);

}  // namespace berth::app
