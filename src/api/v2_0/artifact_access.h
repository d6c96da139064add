// Loading what a repository / artifact path names and authorizing the caller on it, shared by the
// repository, artifact, tag and label handlers; and which projects a caller may see. Stateless.
#pragma once
#include <string>
#include <string_view>

#include "api/v2_0/context.h"
#include "auth/rbac.h"
#include "http/exchange.h"
#include "store/artifact_records.h"
#include "store/artifact_store.h"
#include "store/identity_records.h"

namespace berth::api::v2_0 {

struct RepoScope {
  auth::Principal who;
  store::ProjectRecord project;
  std::string repository;  // full name, "project/a/b"
};

// Authorizes `action` on `resource` in {project} (401/403/404 as Authorized does), then decodes
// {repository} once more — Harbor clients send "a/b" as "a%252Fb", which the router decodes to
// "a%2Fb" — and validates "<project>/<repository>": kBadRequest when invalid.
Result<RepoScope> AuthorizeRepository(RestContext& ctx, const http::Exchange& ex, std::string_view resource,
                                      std::string_view action);

// The artifact {reference} (a tag or a digest) names in the scope's repository. kBadRequest when
// the reference is malformed, kNotFound when there is no such artifact.
Result<store::ArtifactRecord> LoadArtifact(RestContext& ctx, const RepoScope& scope, std::string_view reference);

// The projects whose repositories `who` may see besides the public ones.
store::Visibility VisibilityOf(RestContext& ctx, const auth::Principal& who);

}  // namespace berth::api::v2_0
