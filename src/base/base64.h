// Base64 (RFC 4648 §4) and base64url without padding (§5, as JWTs use it). Pure; thread-safe.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace berth::base64 {

std::string Encode(std::string_view data);
std::optional<std::string> Decode(std::string_view text);
std::string EncodeUrl(std::string_view data);
std::optional<std::string> DecodeUrl(std::string_view text);

}  // namespace berth::base64
