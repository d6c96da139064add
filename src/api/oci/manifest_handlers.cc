#include "api/oci/handlers.h"
#include "api/oci/events.h"
#include "api/oci/gate.h"
#include "audit/audit_writer.h"
#include "api/oci/params.h"
#include "api/oci/render.h"
#include "registry/pull_recorder.h"

namespace berth::api::oci {
namespace {

// True when the client accepts `media_type`: no Accept header, a wildcard, or the type listed.
bool Accepts(const http::Exchange& ex, std::string_view media_type) {
  auto list = ex.HeaderList("Accept");
  if (list.empty()) return true;
  for (auto item : list) {
    item = item.substr(0, item.find(';'));
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "*/*" || item == "application/*" || item == media_type) return true;
  }
  return false;
}

// Harbor's audit entry for an artifact operation: resource "proj/repo:tag" or "proj/repo@digest".
void AuditArtifact(OciContext& ctx, const http::Exchange& ex, const std::string& repo, const char* operation) {
  const std::string& ref = ex.Param("reference");
  store::AuditRecord a;
  a.username = ex.Param(kPrincipalParam);
  a.resource = repo + (ref.find(':') == std::string::npos ? ":" : "@") + ref;
  a.resource_type = "artifact";
  a.operation = operation;
  a.event_type = std::string(operation) + "_artifact";
  ctx.audit.Record(std::move(a), repo.substr(0, repo.find('/')));
}

}  // namespace

http::Task<void> GetManifest(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  auto ref = ReferenceParam(ex);
  if (!ref) co_return co_await SendError(ex, ref.error());
  auto rec = ctx.manifests.Get(*name, *ref);
  if (!rec) co_return co_await SendError(ex, rec.error());
  if (!Accepts(ex, rec->media_type))
    co_return co_await SendError(
        ex, Error(Errc::kManifestUnknown, "manifest is a " + rec->media_type + ", which the Accept header excludes"));
  std::string digest = rec->digest.str();
  std::string etag = Quoted(digest);
  auto r = Reply(200);
  r.Set("Content-Type", rec->media_type);
  r.Set("Docker-Content-Digest", digest);
  r.Set("ETag", etag);
  if (ex.Header("If-None-Match") == etag) {
    r.status = 304;
    co_return co_await ex.Send(std::move(r));
  }
  r.body = std::move(rec->content);
  if (ex.method() == http::Verb::get) {  // HEAD is not a pull
    AuditArtifact(ctx, ex, *name, "pull");
    if (ctx.pulls) ctx.pulls->Record(*name, rec->digest, ref->is_digest() ? "" : ref->tag);
    PublishPull(ctx, ex, *name, rec->digest, ref->is_digest() ? "" : ref->tag);
  }
  co_await ex.Send(std::move(r));
}

http::Task<void> PutManifest(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  auto ref = ReferenceParam(ex);
  if (!ref) co_return co_await SendError(ex, ref.error());
  auto body = co_await ex.ReadAll(ctx.limits.max_manifest_bytes);
  if (!body) co_return co_await SendError(ex, body.error());
  store::EventContext storage;
  const store::EventContext* events = EventsFor(ctx, ex, *name, "PUSH_ARTIFACT", storage, /*quota=*/true);
  auto put = ctx.manifests.Put(*name, *ref, std::move(*body), ex.Header("Content-Type"), events);
  // A quota refusal commits its QUOTA_EXCEED; a warning waits for the runner's next poll.
  bool refused = !put && put.error().code == Errc::kDenied;
  if (events && (events->artifact || refused) && ctx.wake_jobs) ctx.wake_jobs();
  if (!put) co_return co_await SendError(ex, put.error());
  std::string digest = put->digest.str();
  auto r = Reply(201);
  r.Set("Location", "/v2/" + *name + "/manifests/" + digest);
  r.Set("Docker-Content-Digest", digest);
  if (put->subject) r.Set("OCI-Subject", put->subject->str());
  AuditArtifact(ctx, ex, *name, "create");
  co_await ex.Send(std::move(r));
}

http::Task<void> DeleteManifest(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  auto ref = ReferenceParam(ex);
  if (!ref) co_return co_await SendError(ex, ref.error());
  store::EventContext storage;
  const store::EventContext* events = EventsFor(ctx, ex, *name, "DELETE_ARTIFACT", storage);
  auto done = ctx.manifests.Delete(*name, *ref, events);
  if (!done) co_return co_await SendError(ex, done.error());
  if (events && ctx.wake_jobs) ctx.wake_jobs();
  AuditArtifact(ctx, ex, *name, "delete");
  co_await ex.Send(Reply(202));
}

}  // namespace berth::api::oci
