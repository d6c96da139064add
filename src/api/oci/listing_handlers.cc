#include <nlohmann/json.hpp>

#include "api/oci/handlers.h"
#include "api/oci/params.h"
#include "api/oci/render.h"

namespace berth::api::oci {

http::Task<void> ApiVersion(OciContext&, http::Exchange& ex) {
  auto r = Reply(200);
  r.Set("Content-Type", "application/json");
  r.body = "{}";
  co_await ex.Send(std::move(r));
}

http::Task<void> Catalog(OciContext& ctx, http::Exchange& ex) {
  auto n = PageSize(ex, registry::kMaxPageSize);
  if (!n) co_return co_await SendError(ex, n.error());
  std::string last = ex.query().Get("last").value_or("");
  auto page = ctx.listing.Catalog(last, *n);
  if (!page) co_return co_await SendError(ex, page.error());
  auto r = Reply(200);
  r.Set("Content-Type", "application/json");
  if (page->more) r.Set("Link", NextLink("/v2/_catalog", *n, page->items.back()));
  r.body = nlohmann::json{{"repositories", page->items}}.dump();
  co_await ex.Send(std::move(r));
}

http::Task<void> TagsList(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  auto n = PageSize(ex, registry::kMaxPageSize);
  if (!n) co_return co_await SendError(ex, n.error());
  std::string last = ex.query().Get("last").value_or("");
  auto page = ctx.listing.Tags(*name, last, *n);
  if (!page) co_return co_await SendError(ex, page.error());
  auto r = Reply(200);
  r.Set("Content-Type", "application/json");
  if (page->more) r.Set("Link", NextLink("/v2/" + *name + "/tags/list", *n, page->items.back()));
  nlohmann::ordered_json body;
  body["name"] = *name;
  body["tags"] = page->items;
  r.body = body.dump();
  co_await ex.Send(std::move(r));
}

http::Task<void> Referrers(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  auto digest = DigestParam(ex.Param("digest"));
  if (!digest) co_return co_await SendError(ex, digest.error());
  std::string artifact_type = ex.query().Get("artifactType").value_or("");
  auto index = ctx.listing.Referrers(*name, *digest, artifact_type);
  if (!index) co_return co_await SendError(ex, index.error());
  auto r = Reply(200);
  r.Set("Content-Type", "application/vnd.oci.image.index.v1+json");
  if (!artifact_type.empty()) r.Set("OCI-Filters-Applied", "artifactType");
  r.body = std::move(*index);
  co_await ex.Send(std::move(r));
}

}  // namespace berth::api::oci
