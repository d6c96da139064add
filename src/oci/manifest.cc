#include "oci/manifest.h"

#include <nlohmann/json.hpp>

#include <set>

#include "oci/media_types.h"

namespace berth::oci {
namespace {

using json = nlohmann::json;

std::unexpected<Error> Invalid(std::string msg) { return Fail(Errc::kManifestInvalid, std::move(msg)); }

std::string_view BaseType(std::string_view content_type) {
  auto semi = content_type.find(';');
  auto t = content_type.substr(0, semi);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t;
}

Result<Descriptor> ParseDescriptor(const json& j, std::string_view where) {
  if (!j.is_object()) return Invalid(std::string(where) + ": descriptor must be an object");
  Descriptor d;
  auto mt = j.find("mediaType");
  if (mt == j.end() || !mt->is_string()) return Invalid(std::string(where) + ": mediaType is required");
  d.media_type = mt->get<std::string>();
  auto dg = j.find("digest");
  if (dg == j.end() || !dg->is_string()) return Invalid(std::string(where) + ": digest is required");
  auto parsed = Digest::Parse(dg->get<std::string>());
  if (!parsed) return Fail(Errc::kDigestInvalid, std::string(where) + ": " + parsed.error().message);
  d.digest = *parsed;
  auto sz = j.find("size");
  if (sz == j.end() || !sz->is_number_integer() || sz->get<int64_t>() < 0)
    return Invalid(std::string(where) + ": size must be a non-negative integer");
  d.size = sz->get<int64_t>();
  if (auto at = j.find("artifactType"); at != j.end() && at->is_string()) d.artifact_type = at->get<std::string>();
  if (auto an = j.find("annotations"); an != j.end()) {
    if (!an->is_object()) return Invalid(std::string(where) + ": annotations must be an object");
    d.annotations_json = an->dump();
  }
  return d;
}

}  // namespace

std::vector<const Descriptor*> ParsedManifest::Blobs() const {
  std::vector<const Descriptor*> out;
  std::set<Digest> seen;
  if (config && seen.insert(config->digest).second) out.push_back(&*config);
  for (auto& l : layers)
    if (seen.insert(l.digest).second) out.push_back(&l);
  return out;
}

std::vector<Digest> ParsedManifest::ChildDigests() const {
  std::vector<Digest> out;
  std::set<Digest> seen;
  for (auto& m : manifests)
    if (seen.insert(m.digest).second) out.push_back(m.digest);
  return out;
}

Result<ParsedManifest> ParseManifest(std::string_view body, std::string_view content_type) {
  json doc;
  try {
    doc = json::parse(body);
  } catch (const json::exception& e) {
    return Invalid(std::string("manifest is not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) return Invalid("manifest must be a JSON object");

  ParsedManifest m;
  std::string_view header_type = BaseType(content_type);
  std::string body_type;
  if (auto mt = doc.find("mediaType"); mt != doc.end()) {
    if (!mt->is_string()) return Invalid("mediaType must be a string");
    body_type = mt->get<std::string>();
  }
  if (body_type == media::kDockerSchema1 || body_type == media::kDockerSchema1Signed ||
      header_type == media::kDockerSchema1 || header_type == media::kDockerSchema1Signed)
    return Fail(Errc::kUnsupported, "docker schema 1 manifests are not supported");
  if (!body_type.empty() && media::IsManifest(header_type) && body_type != header_type)
    return Invalid("mediaType '" + body_type + "' does not match Content-Type '" + std::string(header_type) + "'");

  if (!body_type.empty()) m.media_type = body_type;
  else if (media::IsManifest(header_type)) m.media_type = std::string(header_type);
  else if (doc.contains("manifests")) m.media_type = media::kOciIndex;
  else m.media_type = media::kOciManifest;
  if (!media::IsManifest(m.media_type)) return Invalid("unsupported manifest media type: " + m.media_type);

  auto sv = doc.find("schemaVersion");
  if (sv == doc.end() || !sv->is_number_integer() || sv->get<int64_t>() != 2)
    return Invalid("schemaVersion must be 2");

  m.is_index = media::IsIndex(m.media_type);
  if (m.is_index) {
    auto arr = doc.find("manifests");
    if (arr == doc.end() || !arr->is_array()) return Invalid("an index needs a manifests array");
    size_t i = 0;
    for (auto& e : *arr) {
      auto d = ParseDescriptor(e, "manifests[" + std::to_string(i++) + "]");
      if (!d) return std::unexpected(d.error());
      m.manifests.push_back(std::move(*d));
    }
  } else {
    auto cfg = doc.find("config");
    if (cfg == doc.end()) return Invalid("an image manifest needs a config descriptor");
    auto c = ParseDescriptor(*cfg, "config");
    if (!c) return std::unexpected(c.error());
    m.config = std::move(*c);
    auto arr = doc.find("layers");
    if (arr == doc.end() || !arr->is_array()) return Invalid("an image manifest needs a layers array");
    size_t i = 0;
    for (auto& e : *arr) {
      auto d = ParseDescriptor(e, "layers[" + std::to_string(i++) + "]");
      if (!d) return std::unexpected(d.error());
      m.layers.push_back(std::move(*d));
    }
  }
  if (auto s = doc.find("subject"); s != doc.end() && !s->is_null()) {
    auto d = ParseDescriptor(*s, "subject");
    if (!d) return std::unexpected(d.error());
    m.subject = std::move(*d);
  }
  if (auto at = doc.find("artifactType"); at != doc.end()) {
    if (!at->is_string()) return Invalid("artifactType must be a string");
    m.artifact_type = at->get<std::string>();
  }
  if (m.artifact_type.empty() && m.config) m.artifact_type = m.config->media_type;
  if (auto an = doc.find("annotations"); an != doc.end()) {
    if (!an->is_object()) return Invalid("annotations must be an object");
    m.annotations_json = an->dump();
  }
  return m;
}

}  // namespace berth::oci
