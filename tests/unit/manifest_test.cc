// oci::ParseManifest: media type resolution, required fields, descriptor validation, subject,
// artifactType, annotations and the digest lists the store needs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "oci/manifest.h"
#include "oci/media_types.h"
#include "test_util.h"

namespace berth::oci {
namespace {

using json = nlohmann::json;
using unit::DigestOf;
using unit::IsErr;
using unit::IsOk;

constexpr std::string_view kConfigType = "application/vnd.oci.image.config.v1+json";
constexpr std::string_view kLayerType = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr std::string_view kDockerConfigType = "application/vnd.docker.container.image.v1+json";
constexpr std::string_view kDockerLayerType = "application/vnd.docker.image.rootfs.diff.tar.gzip";

json Desc(std::string_view media_type, std::string_view content, int64_t size = 10) {
  return json{{"mediaType", media_type}, {"digest", DigestOf(content).str()}, {"size", size}};
}

// An image manifest body; mediaType is included only when non-empty.
json Image(std::string_view media_type = media::kOciManifest, std::string_view config_type = kConfigType) {
  json j{{"schemaVersion", 2},
         {"config", Desc(config_type, "config")},
         {"layers", json::array({Desc(kLayerType, "layer-1", 100), Desc(kLayerType, "layer-2", 200)})}};
  if (!media_type.empty()) j["mediaType"] = media_type;
  return j;
}

json Index(std::string_view media_type = media::kOciIndex) {
  json j{{"schemaVersion", 2},
         {"manifests", json::array({Desc(media::kOciManifest, "child-1", 500), Desc(media::kOciManifest, "child-2", 600)})}};
  if (!media_type.empty()) j["mediaType"] = media_type;
  return j;
}

// Digests of ParsedManifest::Blobs(), in order.
std::vector<Digest> BlobDigests(const ParsedManifest& m) {
  std::vector<Digest> out;
  for (const Descriptor* d : m.Blobs()) out.push_back(d->digest);
  return out;
}

// ---- media types ----

TEST(ParseManifest, OciImageManifest) {
  auto m = ParseManifest(Image().dump(), media::kOciManifest);
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->media_type, media::kOciManifest);
  EXPECT_FALSE(m->is_index);
  ASSERT_TRUE(m->config.has_value());
  EXPECT_EQ(m->config->media_type, kConfigType);
  EXPECT_EQ(m->config->digest, DigestOf("config"));
  EXPECT_EQ(m->config->size, 10);
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[0].media_type, kLayerType);
  EXPECT_EQ(m->layers[0].digest, DigestOf("layer-1"));
  EXPECT_EQ(m->layers[0].size, 100);
  EXPECT_EQ(m->layers[1].digest, DigestOf("layer-2"));
  EXPECT_EQ(m->layers[1].size, 200);
  EXPECT_TRUE(m->manifests.empty());
  EXPECT_FALSE(m->subject.has_value());
  EXPECT_TRUE(m->annotations_json.empty());
  EXPECT_TRUE(m->ChildDigests().empty());
}

TEST(ParseManifest, OciIndex) {
  auto m = ParseManifest(Index().dump(), media::kOciIndex);
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->media_type, media::kOciIndex);
  EXPECT_TRUE(m->is_index);
  EXPECT_FALSE(m->config.has_value());
  EXPECT_TRUE(m->layers.empty());
  ASSERT_EQ(m->manifests.size(), 2u);
  EXPECT_EQ(m->manifests[0].media_type, media::kOciManifest);
  EXPECT_EQ(m->manifests[0].digest, DigestOf("child-1"));
  EXPECT_EQ(m->manifests[0].size, 500);
  EXPECT_EQ(m->manifests[1].digest, DigestOf("child-2"));
  EXPECT_TRUE(BlobDigests(*m).empty());
  EXPECT_EQ(m->ChildDigests(), (std::vector<Digest>{DigestOf("child-1"), DigestOf("child-2")}));
  EXPECT_TRUE(m->artifact_type.empty()) << "an index without artifactType has none";
}

TEST(ParseManifest, DockerSchema2) {
  json j{{"schemaVersion", 2},
         {"mediaType", media::kDockerManifest},
         {"config", Desc(kDockerConfigType, "config")},
         {"layers", json::array({Desc(kDockerLayerType, "layer-1")})}};
  auto m = ParseManifest(j.dump(), media::kDockerManifest);
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->media_type, media::kDockerManifest);
  EXPECT_FALSE(m->is_index);
  ASSERT_TRUE(m->config);
  EXPECT_EQ(m->config->media_type, kDockerConfigType);
  EXPECT_EQ(m->artifact_type, kDockerConfigType);
  EXPECT_EQ(BlobDigests(*m), (std::vector<Digest>{DigestOf("config"), DigestOf("layer-1")}));
}

TEST(ParseManifest, DockerManifestList) {
  json j{{"schemaVersion", 2},
         {"mediaType", media::kDockerManifestList},
         {"manifests", json::array({Desc(media::kDockerManifest, "amd64"), Desc(media::kDockerManifest, "arm64")})}};
  j["manifests"][0]["platform"] = {{"architecture", "amd64"}, {"os", "linux"}};
  auto m = ParseManifest(j.dump(), media::kDockerManifestList);
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->media_type, media::kDockerManifestList);
  EXPECT_TRUE(m->is_index);
  EXPECT_EQ(m->ChildDigests(), (std::vector<Digest>{DigestOf("amd64"), DigestOf("arm64")}));
}

TEST(ParseManifest, BodyMediaTypeWinsOverGenericContentType) {
  for (std::string_view ct : {"", "application/json", "application/octet-stream"}) {
    auto m = ParseManifest(Index().dump(), ct);
    ASSERT_TRUE(IsOk(m)) << ct;
    EXPECT_EQ(m->media_type, media::kOciIndex) << ct;
    EXPECT_TRUE(m->is_index) << ct;
  }
}

TEST(ParseManifest, ContentTypeUsedWhenBodyHasNoMediaType) {
  auto m = ParseManifest(Image("", kDockerConfigType).dump(), media::kDockerManifest);
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->media_type, media::kDockerManifest);

  auto l = ParseManifest(Index("").dump(), media::kDockerManifestList);
  ASSERT_TRUE(IsOk(l));
  EXPECT_EQ(l->media_type, media::kDockerManifestList);
  EXPECT_TRUE(l->is_index);
}

TEST(ParseManifest, ContentTypeParametersAreIgnored) {
  auto m = ParseManifest(Image().dump(), std::string(media::kOciManifest) + "; charset=utf-8");
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->media_type, media::kOciManifest);

  auto n = ParseManifest(Image("").dump(), std::string(media::kDockerManifest) + " ; q=1");
  ASSERT_TRUE(IsOk(n));
  EXPECT_EQ(n->media_type, media::kDockerManifest);
}

TEST(ParseManifest, BodyAndContentTypeMustAgree) {
  EXPECT_TRUE(IsErr(ParseManifest(Image().dump(), media::kOciIndex), Errc::kManifestInvalid));
  EXPECT_TRUE(IsErr(ParseManifest(Image().dump(), media::kDockerManifest), Errc::kManifestInvalid));
  EXPECT_TRUE(IsErr(ParseManifest(Index().dump(), media::kOciManifest), Errc::kManifestInvalid));
  EXPECT_TRUE(IsErr(ParseManifest(Index().dump(), media::kDockerManifestList), Errc::kManifestInvalid));
}

TEST(ParseManifest, InfersTypeWhenNeitherBodyNorHeaderNamesIt) {
  auto img = ParseManifest(Image("").dump(), "");
  ASSERT_TRUE(IsOk(img));
  EXPECT_EQ(img->media_type, media::kOciManifest);
  EXPECT_FALSE(img->is_index);

  auto idx = ParseManifest(Index("").dump(), "application/json");
  ASSERT_TRUE(IsOk(idx));
  EXPECT_EQ(idx->media_type, media::kOciIndex);
  EXPECT_TRUE(idx->is_index);
}

TEST(ParseManifest, NonManifestMediaTypeInBodyIsInvalid) {
  auto j = Image();
  j["mediaType"] = "application/vnd.oci.image.config.v1+json";
  EXPECT_TRUE(IsErr(ParseManifest(j.dump(), ""), Errc::kManifestInvalid));
  j["mediaType"] = 42;
  EXPECT_TRUE(IsErr(ParseManifest(j.dump(), ""), Errc::kManifestInvalid));
}

TEST(ParseManifest, Schema1IsUnsupported) {
  json s1{{"schemaVersion", 1}, {"name", "library/busybox"}, {"tag", "latest"}, {"fsLayers", json::array()}};
  EXPECT_TRUE(IsErr(ParseManifest(s1.dump(), media::kDockerSchema1), Errc::kUnsupported));
  EXPECT_TRUE(IsErr(ParseManifest(s1.dump(), media::kDockerSchema1Signed), Errc::kUnsupported));
  s1["mediaType"] = media::kDockerSchema1;
  EXPECT_TRUE(IsErr(ParseManifest(s1.dump(), ""), Errc::kUnsupported));
  s1["mediaType"] = media::kDockerSchema1Signed;
  EXPECT_TRUE(IsErr(ParseManifest(s1.dump(), "application/json"), Errc::kUnsupported));
}

// ---- structure ----

TEST(ParseManifest, SchemaVersionMustBe2) {
  for (json v : {json(1), json(3), json("2"), json(2.5), json(nullptr)}) {
    auto j = Image();
    j["schemaVersion"] = v;
    EXPECT_TRUE(IsErr(ParseManifest(j.dump(), media::kOciManifest), Errc::kManifestInvalid)) << v.dump();
  }
  auto j = Image();
  j.erase("schemaVersion");
  EXPECT_TRUE(IsErr(ParseManifest(j.dump(), media::kOciManifest), Errc::kManifestInvalid));
}

TEST(ParseManifest, ImageNeedsConfigAndLayers) {
  auto no_config = Image();
  no_config.erase("config");
  EXPECT_TRUE(IsErr(ParseManifest(no_config.dump(), ""), Errc::kManifestInvalid));

  auto no_layers = Image();
  no_layers.erase("layers");
  EXPECT_TRUE(IsErr(ParseManifest(no_layers.dump(), ""), Errc::kManifestInvalid));

  auto layers_not_array = Image();
  layers_not_array["layers"] = Desc(kLayerType, "x");
  EXPECT_TRUE(IsErr(ParseManifest(layers_not_array.dump(), ""), Errc::kManifestInvalid));

  auto config_not_object = Image();
  config_not_object["config"] = "sha256:abc";
  EXPECT_TRUE(IsErr(ParseManifest(config_not_object.dump(), ""), Errc::kManifestInvalid));

  auto empty_layers = Image();
  empty_layers["layers"] = json::array();
  auto m = ParseManifest(empty_layers.dump(), "");
  ASSERT_TRUE(IsOk(m)) << "an empty layers array is allowed (artifacts)";
  EXPECT_EQ(BlobDigests(*m), std::vector<Digest>{DigestOf("config")});
}

TEST(ParseManifest, IndexNeedsManifestsArray) {
  auto no_manifests = Index();
  no_manifests.erase("manifests");
  EXPECT_TRUE(IsErr(ParseManifest(no_manifests.dump(), media::kOciIndex), Errc::kManifestInvalid));

  auto not_array = Index();
  not_array["manifests"] = json::object();
  EXPECT_TRUE(IsErr(ParseManifest(not_array.dump(), ""), Errc::kManifestInvalid));

  auto entry_not_object = Index();
  entry_not_object["manifests"].push_back("sha256:abc");
  EXPECT_TRUE(IsErr(ParseManifest(entry_not_object.dump(), ""), Errc::kManifestInvalid));
}

TEST(ParseManifest, DescriptorFieldsAreRequired) {
  for (const char* field : {"mediaType", "digest", "size"}) {
    auto cfg = Image();
    cfg["config"].erase(field);
    EXPECT_TRUE(IsErr(ParseManifest(cfg.dump(), ""), Errc::kManifestInvalid)) << "config without " << field;

    auto layer = Image();
    layer["layers"][1].erase(field);
    EXPECT_TRUE(IsErr(ParseManifest(layer.dump(), ""), Errc::kManifestInvalid)) << "layer without " << field;

    auto child = Index();
    child["manifests"][0].erase(field);
    EXPECT_TRUE(IsErr(ParseManifest(child.dump(), ""), Errc::kManifestInvalid)) << "child without " << field;
  }
  auto digest_not_string = Image();
  digest_not_string["config"]["digest"] = 5;
  EXPECT_TRUE(IsErr(ParseManifest(digest_not_string.dump(), ""), Errc::kManifestInvalid));
}

TEST(ParseManifest, BadDescriptorDigestIsDigestInvalid) {
  for (const char* bad : {"sha256:abc", "sha256", "md5:d41d8cd98f00b204e9800998ecf8427e",
                          "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", ""}) {
    auto cfg = Image();
    cfg["config"]["digest"] = bad;
    EXPECT_TRUE(IsErr(ParseManifest(cfg.dump(), ""), Errc::kDigestInvalid)) << "config " << bad;

    auto layer = Image();
    layer["layers"][0]["digest"] = bad;
    EXPECT_TRUE(IsErr(ParseManifest(layer.dump(), ""), Errc::kDigestInvalid)) << "layer " << bad;

    auto child = Index();
    child["manifests"][1]["digest"] = bad;
    EXPECT_TRUE(IsErr(ParseManifest(child.dump(), ""), Errc::kDigestInvalid)) << "child " << bad;

    auto subject = Image();
    subject["subject"] = Desc(media::kOciManifest, "s");
    subject["subject"]["digest"] = bad;
    EXPECT_TRUE(IsErr(ParseManifest(subject.dump(), ""), Errc::kDigestInvalid)) << "subject " << bad;
  }
}

TEST(ParseManifest, Sha512DescriptorDigestsAreAccepted) {
  Hasher h("sha512");
  h.Update("layer");
  auto j = Image();
  j["layers"][0]["digest"] = h.Peek().str();
  auto m = ParseManifest(j.dump(), "");
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->layers[0].digest, h.Peek());
}

TEST(ParseManifest, SizeMustBeANonNegativeInteger) {
  for (json bad : {json(-1), json(-9223372036854775807LL), json(1.5), json("10"), json(nullptr),
                   json(18446744073709551615ULL)}) {
    auto layer = Image();
    layer["layers"][0]["size"] = bad;
    EXPECT_TRUE(IsErr(ParseManifest(layer.dump(), ""), Errc::kManifestInvalid)) << bad.dump();

    auto child = Index();
    child["manifests"][0]["size"] = bad;
    EXPECT_TRUE(IsErr(ParseManifest(child.dump(), ""), Errc::kManifestInvalid)) << bad.dump();
  }
  auto zero = Image();
  zero["layers"][0]["size"] = 0;
  auto m = ParseManifest(zero.dump(), "");
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->layers[0].size, 0);
}

// ---- subject, artifactType, annotations ----

TEST(ParseManifest, SubjectIsParsed) {
  auto j = Image();
  j["subject"] = Desc(media::kOciManifest, "the-subject", 1234);
  auto m = ParseManifest(j.dump(), "");
  ASSERT_TRUE(IsOk(m));
  ASSERT_TRUE(m->subject.has_value());
  EXPECT_EQ(m->subject->digest, DigestOf("the-subject"));
  EXPECT_EQ(m->subject->media_type, media::kOciManifest);
  EXPECT_EQ(m->subject->size, 1234);

  auto idx = Index();
  idx["subject"] = Desc(media::kOciIndex, "index-subject");
  auto mi = ParseManifest(idx.dump(), "");
  ASSERT_TRUE(IsOk(mi));
  ASSERT_TRUE(mi->subject);
  EXPECT_EQ(mi->subject->digest, DigestOf("index-subject"));

  auto null_subject = Image();
  null_subject["subject"] = nullptr;
  auto mn = ParseManifest(null_subject.dump(), "");
  ASSERT_TRUE(IsOk(mn));
  EXPECT_FALSE(mn->subject.has_value());

  auto bad_subject = Image();
  bad_subject["subject"] = "sha256:abc";
  EXPECT_TRUE(IsErr(ParseManifest(bad_subject.dump(), ""), Errc::kManifestInvalid));
}

TEST(ParseManifest, ArtifactTypeExplicit) {
  auto j = Image();
  j["config"] = Desc(media::kOciEmpty, "{}", 2);
  j["artifactType"] = "application/vnd.example.sbom+json";
  auto m = ParseManifest(j.dump(), "");
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->artifact_type, "application/vnd.example.sbom+json");

  auto idx = Index();
  idx["artifactType"] = "application/vnd.example.bundle";
  auto mi = ParseManifest(idx.dump(), "");
  ASSERT_TRUE(IsOk(mi));
  EXPECT_EQ(mi->artifact_type, "application/vnd.example.bundle");

  auto bad = Image();
  bad["artifactType"] = 7;
  EXPECT_TRUE(IsErr(ParseManifest(bad.dump(), ""), Errc::kManifestInvalid));
}

TEST(ParseManifest, ArtifactTypeFallsBackToConfigMediaType) {
  auto m = ParseManifest(Image(media::kOciManifest, "application/vnd.example.signature.config+json").dump(), "");
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->artifact_type, "application/vnd.example.signature.config+json");

  auto j = Image();
  j["artifactType"] = "";
  auto e = ParseManifest(j.dump(), "");
  ASSERT_TRUE(IsOk(e));
  EXPECT_EQ(e->artifact_type, kConfigType) << "an empty artifactType also falls back";
}

TEST(ParseManifest, DescriptorArtifactTypeAndAnnotations) {
  auto idx = Index();
  idx["manifests"][0]["artifactType"] = "application/vnd.example.sig";
  idx["manifests"][0]["annotations"] = {{"org.example.key", "value"}};
  auto m = ParseManifest(idx.dump(), "");
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->manifests[0].artifact_type, "application/vnd.example.sig");
  ASSERT_FALSE(m->manifests[0].annotations_json.empty());
  EXPECT_EQ(json::parse(m->manifests[0].annotations_json), (json{{"org.example.key", "value"}}));
  EXPECT_TRUE(m->manifests[1].artifact_type.empty());
  EXPECT_TRUE(m->manifests[1].annotations_json.empty());

  auto bad = Index();
  bad["manifests"][0]["annotations"] = json::array({"a"});
  EXPECT_TRUE(IsErr(ParseManifest(bad.dump(), ""), Errc::kManifestInvalid));
}

TEST(ParseManifest, TopLevelAnnotations) {
  auto j = Image();
  j["annotations"] = {{"org.opencontainers.image.created", "2024-01-01T00:00:00Z"}, {"x", "y"}};
  auto m = ParseManifest(j.dump(), "");
  ASSERT_TRUE(IsOk(m));
  ASSERT_FALSE(m->annotations_json.empty());
  EXPECT_EQ(json::parse(m->annotations_json), j["annotations"]);

  auto empty = Image();
  empty["annotations"] = json::object();
  auto me = ParseManifest(empty.dump(), "");
  ASSERT_TRUE(IsOk(me));
  EXPECT_EQ(json::parse(me->annotations_json), json::object());

  for (json bad : {json("text"), json::array(), json(1)}) {
    auto b = Image();
    b["annotations"] = bad;
    EXPECT_TRUE(IsErr(ParseManifest(b.dump(), ""), Errc::kManifestInvalid)) << bad.dump();
  }
}

// ---- malformed input ----

TEST(ParseManifest, InvalidJsonIsManifestInvalid) {
  for (std::string_view bad : {"", "{", "not json", "{\"schemaVersion\": 2,}", "[1,2]", "\"string\"", "2", "null",
                               "{\"schemaVersion\":2} trailing"}) {
    EXPECT_TRUE(IsErr(ParseManifest(bad, media::kOciManifest), Errc::kManifestInvalid)) << bad;
  }
}

TEST(ParseManifest, InvalidUtf8InAStringIsManifestInvalid) {
  auto good = Image();
  good["annotations"] = {{"k", "PLACEHOLDER"}};
  std::string text = good.dump();
  auto pos = text.find("PLACEHOLDER");
  ASSERT_NE(pos, std::string::npos);

  for (std::string_view bad : {std::string_view("\xff\xfe"), std::string_view("\xc3\x28"),
                               std::string_view("\xe2\x82"), std::string_view("\xed\xa0\x80")}) {
    std::string body = text;
    body.replace(pos, 11, bad);
    EXPECT_TRUE(IsErr(ParseManifest(body, ""), Errc::kManifestInvalid));
  }
  std::string ok = text;
  ok.replace(pos, 11, "caf\xc3\xa9");
  EXPECT_TRUE(IsOk(ParseManifest(ok, ""))) << "valid multi-byte UTF-8 is accepted";
}

// ---- digest lists ----

TEST(ParseManifest, BlobsDedupeAndKeepFirstDescriptor) {
  json j{{"schemaVersion", 2},
         {"mediaType", media::kOciManifest},
         {"config", Desc(kConfigType, "shared", 1)},
         {"layers", json::array({Desc(kLayerType, "b", 2), Desc(kLayerType, "shared", 3), Desc(kLayerType, "a", 4),
                                 Desc(kLayerType, "b", 5)})}};
  auto m = ParseManifest(j.dump(), "");
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->layers.size(), 4u) << "the descriptors themselves are kept as written";
  EXPECT_EQ(BlobDigests(*m), (std::vector<Digest>{DigestOf("shared"), DigestOf("b"), DigestOf("a")}));
  auto blobs = m->Blobs();
  ASSERT_EQ(blobs.size(), 3u);
  EXPECT_EQ(blobs[0], &*m->config) << "the config comes first";
  EXPECT_EQ(blobs[0]->size, 1);
  EXPECT_EQ(blobs[0]->media_type, kConfigType);
  EXPECT_EQ(blobs[1], &m->layers[0]) << "the first descriptor of a repeated digest is the one kept";
  EXPECT_EQ(blobs[1]->size, 2);
  EXPECT_EQ(blobs[2], &m->layers[2]);
  EXPECT_EQ(blobs[2]->size, 4);
  EXPECT_TRUE(m->ChildDigests().empty());
}

TEST(ParseManifest, ChildDigestsDedupeAndKeepOrder) {
  json j{{"schemaVersion", 2},
         {"mediaType", media::kOciIndex},
         {"manifests", json::array({Desc(media::kOciManifest, "z"), Desc(media::kOciManifest, "y"),
                                    Desc(media::kOciManifest, "z")})}};
  auto m = ParseManifest(j.dump(), "");
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->manifests.size(), 3u);
  EXPECT_EQ(m->ChildDigests(), (std::vector<Digest>{DigestOf("z"), DigestOf("y")}));
  EXPECT_TRUE(BlobDigests(*m).empty());
}

TEST(ParseManifest, EmptyIndexIsValid) {
  json j{{"schemaVersion", 2}, {"mediaType", media::kOciIndex}, {"manifests", json::array()}};
  auto m = ParseManifest(j.dump(), "");
  ASSERT_TRUE(IsOk(m));
  EXPECT_TRUE(m->is_index);
  EXPECT_TRUE(m->ChildDigests().empty());
}

}  // namespace
}  // namespace berth::oci
