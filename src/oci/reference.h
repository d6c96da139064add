// Repository names, tags and manifest references as the OCI distribution spec defines them.
// Pure functions over strings; thread-safe.
#pragma once
#include <string>
#include <string_view>
#include <variant>

#include "base/digest.h"
#include "base/error.h"

namespace berth::oci {

inline constexpr size_t kMaxNameLength = 255;
inline constexpr size_t kMaxComponentLength = 128;

// <name>: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
// Errors: kNameInvalid with a message saying which rule failed.
Result<void> ValidateRepositoryName(std::string_view name);

// Harbor's name rule for projects and robot accounts: ^[a-z0-9]+(?:[._-][a-z0-9]+)*$, 1–255 chars.
bool IsValidHarborName(std::string_view name);

// <tag>: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
bool IsValidTag(std::string_view tag);

// A manifest reference is a tag or a digest.
struct Reference {
  std::string tag;  // set when the reference is a tag
  Digest digest;    // set when the reference is a digest
  bool is_digest() const { return !digest.empty(); }
  std::string str() const { return is_digest() ? digest.str() : tag; }
};

// Anything containing ':' is parsed as a digest (kDigestInvalid on failure); anything else must
// be a valid tag (kManifestInvalid otherwise: the tag grammar is part of the manifest reference).
Result<Reference> ParseReference(std::string_view ref);

}  // namespace berth::oci
