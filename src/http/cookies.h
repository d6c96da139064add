// Cookie header parsing and Set-Cookie formatting. Pure; thread-safe.
#pragma once
#include <string>
#include <string_view>

namespace berth::http {

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or empty.
std::string_view CookieValue(std::string_view header, std::string_view name);

}  // namespace berth::http
