#include "api/v2_0/harbor_query.h"

#include <algorithm>

namespace berth::api::v2_0 {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string Unquote(std::string_view v) {
  v = Trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  return std::string(v);
}

// Space-separated list items (quotes keep spaces inside an item).
std::vector<std::string> Items(std::string_view body) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  for (char c : body) {
    if (quote) {
      if (c == quote) quote = 0;
      else cur.push_back(c);
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ' ') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

Result<QueryTerm> ParseTerm(std::string_view term) {
  auto eq = term.find('=');
  if (eq == std::string_view::npos || Trim(term.substr(0, eq)).empty())
    return Fail(Errc::kBadRequest, "malformed query term '" + std::string(term) + "' (expected key=value)");
  QueryTerm t;
  t.key = std::string(Trim(term.substr(0, eq)));
  std::string_view v = Trim(term.substr(eq + 1));
  auto bad = [&] { return Fail(Errc::kBadRequest, "malformed value in query term '" + std::string(term) + "'"); };
  if (v.starts_with("~")) {
    t.kind = QueryTerm::Kind::kFuzzy;
    t.values.push_back(Unquote(v.substr(1)));
  } else if (v.starts_with("[")) {
    if (!v.ends_with("]")) return bad();
    auto inner = v.substr(1, v.size() - 2);
    auto tilde = inner.find('~');
    if (tilde == std::string_view::npos) return bad();
    t.kind = QueryTerm::Kind::kRange;
    t.values = {Unquote(inner.substr(0, tilde)), Unquote(inner.substr(tilde + 1))};
  } else if (v.starts_with("{")) {
    if (!v.ends_with("}")) return bad();
    t.kind = QueryTerm::Kind::kAny;
    t.values = Items(v.substr(1, v.size() - 2));
  } else if (v.starts_with("(")) {
    if (!v.ends_with(")")) return bad();
    t.kind = QueryTerm::Kind::kAll;
    t.values = Items(v.substr(1, v.size() - 2));
  } else {
    t.values.push_back(Unquote(v));
  }
  return t;
}

}  // namespace

Result<std::vector<QueryTerm>> ParseHarborQuery(std::string_view q) {
  std::vector<QueryTerm> out;
  size_t start = 0;
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i <= q.size(); ++i) {
    char c = i < q.size() ? q[i] : ',';
    if (quote) {
      if (c == quote && i < q.size()) quote = 0;
      else if (i == q.size()) return Fail(Errc::kBadRequest, "unterminated quote in query");
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '[' || c == '{' || c == '(') ++depth;
    else if (c == ']' || c == '}' || c == ')') --depth;
    else if (c == ',' && depth > 0 && i == q.size()) return Fail(Errc::kBadRequest, "unbalanced brackets in query");
    else if (c == ',' && depth <= 0) {
      auto term = Trim(q.substr(start, i - start));
      if (!term.empty()) {
        auto t = ParseTerm(term);
        if (!t) return std::unexpected(t.error());
        out.push_back(std::move(*t));
      }
      start = i + 1;
      depth = 0;
    }
  }
  return out;
}

Result<void> OnlyKeys(const std::vector<QueryTerm>& terms, std::initializer_list<std::string_view> allowed) {
  for (size_t i = 0; i < terms.size(); ++i) {
    const std::string& key = terms[i].key;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return Fail(Errc::kBadRequest, "q: unsupported key " + key);
    for (size_t j = 0; j < i; ++j)
      if (terms[j].key == key) return Fail(Errc::kBadRequest, "q: key " + key + " given twice");
  }
  return {};
}

const QueryTerm* FindTerm(const std::vector<QueryTerm>& terms, std::string_view key) {
  for (const auto& t : terms)
    if (t.key == key) return &t;
  return nullptr;
}

Result<bool> BoolParam(const http::Exchange& ex, const char* name, bool fallback) {
  auto v = ex.query().Get(name);
  if (!v || v->empty()) return fallback;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  return Fail(Errc::kBadRequest, std::string(name) + " must be true or false");
}

}  // namespace berth::api::v2_0
