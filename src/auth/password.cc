#include "auth/password.h"

#include <sodium.h>

#include <stdexcept>

namespace berth::auth {
namespace {

// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19 * 1024 * 1024;

void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium initialisation failed");
}

}  // namespace

Result<void> CheckPasswordRule(std::string_view p) {
  bool upper = false, lower = false, digit = false;
  for (char c : p) {
    upper |= c >= 'A' && c <= 'Z';
    lower |= c >= 'a' && c <= 'z';
    digit |= c >= '0' && c <= '9';
  }
  if (p.size() < 8 || p.size() > 128 || !upper || !lower || !digit)
    return Fail(Errc::kBadRequest,
                "the password must be 8 to 128 characters long with at least one upper-case letter, one "
                "lower-case letter and one digit");
  return {};
}

Result<std::string> HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Fail(Errc::kInternal, "password hashing ran out of memory");
  return std::string(out);
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  EnsureSodium();
  std::string h(encoded_hash);  // needs a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string GenerateSecret(size_t length) {
  EnsureSodium();
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  for (;;) {
    std::string s;
    for (size_t i = 0; i < length; ++i) s.push_back(kAlphabet[randombytes_uniform(sizeof(kAlphabet) - 1)]);
    if (CheckPasswordRule(s)) return s;
  }
}

}  // namespace berth::auth
