#include "auth/bootstrap.h"

#include "auth/password.h"
#include "base/fileio.h"

namespace berth::auth {

Result<BootstrapResult> EnsureAdmin(store::UserStore& users, const std::string& data_dir,
                                    const std::string& configured_password) {
  BootstrapResult out;
  auto count = users.Count();
  if (!count) return std::unexpected(count.error());
  if (*count > 0) return out;

  std::string password = configured_password;
  if (password.empty()) {
    password = GenerateSecret(24);
    out.generated = true;
  } else if (auto rule = CheckPasswordRule(password); !rule) {
    return Fail(Errc::kBadRequest, "admin password: " + std::string(rule.error().Message()));
  }
  auto hash = HashPassword(password);
  if (!hash) return std::unexpected(hash.error());
  store::UserRecord admin;
  admin.username = "admin";
  admin.realname = "system admin";
  admin.comment = "created on first start";
  admin.password_hash = *hash;
  admin.sysadmin = true;
  if (auto id = users.Create(admin); !id) return std::unexpected(id.error());
  out.created = true;
  if (out.generated) {
    out.password_file = data_dir + "/admin-password";
    if (auto w = fileio::WriteFileAtomic(out.password_file, password + "\n", true, 0600); !w)
      return std::unexpected(w.error());
  }
  return out;
}

}  // namespace berth::auth
