// /api/v2.0/projects/{project_name_or_id}/metadatas/[{meta_name}]: Harbor's per-key view of a
// project's metadata (the same keys and values as the `metadata` object of GET/PUT /projects/{p}).
// Guarded by the "metadata" resource of the role table: every member may read and list, the
// project admin (and system admins) may create, update and delete. Stateless handlers.
//
// Harbor's answers, kept: one key/value pair per write, known keys only, 200 on add, 409 when
// adding a key that is already set ("public" always is), DELETE of an unset key is a 200.
// Berth's choices where Harbor is loose: GET of an unset key and any operation on a key that is
// not a metadata key are 404; PUT sets a key that was unset; a PUT body must be exactly
// {"<meta_name>": value}; an empty value is a 400. "public" is the project's visibility.
#include "api/v2_0/project_access.h"
#include "api/v2_0/project_metadata.h"
#include "api/v2_0/render.h"
#include "api/v2_0/route_table.h"

namespace berth::api::v2_0 {
namespace {

using store::ProjectRecord;

// The {meta_name} of the request when it is a metadata key; 404 otherwise.
Result<std::string> MetaName(const http::Exchange& ex) {
  const std::string& name = ex.Param("meta_name");
  if (!IsProjectMetadataKey(name)) return Fail(Errc::kNotFound, "project metadata " + name + " not found");
  return name;
}

// A write body: an object with exactly one metadata key and a valid, non-empty value.
Result<std::pair<std::string, std::string>> OnePair(const Json& body) {
  if (!body.is_object()) return Fail(Errc::kBadRequest, "the body must be a JSON object");
  if (body.size() != 1) return Fail(Errc::kBadRequest, "only one metadata key/value pair is allowed");
  std::map<std::string, std::string> read;
  if (auto r = ReadMetadata(body, read); !r) return std::unexpected(r.error());
  auto [key, value] = *read.begin();
  if (value.empty()) return Fail(Errc::kBadRequest, "metadata " + key + " must not be empty");
  return std::make_pair(std::move(key), std::move(value));
}

// Stores one key of `p` (empty value: removes it); "public" is the project's visibility column.
Result<void> Store(RestContext& ctx, ProjectRecord p, const std::string& key, const std::string& value) {
  p.metadata.clear();
  if (key == "public") p.is_public = value == "true";
  else p.metadata[key] = value;
  auto updated = ctx.projects.Update(p);
  if (!updated) return std::unexpected(updated.error());
  if (!*updated) return Fail(Errc::kNotFound, "project " + p.name + " not found");
  return {};
}

http::Task<void> ListMetadatas(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "metadata", "list");
  if (!ok) co_return co_await SendError(ex, ok.error());
  Json body = Json::object();
  for (const auto& [k, v] : ok->second.metadata) body[k] = v;
  co_await SendJson(ex, 200, body);
}

http::Task<void> AddMetadata(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "metadata", "create");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto pair = OnePair(*body);
  if (!pair) co_return co_await SendError(ex, pair.error());
  if (ok->second.metadata.contains(pair->first))
    co_return co_await SendError(ex, Error(Errc::kConflict, "metadata " + pair->first + " already exists for the project"));
  if (auto r = Store(ctx, ok->second, pair->first, pair->second); !r) co_return co_await SendError(ex, r.error());
  RecordAudit(ctx, ok->first, ok->second.id, ok->second.name, "project", "update");
  co_await SendOk(ex);
}

http::Task<void> GetMetadata(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "metadata", "read");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto key = MetaName(ex);
  if (!key) co_return co_await SendError(ex, key.error());
  auto it = ok->second.metadata.find(*key);
  if (it == ok->second.metadata.end())
    co_return co_await SendError(ex, Error(Errc::kNotFound, "project metadata " + *key + " is not set"));
  Json body = Json::object();
  body[it->first] = it->second;
  co_await SendJson(ex, 200, body);
}

http::Task<void> UpdateMetadata(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "metadata", "update");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto key = MetaName(ex);
  if (!key) co_return co_await SendError(ex, key.error());
  auto body = co_await ReadJson(ex);
  if (!body) co_return co_await SendError(ex, body.error());
  auto pair = OnePair(*body);
  if (!pair) co_return co_await SendError(ex, pair.error());
  if (pair->first != *key)
    co_return co_await SendError(ex, Error(Errc::kBadRequest, "the body must set " + *key + " and nothing else"));
  if (auto r = Store(ctx, ok->second, pair->first, pair->second); !r) co_return co_await SendError(ex, r.error());
  RecordAudit(ctx, ok->first, ok->second.id, ok->second.name, "project", "update");
  co_await SendOk(ex);
}

http::Task<void> DeleteMetadata(RestContext& ctx, http::Exchange& ex) {
  auto ok = Authorized(ctx, ex, "metadata", "delete");
  if (!ok) co_return co_await SendError(ex, ok.error());
  auto key = MetaName(ex);
  if (!key) co_return co_await SendError(ex, key.error());
  // Removing "public" makes the project private (Harbor reads a missing "public" as false).
  if (auto r = Store(ctx, ok->second, *key, *key == "public" ? "false" : ""); !r)
    co_return co_await SendError(ex, r.error());
  RecordAudit(ctx, ok->first, ok->second.id, ok->second.name, "project", "update");
  co_await SendOk(ex);
}

}  // namespace

void RegisterProjectMetadataRoutes(http::Router& router, RestContext& ctx) {
  using http::Verb;
  // Harbor's paths end the collection with "/": the router matches the empty last segment.
  static const RouteRow kRoutes[] = {
      {Verb::get, "/api/v2.0/projects/{project}/metadatas/", ListMetadatas},
      {Verb::post, "/api/v2.0/projects/{project}/metadatas/", AddMetadata},
      {Verb::get, "/api/v2.0/projects/{project}/metadatas/{meta_name}", GetMetadata},
      {Verb::put, "/api/v2.0/projects/{project}/metadatas/{meta_name}", UpdateMetadata},
      {Verb::delete_, "/api/v2.0/projects/{project}/metadatas/{meta_name}", DeleteMetadata},
  };
  AddRoutes(router, ctx, kRoutes);
}

}  // namespace berth::api::v2_0
