// SessionService: web-console sessions. Start() creates a random cookie token and a CSRF token;
// only the token's SHA-256 is stored (SessionStore). Resume() turns a presented token back into
// the user id while the session is unexpired and the user's credential_version is unchanged (a
// password change ends every session), sliding the expiry forward at most once a minute.
// Thread-safe: stateless over thread-safe stores.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "store/identity_store.h"
#include "store/session_store.h"

namespace berth::auth {

class SessionService {
 public:
  struct Options {
    std::chrono::seconds timeout{3600};  // idle lifetime (Harbor's session_timeout, 60 min)
  };
  struct Started {
    std::string token;  // the cookie value; shown once
    std::string csrf;   // the value unsafe requests must echo in X-Harbor-CSRF-Token
    int64_t expires_at = 0;
  };
  struct Active {
    int64_t user_id = 0;
    std::string csrf;
  };

  SessionService(store::SessionStore& sessions, store::UserStore& users, Options opt)
      : sessions_(sessions), users_(users), opt_(opt) {}

  Result<Started> Start(const store::UserRecord& user);
  // nullopt for unknown, expired or superseded sessions.
  Result<std::optional<Active>> Resume(std::string_view token);
  Result<void> End(std::string_view token);
  // Constant-time comparison of a presented CSRF token.
  static bool CsrfMatches(std::string_view expected, std::string_view presented);

 private:
  store::SessionStore& sessions_;
  store::UserStore& users_;
  Options opt_;
};

}  // namespace berth::auth
