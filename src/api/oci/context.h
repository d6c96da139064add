// OciContext: what the /v2 handlers need — the registry services and the protocol limits.
// Borrowed references; the composition root (app/) owns everything. Thread-safe as its parts are.
#pragma once
#include <cstddef>
#include <functional>

#include "registry/blob_service.h"
#include "registry/listing_service.h"
#include "registry/manifest_service.h"
#include "registry/upload_service.h"

namespace berth::auth {
class Authenticator;
class ProjectLookup;
class TokenService;
}  // namespace berth::auth
namespace berth::registry {
class PullRecorder;
}
namespace berth::audit {
class AuditWriter;
}
namespace berth::webhook {
class PullEvents;
class Subscriptions;
}  // namespace berth::webhook

namespace berth::api::oci {

struct OciLimits {
  size_t max_manifest_bytes = 4 * 1024 * 1024;
  size_t upload_buffer_bytes = 256 * 1024;
};

struct OciContext {
  registry::UploadService& uploads;
  registry::BlobService& blobs;
  registry::ManifestService& manifests;
  registry::ListingService& listing;
  // Who may do what on /v2 (see gate.h).
  auth::Authenticator& authn;
  auth::TokenService& tokens;
  auth::ProjectLookup& projects;  // cached project reads for authorization
  audit::AuditWriter& audit;  // pushes, pulls and deletes of artifacts
  OciLimits limits;
  // Counts manifest GETs for Harbor's pull_count / pull_time; null = not recorded.
  registry::PullRecorder* pulls = nullptr;
  // Webhook events of pushes, pulls and deletes (see events.h); null = none recorded.
  webhook::Subscriptions* subscriptions = nullptr;
  webhook::PullEvents* pull_events = nullptr;
  std::function<void()> wake_jobs;  // after committing events: JobRunner::Notify
};

}  // namespace berth::api::oci
