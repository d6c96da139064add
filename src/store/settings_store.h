// Store interfaces for system configuration and for the user↔group links of externally
// authenticated users.
//
// SettingsStore: a durable key/value map of system settings. Values are opaque strings (the
// caller encodes them; auth/system_config.h stores JSON texts). Only keys that were set are
// stored: defaults are the caller's business. tests/unit/settings_store_conformance_test.cc runs
// one suite against each backend.
//
// UserGroupLinkStore: which user groups (user_groups rows) a user belongs to, as last reported by
// the identity source (LDAP) at login or import.
//
// Every method is thread-safe and atomic.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::store {

class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  // Every stored key and its value.
  virtual Result<std::map<std::string, std::string>> LoadAll() = 0;
  // Inserts or replaces every pair in one transaction: all of them are stored or none.
  virtual Result<void> Save(const std::map<std::string, std::string>& values) = 0;
};

class UserGroupLinkStore {
 public:
  virtual ~UserGroupLinkStore() = default;
  // Replaces the user's groups with `group_ids` (duplicates ignored) in one transaction. Ids of
  // users or groups that do not exist fail the whole call (kInternal, foreign keys).
  virtual Result<void> SetUserGroups(int64_t user_id, const std::vector<int64_t>& group_ids) = 0;
  // The user's group ids, ascending; empty for unknown users.
  virtual Result<std::vector<int64_t>> GroupsOfUser(int64_t user_id) = 0;
};

}  // namespace berth::store
