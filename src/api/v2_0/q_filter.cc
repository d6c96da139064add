#include "api/v2_0/q_filter.h"

#include <algorithm>

namespace berth::api::v2_0 {
namespace {

std::vector<std::string> SplitSpaces(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Splits on commas that are not inside [], {} or ().
Result<std::vector<std::string_view>> SplitTerms(std::string_view q) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= q.size(); ++i) {
    char c = i < q.size() ? q[i] : ',';
    if (c == '[' || c == '{' || c == '(') ++depth;
    else if (c == ']' || c == '}' || c == ')') --depth;
    if (depth < 0) return Fail(Errc::kBadRequest, "q: unbalanced brackets");
    if (c == ',' && depth == 0) {
      if (i > start) out.push_back(q.substr(start, i - start));
      start = i + 1;
    }
  }
  if (depth != 0) return Fail(Errc::kBadRequest, "q: unbalanced brackets");
  return out;
}

}  // namespace

Result<QFilter> ParseQ(std::string_view q) {
  QFilter out;
  auto terms = SplitTerms(q);
  if (!terms) return std::unexpected(terms.error());
  if (terms->size() > 32) return Fail(Errc::kBadRequest, "q: too many terms");
  for (std::string_view t : *terms) {
    auto eq = t.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return Fail(Errc::kBadRequest, "q: expected key=value, got \"" + std::string(t) + "\"");
    std::string key(t.substr(0, eq));
    std::string_view v = t.substr(eq + 1);
    QTerm term;
    auto wrapped = [&](char open, char close) { return v.size() >= 2 && v.front() == open && v.back() == close; };
    if (v.starts_with("~")) {
      term.kind = QTerm::Kind::kFuzzy;
      term.values.emplace_back(v.substr(1));
    } else if (wrapped('[', ']')) {
      term.kind = QTerm::Kind::kRange;
      std::string_view inner = v.substr(1, v.size() - 2);
      auto tilde = inner.find('~');
      if (tilde == std::string_view::npos) return Fail(Errc::kBadRequest, "q: a range needs [from~to] for " + key);
      term.values.emplace_back(inner.substr(0, tilde));
      term.values.emplace_back(inner.substr(tilde + 1));
    } else if (wrapped('{', '}')) {
      term.kind = QTerm::Kind::kAnyOf;
      term.values = SplitSpaces(v.substr(1, v.size() - 2));
    } else if (wrapped('(', ')')) {
      term.kind = QTerm::Kind::kAllOf;
      term.values = SplitSpaces(v.substr(1, v.size() - 2));
    } else {
      term.values.emplace_back(v);
    }
    if (!out.emplace(key, std::move(term)).second) return Fail(Errc::kBadRequest, "q: repeated key " + key);
  }
  return out;
}

Result<void> OnlyKeys(const QFilter& f, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : f)
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      return Fail(Errc::kBadRequest, "q: unsupported key " + k);
  return {};
}

}  // namespace berth::api::v2_0
