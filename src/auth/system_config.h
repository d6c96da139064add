// SystemConfig: Harbor's system settings (GET/PUT /api/v2.0/configurations) — the catalog of keys
// with their types, defaults and allowed values, validation of partial updates, and an in-memory
// snapshot of the effective values over a durable store::SettingsStore.
//
// Values are JSON scalars: strings, integers and booleans as Harbor returns them. Secrets
// (ldap_search_password) are write-only: Public() never lists them, and nothing here logs values.
// Only keys that were set are stored (as JSON texts); every other key has its default. Secrets are
// stored sealed by a SecretBox ("enc:v1:..."); a secret an older version stored in plaintext still
// loads, and the next successful Apply() stores it sealed.
//
// Thread-safe: readers take a shared lock on the snapshot; Apply() serializes writers and swaps
// the snapshot only after the store accepted the change, so readers see all of an update or none.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/secret_box.h"
#include "base/error.h"
#include "store/settings_store.h"

namespace berth::auth {

class SystemConfig {
 public:
  using Json = nlohmann::json;
  using Values = std::map<std::string, Json, std::less<>>;

  // Loads the stored values; `secrets` seals and opens the secret ones and must outlive this object.
  // A stored value that no longer validates (an older format) or a secret that does not open (its
  // key is gone) is ignored with a warning naming the key, so the default applies.
  static Result<std::unique_ptr<SystemConfig>> Load(store::SettingsStore& store, const SecretBox& secrets);

  // Every key except secrets with its effective value, in catalog order.
  std::vector<std::pair<std::string, Json>> Public() const;
  // Parses a flat partial map {"key": value, ...}. kBadRequest for a body that is not an object,
  // an unknown key, a value of the wrong type or a value that is not allowed. Integers may come as
  // JSON numbers or decimal strings and booleans as true/false or "true"/"false" (Harbor accepts
  // both); strings must be JSON strings.
  Result<Values> Parse(const Json& changes) const;
  // Checks the rules between keys against the values the update would produce, stores the values
  // in one transaction and publishes them. kBadRequest when a cross-key rule fails.
  Result<void> Apply(const Values& parsed);

  // The effective value of a catalog key (its default when never set). Precondition: `key` is in
  // the catalog (a typo is a bug and returns null / "" / 0 / false).
  Json Get(std::string_view key) const;
  std::string String(std::string_view key) const;
  int64_t Int(std::string_view key) const;
  bool Bool(std::string_view key) const;
  // Bumped by every successful Apply(); caches keyed on settings compare it.
  uint64_t generation() const;

  bool LdapAuth() const { return String("auth_mode") == "ldap_auth"; }
  bool AdminOnlyProjectCreation() const { return String("project_creation_restriction") == "adminonly"; }

 private:
  SystemConfig(store::SettingsStore& store, const SecretBox& secrets) : store_(store), secrets_(secrets) {}

  store::SettingsStore& store_;
  const SecretBox& secrets_;
  std::mutex write_mu_;                         // serializes Apply()
  std::set<std::string> plaintext_secrets_;     // guarded by write_mu_: secret keys stored unsealed
  mutable std::shared_mutex mu_;
  Values values_;            // guarded by mu_: every catalog key → effective value
  uint64_t generation_ = 0;  // guarded by mu_
};

}  // namespace berth::auth
