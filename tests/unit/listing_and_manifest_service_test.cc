// registry::ManifestService and registry::ListingService over the real SQLite stores.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

#include "blob/filesystem/fs_driver.h"
#include "oci/media_types.h"
#include "oci/reference.h"
#include "registry/listing_service.h"
#include "registry/manifest_service.h"
#include "store/sqlite/db.h"
#include "store/sqlite/artifact_stores.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth::registry {
namespace {

using json = nlohmann::json;
using unit::IsErr;
using unit::IsOk;
using unit::TempDir;

constexpr const char* kRepo = "library/alpine";
constexpr std::string_view kConfigType = "application/vnd.oci.image.config.v1+json";
constexpr std::string_view kLayerType = "application/vnd.oci.image.layer.v1.tar+gzip";

oci::Reference Tag(std::string t) { return oci::Reference{std::move(t), {}}; }
oci::Reference At(const Digest& d) { return oci::Reference{{}, d}; }

json Desc(std::string_view media_type, const Digest& d, int64_t size) {
  return json{{"mediaType", media_type}, {"digest", d.str()}, {"size", size}};
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::sqlite::Db::Open(tmp_.Sub("registry.db"), /*durable=*/false);
    ASSERT_TRUE(IsOk(db));
    db_ = std::move(*db);
    index_ = std::make_unique<store::sqlite::SqliteBlobIndex>(*db_);
    store_ = std::make_unique<store::sqlite::SqliteManifestStore>(*db_);
    manifests_ = std::make_unique<ManifestService>(*store_);
    listing_ = std::make_unique<ListingService>(*store_);
  }

  // Registers a blob in the repository's index (the manifest service only consults the index).
  Digest Blob(const std::string& repo, std::string_view content) {
    Digest d = Sha256Of(content);
    EXPECT_TRUE(IsOk(index_->Commit(repo, d, static_cast<int64_t>(content.size()))));
    return d;
  }

  // An image manifest body whose config and layer are registered in `repo`.
  std::string ImageBody(const std::string& repo, std::string_view name, std::string_view config_type = kConfigType) {
    const std::string cfg = std::string(name) + "-config", layer = std::string(name) + "-layer";
    json j{{"schemaVersion", 2},
           {"mediaType", oci::media::kOciManifest},
           {"config", Desc(config_type, Blob(repo, cfg), static_cast<int64_t>(cfg.size()))},
           {"layers", json::array({Desc(kLayerType, Blob(repo, layer), static_cast<int64_t>(layer.size()))})}};
    return j.dump(2);
  }

  Digest PutOk(const std::string& repo, const oci::Reference& ref, const std::string& body,
               std::string_view ct = oci::media::kOciManifest) {
    auto r = manifests_->Put(repo, ref, body, ct);
    EXPECT_TRUE(IsOk(r));
    return r ? r->digest : Digest{};
  }

  TempDir tmp_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<store::sqlite::SqliteBlobIndex> index_;
  std::unique_ptr<store::sqlite::SqliteManifestStore> store_;
  std::unique_ptr<ManifestService> manifests_;
  std::unique_ptr<ListingService> listing_;
};

// ===================== ManifestService =====================

TEST_F(ServiceTest, PutByTagThenGetByTagAndDigest) {
  const std::string body = ImageBody(kRepo, "m");
  auto put = manifests_->Put(kRepo, Tag("3.19"), body, oci::media::kOciManifest);
  ASSERT_TRUE(IsOk(put));
  EXPECT_EQ(put->digest, Sha256Of(body));
  EXPECT_FALSE(put->subject.has_value());

  for (const auto& ref : {Tag("3.19"), At(Sha256Of(body))}) {
    auto got = manifests_->Get(kRepo, ref);
    ASSERT_TRUE(IsOk(got)) << ref.str();
    EXPECT_EQ(got->digest, Sha256Of(body));
    EXPECT_EQ(got->content, body) << "bytes are returned exactly as pushed";
    EXPECT_EQ(got->media_type, oci::media::kOciManifest);
    EXPECT_EQ(got->artifact_type, kConfigType);
    EXPECT_EQ(got->size, static_cast<int64_t>(body.size()));
  }
  EXPECT_TRUE(IsErr(manifests_->Get(kRepo, Tag("3.18")), Errc::kManifestUnknown));
  EXPECT_TRUE(IsErr(manifests_->Get("other/repo", Tag("3.19")), Errc::kManifestUnknown));
  EXPECT_TRUE(IsErr(manifests_->Get(kRepo, At(Sha256Of("nope"))), Errc::kManifestUnknown));
}

TEST_F(ServiceTest, PutByDigestReference) {
  const std::string body = ImageBody(kRepo, "m");
  auto put = manifests_->Put(kRepo, At(Sha256Of(body)), body, oci::media::kOciManifest);
  ASSERT_TRUE(IsOk(put));
  EXPECT_EQ(put->digest, Sha256Of(body));
  auto got = manifests_->Get(kRepo, At(Sha256Of(body)));
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->content, body);
  auto tags = listing_->Tags(kRepo, "", 100);
  ASSERT_TRUE(IsOk(tags));
  EXPECT_TRUE(tags->items.empty()) << "a push by digest creates no tag";
}

TEST_F(ServiceTest, PutWithMismatchedDigestReference) {
  const std::string body = ImageBody(kRepo, "m");
  EXPECT_TRUE(IsErr(manifests_->Put(kRepo, At(Sha256Of("different")), body, oci::media::kOciManifest),
                    Errc::kDigestInvalid));
  EXPECT_TRUE(IsErr(manifests_->Get(kRepo, At(Sha256Of(body))), Errc::kManifestUnknown));
  EXPECT_TRUE(IsErr(manifests_->Get(kRepo, At(Sha256Of("different"))), Errc::kManifestUnknown));

  // A sha512 reference is checked against the sha512 of the body.
  Hasher wrong("sha512");
  wrong.Update("different");
  EXPECT_TRUE(IsErr(manifests_->Put(kRepo, At(wrong.Peek()), body, oci::media::kOciManifest), Errc::kDigestInvalid));
}

TEST_F(ServiceTest, PutBySha512Digest) {
  const std::string body = ImageBody(kRepo, "m");
  Hasher h("sha512");
  h.Update(body);
  auto put = manifests_->Put(kRepo, At(h.Peek()), body, oci::media::kOciManifest);
  ASSERT_TRUE(IsOk(put));
  EXPECT_EQ(put->digest, h.Peek());
  auto got = manifests_->Get(kRepo, At(h.Peek()));
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->content, body);
}

TEST_F(ServiceTest, PutErrorsFromParsingAndStore) {
  EXPECT_TRUE(IsErr(manifests_->Put(kRepo, Tag("bad"), "{not json", oci::media::kOciManifest), Errc::kManifestInvalid));
  json s1{{"schemaVersion", 1}, {"name", "x"}, {"tag", "y"}, {"fsLayers", json::array()}};
  EXPECT_TRUE(IsErr(manifests_->Put(kRepo, Tag("s1"), s1.dump(), oci::media::kDockerSchema1Signed),
                    Errc::kUnsupported));
  json missing{{"schemaVersion", 2},
               {"mediaType", oci::media::kOciManifest},
               {"config", Desc(kConfigType, Sha256Of("unregistered config"), 3)},
               {"layers", json::array()}};
  EXPECT_TRUE(IsErr(manifests_->Put(kRepo, Tag("missing"), missing.dump(), ""), Errc::kManifestBlobUnknown));
  for (const char* t : {"bad", "s1", "missing"})
    EXPECT_TRUE(IsErr(manifests_->Get(kRepo, Tag(t)), Errc::kManifestUnknown)) << t;
  EXPECT_TRUE(IsErr(listing_->Tags("never/created", "", 10), Errc::kNameUnknown));
}

TEST_F(ServiceTest, DescriptorSizeMustMatchTheBlob) {
  const Digest layer = Blob(kRepo, "layer-bytes");  // 11 bytes
  const Digest cfg = Blob(kRepo, "cfg");
  for (int64_t claimed : {10, 12, 0}) {
    json j{{"schemaVersion", 2},
           {"mediaType", oci::media::kOciManifest},
           {"config", Desc(kConfigType, cfg, 3)},
           {"layers", json::array({Desc(kLayerType, layer, claimed)})}};
    EXPECT_TRUE(IsErr(manifests_->Put(kRepo, Tag("sized"), j.dump(), ""), Errc::kManifestInvalid)) << claimed;
    EXPECT_TRUE(IsErr(manifests_->Get(kRepo, At(Sha256Of(j.dump()))), Errc::kManifestUnknown));
  }
  EXPECT_TRUE(IsErr(manifests_->Get(kRepo, Tag("sized")), Errc::kManifestUnknown));
  json ok{{"schemaVersion", 2},
          {"mediaType", oci::media::kOciManifest},
          {"config", Desc(kConfigType, cfg, 3)},
          {"layers", json::array({Desc(kLayerType, layer, 11)})}};
  EXPECT_EQ(PutOk(kRepo, Tag("sized"), ok.dump()), Sha256Of(ok.dump()));
}

TEST_F(ServiceTest, PutReturnsSubject) {
  const Digest subject = PutOk(kRepo, Tag("latest"), ImageBody(kRepo, "subject"));
  json art{{"schemaVersion", 2},
           {"mediaType", oci::media::kOciManifest},
           {"artifactType", "application/vnd.example.sig"},
           {"config", Desc(oci::media::kOciEmpty, Blob(kRepo, "{}"), 2)},
           {"layers", json::array()},
           {"subject", Desc(oci::media::kOciManifest, subject, 100)}};
  auto put = manifests_->Put(kRepo, At(Sha256Of(art.dump())), art.dump(), oci::media::kOciManifest);
  ASSERT_TRUE(IsOk(put));
  ASSERT_TRUE(put->subject.has_value());
  EXPECT_EQ(*put->subject, subject);
}

TEST_F(ServiceTest, DeleteByTagOnlyUntags) {
  const std::string body = ImageBody(kRepo, "m");
  const Digest d = PutOk(kRepo, Tag("v1"), body);
  PutOk(kRepo, Tag("v2"), body);

  ASSERT_TRUE(IsOk(manifests_->Delete(kRepo, Tag("v1"))));
  EXPECT_TRUE(IsErr(manifests_->Get(kRepo, Tag("v1")), Errc::kManifestUnknown));
  EXPECT_TRUE(IsOk(manifests_->Get(kRepo, Tag("v2"))));
  EXPECT_TRUE(IsOk(manifests_->Get(kRepo, At(d)))) << "deleting a tag keeps the manifest";
  EXPECT_TRUE(IsErr(manifests_->Delete(kRepo, Tag("v1")), Errc::kManifestUnknown));

  ASSERT_TRUE(IsOk(manifests_->Delete(kRepo, At(d))));
  EXPECT_TRUE(IsErr(manifests_->Get(kRepo, At(d)), Errc::kManifestUnknown));
  EXPECT_TRUE(IsErr(manifests_->Get(kRepo, Tag("v2")), Errc::kManifestUnknown)) << "delete by digest drops all tags";
  EXPECT_TRUE(IsErr(manifests_->Delete(kRepo, At(d)), Errc::kManifestUnknown));
  EXPECT_TRUE(IsErr(manifests_->Delete("other/repo", Tag("v2")), Errc::kManifestUnknown));
}

TEST_F(ServiceTest, DeleteOfIndexChildIsReferenced) {
  const Digest child = PutOk(kRepo, At(Sha256Of(ImageBody(kRepo, "child"))), ImageBody(kRepo, "child"));
  json idx{{"schemaVersion", 2},
           {"mediaType", oci::media::kOciIndex},
           {"manifests", json::array({Desc(oci::media::kOciManifest, child, 100)})}};
  const Digest index = PutOk(kRepo, Tag("multi"), idx.dump(), oci::media::kOciIndex);
  EXPECT_TRUE(IsErr(manifests_->Delete(kRepo, At(child)), Errc::kManifestReferenced));
  ASSERT_TRUE(IsOk(manifests_->Delete(kRepo, At(index))));
  EXPECT_TRUE(IsOk(manifests_->Delete(kRepo, At(child))));
}

// ===================== ListingService =====================

TEST_F(ServiceTest, TagsOfUnknownRepository) {
  EXPECT_TRUE(IsErr(listing_->Tags("no/such/repo", "", 10), Errc::kNameUnknown));
  EXPECT_TRUE(IsErr(listing_->Tags("no/such/repo", "", 0), Errc::kNameUnknown));
}

TEST_F(ServiceTest, TagsPagingAndLimits) {
  const std::string body = ImageBody(kRepo, "m");
  for (const char* t : {"v3", "v1", "latest", "v2"}) PutOk(kRepo, Tag(t), body);

  auto all = listing_->Tags(kRepo, "", 100);
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->items, (std::vector<std::string>{"latest", "v1", "v2", "v3"}));
  EXPECT_FALSE(all->more);

  auto zero = listing_->Tags(kRepo, "", 0);
  ASSERT_TRUE(IsOk(zero));
  EXPECT_TRUE(zero->items.empty());

  auto negative = listing_->Tags(kRepo, "", -5);
  ASSERT_TRUE(IsOk(negative));
  EXPECT_TRUE(negative->items.empty()) << "a negative limit clamps to 0";

  auto huge = listing_->Tags(kRepo, "", 1 << 30);
  ASSERT_TRUE(IsOk(huge));
  EXPECT_EQ(huge->items.size(), 4u);

  auto p1 = listing_->Tags(kRepo, "", 3);
  ASSERT_TRUE(IsOk(p1));
  EXPECT_EQ(p1->items, (std::vector<std::string>{"latest", "v1", "v2"}));
  EXPECT_TRUE(p1->more);
  auto p2 = listing_->Tags(kRepo, p1->items.back(), 3);
  ASSERT_TRUE(IsOk(p2));
  EXPECT_EQ(p2->items, std::vector<std::string>{"v3"});
  EXPECT_FALSE(p2->more);
}

TEST_F(ServiceTest, TagsOfRepositoryWithoutTags) {
  PutOk(kRepo, At(Sha256Of(ImageBody(kRepo, "m"))), ImageBody(kRepo, "m"));
  auto tags = listing_->Tags(kRepo, "", 10);
  ASSERT_TRUE(IsOk(tags));
  EXPECT_TRUE(tags->items.empty());
  EXPECT_FALSE(tags->more);
}

TEST_F(ServiceTest, Catalog) {
  PutOk("b/repo", Tag("latest"), ImageBody("b/repo", "b"));
  PutOk("a/repo", Tag("latest"), ImageBody("a/repo", "a"));
  Blob("c/blob-only", "x");
  auto all = listing_->Catalog("", 10);
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->items, (std::vector<std::string>{"a/repo", "b/repo"}));
  EXPECT_FALSE(all->more);
  auto p1 = listing_->Catalog("", 1);
  ASSERT_TRUE(IsOk(p1));
  EXPECT_EQ(p1->items, std::vector<std::string>{"a/repo"});
  EXPECT_TRUE(p1->more);
  auto zero = listing_->Catalog("", 0);
  ASSERT_TRUE(IsOk(zero));
  EXPECT_TRUE(zero->items.empty());
}

TEST_F(ServiceTest, ReferrersJsonShape) {
  const Digest subject = PutOk(kRepo, Tag("latest"), ImageBody(kRepo, "subject"));
  const Digest empty_cfg = Blob(kRepo, "{}");

  json sig{{"schemaVersion", 2},
           {"mediaType", oci::media::kOciManifest},
           {"artifactType", "application/vnd.example.sig"},
           {"config", Desc(oci::media::kOciEmpty, empty_cfg, 2)},
           {"layers", json::array()},
           {"subject", Desc(oci::media::kOciManifest, subject, 100)},
           {"annotations", {{"org.example.signer", "alice"}, {"org.opencontainers.image.created", "2024-01-01T00:00:00Z"}}}};
  // No artifactType: it falls back to the config media type.
  json sbom{{"schemaVersion", 2},
            {"mediaType", oci::media::kOciManifest},
            {"config", Desc("application/vnd.example.sbom.config", Blob(kRepo, "sbom-config"), 11)},
            {"layers", json::array()},
            {"subject", Desc(oci::media::kOciManifest, subject, 100)}};
  const std::string sig_body = sig.dump();
  const std::string sbom_body = sbom.dump();
  const Digest sig_d = PutOk(kRepo, At(Sha256Of(sig_body)), sig_body);
  const Digest sbom_d = PutOk(kRepo, At(Sha256Of(sbom_body)), sbom_body);

  auto text = listing_->Referrers(kRepo, subject, "");
  ASSERT_TRUE(IsOk(text));
  json doc = json::parse(*text);
  EXPECT_EQ(doc["schemaVersion"], 2);
  EXPECT_EQ(doc["mediaType"].get<std::string>(), oci::media::kOciIndex);
  ASSERT_TRUE(doc["manifests"].is_array());
  ASSERT_EQ(doc["manifests"].size(), 2u);

  std::map<std::string, json> by_digest;
  for (const auto& m : doc["manifests"]) by_digest[m.at("digest").get<std::string>()] = m;
  ASSERT_TRUE(by_digest.contains(sig_d.str()));
  ASSERT_TRUE(by_digest.contains(sbom_d.str()));

  const json& s = by_digest[sig_d.str()];
  EXPECT_EQ(s["mediaType"].get<std::string>(), oci::media::kOciManifest);
  EXPECT_EQ(s["size"], static_cast<int64_t>(sig_body.size()));
  EXPECT_EQ(s["artifactType"].get<std::string>(), "application/vnd.example.sig");
  ASSERT_TRUE(s.contains("annotations"));
  EXPECT_EQ(s["annotations"], sig["annotations"]);

  const json& b = by_digest[sbom_d.str()];
  EXPECT_EQ(b["mediaType"].get<std::string>(), oci::media::kOciManifest);
  EXPECT_EQ(b["size"], static_cast<int64_t>(sbom_body.size()));
  EXPECT_EQ(b["artifactType"].get<std::string>(), "application/vnd.example.sbom.config");
  EXPECT_FALSE(b.contains("annotations")) << "no annotations key when the manifest has none";

  auto filtered = listing_->Referrers(kRepo, subject, "application/vnd.example.sig");
  ASSERT_TRUE(IsOk(filtered));
  json f = json::parse(*filtered);
  ASSERT_EQ(f["manifests"].size(), 1u);
  EXPECT_EQ(f["manifests"][0]["digest"].get<std::string>(), sig_d.str());
}

TEST_F(ServiceTest, ReferrersWithNoneIsAnEmptyIndex) {
  const Digest subject = PutOk(kRepo, Tag("latest"), ImageBody(kRepo, "subject"));
  for (const auto& [repo, d] : {std::pair<std::string, Digest>{kRepo, subject},
                                std::pair<std::string, Digest>{kRepo, Sha256Of("unknown subject")},
                                std::pair<std::string, Digest>{"no/such/repo", subject}}) {
    auto text = listing_->Referrers(repo, d, "");
    ASSERT_TRUE(IsOk(text)) << repo;
    json doc = json::parse(*text);
    EXPECT_EQ(doc["schemaVersion"], 2);
    EXPECT_EQ(doc["mediaType"].get<std::string>(), oci::media::kOciIndex);
    ASSERT_TRUE(doc["manifests"].is_array()) << "an empty list, never null";
    EXPECT_TRUE(doc["manifests"].empty());
  }
}

// With a blob driver, a pushed image's extra_attrs are read from its config once, at push time,
// and stored with the manifest; anything that is not an image config stores none.
TEST_F(ServiceTest, ImagePushStoresExtraAttrsFromItsConfig) {
  auto driver = blob::FsDriver::Open(tmp_.Sub("blobs"), false);
  ASSERT_TRUE(IsOk(driver));
  ManifestService with_configs(*store_, driver->get());
  store::sqlite::SqliteArtifactStore artifacts(*db_);
  // Stores `content` in the driver and the repository's index, as an upload does.
  auto stored = [&](const std::string& content) {
    Digest d = Blob(kRepo, content);
    EXPECT_TRUE(IsOk((*driver)->CreateUpload("u")));
    auto w = (*driver)->OpenUpload("u");
    EXPECT_TRUE(IsOk(w) && IsOk((*w)->Append(content.data(), content.size())));
    EXPECT_TRUE(IsOk((*driver)->CommitUpload("u", d)));
    return d;
  };
  auto body = [&](std::string_view config_type, const std::string& config) {
    std::string layer = "layer of " + config;
    json j{{"schemaVersion", 2},
           {"mediaType", oci::media::kOciManifest},
           {"config", Desc(config_type, stored(config), static_cast<int64_t>(config.size()))},
           {"layers", json::array({Desc(kLayerType, stored(layer), static_cast<int64_t>(layer.size()))})}};
    return j.dump();
  };
  std::string config = R"({"os":"linux","architecture":"arm64","variant":"v8","created":"2026-11-30T00:00:00Z",)"
                       R"("config":{"Env":["A=1"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[]}})";
  auto image = with_configs.Put(kRepo, Tag("img"), body(kConfigType, config), oci::media::kOciManifest);
  ASSERT_TRUE(IsOk(image));
  auto a = artifacts.FindByDigest(kRepo, image->digest);
  ASSERT_TRUE(IsOk(a) && a->has_value());
  ASSERT_TRUE((*a)->extra_attrs.has_value());
  EXPECT_EQ(json::parse(*(*a)->extra_attrs),
            json::parse(R"({"architecture":"arm64","config":{"Cmd":["sh"],"Env":["A=1"]},)"
                        R"("created":"2026-11-30T00:00:00Z","os":"linux"})"));

  auto chart = with_configs.Put(kRepo, Tag("chart"), body("application/vnd.cncf.helm.config.v1+json", "{\"name\":\"c\"}"),
                                oci::media::kOciManifest);
  ASSERT_TRUE(IsOk(chart));
  EXPECT_FALSE(artifacts.FindByDigest(kRepo, chart->digest).value()->extra_attrs.has_value());
  auto broken = with_configs.Put(kRepo, Tag("broken"), body(kConfigType, "not json"), oci::media::kOciManifest);
  ASSERT_TRUE(IsOk(broken));  // the push itself does not depend on the config's content
  EXPECT_FALSE(artifacts.FindByDigest(kRepo, broken->digest).value()->extra_attrs.has_value());
}

}  // namespace
}  // namespace berth::registry
