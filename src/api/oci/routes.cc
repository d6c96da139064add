#include "api/oci/routes.h"

#include "api/oci/handlers.h"
#include "api/oci/render.h"

namespace berth::api::oci {

void RegisterRoutes(http::Router& router, OciContext& ctx) {
  using http::Verb;
  using Fn = http::Task<void> (*)(OciContext&, http::Exchange&);
  struct Row {
    Verb method;
    const char* pattern;
    Fn handler;
  };
  // Upload routes come before blob routes; HEAD is served by the GET handlers.
  static const Row kRoutes[] = {
      {Verb::get, "/v2/", ApiVersion},
      {Verb::get, "/v2", ApiVersion},
      {Verb::get, "/v2/_catalog", Catalog},
      {Verb::get, "/v2/{name...}/tags/list", TagsList},
      {Verb::get, "/v2/{name...}/referrers/{digest}", Referrers},
      {Verb::get, "/v2/{name...}/manifests/{reference}", GetManifest},
      {Verb::put, "/v2/{name...}/manifests/{reference}", PutManifest},
      {Verb::delete_, "/v2/{name...}/manifests/{reference}", DeleteManifest},
      {Verb::post, "/v2/{name...}/blobs/uploads/", StartUpload},
      {Verb::post, "/v2/{name...}/blobs/uploads", StartUpload},
      {Verb::get, "/v2/{name...}/blobs/uploads/{uuid}", UploadStatus},
      {Verb::patch, "/v2/{name...}/blobs/uploads/{uuid}", PatchUpload},
      {Verb::put, "/v2/{name...}/blobs/uploads/{uuid}", PutUpload},
      {Verb::delete_, "/v2/{name...}/blobs/uploads/{uuid}", CancelUpload},
      {Verb::get, "/v2/{name...}/blobs/{digest}", GetBlob},
      {Verb::delete_, "/v2/{name...}/blobs/{digest}", DeleteBlob},
  };
  for (const auto& r : kRoutes) {
    Fn fn = r.handler;
    router.Add(r.method, r.pattern, [&ctx, fn](http::Exchange& ex) { return fn(ctx, ex); });
  }
  router.SetErrorRenderer("/v2", SendError);
}

}  // namespace berth::api::oci
