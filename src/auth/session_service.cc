#include "auth/session_service.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "base/base64.h"
#include "base/clock.h"

namespace berth::auth {
namespace {

std::string RandomToken() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  return base64::EncodeUrl(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string HashOf(std::string_view token) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), md);
  return std::string(reinterpret_cast<const char*>(md), sizeof md);
}

}  // namespace

Result<SessionService::Started> SessionService::Start(const store::UserRecord& user) {
  int64_t now = NowUnixSeconds();
  Started s{RandomToken(), RandomToken(), now + opt_.timeout.count()};
  store::SessionRecord rec{HashOf(s.token), user.id, user.credential_version, s.csrf, now, s.expires_at};
  if (auto r = sessions_.Create(rec); !r) return std::unexpected(r.error());
  // Opportunistic clean-up keeps the table small without a scheduler.
  (void)sessions_.DeleteExpired(now);
  return s;
}

Result<std::optional<SessionService::Active>> SessionService::Resume(std::string_view token) {
  if (token.empty() || token.size() > 256) return std::nullopt;
  int64_t now = NowUnixSeconds();
  std::string hash = HashOf(token);
  auto found = sessions_.Find(hash, now);
  if (!found) return std::unexpected(found.error());
  if (!*found) return std::nullopt;
  auto user = users_.FindById((*found)->user_id);
  if (!user) return std::unexpected(user.error());
  if (!*user || (*user)->credential_version != (*found)->credential_version) {
    (void)sessions_.Delete(hash);
    return std::nullopt;
  }
  int64_t want = now + opt_.timeout.count();
  if (want - (*found)->expires_at >= 60)
    if (auto r = sessions_.Extend(hash, want); !r) return std::unexpected(r.error());
  return Active{(*found)->user_id, (*found)->csrf_token};
}

Result<void> SessionService::End(std::string_view token) { return sessions_.Delete(HashOf(token)); }

bool SessionService::CsrfMatches(std::string_view expected, std::string_view presented) {
  return !expected.empty() && expected.size() == presented.size() &&
         CRYPTO_memcmp(expected.data(), presented.data(), expected.size()) == 0;
}

}  // namespace berth::auth
