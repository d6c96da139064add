// Parsing of an HTTP "Authorization: Basic <base64(user:password)>" header value. Pure; thread-safe.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace berth::auth {

struct BasicCredentials {
  std::string username;
  std::string password;
};

// nullopt unless the value is "Basic " (any case of the scheme) followed by valid base64 of
// "user:password" (the password may contain ':').
std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header_value);

}  // namespace berth::auth
