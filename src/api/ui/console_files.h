// The web console's files as embedded in the binary (web/ built by Vite, embedded at build time
// by scripts/embed_console.py). Immutable data in the executable's read-only section: thread-safe.
#pragma once
#include <span>
#include <string_view>

namespace berth::api::ui {

struct EmbeddedFile {
  std::string_view path;  // relative to the site root, '/'-separated: "index.html", "assets/x.js"
  std::string_view etag;  // a prefix of the SHA-256 of `body` (hex, unquoted)
  std::string_view body;
  std::string_view gzip;  // gzip -9 of body; empty when gzip would not be smaller
};

// Defined by the generated console_files.cc (linked into the berth executable only; tests build
// their own tables). Empty when the build was configured with -DBERTH_CONSOLE=OFF.
std::span<const EmbeddedFile> EmbeddedConsoleFiles();

}  // namespace berth::api::ui
