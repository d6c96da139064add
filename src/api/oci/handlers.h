// The /v2 handlers: parse → call a registry service → render. One function per route.
// Each runs on the connection's coroutine; none keeps state between requests.
#pragma once
#include "api/oci/context.h"
#include "http/exchange.h"

namespace berth::api::oci {

http::Task<void> ApiVersion(OciContext& ctx, http::Exchange& ex);
http::Task<void> Catalog(OciContext& ctx, http::Exchange& ex);
http::Task<void> TagsList(OciContext& ctx, http::Exchange& ex);
http::Task<void> Referrers(OciContext& ctx, http::Exchange& ex);

http::Task<void> GetManifest(OciContext& ctx, http::Exchange& ex);
http::Task<void> PutManifest(OciContext& ctx, http::Exchange& ex);
http::Task<void> DeleteManifest(OciContext& ctx, http::Exchange& ex);

http::Task<void> GetBlob(OciContext& ctx, http::Exchange& ex);
http::Task<void> DeleteBlob(OciContext& ctx, http::Exchange& ex);

http::Task<void> StartUpload(OciContext& ctx, http::Exchange& ex);
http::Task<void> PatchUpload(OciContext& ctx, http::Exchange& ex);
http::Task<void> PutUpload(OciContext& ctx, http::Exchange& ex);
http::Task<void> UploadStatus(OciContext& ctx, http::Exchange& ex);
http::Task<void> CancelUpload(OciContext& ctx, http::Exchange& ex);

}  // namespace berth::api::oci
