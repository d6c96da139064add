// TokenSigner: signs and verifies JWTs with an ES256 (ECDSA P-256 + SHA-256) key kept in the data
// directory (generated on first start, mode 0600). Immutable after load: thread-safe.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"

struct evp_pkey_st;

namespace berth::auth {

class TokenSigner {
 public:
  // Loads the PEM key at `path`, or generates and writes one (atomically, 0600) when absent.
  static Result<std::unique_ptr<TokenSigner>> LoadOrCreate(const std::string& path);
  ~TokenSigner();

  // header.claims.signature, base64url; the header carries alg ES256, typ JWT and kid().
  std::string Sign(const nlohmann::json& claims) const;
  // Checks the signature, alg and the exp/nbf window (with `leeway_seconds`). Errors:
  // kUnauthorized with the reason. Returns the claims.
  Result<nlohmann::json> Verify(std::string_view token, int64_t now, int64_t leeway_seconds) const;
  // The key id in libtrust's format (12 groups of 4 base32 characters).
  const std::string& kid() const { return kid_; }

 private:
  TokenSigner(evp_pkey_st* key, std::string kid) : key_(key), kid_(std::move(kid)) {}
  evp_pkey_st* key_;
  std::string kid_;
};

}  // namespace berth::auth
