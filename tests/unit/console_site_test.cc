// api::ui::ConsoleSite and its pure helpers: content types, Accept-Encoding, If-None-Match, and
// which paths the web console answers (exact files, the index.html fallback, 404 for assets).
#include "api/ui/console_site.h"

#include <gtest/gtest.h>

namespace berth::api::ui {
namespace {

const EmbeddedFile kFiles[] = {
    {"index.html", "aaaa", "<!doctype html>", "gz-index"},
    {"assets/index-abc.js", "bbbb", "console.log(1)", "gz-js"},
    {"assets/index-abc.css", "cccc", "body{}", ""},
    {"favicon.svg", "dddd", "<svg/>", ""},
};

TEST(ConsoleContentType, ByExtension) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("assets/index-abc.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("assets/x.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("favicon.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("a/b.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("logo.png"), "image/png");
  EXPECT_EQ(ContentTypeFor("data.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("noext"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor(".hidden"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("dir.js/file"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("x.unknown"), "application/octet-stream");
}

TEST(ConsoleAcceptsGzip, QValuesAndWildcard) {
  EXPECT_TRUE(AcceptsGzip({"gzip"}));
  EXPECT_TRUE(AcceptsGzip({"deflate", "GZIP", "br"}));
  EXPECT_TRUE(AcceptsGzip({"x-gzip"}));
  EXPECT_TRUE(AcceptsGzip({"gzip;q=0.5"}));
  EXPECT_TRUE(AcceptsGzip({"gzip ; q=1.0"}));
  EXPECT_TRUE(AcceptsGzip({"*"}));
  EXPECT_FALSE(AcceptsGzip({}));
  EXPECT_FALSE(AcceptsGzip({"identity"}));
  EXPECT_FALSE(AcceptsGzip({"br", "deflate"}));
  EXPECT_FALSE(AcceptsGzip({"gzip;q=0"}));
  EXPECT_FALSE(AcceptsGzip({"gzip;q=0.000"}));
  EXPECT_FALSE(AcceptsGzip({"gzip;q=0", "*"}));  // explicit refusal wins over the wildcard
  EXPECT_FALSE(AcceptsGzip({"*;q=0"}));
  EXPECT_TRUE(AcceptsGzip({"*;q=0", "gzip"}));
  EXPECT_FALSE(AcceptsGzip({"gzip;q=abc"}));  // malformed q: treated as 0
}

TEST(ConsoleEtagMatches, StrongWeakAndStar) {
  EXPECT_TRUE(EtagMatches({"\"aaaa\""}, "\"aaaa\""));
  EXPECT_TRUE(EtagMatches({"\"x\"", "W/\"aaaa\""}, "\"aaaa\""));
  EXPECT_TRUE(EtagMatches({"*"}, "\"aaaa\""));
  EXPECT_FALSE(EtagMatches({}, "\"aaaa\""));
  EXPECT_FALSE(EtagMatches({"\"aaa\""}, "\"aaaa\""));
  EXPECT_FALSE(EtagMatches({"aaaa"}, "\"aaaa\""));  // unquoted is not the tag
}

TEST(ConsoleReservedPaths, ProtocolPrefixesBySegment) {
  for (const char* p : {"/v2", "/v2/", "/v2/_catalog", "/api", "/api/v2.0/nope", "/api/chartrepo/x", "/service/token",
                        "/chartrepo/p/index.yaml", "/c/login", "/c"})
    EXPECT_TRUE(IsReservedPath(p)) << p;
  for (const char* p : {"/", "/projects", "/projects/1/members", "/v2x", "/apis", "/cats", "/assets/x.js", "/login"})
    EXPECT_FALSE(IsReservedPath(p)) << p;
}

TEST(ConsoleSite, ResolvesFilesFallbackAndMisses) {
  ConsoleSite site(kFiles);
  auto file = [&](std::string_view path) {
    auto r = site.Resolve(path);
    EXPECT_EQ(r.kind, ConsoleSite::Kind::kFile) << path;
    return r.kind == ConsoleSite::Kind::kFile ? r.entry->file->path : std::string_view("<none>");
  };
  EXPECT_EQ(file("/"), "index.html");
  EXPECT_EQ(file("/index.html"), "index.html");
  EXPECT_EQ(file("/projects/1/members"), "index.html");
  EXPECT_EQ(file("/login"), "index.html");
  EXPECT_EQ(file("/favicon.svg"), "favicon.svg");
  EXPECT_EQ(file("/assets/index-abc.js"), "assets/index-abc.js");
  EXPECT_EQ(site.Resolve("/assets/nope.js").kind, ConsoleSite::Kind::kMissing);
  EXPECT_EQ(site.Resolve("/assets").kind, ConsoleSite::Kind::kMissing);
  EXPECT_EQ(site.Resolve("/assets/").kind, ConsoleSite::Kind::kMissing);
  EXPECT_EQ(site.Resolve("/api/v2.0/nope").kind, ConsoleSite::Kind::kNotConsole);
  EXPECT_EQ(site.Resolve("/v2/").kind, ConsoleSite::Kind::kNotConsole);
  EXPECT_EQ(site.Resolve("/c/login").kind, ConsoleSite::Kind::kNotConsole);
}

TEST(ConsoleSite, EntryHeaders) {
  ConsoleSite site(kFiles);
  const auto* index = site.Resolve("/").entry;
  ASSERT_NE(index, nullptr);
  EXPECT_TRUE(index->document);
  EXPECT_EQ(index->cache_control, "no-cache");
  EXPECT_EQ(index->etag, "\"aaaa\"");
  EXPECT_EQ(index->gzip_etag, "\"aaaa-gz\"");
  const auto* js = site.Resolve("/assets/index-abc.js").entry;
  ASSERT_NE(js, nullptr);
  EXPECT_FALSE(js->document);
  EXPECT_EQ(js->cache_control, "public, max-age=31536000, immutable");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(site.Resolve("/favicon.svg").entry->cache_control, "no-cache");
  bool has_csp = false;
  for (const auto& [name, value] : ConsoleSite::DocumentHeaders())
    if (name == "Content-Security-Policy") {
      has_csp = true;
      EXPECT_NE(value.find("default-src 'self'"), std::string_view::npos);
      EXPECT_NE(value.find("frame-ancestors 'none'"), std::string_view::npos);
    }
  EXPECT_TRUE(has_csp);
}

TEST(ConsoleSite, WithoutConsoleEverythingIsMissing) {
  ConsoleSite site({});
  EXPECT_TRUE(site.empty());
  EXPECT_EQ(site.Resolve("/").kind, ConsoleSite::Kind::kMissing);
  EXPECT_EQ(site.Resolve("/projects").kind, ConsoleSite::Kind::kMissing);
  EXPECT_EQ(site.Resolve("/api/v2.0/x").kind, ConsoleSite::Kind::kNotConsole);
}

}  // namespace
}  // namespace berth::api::ui
