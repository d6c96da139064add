// Conformance suite for the artifact and label stores (store/artifact_store.h). They work on the
// registry core's tables, so every test pushes through ManifestStore/BlobIndex (as /v2 does) and
// checks the artifact view of the same rows — and that blob reference counts stay exact after
// copies and repository deletes. Each backend is one ArtifactFactory.
#include <gtest/gtest.h>

#include <set>
#include <sqlite3.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "store/artifact_store.h"
#include "store/identity_store.h"
#include "store/registry_store.h"
#include "store/sqlite/artifact_stores.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth::store {
namespace {

using unit::IsErr;
using unit::IsOk;

class ArtifactBackend {
 public:
  virtual ~ArtifactBackend() = default;
  virtual ArtifactStore& artifacts() = 0;
  virtual LabelStore& labels() = 0;
  virtual ManifestStore& manifests() = 0;
  virtual BlobIndex& blobs() = 0;
  virtual UserStore& users() = 0;
  virtual ProjectStore& projects() = 0;
  // digest -> (stored ref_count, manifest references counted independently), read behind the
  // stores' back.
  virtual std::map<std::string, std::pair<int64_t, int64_t>> AuditRefCounts() = 0;
};

class SqliteArtifacts final : public ArtifactBackend {
 public:
  explicit SqliteArtifacts(const std::string& dir) : path_(dir + "/artifacts.db") {
    auto db = sqlite::Db::Open(path_, false);
    if (!db) throw std::runtime_error(std::string(db.error().Message()));
    db_ = std::move(*db);
    artifacts_ = std::make_unique<sqlite::SqliteArtifactStore>(*db_);
    labels_ = std::make_unique<sqlite::SqliteLabelStore>(*db_);
    manifests_ = std::make_unique<sqlite::SqliteManifestStore>(*db_);
    blobs_ = std::make_unique<sqlite::SqliteBlobIndex>(*db_);
    users_ = std::make_unique<sqlite::SqliteUserStore>(*db_);
    projects_ = std::make_unique<sqlite::SqliteProjectStore>(*db_);
  }
  ArtifactStore& artifacts() override { return *artifacts_; }
  LabelStore& labels() override { return *labels_; }
  ManifestStore& manifests() override { return *manifests_; }
  BlobIndex& blobs() override { return *blobs_; }
  UserStore& users() override { return *users_; }
  ProjectStore& projects() override { return *projects_; }

  std::map<std::string, std::pair<int64_t, int64_t>> AuditRefCounts() override {
    std::map<std::string, std::pair<int64_t, int64_t>> out;
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path_;
      sqlite3_close_v2(raw);
      return out;
    }
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(raw,
                       "SELECT b.digest, b.ref_count, (SELECT COUNT(*) FROM manifest_blobs mb WHERE mb.digest = b.digest) "
                       "FROM blobs b",
                       -1, &st, nullptr);
    while (st && sqlite3_step(st) == SQLITE_ROW)
      out[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = {sqlite3_column_int64(st, 1),
                                                                         sqlite3_column_int64(st, 2)};
    sqlite3_finalize(st);
    sqlite3_close_v2(raw);
    return out;
  }

 private:
  std::string path_;
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::SqliteArtifactStore> artifacts_;
  std::unique_ptr<sqlite::SqliteLabelStore> labels_;
  std::unique_ptr<sqlite::SqliteManifestStore> manifests_;
  std::unique_ptr<sqlite::SqliteBlobIndex> blobs_;
  std::unique_ptr<sqlite::SqliteUserStore> users_;
  std::unique_ptr<sqlite::SqliteProjectStore> projects_;
};

struct ArtifactFactory {
  std::string name;
  std::function<std::unique_ptr<ArtifactBackend>(const std::string&)> make;
};
void PrintTo(const ArtifactFactory& f, std::ostream* os) { *os << f.name; }

const ArtifactFactory kBackends[] = {
    {"Sqlite", [](const std::string& dir) { return std::make_unique<SqliteArtifacts>(dir); }},
};

constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr const char* kImageConfig = "application/vnd.oci.image.config.v1+json";
constexpr const char* kHelmConfig = "application/vnd.cncf.helm.config.v1+json";

class ArtifactConformance : public ::testing::TestWithParam<ArtifactFactory> {
 protected:
  void SetUp() override {
    b_ = GetParam().make(dir_.path());
    UserRecord u;
    u.username = "owner";
    u.password_hash = "$argon2id$fake";
    owner_ = b_->users().Create(u).value_or(0);
    team_ = MakeProject("team", false);
    pub_ = MakeProject("pub", true);
  }

  int64_t MakeProject(const std::string& name, bool is_public) {
    ProjectRecord p;
    p.name = name;
    p.owner_id = owner_;
    p.is_public = is_public;
    auto id = b_->projects().Create(p);
    EXPECT_TRUE(IsOk(id));
    return id.value_or(0);
  }

  Digest Blob(std::string_view repo, const std::string& content) {
    Digest d = Sha256Of(content);
    EXPECT_TRUE(IsOk(b_->blobs().Commit(repo, d, static_cast<int64_t>(content.size()))));
    return d;
  }

  // An image manifest with its own config and layer (plus `shared_layer`, when given), stored in
  // `repo` with the blobs linked there first — as a /v2 push does.
  ManifestRecord PutImage(std::string_view repo, const std::string& name, std::optional<std::string> tag = std::nullopt,
                          const std::string& config_type = kImageConfig, const std::string& shared_layer = "") {
    std::string cfg = name + "-config", layer = name + "-layer-bytes";
    std::vector<std::string> blobs = {cfg, layer};
    if (!shared_layer.empty()) blobs.push_back(shared_layer);
    ManifestRecord r;
    r.repository = std::string(repo);
    std::string layers;
    for (size_t i = 1; i < blobs.size(); ++i) {
      Blob(repo, blobs[i]);
      layers += std::string(i > 1 ? "," : "") + "{\"mediaType\":\"application/octet-stream\",\"digest\":\"" +
                Sha256Of(blobs[i]).str() + "\",\"size\":" + std::to_string(blobs[i].size()) + "}";
      r.blobs.push_back(BlobRef{Sha256Of(blobs[i]), static_cast<int64_t>(blobs[i].size())});
    }
    Blob(repo, cfg);
    r.blobs.insert(r.blobs.begin(), BlobRef{Sha256Of(cfg), static_cast<int64_t>(cfg.size())});
    r.content = std::string("{\"schemaVersion\":2,\"mediaType\":\"") + kOciManifest + "\",\"config\":{\"mediaType\":\"" +
                config_type + "\",\"digest\":\"" + Sha256Of(cfg).str() + "\",\"size\":" + std::to_string(cfg.size()) +
                "},\"layers\":[" + layers + "],\"annotations\":{\"x-name\":\"" + name + "\"}}";
    r.digest = Sha256Of(r.content);
    r.media_type = kOciManifest;
    r.artifact_type = config_type;
    r.size = static_cast<int64_t>(r.content.size());
    EXPECT_TRUE(IsOk(b_->manifests().Put(r, tag)));
    return r;
  }

  ManifestRecord PutIndex(std::string_view repo, const std::string& name, const std::vector<ManifestRecord>& children,
                          std::optional<std::string> tag = std::nullopt) {
    ManifestRecord r;
    r.repository = std::string(repo);
    std::string entries;
    for (const auto& c : children) {
      entries += std::string(entries.empty() ? "" : ",") + "{\"mediaType\":\"" + kOciManifest + "\",\"digest\":\"" +
                 c.digest.str() + "\",\"size\":" + std::to_string(c.size) + "}";
      r.children.push_back(c.digest);
    }
    r.content = std::string("{\"schemaVersion\":2,\"mediaType\":\"") + kOciIndex + "\",\"manifests\":[" + entries +
                "],\"annotations\":{\"x-name\":\"" + name + "\"}}";
    r.digest = Sha256Of(r.content);
    r.media_type = kOciIndex;
    r.size = static_cast<int64_t>(r.content.size());
    EXPECT_TRUE(IsOk(b_->manifests().Put(r, tag)));
    return r;
  }

  // Every blob's ref_count equals its manifest references; returns digest -> ref_count.
  std::map<std::string, int64_t> CheckRefCounts() {
    std::map<std::string, int64_t> out;
    for (const auto& [d, rc] : b_->AuditRefCounts()) {
      EXPECT_EQ(rc.first, rc.second) << "blob " << d;
      out[d] = rc.first;
    }
    return out;
  }

  ArtifactRecord Find(std::string_view repo, const Digest& d) {
    auto r = b_->artifacts().FindByDigest(repo, d);
    EXPECT_TRUE(IsOk(r));
    return r && *r ? **r : ArtifactRecord{};
  }

  std::vector<std::string> Digests(const Listing<ArtifactRecord>& l) {
    std::vector<std::string> out;
    for (const auto& a : l.items) out.push_back(a.digest.str());
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::vector<std::string> Sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  ArtifactStore& art() { return b_->artifacts(); }

  unit::TempDir dir_;
  std::unique_ptr<ArtifactBackend> b_;
  int64_t owner_ = 0, team_ = 0, pub_ = 0;
};

TEST_P(ArtifactConformance, RepositoriesAreThoseHoldingManifests) {
  auto a = PutImage("team/app", "a", "v1");
  auto c1 = PutImage("team/app", "c1");
  auto c2 = PutImage("team/app", "c2");
  PutIndex("team/app", "idx", {c1, c2}, "multi");
  PutImage("pub/x", "x", "latest");
  PutImage("team/nested/deep", "n", "1");
  Blob("team/blobs-only", "lonely");  // a repository row without manifests is not a repository

  auto all = art().ListRepositories(RepositoryFilter{}, Paging{0, 10});
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->total, 3);
  std::map<std::string, RepositoryRecord> by_name;
  for (const auto& r : all->items) by_name[r.name] = r;
  ASSERT_TRUE(by_name.contains("team/app"));
  EXPECT_EQ(by_name["team/app"].artifact_count, 2);  // the image and the index; the children are hidden
  EXPECT_EQ(by_name["team/app"].project_id, team_);
  EXPECT_EQ(by_name["team/app"].project_name, "team");
  EXPECT_FALSE(by_name["team/app"].project_public);
  EXPECT_TRUE(by_name["pub/x"].project_public);

  RepositoryFilter outsider;
  outsider.visibility = Visibility{false, {}};
  auto visible = art().ListRepositories(outsider, Paging{0, 10});
  ASSERT_TRUE(IsOk(visible));
  ASSERT_EQ(visible->total, 1);
  EXPECT_EQ(visible->items[0].name, "pub/x");
  outsider.visibility.project_ids = {team_};
  EXPECT_EQ(art().ListRepositories(outsider, Paging{0, 10})->total, 3);

  RepositoryFilter in_team;
  in_team.project_id = team_;
  in_team.sort = "name";
  auto team = art().ListRepositories(in_team, Paging{0, 1});
  ASSERT_TRUE(IsOk(team));
  EXPECT_EQ(team->total, 2);
  ASSERT_EQ(team->items.size(), 1u);
  EXPECT_EQ(team->items[0].name, "team/app");
  in_team.sort = "-name";
  EXPECT_EQ(art().ListRepositories(in_team, Paging{0, 1})->items[0].name, "team/nested/deep");
  EXPECT_EQ(art().ListRepositories(in_team, Paging{1, 1})->items[0].name, "team/app");

  RepositoryFilter fuzzy;
  fuzzy.name_part = "NEST";
  EXPECT_EQ(art().ListRepositories(fuzzy, Paging{0, 10})->total, 1);
  RepositoryFilter exact;
  exact.name = "team/app";
  EXPECT_EQ(art().ListRepositories(exact, Paging{0, 10})->total, 1);
  exact.name = "team/ap";
  EXPECT_EQ(art().ListRepositories(exact, Paging{0, 10})->total, 0);
  RepositoryFilter bad;
  bad.sort = "size";
  EXPECT_TRUE(IsErr(art().ListRepositories(bad, Paging{0, 10}), Errc::kBadRequest));

  EXPECT_FALSE(art().FindRepository("team/blobs-only")->has_value());
  auto found = art().FindRepository("team/app");
  ASSERT_TRUE(IsOk(found));
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->description, "");
  EXPECT_TRUE(*art().SetRepositoryDescription("team/app", "the app"));
  EXPECT_EQ((*art().FindRepository("team/app"))->description, "the app");
  EXPECT_FALSE(*art().SetRepositoryDescription("team/blobs-only", "x"));
  EXPECT_FALSE(*art().SetRepositoryDescription("team/none", "x"));
  (void)a;
}

TEST_P(ArtifactConformance, ArtifactsCarryTypesSizesAndFilters) {
  auto img = PutImage("team/app", "img", "v1");
  auto chart = PutImage("team/app", "chart", "c1", kHelmConfig);
  auto untagged = PutImage("team/app", "loose");
  auto c1 = PutImage("team/app", "c1");
  auto c2 = PutImage("team/app", "c2");
  auto idx = PutIndex("team/app", "idx", {c1, c2}, "multi");

  auto a = Find("team/app", img.digest);
  EXPECT_EQ(a.manifest_media_type, kOciManifest);
  EXPECT_EQ(a.media_type, kImageConfig);
  EXPECT_EQ(a.repository_name, "team/app");
  EXPECT_EQ(a.project_id, team_);
  EXPECT_EQ(a.content, img.content);
  EXPECT_EQ(a.pulled_at, 0);
  int64_t blob_bytes = 0;
  for (const auto& b : img.blobs) blob_bytes += b.size;
  EXPECT_EQ(a.size, img.size + blob_bytes);
  auto i = Find("team/app", idx.digest);
  EXPECT_EQ(i.media_type, kOciIndex);  // an index has no config: its own type
  EXPECT_EQ(i.size, idx.size + Find("team/app", c1.digest).size + Find("team/app", c2.digest).size);
  auto by_tag = art().FindByTag("team/app", "c1");
  ASSERT_TRUE(IsOk(by_tag) && by_tag->has_value());
  EXPECT_EQ((*by_tag)->digest, chart.digest);
  EXPECT_EQ((*by_tag)->media_type, kHelmConfig);
  EXPECT_FALSE(art().FindByTag("team/app", "nope")->has_value());
  EXPECT_FALSE(art().FindByDigest("pub/app", img.digest)->has_value());

  auto children = art().Children(i.id);
  ASSERT_TRUE(IsOk(children));
  ASSERT_EQ(children->size(), 2u);
  for (const auto& ch : *children) {
    EXPECT_EQ(ch.id, Find("team/app", ch.digest).id);
    EXPECT_EQ(ch.size, Find("team/app", ch.digest).size);
  }

  auto list = [&](ArtifactFilter f) {
    auto r = art().ListArtifacts("team/app", f, Paging{0, 100});
    EXPECT_TRUE(IsOk(r));
    return r ? *r : Listing<ArtifactRecord>{};
  };
  ArtifactFilter f;
  auto base = list(f);
  EXPECT_EQ(base.total, 4);  // children of the index are hidden
  EXPECT_EQ(Digests(base), Sorted({img.digest.str(), chart.digest.str(), untagged.digest.str(), idx.digest.str()}));
  f.all = true;
  EXPECT_EQ(list(f).total, 6);
  f = {};
  f.tagged = ArtifactFilter::Tagged::kTagged;
  EXPECT_EQ(list(f).total, 3);
  f.tagged = ArtifactFilter::Tagged::kUntagged;
  EXPECT_EQ(Digests(list(f)), std::vector<std::string>{untagged.digest.str()});
  f = {};
  f.tag = "multi";
  EXPECT_EQ(Digests(list(f)), std::vector<std::string>{idx.digest.str()});
  f = {};
  f.tag_part = "V";
  EXPECT_EQ(Digests(list(f)), std::vector<std::string>{img.digest.str()});
  f = {};
  f.digest = c1.digest.str();  // asking by digest shows a child
  EXPECT_EQ(Digests(list(f)), std::vector<std::string>{c1.digest.str()});
  f = {};
  f.media_types = {kHelmConfig};
  EXPECT_EQ(Digests(list(f)), std::vector<std::string>{chart.digest.str()});
  f.media_types = {kImageConfig, kOciIndex};
  EXPECT_EQ(list(f).total, 3);
  f.media_types = {kImageConfig, kOciIndex};
  f.media_types_negate = true;
  EXPECT_EQ(Digests(list(f)), std::vector<std::string>{chart.digest.str()});

  // Sorted by push time, newest first by default; ids break ties.
  f = {};
  auto page = art().ListArtifacts("team/app", f, Paging{0, 2});
  ASSERT_TRUE(IsOk(page));
  EXPECT_EQ(page->total, 4);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].digest, idx.digest);
  f.sort = "id";
  EXPECT_EQ(art().ListArtifacts("team/app", f, Paging{0, 1})->items[0].digest, img.digest);
  f.sort = "size";
  EXPECT_TRUE(IsErr(art().ListArtifacts("team/app", f, Paging{0, 1}), Errc::kBadRequest));
}

TEST_P(ArtifactConformance, TagsGetIdsConflictAndBelongToOneArtifact) {
  auto one = PutImage("team/app", "one", "v1");
  auto two = PutImage("team/app", "two", "v2");
  auto a1 = Find("team/app", one.digest), a2 = Find("team/app", two.digest);
  EXPECT_TRUE(*art().CreateTag(a1.id, "extra"));
  EXPECT_TRUE(IsErr(art().CreateTag(a1.id, "v2"), Errc::kConflict));  // on another artifact: still taken
  EXPECT_TRUE(IsErr(art().CreateTag(a2.id, "extra"), Errc::kConflict));
  EXPECT_FALSE(*art().CreateTag(999999, "ghost"));

  auto tags = art().ListTags(a1.id, "", "name", Paging{0, 10});
  ASSERT_TRUE(IsOk(tags));
  ASSERT_EQ(tags->total, 2);
  EXPECT_EQ(tags->items[0].name, "extra");
  EXPECT_EQ(tags->items[1].name, "v1");
  EXPECT_NE(tags->items[0].id, 0);
  EXPECT_NE(tags->items[0].id, tags->items[1].id);
  EXPECT_EQ(tags->items[0].artifact_id, a1.id);
  EXPECT_EQ(tags->items[0].repository_id, a1.repository_id);
  EXPECT_EQ(art().ListTags(a1.id, "EX", "", Paging{0, 10})->total, 1);
  EXPECT_TRUE(IsErr(art().ListTags(a1.id, "", "color", Paging{0, 10}), Errc::kBadRequest));

  // A push re-points a tag and keeps its id.
  int64_t v1_id = tags->items[1].id;
  ASSERT_TRUE(IsOk(b_->manifests().Put(two, std::string("v1"))));
  auto moved = art().ListTags(a2.id, "v1", "", Paging{0, 10});
  ASSERT_EQ(moved->total, 1);
  EXPECT_EQ(moved->items[0].id, v1_id);

  // Tags of a page in one call, newest push first; untagged artifacts are absent.
  auto three = PutImage("team/app", "three");
  auto page = art().TagsOf({a1.id, a2.id, Find("team/app", three.digest).id});
  ASSERT_TRUE(IsOk(page));
  ASSERT_EQ(page->size(), 2u);
  ASSERT_EQ(page->at(a1.id).size(), 1u);
  EXPECT_EQ(page->at(a1.id)[0].name, "extra");
  ASSERT_EQ(page->at(a2.id).size(), 2u);
  const auto& t2 = page->at(a2.id);
  EXPECT_EQ((std::set<std::string>{t2[0].name, t2[1].name}), (std::set<std::string>{"v1", "v2"}));
  EXPECT_TRUE(t2[0].pushed_at > t2[1].pushed_at || (t2[0].pushed_at == t2[1].pushed_at && t2[0].id > t2[1].id))
      << "newest push first";
  EXPECT_EQ(page->at(a2.id)[0].artifact_id, a2.id);

  EXPECT_FALSE(*art().DeleteTag(a1.id, "v2"));  // not this artifact's tag
  EXPECT_TRUE(*art().DeleteTag(a2.id, "v2"));
  EXPECT_FALSE(*art().DeleteTag(a2.id, "v2"));
  EXPECT_FALSE(b_->manifests().GetByTag("team/app", "v2")->has_value());
}

TEST_P(ArtifactConformance, DeleteArtifactTakesOnlyOrphanedUntaggedChildrenAlong) {
  auto c1 = PutImage("team/app", "c1");
  auto c2 = PutImage("team/app", "c2", "keep-me");  // tagged: stays
  auto c3 = PutImage("team/app", "c3");             // also listed by another index: stays
  auto c4 = PutImage("team/app", "c4");
  auto inner = PutIndex("team/app", "inner", {c4});  // nested index: goes, with its child
  auto idx = PutIndex("team/app", "idx", {c1, c2, c3, inner}, "latest");
  auto other = PutIndex("team/app", "other", {c3}, "other");
  auto has = [&](const ManifestRecord& m) { return b_->manifests().GetByDigest("team/app", m.digest)->has_value(); };

  EXPECT_TRUE(IsErr(art().DeleteArtifact("team/app", c1.digest), Errc::kManifestReferenced));
  ASSERT_TRUE(*art().DeleteArtifact("team/app", idx.digest));
  auto counts = CheckRefCounts();
  EXPECT_FALSE(has(idx));
  EXPECT_FALSE(has(c1));
  EXPECT_FALSE(has(inner));
  EXPECT_FALSE(has(c4));
  EXPECT_TRUE(has(c2));
  EXPECT_TRUE(has(c3));
  EXPECT_EQ(counts[Sha256Of("c1-config").str()], 0);
  EXPECT_EQ(counts[Sha256Of("c2-config").str()], 1);
  EXPECT_FALSE(b_->manifests().GetByTag("team/app", "latest")->has_value());
  EXPECT_FALSE(*art().DeleteArtifact("team/app", idx.digest));
  EXPECT_FALSE(*art().DeleteArtifact("team/none", idx.digest));

  EXPECT_TRUE(IsErr(art().DeleteArtifact("team/app", c3.digest), Errc::kManifestReferenced));
  ASSERT_TRUE(*art().DeleteArtifact("team/app", other.digest));
  EXPECT_FALSE(has(c3));
  // A plain image: exactly what ManifestStore::Delete does, tags included.
  ASSERT_TRUE(*art().DeleteArtifact("team/app", c2.digest));
  EXPECT_FALSE(b_->manifests().GetByTag("team/app", "keep-me")->has_value());
  counts = CheckRefCounts();
  EXPECT_EQ(counts[Sha256Of("c2-config").str()], 0);
}

TEST_P(ArtifactConformance, CopyBringsChildrenBlobsAndTagsInOneStep) {
  auto shared = std::string("shared-base-layer");
  auto c1 = PutImage("team/src", "c1", std::nullopt, kImageConfig, shared);
  auto c2 = PutImage("team/src", "c2", std::nullopt, kImageConfig, shared);
  auto idx = PutIndex("team/src", "idx", {c1, c2}, "multi");
  ASSERT_TRUE(IsOk(b_->manifests().Put(idx, std::string("also"))));
  auto before = CheckRefCounts();
  // The destination already has a tag "also" on something else: the copy re-points it.
  auto other = PutImage("pub/dst", "other", "also");

  auto copied = art().Copy("team/src", idx.digest, "pub/dst");
  ASSERT_TRUE(IsOk(copied));
  ASSERT_TRUE(copied->has_value());
  auto dst = Find("pub/dst", idx.digest);
  EXPECT_EQ(dst.id, **copied);
  EXPECT_EQ(dst.content, idx.content);
  for (const auto& c : {c1, c2}) {
    auto got = b_->manifests().GetByDigest("pub/dst", c.digest);
    ASSERT_TRUE(IsOk(got) && got->has_value());
    EXPECT_EQ((*got)->content, c.content);
    for (const auto& blob : c.blobs)
      EXPECT_TRUE(b_->blobs().FindInRepository("pub/dst", blob.digest)->has_value()) << blob.digest.str();
  }
  EXPECT_EQ(b_->manifests().GetByTag("pub/dst", "multi").value()->digest, idx.digest);
  EXPECT_EQ(b_->manifests().GetByTag("pub/dst", "also").value()->digest, idx.digest);
  EXPECT_TRUE(Find("pub/dst", other.digest).id != 0);  // the old target stays, untagged

  auto after = CheckRefCounts();
  for (const auto& c : {c1, c2})
    for (const auto& blob : c.blobs)
      EXPECT_EQ(after[blob.digest.str()], before[blob.digest.str()] * 2) << blob.digest.str();

  EXPECT_TRUE(IsErr(art().Copy("team/src", idx.digest, "pub/dst"), Errc::kConflict));
  EXPECT_TRUE(IsErr(art().Copy("team/src", idx.digest, "team/src"), Errc::kConflict));
  EXPECT_FALSE(art().Copy("team/src", Sha256Of("nothing"), "pub/dst")->has_value());
  EXPECT_FALSE(art().Copy("team/none", idx.digest, "pub/dst")->has_value());

  // The copy is independent: deleting the source leaves it whole.
  ASSERT_TRUE(*art().DeleteRepository("team/src"));
  CheckRefCounts();
  EXPECT_TRUE(b_->manifests().GetByDigest("pub/dst", c1.digest)->has_value());
  EXPECT_TRUE(b_->blobs().FindInRepository("pub/dst", c1.blobs[0].digest)->has_value());
}

TEST_P(ArtifactConformance, DeleteRepositoryRemovesEverythingAndKeepsCountsExact) {
  std::string shared = "common-layer";
  auto c1 = PutImage("team/app", "c1", std::nullopt, kImageConfig, shared);
  auto c2 = PutImage("team/app", "c2", std::nullopt, kImageConfig, shared);
  auto inner = PutIndex("team/app", "inner", {c1});
  auto outer = PutIndex("team/app", "outer", {inner, c2}, "latest");
  auto keep = PutImage("team/other", "keep", "v1", kImageConfig, shared);
  auto label = b_->labels().Create(LabelRecord{0, "l", "", "", "g", 0, 0, 0});
  ASSERT_TRUE(IsOk(label));
  ASSERT_TRUE(*b_->labels().Attach(Find("team/app", outer.digest).id, *label));

  ASSERT_TRUE(*art().DeleteRepository("team/app"));
  auto counts = CheckRefCounts();
  EXPECT_EQ(counts[Sha256Of(shared).str()], 1);  // only team/other's manifest still uses it
  EXPECT_EQ(counts[Sha256Of("c1-config").str()], 0);
  EXPECT_FALSE(b_->manifests().RepositoryExists("team/app").value());
  EXPECT_FALSE(art().FindRepository("team/app")->has_value());
  EXPECT_FALSE(*art().DeleteRepository("team/app"));
  EXPECT_TRUE(b_->manifests().GetByTag("team/other", "v1")->has_value());
  auto left = art().ListRepositories(RepositoryFilter{}, Paging{0, 10});
  ASSERT_EQ(left->total, 1);
  EXPECT_EQ(left->items[0].name, "team/other");
  (void)keep;
}

TEST_P(ArtifactConformance, PullsAccumulateAndTimesOnlyMoveForward) {
  auto img = PutImage("team/app", "img", "v1");
  ASSERT_TRUE(IsOk(art().RecordPulls({PullRecord{"team/app", img.digest, "v1", 1000, 3},
                                      PullRecord{"team/app", img.digest, "", 900, 2},
                                      PullRecord{"team/gone", img.digest, "", 900, 7}})));
  auto repo = art().FindRepository("team/app");
  EXPECT_EQ((*repo)->pull_count, 5);
  EXPECT_EQ(Find("team/app", img.digest).pulled_at, 1000);
  ASSERT_TRUE(IsOk(art().RecordPulls({PullRecord{"team/app", img.digest, "v1", 500, 1}})));
  EXPECT_EQ(Find("team/app", img.digest).pulled_at, 1000);
  auto tags = art().ListTags(Find("team/app", img.digest).id, "", "", Paging{0, 10});
  EXPECT_EQ(tags->items[0].pulled_at, 1000);
  EXPECT_EQ((*art().FindRepository("team/app"))->pull_count, 6);
}

TEST_P(ArtifactConformance, StatisticsCountWhatTheCallerSees) {
  PutImage("team/a", "a", "1");
  PutImage("team/b", "b", "1");
  PutImage("pub/c", "c", "1");
  MakeProject("empty", false);
  auto all = art().Statistics(Visibility{true, {}});
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->public_projects, 1);
  EXPECT_EQ(all->private_projects, 2);
  EXPECT_EQ(all->public_repositories, 1);
  EXPECT_EQ(all->private_repositories, 2);
  EXPECT_GT(all->storage_bytes, 0);
  auto outsider = art().Statistics(Visibility{false, {}});
  EXPECT_EQ(outsider->private_projects, 0);
  EXPECT_EQ(outsider->private_repositories, 0);
  EXPECT_EQ(outsider->public_repositories, 1);
  auto member = art().Statistics(Visibility{false, {team_}});
  EXPECT_EQ(member->private_projects, 1);
  EXPECT_EQ(member->private_repositories, 2);
}

TEST_P(ArtifactConformance, LabelsAreUniquePerScopeAndAttachToArtifacts) {
  LabelStore& labels = b_->labels();
  auto g = labels.Create(LabelRecord{0, "prod", "production", "#00ff00", "g", 0, 0, 0});
  ASSERT_TRUE(IsOk(g));
  EXPECT_TRUE(IsErr(labels.Create(LabelRecord{0, "prod", "", "", "g", 0, 0, 0}), Errc::kConflict));
  auto p = labels.Create(LabelRecord{0, "prod", "", "", "p", team_, 0, 0});  // same name, other scope
  ASSERT_TRUE(IsOk(p));
  EXPECT_TRUE(IsOk(labels.Create(LabelRecord{0, "prod", "", "", "p", pub_, 0, 0})));
  EXPECT_TRUE(IsErr(labels.Create(LabelRecord{0, "prod", "", "", "p", team_, 0, 0}), Errc::kConflict));
  EXPECT_TRUE(IsErr(labels.Create(LabelRecord{0, "x", "", "", "p", 4242, 0, 0}), Errc::kNotFound));
  auto other = labels.Create(LabelRecord{0, "qa", "", "", "g", 0, 0, 0});
  ASSERT_TRUE(IsOk(other));

  auto found = labels.Find(*g);
  ASSERT_TRUE(IsOk(found) && found->has_value());
  EXPECT_EQ((*found)->description, "production");
  EXPECT_EQ((*found)->color, "#00ff00");
  EXPECT_EQ((*found)->project_id, 0);
  LabelRecord rename = **found;
  rename.name = "qa";
  EXPECT_TRUE(IsErr(labels.Update(rename), Errc::kConflict));
  rename.name = "production";
  rename.color = "#111111";
  EXPECT_TRUE(*labels.Update(rename));
  EXPECT_EQ((*labels.Find(*g))->name, "production");
  rename.id = 777777;
  EXPECT_FALSE(*labels.Update(rename));

  EXPECT_EQ(labels.List(LabelFilter{"g", 0, ""}, Paging{0, 10})->total, 2);
  EXPECT_EQ(labels.List(LabelFilter{"g", 0, "PROD"}, Paging{0, 10})->total, 1);
  auto team_labels = labels.List(LabelFilter{"p", team_, ""}, Paging{0, 10});
  ASSERT_EQ(team_labels->total, 1);
  EXPECT_EQ(team_labels->items[0].scope, "p");
  EXPECT_EQ(team_labels->items[0].project_id, team_);

  auto img = PutImage("team/app", "img", "v1");
  auto img2 = PutImage("team/app", "img2", "v2");
  int64_t a = Find("team/app", img.digest).id, a2 = Find("team/app", img2.digest).id;
  EXPECT_TRUE(*labels.Attach(a, *g));
  EXPECT_TRUE(*labels.Attach(a, *p));
  EXPECT_TRUE(*labels.Attach(a2, *g));
  EXPECT_TRUE(IsErr(labels.Attach(a, *g), Errc::kConflict));
  EXPECT_FALSE(*labels.Attach(a, 999999));
  EXPECT_FALSE(*labels.Attach(999999, *g));
  auto on = labels.LabelsOf({a, a2, 999999});
  ASSERT_TRUE(IsOk(on));
  ASSERT_EQ(on->size(), 2u) << "artifacts without labels are absent";
  ASSERT_EQ(on->at(a).size(), 2u);
  EXPECT_EQ(on->at(a)[0].id, *g) << "attachment order";
  EXPECT_EQ(on->at(a)[1].id, *p);
  ASSERT_EQ(on->at(a2).size(), 1u);
  EXPECT_TRUE(labels.LabelsOf({})->empty());

  ArtifactFilter both;
  both.label_ids = {*g, *p};
  EXPECT_EQ(Digests(*art().ListArtifacts("team/app", both, Paging{0, 10})), std::vector<std::string>{img.digest.str()});
  ArtifactFilter global;
  global.label_ids = {*g};
  EXPECT_EQ(art().ListArtifacts("team/app", global, Paging{0, 10})->total, 2);

  EXPECT_TRUE(*labels.Detach(a, *p));
  EXPECT_FALSE(*labels.Detach(a, *p));
  // A /v2 delete of the manifest drops its attachments; deleting a label detaches it everywhere.
  ASSERT_TRUE(*b_->manifests().Delete("team/app", img2.digest));
  EXPECT_TRUE(*labels.Delete(*g));
  EXPECT_FALSE(*labels.Delete(*g));
  EXPECT_TRUE(labels.LabelsOf({a})->empty());
  // Project labels go with their project.
  ASSERT_TRUE(*art().DeleteRepository("team/app"));
  ASSERT_TRUE(IsOk(b_->projects().Delete(team_)));
  EXPECT_FALSE(labels.Find(*p)->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, ArtifactConformance, ::testing::ValuesIn(kBackends),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace berth::store
