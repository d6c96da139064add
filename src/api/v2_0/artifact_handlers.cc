// Artifacts: list, get, delete, copy and build history under /projects/{p}/repositories/{r}/
// artifacts, and the route table of the whole area (repositories, artifacts, tags, labels,
// search, statistics).
#include "api/v2_0/artifact_handlers.h"

#include <charconv>

#include "api/v2_0/artifact_access.h"
#include "api/v2_0/harbor_query.h"
#include "api/v2_0/artifact_views.h"
#include "api/v2_0/events.h"
#include "api/v2_0/project_access.h"
#include "api/v2_0/render.h"
#include "api/v2_0/route_table.h"
#include "api/v2_0/security.h"
#include "oci/reference.h"

namespace berth::api::v2_0 {
namespace {

Result<std::vector<int64_t>> LabelIds(const QueryTerm& t) {
  if (t.kind != QueryTerm::Kind::kAll && t.kind != QueryTerm::Kind::kExact &&
      !(t.kind == QueryTerm::Kind::kAny && t.values.size() == 1))
    return Fail(Errc::kBadRequest, "labels takes labels=(id1 id2 ...)");
  std::vector<int64_t> ids;
  for (const auto& v : t.values) {
    int64_t id = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
    if (ec != std::errc() || p != v.data() + v.size() || id <= 0)
      return Fail(Errc::kBadRequest, "label ids must be positive integers: " + v);
    ids.push_back(id);
  }
  return ids;
}

// q: tags=* | tags=nil | tags=v | tags=~v, labels=(id ...), type=IMAGE, media_type=..., digest=...
Result<void> ApplyArtifactQuery(const http::Exchange& ex, store::ArtifactFilter& f) {
  using Kind = QueryTerm::Kind;
  if (auto q = ex.query().Get("q"); q && !q->empty()) {
    auto terms = ParseHarborQuery(*q);
    if (!terms) return std::unexpected(terms.error());
    for (const auto& t : *terms) {
      const std::string& v = t.values.empty() ? std::string() : t.values.front();
      if (t.key == "tags") {
        if (t.kind == Kind::kExact && v == "*") f.tagged = store::ArtifactFilter::Tagged::kTagged;
        else if (t.kind == Kind::kExact && v == "nil") f.tagged = store::ArtifactFilter::Tagged::kUntagged;
        else if (t.kind == Kind::kExact) f.tag = v;
        else if (t.kind == Kind::kFuzzy) f.tag_part = v;
        else return Fail(Errc::kBadRequest, "tags takes tags=*, tags=nil, tags=<name> or tags=~<part>");
      } else if (t.key == "labels") {
        auto ids = LabelIds(t);
        if (!ids) return std::unexpected(ids.error());
        f.label_ids.insert(f.label_ids.end(), ids->begin(), ids->end());
      } else if (t.key == "type") {
        if (t.kind != Kind::kExact) return Fail(Errc::kBadRequest, "type takes type=<TYPE>");
        bool known = false;
        auto types = MediaTypesOfType(v, known);
        if (!known) return Fail(Errc::kBadRequest, "unknown artifact type: " + v);
        if (types.empty()) {  // UNKNOWN: none of the known media types
          bool ignored = false;
          for (const char* name : {"IMAGE", "CHART", "CNAB", "WASM", "CNAI"})
            for (auto& m : MediaTypesOfType(name, ignored)) f.media_types.push_back(std::move(m));
          f.media_types_negate = true;
        } else {
          f.media_types = std::move(types);
          f.media_types_negate = false;
        }
      } else if (t.key == "media_type") {
        if (t.kind != Kind::kExact && t.kind != Kind::kAny)
          return Fail(Errc::kBadRequest, "media_type takes media_type=<type> or media_type={a b}");
        f.media_types = t.values;
        f.media_types_negate = false;
      } else if (t.key == "digest") {
        if (t.kind != Kind::kExact || !Digest::Parse(v)) return Fail(Errc::kBadRequest, "digest takes digest=<digest>");
        f.digest = v;
      } else {
        return Fail(Errc::kBadRequest, "unsupported query key for artifacts: " + t.key);
      }
    }
  }
  std::string sort = ex.query().Get("sort").value_or("");
  f.sort = sort.substr(0, sort.find(','));
  return {};
}

// ?from=project/repo:tag | project/repo@digest
struct CopySource {
  std::string repository;
  oci::Reference ref;
};

Result<CopySource> ParseFrom(std::string_view from) {
  CopySource src;
  auto bad = [&](std::string why) {
    return Fail(Errc::kBadRequest, "from must be <project>/<repository>:<tag> or <project>/<repository>@<digest>: " + why);
  };
  if (from.empty()) return bad("missing");
  if (auto at = from.find('@'); at != std::string_view::npos) {
    src.repository = std::string(from.substr(0, at));
    auto d = Digest::Parse(from.substr(at + 1));
    if (!d) return bad("invalid digest");
    src.ref.digest = *d;
  } else {
    auto colon = from.rfind(':');
    if (colon == std::string_view::npos) return bad("no tag or digest");
    src.repository = std::string(from.substr(0, colon));
    src.ref.tag = std::string(from.substr(colon + 1));
    if (!oci::IsValidTag(src.ref.tag)) return bad("invalid tag");
  }
  if (src.repository.find('/') == std::string::npos || !oci::ValidateRepositoryName(src.repository))
    return bad("invalid repository name");
  return src;
}

std::string AuditName(const std::string& repository, std::string_view reference) {
  return repository + (reference.find(':') == std::string_view::npos ? ":" : "@") + std::string(reference);
}

}  // namespace

http::Task<void> ListArtifacts(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "artifact", "list");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto page = ParsePage(ex);
  if (!page) co_return co_await SendError(ex, page.error());
  ArtifactViewOptions opt;
  auto with_tag = BoolParam(ex, "with_tag", true);
  if (!with_tag) co_return co_await SendError(ex, with_tag.error());
  auto with_label = BoolParam(ex, "with_label", false);
  if (!with_label) co_return co_await SendError(ex, with_label.error());
  opt.with_tag = *with_tag;
  opt.with_label = *with_label;
  store::ArtifactFilter f;
  if (auto r = ApplyArtifactQuery(ex, f); !r) co_return co_await SendError(ex, r.error());
  auto list = ctx.artifacts.ListArtifacts(scope->repository, f, page->paging());
  if (!list) co_return co_await SendError(ex, list.error());
  if (list->total == 0) {  // nothing matched: an empty page, or no such repository
    auto repo = ctx.artifacts.FindRepository(scope->repository);
    if (!repo) co_return co_await SendError(ex, repo.error());
    if (!*repo) co_return co_await SendError(ex, Error(Errc::kNotFound, "repository " + scope->repository + " not found"));
  }
  auto rel = LoadRelations(ctx, list->items, opt);
  if (!rel) co_return co_await SendError(ex, rel.error());
  JsonWriter w(2048 * list->items.size() + 2);
  w.BeginArray();
  for (const auto& a : list->items)
    if (auto r = WriteArtifact(w, ctx, a, scope->project.name, opt, *rel); !r) co_return co_await SendError(ex, r.error());
  w.EndArray();
  co_await SendListText(ex, *page, list->total, w.Take());
}

http::Task<void> GetArtifact(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "artifact", "read");
  if (!scope) co_return co_await SendError(ex, scope.error());
  ArtifactViewOptions opt;
  auto with_tag = BoolParam(ex, "with_tag", true);
  if (!with_tag) co_return co_await SendError(ex, with_tag.error());
  auto with_label = BoolParam(ex, "with_label", false);
  if (!with_label) co_return co_await SendError(ex, with_label.error());
  opt.with_tag = *with_tag;
  opt.with_label = *with_label;
  auto artifact = LoadArtifact(ctx, *scope, ex.Param("reference"));
  if (!artifact) co_return co_await SendError(ex, artifact.error());
  auto rel = LoadRelations(ctx, {*artifact}, opt);
  if (!rel) co_return co_await SendError(ex, rel.error());
  JsonWriter w(2048);
  if (auto r = WriteArtifact(w, ctx, *artifact, scope->project.name, opt, *rel); !r)
    co_return co_await SendError(ex, r.error());
  co_await SendJsonText(ex, 200, w.Take());
}

http::Task<void> DeleteArtifact(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "artifact", "delete");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto artifact = LoadArtifact(ctx, *scope, ex.Param("reference"));
  if (!artifact) co_return co_await SendError(ex, artifact.error());
  // As DELETE /v2/<repo>/manifests/<digest> (same code, one transaction): the manifest, all its
  // tags and its blobs' reference counts; then, as Harbor does, index children nothing else uses.
  store::EventContext storage;
  const store::EventContext* events = EventsFor(ctx, ex, *scope, "DELETE_ARTIFACT", storage);
  auto done = ctx.artifacts.DeleteArtifact(scope->repository, artifact->digest, events);
  if (!done) {
    Error err = done.error();
    if (err.code == Errc::kManifestReferenced)
      err = Error(Errc::kPreconditionFailed, "the artifact is listed by an index in the repository; delete the index first");
    co_return co_await SendError(ex, err);
  }
  if (!*done)
    co_return co_await SendError(ex, Error(Errc::kNotFound, "artifact " + scope->repository + "@" + artifact->digest.str() + " not found"));
  EventsCommitted(ctx, events);
  RecordAudit(ctx, scope->who, scope->project.id, AuditName(scope->repository, ex.Param("reference")), "artifact",
              "delete");
  co_await SendOk(ex);
}

http::Task<void> CopyArtifact(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "artifact", "create");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto src = ParseFrom(ex.query().Get("from").value_or(""));
  if (!src) co_return co_await SendError(ex, src.error());
  std::string src_project = src->repository.substr(0, src->repository.find('/'));
  auto project = ctx.projects.FindByName(src_project);
  if (!project) co_return co_await SendError(ex, project.error());
  if (!*project) co_return co_await SendError(ex, Error(Errc::kNotFound, "project " + src_project + " not found"));
  if (!auth::Allowed(scope->who, Ref(**project), "repository", "pull"))
    co_return co_await SendError(ex, Refusal(scope->who));
  Digest digest = src->ref.digest;
  if (!src->ref.is_digest()) {
    auto tagged = ctx.artifacts.FindByTag(src->repository, src->ref.tag);
    if (!tagged) co_return co_await SendError(ex, tagged.error());
    if (!*tagged)
      co_return co_await SendError(ex, Error(Errc::kNotFound, "artifact " + src->repository + ":" + src->ref.tag + " not found"));
    digest = (*tagged)->digest;
  }
  store::EventContext storage;
  const store::EventContext* events = EventsFor(ctx, ex, *scope, "PUSH_ARTIFACT", storage, /*quota=*/true);
  auto copied = ctx.artifacts.Copy(src->repository, digest, scope->repository, events);
  if (!copied) {
    if (copied.error().code == Errc::kDenied) EventsCommitted(ctx, events);  // its QUOTA_EXCEED
    co_return co_await SendError(ex, copied.error());
  }
  if (!*copied)
    co_return co_await SendError(ex, Error(Errc::kNotFound, "artifact " + src->repository + "@" + digest.str() + " not found"));
  EventsCommitted(ctx, events);
  RecordAudit(ctx, scope->who, scope->project.id, scope->repository + "@" + digest.str(), "artifact", "create");
  std::string location = "/api/v2.0/projects/" + scope->project.name + "/repositories/" +
                         EncodedRepositoryPart(scope->repository) + "/artifacts/" + digest.str();
  co_await SendCreated(ex, location);
}

http::Task<void> BuildHistory(RestContext& ctx, http::Exchange& ex) {
  auto scope = AuthorizeRepository(ctx, ex, "artifact-addition", "read");
  if (!scope) co_return co_await SendError(ex, scope.error());
  auto artifact = LoadArtifact(ctx, *scope, ex.Param("reference"));
  if (!artifact) co_return co_await SendError(ex, artifact.error());
  auto config = ReadImageConfig(ctx, *artifact);
  if (!config) co_return co_await SendError(ex, Error(Errc::kNotFound, "no build history: the artifact is not an image"));
  Json history = Json::array();
  if (auto h = config->find("history"); h != config->end() && h->is_array()) history = *h;
  co_await SendJson(ex, 200, history);
}

void RegisterArtifactRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
#define R "/api/v2.0/projects/{project}/repositories/{repository}"
#define A R "/artifacts/{reference}"
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/repositories", ListAllRepositories},
      {Verb::get, "/api/v2.0/projects/{project}/repositories", ListProjectRepositories},
      {Verb::get, R, GetRepository},
      {Verb::put, R, UpdateRepository},
      {Verb::delete_, R, DeleteRepository},
      {Verb::get, R "/artifacts", ListArtifacts},
      {Verb::post, R "/artifacts", CopyArtifact},
      {Verb::get, A, GetArtifact},
      {Verb::delete_, A, DeleteArtifact},
      {Verb::get, A "/additions/build_history", BuildHistory},
      {Verb::get, A "/tags", ListTags},
      {Verb::post, A "/tags", CreateTag},
      {Verb::delete_, A "/tags/{tag}", DeleteTag},
      {Verb::post, A "/labels", AttachLabel},
      {Verb::delete_, A "/labels/{label_id}", DetachLabel},
      {Verb::get, "/api/v2.0/labels", ListLabels},
      {Verb::post, "/api/v2.0/labels", CreateLabel},
      {Verb::get, "/api/v2.0/labels/{label_id}", GetLabel},
      {Verb::put, "/api/v2.0/labels/{label_id}", UpdateLabel},
      {Verb::delete_, "/api/v2.0/labels/{label_id}", DeleteLabel},
      {Verb::get, "/api/v2.0/search", Search},
      {Verb::get, "/api/v2.0/statistics", Statistics},
  };
#undef A
#undef R
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
