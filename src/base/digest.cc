#include "base/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace berth {
namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool IsAlgorithmGrammar(std::string_view a) {
  // algorithm-component ([+._-] algorithm-component)*, component = [a-z0-9]+
  if (a.empty()) return false;
  bool prev_sep = true;
  for (char c : a) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    bool sep = c == '+' || c == '.' || c == '_' || c == '-';
    if (!alnum && !sep) return false;
    if (sep && prev_sep) return false;
    prev_sep = sep;
  }
  return !prev_sep;
}

const EVP_MD* MdFor(std::string_view algorithm) {
  if (algorithm == "sha256") return EVP_sha256();
  if (algorithm == "sha512") return EVP_sha512();
  throw std::invalid_argument("unsupported hash algorithm");
}

}  // namespace

Result<Digest> Digest::Parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return Fail(Errc::kDigestInvalid, "invalid digest: missing algorithm");
  auto algo = text.substr(0, colon);
  auto hex = text.substr(colon + 1);
  if (!IsAlgorithmGrammar(algo)) return Fail(Errc::kDigestInvalid, "invalid digest algorithm");
  size_t want = 0;
  if (algo == "sha256") want = 64;
  else if (algo == "sha512") want = 128;
  else return Fail(Errc::kDigestInvalid, "unsupported digest algorithm: " + std::string(algo));
  if (hex.size() != want || !IsLowerHex(hex))
    return Fail(Errc::kDigestInvalid, "invalid " + std::string(algo) + " digest encoding");
  return FromParts(std::string(algo), std::string(hex));
}

Digest Digest::FromParts(std::string algorithm, std::string hex) {
  Digest d;
  d.algorithm_ = std::move(algorithm);
  d.hex_ = std::move(hex);
  return d;
}

Hasher::Hasher(std::string_view algorithm) : algorithm_(algorithm), ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_, MdFor(algorithm), nullptr) != 1)
    throw std::runtime_error("EVP_DigestInit_ex failed");
}

Hasher::Hasher(const Hasher& other) : algorithm_(other.algorithm_), ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_MD_CTX_copy_ex(ctx_, other.ctx_) != 1)
    throw std::runtime_error("EVP_MD_CTX_copy_ex failed");
}

Hasher& Hasher::operator=(const Hasher& other) {
  if (this != &other) {
    Hasher tmp(other);
    *this = std::move(tmp);
  }
  return *this;
}

Hasher::Hasher(Hasher&& o) noexcept : algorithm_(std::move(o.algorithm_)), ctx_(o.ctx_) {
  o.ctx_ = nullptr;
}

Hasher& Hasher::operator=(Hasher&& o) noexcept {
  if (this != &o) {
    EVP_MD_CTX_free(ctx_);
    algorithm_ = std::move(o.algorithm_);
    ctx_ = o.ctx_;
    o.ctx_ = nullptr;
  }
  return *this;
}

Hasher::~Hasher() { EVP_MD_CTX_free(ctx_); }

void Hasher::Update(const void* data, size_t len) {
  if (len) EVP_DigestUpdate(ctx_, data, len);
}

Digest Hasher::Peek() const {
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(copy, ctx_);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(copy, md, &len);
  EVP_MD_CTX_free(copy);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    hex.push_back(kHex[md[i] >> 4]);
    hex.push_back(kHex[md[i] & 15]);
  }
  return Digest::FromParts(algorithm_, std::move(hex));
}

Digest Sha256Of(std::string_view data) {
  Hasher h;
  h.Update(data);
  return h.Peek();
}

}  // namespace berth
