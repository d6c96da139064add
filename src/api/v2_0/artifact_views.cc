#include "api/v2_0/artifact_views.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "base/json_writer.h"
#include "blob/driver.h"
#include "oci/image_config.h"
#include "oci/media_types.h"

namespace berth::api::v2_0 {
namespace {

// Config media types per Harbor artifact type (an index counts as an IMAGE).
struct TypeRow {
  std::string_view type;
  std::vector<std::string_view> media_types;
};
const std::vector<TypeRow>& TypeTable() {
  static const std::vector<TypeRow> kTable = {
      {"IMAGE",
       {"application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json",
        oci::media::kOciIndex, oci::media::kDockerManifestList}},
      {"CHART", {"application/vnd.cncf.helm.config.v1+json"}},
      {"CNAB", {"application/vnd.cnab.manifest.v1"}},
      {"WASM", {"application/vnd.wasm.config.v1+json", "application/vnd.module.wasm.config.v1+json"}},
      {"CNAI", {"application/vnd.cnai.model.config.v1+json"}},
  };
  return kTable;
}

// The config blob's bytes when it is readable and at most oci::kMaxImageConfigBytes long.
std::optional<std::string> ReadConfigBytes(RestContext& ctx, const store::ArtifactRecord& a, const Digest& digest) {
  auto reader = ctx.blobs.Open(a.repository_name, digest);
  if (!reader) return std::nullopt;
  auto bytes = blob::ReadWhole(**reader, oci::kMaxImageConfigBytes);
  if (!bytes || !*bytes) return std::nullopt;
  return std::move(**bytes);
}

// An image's extra_attrs, serialized: stored at push time, else (pushed before they were, or the
// config was unreadable then) read from the config blob once per config digest (ConfigAttrsCache).
// "{}" for anything else or when the blob cannot be read.
std::string ExtraAttrs(RestContext& ctx, const store::ArtifactRecord& a) {
  if (a.extra_attrs) return *a.extra_attrs;
  auto digest = ImageConfigDigest(a);
  if (!digest) return "{}";
  if (auto hit = ctx.config_attrs->Get(digest->str())) return std::move(*hit);
  auto bytes = ReadConfigBytes(ctx, a, *digest);
  if (!bytes) return "{}";  // not remembered: the blob may become readable
  auto attrs = oci::ImageExtraAttrs(*bytes);
  if (!attrs) return "{}";
  ctx.config_attrs->Put(digest->str(), *attrs);
  return std::move(*attrs);
}

void WriteAdditionLink(JsonWriter& w, std::string_view name, const std::string& base) {
  w.Key(name).BeginObject().Field("href", base + std::string(name)).Field("absolute", false).EndObject();
}

void WriteJson(JsonWriter& w, const Json& j) { w.Raw(j.dump(-1, ' ', false, Json::error_handler_t::replace)); }

// An index's references: one per entry of its manifests list, with the child's artifact id.
Result<void> WriteReferences(JsonWriter& w, RestContext& ctx, const store::ArtifactRecord& a) {
  auto children = ctx.artifacts.Children(a.id);
  if (!children) return std::unexpected(children.error());
  std::map<std::string, int64_t> ids;
  for (const auto& c : *children) ids[c.digest.str()] = c.id;
  Json manifest = Json::parse(a.content, nullptr, false);
  w.BeginArray();
  auto entries = manifest.is_object() ? manifest.find("manifests") : manifest.end();
  if (entries != manifest.end() && entries->is_array()) {
    for (const auto& e : *entries) {
      if (!e.is_object() || !e.contains("digest") || !e["digest"].is_string()) continue;
      std::string child = e["digest"].get<std::string>();
      auto it = ids.find(child);
      w.BeginObject().Field("parent_id", a.id).Field("child_id", it == ids.end() ? int64_t{0} : it->second);
      w.Field("child_digest", child);
      for (const char* key : {"platform", "annotations", "urls"})
        if (auto v = e.find(key); v != e.end()) WriteJson(w.Key(key), *v);
      w.EndObject();
    }
  }
  w.EndArray();
  return {};
}

}  // namespace

std::optional<Digest> ImageConfigDigest(const store::ArtifactRecord& a) {
  if (!oci::HasImageConfig(a.manifest_media_type, a.media_type)) return std::nullopt;
  auto digest = Digest::Parse(a.config_digest);
  if (!digest) return std::nullopt;
  return *digest;
}

std::optional<Json> ReadImageConfig(RestContext& ctx, const store::ArtifactRecord& a) {
  auto digest = ImageConfigDigest(a);
  if (!digest) return std::nullopt;
  auto bytes = ReadConfigBytes(ctx, a, *digest);
  if (!bytes) return std::nullopt;
  Json config = Json::parse(*bytes, nullptr, false);
  if (!config.is_object()) return std::nullopt;
  return config;
}

std::string HarborTimeOrZero(int64_t unix_seconds) {
  return unix_seconds == 0 ? std::string("0001-01-01T00:00:00.000Z") : HarborTime(unix_seconds);
}

std::string ArtifactTypeOf(std::string_view media_type) {
  for (const auto& row : TypeTable())
    if (std::find(row.media_types.begin(), row.media_types.end(), media_type) != row.media_types.end())
      return std::string(row.type);
  return "UNKNOWN";
}

std::vector<std::string> MediaTypesOfType(std::string_view type, bool& known) {
  std::string upper(type);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  known = true;
  if (upper == "UNKNOWN") return {};
  for (const auto& row : TypeTable())
    if (row.type == upper) return {row.media_types.begin(), row.media_types.end()};
  known = false;
  return {};
}

std::string EncodedRepositoryPart(std::string_view full_name) {
  auto slash = full_name.find('/');
  std::string_view rest = slash == std::string_view::npos ? full_name : full_name.substr(slash + 1);
  std::string out;
  for (char c : rest) {
    if (c == '/') out += "%252F";
    else out.push_back(c);
  }
  return out;
}

Json RepositoryJson(const store::RepositoryRecord& r) {
  Json j;
  j["id"] = r.id;
  j["project_id"] = r.project_id;
  j["name"] = r.name;
  j["description"] = r.description;
  j["artifact_count"] = r.artifact_count;
  j["pull_count"] = r.pull_count;
  j["creation_time"] = HarborTime(r.created_at);
  j["update_time"] = HarborTime(r.updated_at);
  return j;
}

void WriteTag(JsonWriter& w, const store::TagRecord& t) {
  w.BeginObject()
      .Field("id", t.id)
      .Field("repository_id", t.repository_id)
      .Field("artifact_id", t.artifact_id)
      .Field("name", t.name)
      .Field("push_time", HarborTime(t.pushed_at))
      .Field("pull_time", HarborTimeOrZero(t.pulled_at))
      .Field("immutable", false)
      .EndObject();
}

Json LabelJson(const store::LabelRecord& l) {
  Json j;
  j["id"] = l.id;
  j["name"] = l.name;
  j["description"] = l.description;
  j["color"] = l.color;
  j["scope"] = l.scope;
  j["project_id"] = l.project_id;
  j["creation_time"] = HarborTime(l.created_at);
  j["update_time"] = HarborTime(l.updated_at);
  j["deleted"] = false;
  return j;
}

Result<ArtifactRelations> LoadRelations(RestContext& ctx, const std::vector<store::ArtifactRecord>& artifacts,
                                        ArtifactViewOptions opt) {
  ArtifactRelations rel;
  std::vector<int64_t> ids;
  ids.reserve(artifacts.size());
  for (const auto& a : artifacts) ids.push_back(a.id);
  if (opt.with_tag) {
    auto tags = ctx.artifacts.TagsOf(ids);
    if (!tags) return std::unexpected(tags.error());
    rel.tags = std::move(*tags);
  }
  if (opt.with_label) {
    auto labels = ctx.labels.LabelsOf(ids);
    if (!labels) return std::unexpected(labels.error());
    rel.labels = std::move(*labels);
  }
  return rel;
}

Result<void> WriteArtifact(JsonWriter& w, RestContext& ctx, const store::ArtifactRecord& a,
                           const std::string& project_name, ArtifactViewOptions opt, const ArtifactRelations& rel) {
  std::string type = ArtifactTypeOf(a.media_type);
  std::string digest = a.digest.str();
  bool index = oci::media::IsIndex(a.manifest_media_type);
  w.BeginObject()
      .Field("id", a.id)
      .Field("type", type)
      .Field("media_type", a.media_type)
      .Field("manifest_media_type", a.manifest_media_type)
      .Field("artifact_type", a.artifact_type.empty() ? a.media_type : a.artifact_type)
      .Field("project_id", a.project_id)
      .Field("repository_id", a.repository_id)
      .Field("repository_name", a.repository_name)
      .Field("digest", digest)
      .Field("size", a.size)
      .Field("icon", "")
      .Field("push_time", HarborTime(a.pushed_at))
      .Field("pull_time", HarborTimeOrZero(a.pulled_at));
  w.Key("extra_attrs").Raw(ExtraAttrs(ctx, a));
  w.Key("annotations");
  if (a.annotations_json.empty()) w.Null();
  else w.Raw(a.annotations_json);
  w.Key("references");
  if (index) {
    if (auto r = WriteReferences(w, ctx, a); !r) return r;
  } else {
    w.Null();
  }
  w.Key("tags");
  if (opt.with_tag) {
    w.BeginArray();
    if (auto it = rel.tags.find(a.id); it != rel.tags.end())
      for (const auto& t : it->second) WriteTag(w, t);
    w.EndArray();
  } else {
    w.Null();
  }
  w.Key("labels");
  if (opt.with_label) {
    w.BeginArray();
    if (auto it = rel.labels.find(a.id); it != rel.labels.end())
      for (const auto& l : it->second) WriteJson(w, LabelJson(l));
    w.EndArray();
  } else {
    w.Null();
  }
  w.Key("accessories").Null();
  w.Key("addition_links").BeginObject();
  if (type == "IMAGE") {
    std::string base = "/api/v2.0/projects/" + project_name + "/repositories/" +
                       EncodedRepositoryPart(a.repository_name) + "/artifacts/" + digest + "/additions/";
    if (!index) WriteAdditionLink(w, "build_history", base);
    WriteAdditionLink(w, "vulnerabilities", base);
  }
  w.EndObject();
  w.EndObject();
  return {};
}

}  // namespace berth::api::v2_0
