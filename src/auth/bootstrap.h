// First-start bootstrap of the system administrator account. Not thread-safe: run once at
// start-up, before the server accepts requests.
#pragma once
#include <string>

#include "base/error.h"
#include "store/identity_store.h"

namespace berth::auth {

struct BootstrapResult {
  bool created = false;
  bool generated = false;     // the password was generated (and written to password_file)
  std::string password_file;  // set when generated
};

// When no user exists yet, creates "admin" (system administrator). Its password is
// `configured_password` when given (it must satisfy the password rule), otherwise a random one
// that is written to <data_dir>/admin-password with mode 0600. An existing admin is never touched.
Result<BootstrapResult> EnsureAdmin(store::UserStore& users, const std::string& data_dir,
                                    const std::string& configured_password);

}  // namespace berth::auth
