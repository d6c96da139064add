#include "auth/basic_credentials.h"

#include <strings.h>

#include "base/base64.h"

namespace berth::auth {

std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view value) {
  if (value.size() < 6 || strncasecmp(value.data(), "basic ", 6) != 0) return std::nullopt;
  auto decoded = base64::Decode(value.substr(6));
  if (!decoded) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

}  // namespace berth::auth
