#include "api/v2_0/artifact_views.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>

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

// Image configs are small; anything larger is not read for extra_attrs.
constexpr int64_t kMaxConfigBytes = 1 << 20;

// architecture, os, created, author and config of an image's config blob; {} for anything else
// or when the blob cannot be read. Read once per config digest (see ConfigAttrsCache).
Json ExtraAttrs(RestContext& ctx, const store::ArtifactRecord& a, const Json& manifest) {
  Json out = Json::object();
  auto digest = ImageConfigDigest(a, manifest);
  if (!digest) return out;
  if (auto hit = ctx.config_attrs->Get(digest->str())) return std::move(*hit);
  auto config = ReadImageConfig(ctx, a, manifest);
  if (!config) return out;  // not remembered: the blob may become readable
  for (const char* key : {"architecture", "author", "config", "created", "os"})
    if (auto it = config->find(key); it != config->end()) out[key] = *it;
  ctx.config_attrs->Put(digest->str(), out);
  return out;
}

Json AdditionLink(const std::string& href) {
  Json l;
  l["href"] = href;
  l["absolute"] = false;
  return l;
}

}  // namespace

std::optional<Digest> ImageConfigDigest(const store::ArtifactRecord& a, const Json& manifest) {
  if (!oci::media::IsImage(a.manifest_media_type) || ArtifactTypeOf(a.media_type) != "IMAGE") return std::nullopt;
  auto cfg = manifest.find("config");
  if (cfg == manifest.end() || !cfg->is_object() || !cfg->contains("digest") || !(*cfg)["digest"].is_string())
    return std::nullopt;
  auto digest = Digest::Parse((*cfg)["digest"].get<std::string>());
  if (!digest) return std::nullopt;
  return *digest;
}

std::optional<Json> ReadImageConfig(RestContext& ctx, const store::ArtifactRecord& a, const Json& manifest) {
  auto digest = ImageConfigDigest(a, manifest);
  if (!digest) return std::nullopt;
  auto reader = ctx.blobs.Open(a.repository_name, *digest);
  if (!reader || (*reader)->size() > kMaxConfigBytes) return std::nullopt;
  std::string bytes(static_cast<size_t>((*reader)->size()), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pread((*reader)->fd(), bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n <= 0) return std::nullopt;
    done += static_cast<size_t>(n);
  }
  Json config = Json::parse(bytes, nullptr, false);
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

Json TagJson(const store::TagRecord& t) {
  Json j;
  j["id"] = t.id;
  j["repository_id"] = t.repository_id;
  j["artifact_id"] = t.artifact_id;
  j["name"] = t.name;
  j["push_time"] = HarborTime(t.pushed_at);
  j["pull_time"] = HarborTimeOrZero(t.pulled_at);
  j["immutable"] = false;
  return j;
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

Result<Json> ArtifactJson(RestContext& ctx, const store::ArtifactRecord& a, const std::string& project_name,
                          ArtifactViewOptions opt, const ArtifactRelations& rel) {
  Json manifest = Json::parse(a.content, nullptr, false);
  if (!manifest.is_object()) manifest = Json::object();
  std::string type = ArtifactTypeOf(a.media_type);
  std::string digest = a.digest.str();
  Json j;
  j["id"] = a.id;
  j["type"] = type;
  j["media_type"] = a.media_type;
  j["manifest_media_type"] = a.manifest_media_type;
  j["artifact_type"] = a.artifact_type.empty() ? a.media_type : a.artifact_type;
  j["project_id"] = a.project_id;
  j["repository_id"] = a.repository_id;
  j["repository_name"] = a.repository_name;
  j["digest"] = digest;
  j["size"] = a.size;
  j["icon"] = "";
  j["push_time"] = HarborTime(a.pushed_at);
  j["pull_time"] = HarborTimeOrZero(a.pulled_at);
  j["extra_attrs"] = ExtraAttrs(ctx, a, manifest);
  auto ann = manifest.find("annotations");
  j["annotations"] = ann != manifest.end() && ann->is_object() ? *ann : Json(nullptr);

  Json refs = nullptr;
  if (oci::media::IsIndex(a.manifest_media_type)) {
    auto children = ctx.artifacts.Children(a.id);
    if (!children) return std::unexpected(children.error());
    std::map<std::string, const store::ChildRecord*> by_digest;
    for (const auto& c : *children) by_digest[c.digest.str()] = &c;
    refs = Json::array();
    auto entries = manifest.find("manifests");
    if (entries != manifest.end() && entries->is_array()) {
      for (const auto& e : *entries) {
        if (!e.is_object() || !e.contains("digest") || !e["digest"].is_string()) continue;
        std::string child = e["digest"].get<std::string>();
        Json r;
        r["parent_id"] = a.id;
        auto it = by_digest.find(child);
        r["child_id"] = it == by_digest.end() ? 0 : it->second->id;
        r["child_digest"] = child;
        if (e.contains("platform")) r["platform"] = e["platform"];
        if (e.contains("annotations")) r["annotations"] = e["annotations"];
        if (e.contains("urls")) r["urls"] = e["urls"];
        refs.push_back(std::move(r));
      }
    }
  }
  j["references"] = std::move(refs);

  Json tags = nullptr;
  if (opt.with_tag) {
    tags = Json::array();
    if (auto it = rel.tags.find(a.id); it != rel.tags.end())
      for (const auto& t : it->second) tags.push_back(TagJson(t));
  }
  j["tags"] = std::move(tags);
  Json labels = nullptr;
  if (opt.with_label) {
    labels = Json::array();
    if (auto it = rel.labels.find(a.id); it != rel.labels.end())
      for (const auto& l : it->second) labels.push_back(LabelJson(l));
  }
  j["labels"] = std::move(labels);
  j["accessories"] = nullptr;

  std::string base = "/api/v2.0/projects/" + project_name + "/repositories/" +
                     EncodedRepositoryPart(a.repository_name) + "/artifacts/" + digest + "/additions/";
  Json links = Json::object();
  if (type == "IMAGE") {
    if (!oci::media::IsIndex(a.manifest_media_type)) links["build_history"] = AdditionLink(base + "build_history");
    links["vulnerabilities"] = AdditionLink(base + "vulnerabilities");
  }
  j["addition_links"] = std::move(links);
  return j;
}

}  // namespace berth::api::v2_0
