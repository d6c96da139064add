#include "api/oci/routes.h"

#include "api/oci/gate.h"
#include "api/oci/handlers.h"
#include "api/oci/render.h"

namespace berth::api::oci {

void RegisterRoutes(http::Router& router, OciContext& ctx) {
  using http::Verb;
  using Fn = http::Task<void> (*)(OciContext&, http::Exchange&);
  struct Row {
    Verb method;
    const char* pattern;
    Access access;
    Fn handler;
  };
  // Upload routes come before blob routes; HEAD is served by the GET handlers.
  static const Row kRoutes[] = {
      {Verb::get, "/v2/", Access::kPing, ApiVersion},
      {Verb::get, "/v2", Access::kPing, ApiVersion},
      {Verb::get, "/v2/_catalog", Access::kCatalog, Catalog},
      {Verb::get, "/v2/{name...}/tags/list", Access::kPull, TagsList},
      {Verb::get, "/v2/{name...}/referrers/{digest}", Access::kPull, Referrers},
      {Verb::get, "/v2/{name...}/manifests/{reference}", Access::kPull, GetManifest},
      {Verb::put, "/v2/{name...}/manifests/{reference}", Access::kPush, PutManifest},
      {Verb::delete_, "/v2/{name...}/manifests/{reference}", Access::kDelete, DeleteManifest},
      {Verb::post, "/v2/{name...}/blobs/uploads/", Access::kPush, StartUpload},
      {Verb::post, "/v2/{name...}/blobs/uploads", Access::kPush, StartUpload},
      {Verb::get, "/v2/{name...}/blobs/uploads/{uuid}", Access::kPush, UploadStatus},
      {Verb::patch, "/v2/{name...}/blobs/uploads/{uuid}", Access::kPush, PatchUpload},
      {Verb::put, "/v2/{name...}/blobs/uploads/{uuid}", Access::kPush, PutUpload},
      {Verb::delete_, "/v2/{name...}/blobs/uploads/{uuid}", Access::kPush, CancelUpload},
      {Verb::get, "/v2/{name...}/blobs/{digest}", Access::kPull, GetBlob},
      {Verb::delete_, "/v2/{name...}/blobs/{digest}", Access::kDelete, DeleteBlob},
  };
  for (const auto& r : kRoutes) {
    Fn fn = r.handler;
    Access access = r.access;
    router.Add(r.method, r.pattern, [&ctx, fn, access](http::Exchange& ex) -> http::Task<void> {
      if (co_await Admit(ctx, ex, access)) co_await fn(ctx, ex);
    });
  }
  router.SetErrorRenderer("/v2", [](http::Exchange& ex, const Error& err) { return SendError(ex, err); });
}

}  // namespace berth::api::oci
