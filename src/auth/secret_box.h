// SecretBox: encrypts secrets kept at rest in the database (the LDAP search password) with
// libsodium's crypto_secretbox (XSalsa20-Poly1305) under a 32-byte key kept in the data directory
// (generated on first start, written atomically with mode 0600).
//
// Sealed text is "enc:v1:" + base64(nonce || ciphertext); the version in the prefix leaves room for
// another algorithm or key later. Immutable after load: thread-safe.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::auth {

class SecretBox {
 public:
  static constexpr std::string_view kPrefix = "enc:v1:";

  // Loads the key at `path`, or generates and writes one when no file is there. kInternal when the
  // file exists but cannot be read or is not a key (never replaced: what it sealed would be lost).
  static Result<std::unique_ptr<SecretBox>> LoadOrCreate(const std::string& path);
  // A box over the given key (tests). kInternal unless key has 32 bytes.
  static Result<std::unique_ptr<SecretBox>> FromKey(std::string_view key);
  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  // kPrefix + base64(random nonce || ciphertext with its tag).
  std::string Seal(std::string_view plaintext) const;
  // The plaintext of a Seal() output. kInternal (never naming the secret) when the text is not
  // sealed, is malformed, or was sealed under another key or altered.
  Result<std::string> Open(std::string_view sealed) const;
  // Whether a stored text carries the sealed prefix (anything else is a value from before sealing).
  static bool IsSealed(std::string_view stored);

 private:
  explicit SecretBox(std::string_view key);
  unsigned char key_[32];
};

}  // namespace berth::auth
