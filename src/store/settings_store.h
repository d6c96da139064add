// SettingsStore: a durable key/value map of system settings. Values are opaque strings (the
// caller encodes them; auth/system_config.h stores JSON texts). Only keys that were set are
// stored: defaults are the caller's business. tests/unit/settings_store_conformance_test.cc runs
// one suite against each backend.
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

}  // namespace berth::store
