// Password and secret hashing with argon2id (libsodium), and Harbor's password rule.
// Stateless and thread-safe. Hashing is deliberately slow (~20 ms, 19 MiB): callers on the request
// path cache verified credentials (see CredentialCache) instead of hashing per request.
#pragma once
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::auth {

// Harbor's rule: 8–128 characters with at least one upper-case letter, one lower-case letter and
// one digit. Errors: kBadRequest with the rule in the message.
Result<void> CheckPasswordRule(std::string_view password);

// An encoded argon2id hash ("$argon2id$v=19$m=...,t=...,p=...$salt$hash").
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);

// A random secret that satisfies the password rule (robot secrets, generated admin passwords).
std::string GenerateSecret(size_t length = 32);

}  // namespace berth::auth
