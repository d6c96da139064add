// Id lists as statement parameters, so one prepared statement serves any number of ids.
// Pure functions; thread-safe.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace berth::store::sqlite {

// ",1,2,3,": matched with instr(?, ',' || id || ',') where the list is short and no index applies.
std::string IdList(const std::vector<int64_t>& ids);
// "[1,2,3]": for `IN (SELECT value FROM json_each(?))`, which looks each id up by index.
std::string JsonIdArray(const std::vector<int64_t>& ids);

}  // namespace berth::store::sqlite
