// Content digests ("sha256:<hex>") and streaming hashers backed by OpenSSL EVP.
// Digest is an immutable value type (thread-safe). Hasher owns one EVP context and is not
// thread-safe; it can be copied to checkpoint a partial hash.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"

struct evp_md_ctx_st;

namespace berth {

class Digest {
 public:
  Digest() = default;
  // Parses "algorithm:encoded". Errors: kDigestInvalid for bad grammar or an unsupported algorithm
  // (only sha256 and sha512 are accepted, with lower-case hex of the right length).
  static Result<Digest> Parse(std::string_view text);
  static Digest FromParts(std::string algorithm, std::string hex);

  const std::string& algorithm() const { return algorithm_; }
  const std::string& hex() const { return hex_; }
  std::string str() const { return algorithm_ + ":" + hex_; }
  bool empty() const { return hex_.empty(); }
  bool operator==(const Digest&) const = default;
  auto operator<=>(const Digest&) const = default;

 private:
  std::string algorithm_;
  std::string hex_;
};

class Hasher {
 public:
  // algorithm: "sha256" or "sha512".
  explicit Hasher(std::string_view algorithm = "sha256");
  Hasher(const Hasher& other);
  Hasher& operator=(const Hasher& other);
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  ~Hasher();

  void Update(const void* data, size_t len);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // Returns the digest of everything so far; the hasher itself is left unchanged.
  Digest Peek() const;
  const std::string& algorithm() const { return algorithm_; }

 private:
  std::string algorithm_;
  evp_md_ctx_st* ctx_ = nullptr;
};

Digest Sha256Of(std::string_view data);

}  // namespace berth
