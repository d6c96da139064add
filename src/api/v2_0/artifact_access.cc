#include "api/v2_0/artifact_access.h"

#include "api/v2_0/project_access.h"
#include "http/query.h"
#include "oci/reference.h"

namespace berth::api::v2_0 {

Result<RepoScope> AuthorizeRepository(RestContext& ctx, const http::Exchange& ex, std::string_view resource,
                                      std::string_view action) {
  auto ok = Authorized(ctx, ex, resource, action);
  if (!ok) return std::unexpected(ok.error());
  auto part = http::PercentDecode(ex.Param("repository"));
  if (!part || part->empty()) return Fail(Errc::kBadRequest, "malformed repository name in the path");
  RepoScope scope{std::move(ok->first), std::move(ok->second), {}};
  scope.repository = scope.project.name + "/" + *part;
  if (auto valid = oci::ValidateRepositoryName(scope.repository); !valid)
    return Fail(Errc::kBadRequest, "invalid repository name " + scope.repository + ": " +
                                       std::string(valid.error().Message()));
  return scope;
}

Result<store::ArtifactRecord> LoadArtifact(RestContext& ctx, const RepoScope& scope, std::string_view reference) {
  auto ref = oci::ParseReference(reference);
  if (!ref) return Fail(Errc::kBadRequest, "invalid artifact reference " + std::string(reference) + ": " +
                                               std::string(ref.error().Message()));
  auto found = ref->is_digest() ? ctx.artifacts.FindByDigest(scope.repository, ref->digest)
                                : ctx.artifacts.FindByTag(scope.repository, ref->tag);
  if (!found) return std::unexpected(found.error());
  if (!*found)
    return Fail(Errc::kNotFound, "artifact " + scope.repository + (ref->is_digest() ? "@" : ":") + ref->str() +
                                     " not found");
  return std::move(**found);
}

store::Visibility VisibilityOf(RestContext& ctx, const auth::Principal& who) {
  store::Visibility v{false, {}};
  if (who.sysadmin) {
    v.all = true;
    return v;
  }
  if (who.kind == auth::Principal::Kind::kUser) {
    for (const auto& [project_id, roles] : who.project_roles)
      if (!roles.empty()) v.project_ids.push_back(project_id);
  } else if (who.kind == auth::Principal::Kind::kRobot) {
    for (const auto& p : who.robot_permissions) {
      if (p.resource != "repository" || (p.action != "list" && p.action != "*")) continue;
      if (p.ns == "*") {
        v.all = true;
      } else if (p.ns != "/") {
        if (auto project = ctx.projects.FindByName(p.ns); project && *project) v.project_ids.push_back((*project)->id);
      }
    }
  }
  return v;
}

}  // namespace berth::api::v2_0
