#include "api/v2_0/robot_views.h"

#include <charconv>

namespace berth::api::v2_0 {

std::string RobotCreator(bool robot, int64_t id) { return (robot ? "robot:" : "local:") + std::to_string(id); }

Json RobotJson(const store::RobotRecord& r) {
  Json j;
  j["id"] = r.id;
  j["name"] = r.name;
  j["description"] = r.description;
  j["level"] = r.level;
  j["duration"] = r.duration;
  j["editable"] = true;
  j["disable"] = r.disabled;
  j["expires_at"] = r.expires_at;
  Json perms = Json::parse(r.permissions_json, nullptr, false);
  j["permissions"] = perms.is_array() ? perms : Json::array();
  // creator: "<type>:<id>"; anything else (older rows) is shown as a local creator without a ref.
  std::string type = "local";
  int64_t ref = 0;
  if (auto colon = r.creator.find(':'); colon != std::string::npos) {
    type = r.creator.substr(0, colon);
    const char* first = r.creator.data() + colon + 1;
    std::from_chars(first, r.creator.data() + r.creator.size(), ref);
  }
  j["creator_type"] = type;
  j["creator_ref"] = ref;
  j["creation_time"] = HarborTime(r.created_at);
  j["update_time"] = HarborTime(r.updated_at);
  return j;
}

}  // namespace berth::api::v2_0
