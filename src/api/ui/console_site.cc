#include "api/ui/console_site.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace berth::api::ui {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The q-value of an Accept-Encoding item's parameters ("q=0.5"); 1 when absent, 0 when malformed.
double QValue(std::string_view params) {
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (p.size() < 2 || std::tolower(static_cast<unsigned char>(p[0])) != 'q' || p[1] != '=') continue;
    std::string_view v = Trim(p.substr(2));
    double q = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), q);
    if (ec != std::errc() || end != v.data() + v.size()) return 0;
    return q;
  }
  return 1;
}

constexpr std::string_view kReserved[] = {"v2", "api", "service", "chartrepo", "c"};

}  // namespace

std::string_view ContentTypeFor(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"txt", "text/plain; charset=utf-8"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"wasm", "application/wasm"},
  };
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot != std::string_view::npos && dot > 0) {
    std::string_view ext = name.substr(dot + 1);
    for (const auto& [e, type] : kTypes)
      if (IEquals(e, ext)) return type;
  }
  return "application/octet-stream";
}

bool AcceptsGzip(const std::vector<std::string_view>& accept_encoding) {
  double gzip = -1, any = -1;
  for (std::string_view item : accept_encoding) {
    size_t semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    double q = semi == std::string_view::npos ? 1 : QValue(item.substr(semi + 1));
    if (IEquals(coding, "gzip") || IEquals(coding, "x-gzip"))
      gzip = std::max(gzip, q);
    else if (coding == "*")
      any = std::max(any, q);
  }
  if (gzip >= 0) return gzip > 0;
  return any > 0;
}

bool EtagMatches(const std::vector<std::string_view>& if_none_match, std::string_view quoted_etag) {
  for (std::string_view item : if_none_match) {
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == quoted_etag) return true;
  }
  return false;
}

bool IsReservedPath(std::string_view path) {
  if (path.starts_with('/')) path.remove_prefix(1);
  std::string_view first = path.substr(0, path.find('/'));
  return std::find(std::begin(kReserved), std::end(kReserved), first) != std::end(kReserved);
}

ConsoleSite::ConsoleSite(std::span<const EmbeddedFile> files) {
  for (const EmbeddedFile& f : files) {
    Entry e;
    e.file = &f;
    e.content_type = ContentTypeFor(f.path);
    e.etag = "\"" + std::string(f.etag) + "\"";
    e.gzip_etag = "\"" + std::string(f.etag) + "-gz\"";
    e.document = e.content_type.starts_with("text/html");
    // Files under assets/ carry a content hash in their name: cached for good. The rest
    // (index.html, favicon.svg) keep their names across builds: revalidated with the ETag.
    e.cache_control = f.path.starts_with("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    entries_.emplace("/" + std::string(f.path), std::move(e));
  }
  if (auto it = entries_.find(std::string_view("/index.html")); it != entries_.end()) index_ = &it->second;
}

ConsoleSite::Resolved ConsoleSite::Resolve(std::string_view path) const {
  if (IsReservedPath(path)) return {Kind::kNotConsole, nullptr};
  if (auto it = entries_.find(path); it != entries_.end()) return {Kind::kFile, &it->second};
  if (path.starts_with("/assets/") || path == "/assets" || !index_) return {Kind::kMissing, nullptr};
  return {Kind::kFile, index_};
}

const std::vector<std::pair<std::string_view, std::string_view>>& ConsoleSite::DocumentHeaders() {
  // recharts sets style attributes: style-src needs 'unsafe-inline'; scripts stay 'self' only.
  static const std::vector<std::pair<std::string_view, std::string_view>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "same-origin"},
  };
  return kHeaders;
}

}  // namespace berth::api::ui
