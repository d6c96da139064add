// ConsoleSite: how the embedded web console answers a path. Owns the lookup table built once from
// the embedded files (exact paths, the index.html fallback of the single-page app) and the
// response headers of each file. Pure and immutable after construction: thread-safe.
//
// Paths whose first segment belongs to the server's protocols (/v2, /api, /service, /chartrepo,
// /c) are never the console's: they keep their own 404s. /assets/ holds only content-hashed
// build outputs: an unknown asset is a 404, never index.html. Every other unknown path is a
// console route, answered with index.html.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <map>
#include <utility>
#include <vector>

#include "api/ui/console_files.h"

namespace berth::api::ui {

// Content-Type by file extension (case-insensitive), application/octet-stream when unknown.
std::string_view ContentTypeFor(std::string_view path);
// Whether an Accept-Encoding header (its comma-separated items) allows gzip: "gzip", "x-gzip" or
// "*" with a q-value above 0; an explicit gzip item wins over "*".
bool AcceptsGzip(const std::vector<std::string_view>& accept_encoding);
// Whether If-None-Match (its comma-separated items) names `quoted_etag` or is "*"; weak
// comparison ("W/" ignored), as RFC 9110 asks for If-None-Match.
bool EtagMatches(const std::vector<std::string_view>& if_none_match, std::string_view quoted_etag);
// Whether `path` (a raw request path) belongs to the server's protocols rather than the console.
bool IsReservedPath(std::string_view path);

class ConsoleSite {
 public:
  struct Entry {
    const EmbeddedFile* file = nullptr;
    std::string_view content_type;
    std::string etag;       // quoted, for the identity body
    std::string gzip_etag;  // quoted, for the gzip body ("…-gz")
    std::string_view cache_control;
    bool document = false;  // HTML: gets the security headers (CSP, X-Frame-Options, …)
  };
  enum class Kind {
    kNotConsole,  // a protocol path: the router's usual answer
    kFile,        // `entry` answers it
    kMissing,     // 404 (an unknown asset, or no console in this build)
  };
  struct Resolved {
    Kind kind = Kind::kNotConsole;
    const Entry* entry = nullptr;
  };

  explicit ConsoleSite(std::span<const EmbeddedFile> files);

  Resolved Resolve(std::string_view path) const;
  bool empty() const { return entries_.empty(); }

  // Headers every console document carries (HTML pages): a strict CSP, no framing, no sniffing.
  static const std::vector<std::pair<std::string_view, std::string_view>>& DocumentHeaders();

 private:
  std::map<std::string, Entry, std::less<>> entries_;  // key: the path with its leading '/'
  const Entry* index_ = nullptr;
};

}  // namespace berth::api::ui
