// JSON views of repositories, artifacts, tags and labels in Harbor's shapes, and the artifact type
// (IMAGE, CHART, ...) derived from media types. Stateless; thread-safe.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/v2_0/context.h"
#include "api/v2_0/render.h"
#include "base/json_writer.h"
#include "store/artifact_records.h"

namespace berth::api::v2_0 {

// "2026-11-29T13:51:28.000Z"; 0 (never) is Harbor's zero time "0001-01-01T00:00:00.000Z".
std::string HarborTimeOrZero(int64_t unix_seconds);

// Harbor's artifact type from the config media type (the manifest type for an index).
std::string ArtifactTypeOf(std::string_view media_type);
// The media types a type name stands for (for q=type=...). Empty for UNKNOWN (= none of the known
// ones); `known` false when the name is not a type at all.
std::vector<std::string> MediaTypesOfType(std::string_view type, bool& known);

// "proj/a/b" → "a%252Fb": the repository part of a name as Harbor's paths carry it.
std::string EncodedRepositoryPart(std::string_view full_name);

Json RepositoryJson(const store::RepositoryRecord& r);
void WriteTag(JsonWriter& w, const store::TagRecord& t);
Json LabelJson(const store::LabelRecord& l);

// The config digest of an image; nullopt for anything else.
std::optional<Digest> ImageConfigDigest(const store::ArtifactRecord& a);
// The config blob of an image, when it is readable and at most 1 MiB; nullopt otherwise.
std::optional<Json> ReadImageConfig(RestContext& ctx, const store::ArtifactRecord& a);

struct ArtifactViewOptions {
  bool with_tag = true;
  bool with_label = false;
};
// The tags and labels of a page of artifacts, one query each (as `opt` asks for them).
struct ArtifactRelations {
  std::map<int64_t, std::vector<store::TagRecord>> tags;
  std::map<int64_t, std::vector<store::LabelRecord>> labels;
};
Result<ArtifactRelations> LoadRelations(RestContext& ctx, const std::vector<store::ArtifactRecord>& artifacts,
                                        ArtifactViewOptions opt);
// Writes the full artifact with its tags and labels from `rel`; reads index children and (for
// images, once per config digest) the config blob for extra_attrs. Written straight to text: a
// page of artifacts is the API's largest common response.
Result<void> WriteArtifact(JsonWriter& w, RestContext& ctx, const store::ArtifactRecord& a,
                           const std::string& project_name, ArtifactViewOptions opt, const ArtifactRelations& rel);

}  // namespace berth::api::v2_0
