// RestContext: what the /api/v2.0 handlers need — the authenticator, the identity stores, the
// system settings and the LDAP identity source. Borrowed references and pointers; the composition
// root (app/) owns everything and sets the pointers before serving. Thread-safe as its parts are.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "api/v2_0/config_attrs_cache.h"
#include "auth/authenticator.h"
#include "auth/project_lookup.h"
#include "auth/session_service.h"
#include "auth/ldap_identity.h"
#include "auth/system_config.h"
#include "registry/blob_service.h"
#include "store/artifact_store.h"
#include "store/identity_store.h"
#include "store/quota_store.h"
#include "store/webhook_store.h"

namespace berth::webhook {
class Subscriptions;
class TargetSecrets;
}

namespace berth::api::v2_0 {

struct RestContext {
  auth::Authenticator& authn;
  auth::SessionService& sessions;
  store::UserStore& users;
  store::GroupStore& groups;
  store::ProjectStore& projects;
  store::MemberStore& members;
  store::RobotStore& robots;
  store::AuditStore& audit;
  std::string external_url;  // e.g. http://registry.example.com
  // Repositories, artifacts, tags and labels; image configs are read through the blob service.
  store::ArtifactStore& artifacts;
  store::LabelStore& labels;
  registry::BlobService& blobs;
  // extra_attrs of image configs already read (owned here; shared by all requests).
  std::shared_ptr<ConfigAttrsCache> config_attrs = std::make_shared<ConfigAttrsCache>();
  // Set after construction by the composition root.
  auth::SystemConfig* settings = nullptr;  // GET/PUT /configurations; never null once serving
  auth::LdapIdentity* ldap = nullptr;      // /ldap/*; never null once serving
  store::WebhookStore* webhooks = nullptr;  // …/webhook/*; never null once serving
  store::QuotaStore* quotas = nullptr;      // /quotas, project summaries; never null once serving
  // Projects by name for the handlers' authorization, cached while the store is unchanged (see
  // auth/project_lookup.h); null = read the store every time.
  auth::ProjectLookup* project_lookup = nullptr;
  // Webhook events of artifact deletes and copies (see events.h); null = none recorded.
  webhook::Subscriptions* subscriptions = nullptr;
  // Seals webhook targets' auth_header/signing_secret for the store, opens them for admins and
  // the test endpoint; never null once serving.
  const webhook::TargetSecrets* target_secrets = nullptr;
  std::function<void()> wake_jobs;  // after committing events: JobRunner::Notify
};

}  // namespace berth::api::v2_0
