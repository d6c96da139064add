#include "oci/reference.h"

namespace berth::oci {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool IsValidComponent(std::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  size_t i = 0;
  while (i < c.size()) {
    if (IsLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    // separator run
    size_t j = i;
    while (j < c.size() && !IsLowerAlnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" || sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    i = j;
  }
  return true;
}

}  // namespace

Result<void> ValidateRepositoryName(std::string_view name) {
  if (name.empty()) return Fail(Errc::kNameInvalid, "repository name must not be empty");
  if (name.size() > kMaxNameLength)
    return Fail(Errc::kNameInvalid, "repository name must not be longer than 255 characters");
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view comp = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (comp.empty()) return Fail(Errc::kNameInvalid, "repository name has an empty path component");
    if (comp.size() > kMaxComponentLength)
      return Fail(Errc::kNameInvalid, "repository name component longer than 128 characters");
    if (!IsValidComponent(comp))
      return Fail(Errc::kNameInvalid, "invalid repository name component '" + std::string(comp) +
                                          "': lower-case letters, digits and separators . _ __ - only");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

bool IsValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (!word(tag[0])) return false;
  for (char c : tag.substr(1))
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

Result<Reference> ParseReference(std::string_view ref) {
  Reference r;
  if (ref.find(':') != std::string_view::npos) {
    auto d = Digest::Parse(ref);
    if (!d) return std::unexpected(d.error());
    r.digest = *d;
    return r;
  }
  if (!IsValidTag(ref)) return Fail(Errc::kManifestInvalid, "invalid tag: " + std::string(ref.substr(0, 200)));
  r.tag = std::string(ref);
  return r;
}

bool IsValidHarborName(std::string_view n) {
  if (n.empty() || n.size() > 255) return false;
  bool prev_sep = true;
  for (char c : n) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    bool sep = c == '.' || c == '_' || c == '-';
    if (!alnum && !sep) return false;
    if (sep && prev_sep) return false;
    prev_sep = sep;
  }
  return !prev_sep;
}

}  // namespace berth::oci
