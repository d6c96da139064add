// RestContext: what the /api/v2.0 handlers need — the authenticator and the identity stores.
// Borrowed references; the composition root (app/) owns everything. Thread-safe as its parts are.
#pragma once
#include <string>

#include "auth/authenticator.h"
#include "registry/blob_service.h"
#include "store/artifact_store.h"
#include "store/identity_store.h"

namespace berth::api::v2_0 {

struct RestContext {
  auth::Authenticator& authn;
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
};

}  // namespace berth::api::v2_0
