// JSON views of robot accounts in Harbor's shapes. Pure; thread-safe.
#pragma once
#include "api/v2_0/render.h"
#include "store/identity_records.h"

namespace berth::api::v2_0 {

// {id, name, description, level, duration, editable, disable, expires_at, permissions,
// creator_type, creator_ref, creation_time, update_time} — never the secret or its hash.
Json RobotJson(const store::RobotRecord& r);

// The stored creator of a robot: "local:<user id>" or "robot:<robot id>".
std::string RobotCreator(bool robot, int64_t id);

}  // namespace berth::api::v2_0
