#include "store/sqlite/id_lists.h"

namespace berth::store::sqlite {

std::string IdList(const std::vector<int64_t>& ids) {
  std::string out = ",";
  for (auto id : ids) out += std::to_string(id) + ",";
  return out;
}

std::string JsonIdArray(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

}  // namespace berth::store::sqlite
