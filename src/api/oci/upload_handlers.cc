#include <memory>

#include "api/oci/events.h"
#include "api/oci/handlers.h"
#include "api/oci/params.h"
#include "api/oci/render.h"

namespace berth::api::oci {
namespace {

std::string UploadLocation(const std::string& name, const std::string& id) {
  return "/v2/" + name + "/blobs/uploads/" + id;
}

std::string RangeHeader(int64_t size) { return "0-" + std::to_string(size > 0 ? size - 1 : 0); }

// Streams the request body into the upload: one large socket read, then hash and write, per piece.
// (Overlapping the hashing with the next read on a worker thread was measured and gained nothing on
// two cores, where the client competes for the second one.)
http::Task<Result<void>> StreamBody(OciContext& ctx, http::Exchange& ex, registry::UploadLease& lease) {
  auto buf = std::make_unique<char[]>(ctx.limits.upload_buffer_bytes);
  for (;;) {
    auto n = co_await ex.ReadSome(buf.get(), ctx.limits.upload_buffer_bytes);
    if (!n) co_return std::unexpected(n.error());
    if (*n == 0) co_return Result<void>{};
    if (auto w = lease.Append(buf.get(), *n); !w) co_return w;
  }
}

// Checks a Content-Range against the announced body length.
Result<void> CheckRangeLength(const http::Exchange& ex, const std::optional<registry::ContentRange>& range) {
  if (!range) return {};
  auto len = ex.ContentLength();
  if (len && static_cast<int64_t>(*len) != range->end - range->start + 1)
    return Fail(Errc::kRangeInvalid, "Content-Range length differs from Content-Length");
  return {};
}

http::Task<void> SendCreated(http::Exchange& ex, const std::string& name, const Digest& digest) {
  auto r = Reply(201);
  r.Set("Location", "/v2/" + name + "/blobs/" + digest.str());
  r.Set("Docker-Content-Digest", digest.str());
  co_await ex.Send(std::move(r));
}

// The events a blob commit or mount may record: QUOTA_EXCEED when the quota refuses it.
void WakeAfterQuotaRefusal(OciContext& ctx, const store::EventContext* events, const Error& err) {
  if (events && err.code == Errc::kDenied && ctx.wake_jobs) ctx.wake_jobs();
}

// Appends the body (if any) and completes the upload with `digest`.
http::Task<Result<Digest>> FinishUpload(OciContext& ctx, http::Exchange& ex, const std::string& name,
                                        const std::string& id, const Digest& digest,
                                        const std::optional<registry::ContentRange>& range) {
  auto lease = ctx.uploads.Lease(name, id, range);
  if (!lease) co_return std::unexpected(lease.error());
  if (auto s = co_await StreamBody(ctx, ex, **lease); !s) co_return std::unexpected(s.error());
  store::EventContext storage;
  const store::EventContext* events = EventsFor(ctx, ex, name, "", storage, /*quota=*/true);
  auto done = ctx.uploads.Complete(**lease, digest, events);
  if (!done) WakeAfterQuotaRefusal(ctx, events, done.error());
  co_return done;
}

}  // namespace

http::Task<void> StartUpload(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  const auto& q = ex.query();
  if (auto mount = q.Get("mount")) {
    auto digest = DigestParam(*mount);
    if (!digest) co_return co_await SendError(ex, digest.error());
    if (auto from = q.Get("from"); from && !from->empty() && ex.Param("mount_denied").empty()) {
      store::EventContext storage;
      const store::EventContext* events = EventsFor(ctx, ex, *name, "", storage, /*quota=*/true);
      auto mounted = ctx.blobs.Mount(*from, *name, *digest, events);
      if (!mounted) {
        WakeAfterQuotaRefusal(ctx, events, mounted.error());
        co_return co_await SendError(ex, mounted.error());
      }
      if (*mounted) co_return co_await SendCreated(ex, *name, *digest);
    }
    // Not mountable: fall back to a regular upload session (202).
  } else if (auto digest_text = q.Get("digest")) {
    auto digest = DigestParam(*digest_text);
    if (!digest) co_return co_await SendError(ex, digest.error());
    auto started = ctx.uploads.Start(*name);
    if (!started) co_return co_await SendError(ex, started.error());
    auto done = co_await FinishUpload(ctx, ex, *name, started->id, *digest, std::nullopt);
    if (!done) {
      (void)ctx.uploads.Cancel(*name, started->id);
      co_return co_await SendError(ex, done.error());
    }
    co_return co_await SendCreated(ex, *name, *done);
  }
  auto started = ctx.uploads.Start(*name);
  if (!started) co_return co_await SendError(ex, started.error());
  auto r = Reply(202);
  r.Set("Location", UploadLocation(*name, started->id));
  r.Set("Range", RangeHeader(0));
  r.Set("Docker-Upload-UUID", started->id);
  co_await ex.Send(std::move(r));
}

http::Task<void> PatchUpload(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  const std::string& id = ex.Param("uuid");
  auto range = UploadRange(ex);
  if (!range) co_return co_await SendError(ex, range.error());
  if (auto c = CheckRangeLength(ex, *range); !c) co_return co_await SendError(ex, c.error());
  int64_t size = 0;
  {
    auto lease = ctx.uploads.Lease(*name, id, *range);
    if (!lease) co_return co_await SendError(ex, lease.error());
    auto streamed = co_await StreamBody(ctx, ex, **lease);
    if (!streamed) co_return co_await SendError(ex, streamed.error());
    size = (*lease)->size();
  }
  auto r = Reply(202);
  r.Set("Location", UploadLocation(*name, id));
  r.Set("Range", RangeHeader(size));
  r.Set("Docker-Upload-UUID", id);
  co_await ex.Send(std::move(r));
}

http::Task<void> PutUpload(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  const std::string& id = ex.Param("uuid");
  auto digest_text = ex.query().Get("digest");
  if (!digest_text) co_return co_await SendError(ex, Error(Errc::kDigestInvalid, "the digest parameter is required"));
  auto digest = DigestParam(*digest_text);
  if (!digest) co_return co_await SendError(ex, digest.error());
  auto range = UploadRange(ex);
  if (!range) co_return co_await SendError(ex, range.error());
  if (auto c = CheckRangeLength(ex, *range); !c) co_return co_await SendError(ex, c.error());
  auto done = co_await FinishUpload(ctx, ex, *name, id, *digest, *range);
  if (!done) co_return co_await SendError(ex, done.error());
  co_await SendCreated(ex, *name, *done);
}

http::Task<void> UploadStatus(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  const std::string& id = ex.Param("uuid");
  auto st = ctx.uploads.Status(*name, id);
  if (!st) co_return co_await SendError(ex, st.error());
  auto r = Reply(204);
  r.Set("Location", UploadLocation(*name, id));
  r.Set("Range", RangeHeader(st->size));
  r.Set("Docker-Upload-UUID", id);
  co_await ex.Send(std::move(r));
}

http::Task<void> CancelUpload(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  auto done = ctx.uploads.Cancel(*name, ex.Param("uuid"));
  if (!done) co_return co_await SendError(ex, done.error());
  co_await ex.Send(Reply(204));
}

}  // namespace berth::api::oci
