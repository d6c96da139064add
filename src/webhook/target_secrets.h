// TargetSecrets: the secret fields of a webhook target — auth_header and signing_secret — sealed
// for storage and opened where a delivery is made (and where a project admin reads a policy back).
// The cipher comes from above: the composition root hands in auth::SecretBox as a Cipher, so this
// layer never depends on auth, and the store keeps opaque text. A sealed value starts with the
// cipher's marker (SecretBox: "enc:v1:"); a value without it was stored before sealing existed
// (legacy plaintext) and opens to itself, until the policy is written again and sealed.
// Values are never logged; errors name the field, not the value. Immutable: thread-safe.
#pragma once
#include <array>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::webhook {

struct Cipher {
  std::function<std::string(std::string_view)> seal;          // plaintext → marker + ciphertext
  std::function<Result<std::string>(std::string_view)> open;  // a sealed value → plaintext
  std::string marker;                                         // what every sealed value starts with
};

class TargetSecrets {
 public:
  static constexpr std::array<std::string_view, 2> kFields = {"auth_header", "signing_secret"};

  explicit TargetSecrets(Cipher cipher) : cipher_(std::move(cipher)) {}

  // `targets` (one target object, or an array of them) with every non-empty secret field sealed.
  // The input is plaintext as a client sent it: every value is sealed, whatever it looks like.
  nlohmann::json Seal(const nlohmann::json& targets) const;
  // Every secret field in plaintext: sealed values opened, legacy plaintext kept. kInternal naming
  // the field when a sealed value does not open (another key, or altered).
  Result<nlohmann::json> Open(const nlohmann::json& targets) const;
  // Open(), but a value that does not open becomes "" (with a warning naming the field): for
  // showing a policy, which must not fail because its secret was sealed under a lost key.
  nlohmann::json OpenForDisplay(const nlohmann::json& targets) const;
  // Whether a stored value carries the marker.
  bool IsSealed(std::string_view stored) const;

  // The same on JSON text (as the store keeps it). Text that is not JSON is returned unchanged.
  std::string SealText(std::string_view targets_json) const;
  Result<std::string> OpenText(std::string_view targets_json) const;
  std::string OpenTextForDisplay(std::string_view targets_json) const;

 private:
  Cipher cipher_;
};

}  // namespace berth::webhook
