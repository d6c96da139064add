#include "api/ui/console_routes.h"

namespace berth::api::ui {
namespace {

http::Task<bool> Serve(const ConsoleSite& site, http::Exchange& ex) {
  if (ex.method() != http::Verb::get && ex.method() != http::Verb::head) co_return false;
  ConsoleSite::Resolved found = site.Resolve(ex.path());
  if (found.kind == ConsoleSite::Kind::kNotConsole) co_return false;
  http::Response res;
  res.Set("X-Content-Type-Options", "nosniff");
  if (found.kind == ConsoleSite::Kind::kMissing) {
    res.status = 404;
    res.Set("Content-Type", "text/plain; charset=utf-8");
    res.body = site.empty() ? "not found (this berth was built without the web console)\n" : "not found\n";
    co_await ex.Send(std::move(res));
    co_return true;
  }
  const ConsoleSite::Entry& e = *found.entry;
  bool gzip = !e.file->gzip.empty() && AcceptsGzip(ex.HeaderList("Accept-Encoding"));
  res.Set("ETag", gzip ? e.gzip_etag : e.etag);
  res.Set("Cache-Control", std::string(e.cache_control));
  res.Set("Vary", "Accept-Encoding");
  if (e.document)
    for (const auto& [name, value] : ConsoleSite::DocumentHeaders()) res.Set(std::string(name), std::string(value));
  // Either representation's tag revalidates: both are the same content.
  auto inm = ex.HeaderList("If-None-Match");
  if (EtagMatches(inm, e.etag) || EtagMatches(inm, e.gzip_etag)) {
    res.status = 304;
    co_await ex.Send(std::move(res));
    co_return true;
  }
  res.Set("Content-Type", std::string(e.content_type));
  if (gzip) res.Set("Content-Encoding", "gzip");
  res.body.assign(gzip ? e.file->gzip : e.file->body);
  co_await ex.Send(std::move(res));
  co_return true;
}

}  // namespace

void RegisterConsole(http::Router& router, const ConsoleSite& site) {
  router.SetFallback([&site](http::Exchange& ex) { return Serve(site, ex); });
}

}  // namespace berth::api::ui
