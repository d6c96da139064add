// Serializes nlohmann::ordered_json exactly as Go's encoding/json does (json.Marshal and
// json.MarshalIndent), so webhook bodies are byte-compatible with Harbor's:
//   - keys in the object's stored order; compact output or MarshalIndent(prefix "", indent);
//   - strings: `"` `\` and \b \f \n \r \t as short escapes, other bytes < 0x20 as \u00XX,
//     `<` `>` `&` as \u003c \u003e \u0026 (HTML escaping), U+2028/U+2029 as \u2028/\u2029,
//     each byte of invalid UTF-8 as \ufffd; other non-ASCII UTF-8 kept as is (lower-case hex);
//   - integers in decimal; floats in Go's shortest form ('f', or 'e' below 1e-6 / from 1e21, with
//     "e-07" shortened to "e-7"); NaN and infinities (which Go refuses) as null;
//   - MarshalIndent keeps empty objects and arrays as {} and [], and puts ": " after keys;
//   - escape_html=false is Go's Encoder.SetEscapeHTML(false): `<` `>` `&` stay as they are.
// Stateless functions: thread-safe.
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace berth::webhook {

// json.Marshal(v).
std::string GoMarshal(const nlohmann::ordered_json& v, bool escape_html = true);
// json.MarshalIndent(v, "", indent).
std::string GoMarshalIndent(const nlohmann::ordered_json& v, std::string_view indent,
                            bool escape_html = true);
// Appends the Go encoding of one string (with the surrounding quotes).
void AppendGoString(std::string& out, std::string_view s, bool escape_html = true);

}  // namespace berth::webhook
