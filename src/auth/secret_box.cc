#include "auth/secret_box.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "base/base64.h"
#include "base/fileio.h"

namespace berth::auth {
namespace {

static_assert(crypto_secretbox_KEYBYTES == 32);

Result<void> InitSodium() {
  if (sodium_init() < 0) return Fail(Errc::kInternal, "libsodium initialisation failed");
  return {};
}

}  // namespace

SecretBox::SecretBox(std::string_view key) { std::memcpy(key_, key.data(), sizeof key_); }

SecretBox::~SecretBox() { sodium_memzero(key_, sizeof key_); }

Result<std::unique_ptr<SecretBox>> SecretBox::FromKey(std::string_view key) {
  if (auto ok = InitSodium(); !ok) return std::unexpected(ok.error());
  if (key.size() != crypto_secretbox_KEYBYTES)
    return Fail(Errc::kInternal, "a secret key has " + std::to_string(crypto_secretbox_KEYBYTES) + " bytes");
  return std::unique_ptr<SecretBox>(new SecretBox(key));
}

Result<std::unique_ptr<SecretBox>> SecretBox::LoadOrCreate(const std::string& path) {
  if (auto ok = InitSodium(); !ok) return std::unexpected(ok.error());
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return Fail(Errc::kInternal, "stat " + path + ": " + std::strerror(errno));
    std::string key(crypto_secretbox_KEYBYTES, '\0');
    randombytes_buf(key.data(), key.size());
    auto w = fileio::WriteFileAtomic(path, key, true, 0600);
    auto box = FromKey(key);
    sodium_memzero(key.data(), key.size());
    if (!w) return std::unexpected(w.error());
    return box;
  }
  auto key = fileio::ReadFile(path);
  if (!key) return std::unexpected(key.error());
  auto box = FromKey(*key);
  sodium_memzero(key->data(), key->size());
  if (!box) return Fail(Errc::kInternal, "secret key " + path + " is not a 32-byte key");
  return box;
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::string raw(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(raw.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), nonce, key_);
  return std::string(kPrefix) + base64::Encode(raw);
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (!IsSealed(sealed)) return Fail(Errc::kInternal, "not a sealed secret");
  auto raw = base64::Decode(sealed.substr(kPrefix.size()));
  if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return Fail(Errc::kInternal, "a sealed secret is malformed");
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw->data());
  const unsigned char* box = nonce + crypto_secretbox_NONCEBYTES;
  size_t box_len = raw->size() - crypto_secretbox_NONCEBYTES;
  std::string plain(box_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), box, box_len, nonce, key_) != 0)
    return Fail(Errc::kInternal, "a sealed secret does not open with this key (another key, or altered)");
  return plain;
}

bool SecretBox::IsSealed(std::string_view stored) { return stored.starts_with(kPrefix); }

}  // namespace berth::auth
