// Project storage quotas in the store (store/quota_store.h): exact, dedup-aware usage charged in
// the transactions that add and remove references, the hard limit on every write path (manifest
// put, copy, blob commit, mount), the refusal text, the once-per-crossing warning, the events, and
// concurrent writers that never overshoot. Usage is always compared with Verify()'s recomputation
// (the project_usage view), and jobs are read behind the stores' back.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/quota_store.h"
#include "store/sqlite/artifact_stores.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/quota_store.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth::store {
namespace {

using unit::IsErr;
using unit::IsOk;

constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";

class QuotaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Sub("quota.db");
    auto db = sqlite::Db::Open(path_, false);
    ASSERT_TRUE(IsOk(db));
    db_ = std::move(*db);
    blobs_ = std::make_unique<sqlite::SqliteBlobIndex>(*db_);
    manifests_ = std::make_unique<sqlite::SqliteManifestStore>(*db_);
    artifacts_ = std::make_unique<sqlite::SqliteArtifactStore>(*db_);
    projects_ = std::make_unique<sqlite::SqliteProjectStore>(*db_);
    users_ = std::make_unique<sqlite::SqliteUserStore>(*db_);
    quotas_ = std::make_unique<sqlite::SqliteQuotaStore>(*db_);
    UserRecord u;
    u.username = "owner";
    u.password_hash = "$argon2id$fake";
    owner_ = users_->Create(u).value_or(0);
  }

  int64_t MakeProject(const std::string& name, int64_t limit = -1) {
    ProjectRecord p;
    p.name = name;
    p.owner_id = owner_;
    p.storage_limit = limit;
    auto id = projects_->Create(p);
    EXPECT_TRUE(IsOk(id));
    return id.value_or(0);
  }

  QuotaRecord Quota(int64_t project_id) {
    auto q = quotas_->FindByProject(project_id);
    EXPECT_TRUE(IsOk(q));
    EXPECT_TRUE(q && *q);
    return q && *q ? **q : QuotaRecord{};
  }
  int64_t Used(int64_t project_id) { return Quota(project_id).used; }

  // Every project's recorded usage equals the recomputation.
  void ExpectNoDrift() {
    auto rows = quotas_->Verify();
    ASSERT_TRUE(IsOk(rows));
    for (const auto& r : *rows) EXPECT_EQ(r.recorded, r.actual) << "project " << r.project_name;
  }

  Digest Blob(std::string_view repo, const std::string& content) {
    Digest d = Sha256Of(content);
    EXPECT_TRUE(IsOk(blobs_->Commit(repo, d, static_cast<int64_t>(content.size()))));
    return d;
  }

  // A manifest over the given blob contents (the first is the config). Blobs are not committed.
  static ManifestRecord Image(std::string_view repo, const std::vector<std::string>& blobs, const std::string& name) {
    ManifestRecord r;
    r.repository = std::string(repo);
    std::string layers;
    for (size_t i = 1; i < blobs.size(); ++i)
      layers += std::string(i > 1 ? "," : "") + "{\"mediaType\":\"application/octet-stream\",\"digest\":\"" +
                Sha256Of(blobs[i]).str() + "\",\"size\":" + std::to_string(blobs[i].size()) + "}";
    for (const auto& b : blobs) r.blobs.push_back(BlobRef{Sha256Of(b), static_cast<int64_t>(b.size())});
    r.content = std::string("{\"schemaVersion\":2,\"mediaType\":\"") + kOciManifest +
                "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" +
                Sha256Of(blobs[0]).str() + "\",\"size\":" + std::to_string(blobs[0].size()) + "},\"layers\":[" + layers +
                "],\"annotations\":{\"x-name\":\"" + name + "\"}}";
    r.digest = Sha256Of(r.content);
    r.media_type = kOciManifest;
    r.size = static_cast<int64_t>(r.content.size());
    return r;
  }

  // Commits the blobs into `repo` and puts the manifest (as a /v2 push does).
  Result<void> Push(const ManifestRecord& m, const std::vector<std::string>& blobs,
                    const std::optional<std::string>& tag = "v1", const EventContext* events = nullptr) {
    for (const auto& b : blobs) {
      auto r = blobs_->Commit(m.repository, Sha256Of(b), static_cast<int64_t>(b.size()), events);
      if (!r) return r;
    }
    return manifests_->Put(m, tag, events);
  }

  static int64_t Sum(const std::vector<std::string>& blobs) {
    int64_t n = 0;
    for (const auto& b : blobs) n += static_cast<int64_t>(b.size());
    return n;
  }

  // The payloads of queued event jobs of `type`, read behind the stores' back.
  std::vector<std::string> EventPayloads(const std::string& type) {
    std::vector<std::string> out;
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path_;
      sqlite3_close_v2(raw);
      return out;
    }
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(raw, "SELECT payload FROM jobs WHERE kind = 'event' AND json_extract(payload, '$.type') = ? ORDER BY id",
                       -1, &st, nullptr);
    sqlite3_bind_text(st, 1, type.c_str(), -1, SQLITE_TRANSIENT);
    while (st && sqlite3_step(st) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    sqlite3_close_v2(raw);
    return out;
  }

  unit::TempDir dir_;
  std::string path_;
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::SqliteBlobIndex> blobs_;
  std::unique_ptr<sqlite::SqliteManifestStore> manifests_;
  std::unique_ptr<sqlite::SqliteArtifactStore> artifacts_;
  std::unique_ptr<sqlite::SqliteProjectStore> projects_;
  std::unique_ptr<sqlite::SqliteUserStore> users_;
  std::unique_ptr<sqlite::SqliteQuotaStore> quotas_;
  int64_t owner_ = 0;
};

TEST(QuotaText, FormatsSizesAsHarbor) {
  EXPECT_EQ(FormatStorage(0), "0 B");
  EXPECT_EQ(FormatStorage(1023), "1023 B");
  EXPECT_EQ(FormatStorage(1024), "1.0 KiB");
  EXPECT_EQ(FormatStorage(1536), "1.5 KiB");
  EXPECT_EQ(FormatStorage(10 * 1024 * 1024), "10.0 MiB");
  EXPECT_EQ(FormatStorage(int64_t{10} * 1024 * 1024 * 1024), "10.0 GiB");
  EXPECT_EQ(FormatStorage(int64_t{1} << 50), "1.0 PiB");
  EXPECT_EQ(QuotaExceededMessage(QuotaExceededDetails(512 * 1024 * 1024, int64_t{98} * 1024 * 1024 * 1024 / 10,
                                                      int64_t{10} * 1024 * 1024 * 1024)),
            "Quota exceeded when processing the request of adding 512.0 MiB of storage resource, which when updated "
            "to current usage of 9.8 GiB will exceed the configured upper limit of 10.0 GiB.");
  EXPECT_EQ(QuotaWarningDetails(int64_t{86} * 1024 * 1024 * 1024 / 10, int64_t{10} * 1024 * 1024 * 1024),
            "quota usage reach 85%: resource storage used 8.6 GiB of 10.0 GiB");
}

TEST_F(QuotaStoreTest, EveryProjectHasAQuotaStartingEmpty) {
  int64_t p = MakeProject("team", 1000);
  QuotaRecord q = Quota(p);
  EXPECT_EQ(q.hard, 1000);
  EXPECT_EQ(q.used, 0);
  EXPECT_EQ(q.project_name, "team");
  EXPECT_EQ(q.owner_name, "owner");
  auto found = quotas_->Find(q.id);
  ASSERT_TRUE(IsOk(found));
  ASSERT_TRUE(*found);
  EXPECT_EQ((*found)->project_id, p);
}

TEST_F(QuotaStoreTest, UsageCountsDistinctBlobsAndManifestsOncePerProject) {
  int64_t p = MakeProject("team");
  std::vector<std::string> a = {"cfg-a", "layer-shared-0123456789", "layer-a"};
  auto ma = Image("team/app", a, "a");
  ASSERT_TRUE(IsOk(Push(ma, a)));
  EXPECT_EQ(Used(p), Sum(a) + ma.size);
  // Another artifact in another repository of the project shares a layer: it costs only the rest.
  std::vector<std::string> b = {"cfg-b", "layer-shared-0123456789"};
  auto mb = Image("team/other", b, "b");
  ASSERT_TRUE(IsOk(Push(mb, b)));
  EXPECT_EQ(Used(p), Sum(a) + ma.size + static_cast<int64_t>(std::string("cfg-b").size()) + mb.size);
  // Pushing the same manifest again under another tag costs nothing.
  int64_t before = Used(p);
  ASSERT_TRUE(IsOk(manifests_->Put(ma, std::string("again"))));
  EXPECT_EQ(Used(p), before);
  // Blobs that no manifest references are charged to nobody.
  Blob("team/app", "an-orphan-upload");
  EXPECT_EQ(Used(p), before);
  ExpectNoDrift();
}

TEST_F(QuotaStoreTest, TheSameImageInTwoProjectsCountsInBoth) {
  int64_t p1 = MakeProject("one");
  int64_t p2 = MakeProject("two");
  std::vector<std::string> blobs = {"cfg", "layer"};
  auto m1 = Image("one/app", blobs, "x");
  auto m2 = Image("two/app", blobs, "x");
  ASSERT_TRUE(IsOk(Push(m1, blobs)));
  ASSERT_TRUE(IsOk(Push(m2, blobs)));
  EXPECT_EQ(Used(p1), Sum(blobs) + m1.size);
  EXPECT_EQ(Used(p2), Used(p1));
  ExpectNoDrift();
}

TEST_F(QuotaStoreTest, DeletesReleaseWhatNoOtherArtifactOfTheProjectReferences) {
  int64_t p = MakeProject("team");
  std::vector<std::string> a = {"cfg-a", "shared-layer", "layer-a"};
  std::vector<std::string> b = {"cfg-b", "shared-layer"};
  auto ma = Image("team/app", a, "a");
  auto mb = Image("team/app", b, "b");
  ASSERT_TRUE(IsOk(Push(ma, a, "a")));
  ASSERT_TRUE(IsOk(Push(mb, b, "b")));
  // Deleting a tag leaves the artifact, so nothing is released.
  ASSERT_TRUE(IsOk(manifests_->Untag("team/app", "a")));
  EXPECT_EQ(Used(p), Sum(a) + ma.size + Sum(b) - static_cast<int64_t>(std::string("shared-layer").size()) + mb.size);
  // Deleting artifact a releases its own blobs and manifest, not the shared layer.
  auto del = artifacts_->DeleteArtifact("team/app", ma.digest);
  ASSERT_TRUE(IsOk(del));
  EXPECT_EQ(Used(p), Sum(b) + mb.size);
  ExpectNoDrift();
  // /v2 delete of b then empties the project.
  ASSERT_TRUE(IsOk(manifests_->Delete("team/app", mb.digest)));
  EXPECT_EQ(Used(p), 0);
  // A repository delete releases everything in it.
  ASSERT_TRUE(IsOk(Push(ma, a, "a")));
  ASSERT_TRUE(IsOk(Push(Image("team/two", b, "b"), b, "b")));
  ASSERT_TRUE(IsOk(artifacts_->DeleteRepository("team/app")));
  EXPECT_EQ(Used(p), Sum(b) + Image("team/two", b, "b").size);
  ExpectNoDrift();
}

TEST_F(QuotaStoreTest, AManifestPutOverTheLimitIsRefusedWithHarborsTextAndChargesNothing) {
  std::vector<std::string> small = {"cfg-small", "layer-small"};
  auto ms = Image("tight/app", small, "s");
  int64_t limit = Sum(small) + ms.size + 25;  // each new blob fits alone; blobs plus manifest do not
  int64_t p = MakeProject("tight", limit);
  ASSERT_TRUE(IsOk(Push(ms, small)));
  int64_t used = Used(p);
  std::vector<std::string> big = {"cfg-big", "a-layer-of-some-size"};
  auto mbig = Image("tight/app", big, "big");
  for (const auto& b : big) ASSERT_TRUE(IsOk(blobs_->Commit("tight/app", Sha256Of(b), static_cast<int64_t>(b.size()))));
  auto put = manifests_->Put(mbig, std::string("big"));
  ASSERT_TRUE(IsErr(put, Errc::kDenied));
  EXPECT_EQ(put.error().Message(),
            QuotaExceededMessage(QuotaExceededDetails(Sum(big) + mbig.size, used, limit)));
  EXPECT_EQ(Used(p), used);
  auto absent = manifests_->GetByTag("tight/app", "big");
  ASSERT_TRUE(IsOk(absent));
  EXPECT_FALSE(*absent);
  ExpectNoDrift();
  // Raising the limit lets the same push through.
  ASSERT_TRUE(IsOk(quotas_->SetHard(Quota(p).id, -1)));
  ASSERT_TRUE(IsOk(manifests_->Put(mbig, std::string("big"))));
  EXPECT_EQ(Used(p), used + Sum(big) + mbig.size);
}

TEST_F(QuotaStoreTest, BlobCommitAndMountRefuseOnlyBlobsNewToTheProject) {
  std::vector<std::string> img = {"cfg-1", "layer-1-0123456789"};
  auto m = Image("q/app", img, "one");
  int64_t p = MakeProject("q", Sum(img) + m.size);
  MakeProject("src");
  ASSERT_TRUE(IsOk(Push(m, img)));
  EXPECT_EQ(Used(p), Quota(p).hard);
  // A blob the project already references may be committed again (another repository too).
  EXPECT_TRUE(IsOk(blobs_->Commit("q/other", Sha256Of(img[1]), static_cast<int64_t>(img[1].size()))));
  // A new one does not fit.
  auto refused = blobs_->Commit("q/app", Sha256Of("new"), 3);
  ASSERT_TRUE(IsErr(refused, Errc::kDenied));
  EXPECT_EQ(refused.error().Message(), QuotaExceededMessage(QuotaExceededDetails(3, Sum(img) + m.size, Sum(img) + m.size)));
  auto linked = blobs_->FindInRepository("q/app", Sha256Of("new"));
  ASSERT_TRUE(IsOk(linked));
  EXPECT_FALSE(*linked);
  // Mounts: a new blob is refused, one the project references is fine.
  Blob("src/app", "elsewhere");
  EXPECT_TRUE(IsErr(blobs_->Mount("src/app", "q/app", Sha256Of("elsewhere")), Errc::kDenied));
  Blob("src/app", img[0]);
  auto ok = blobs_->Mount("src/app", "q/third", Sha256Of(img[0]));
  ASSERT_TRUE(IsOk(ok));
  EXPECT_TRUE(*ok);
  EXPECT_EQ(Used(p), Sum(img) + m.size);
  ExpectNoDrift();
}

TEST_F(QuotaStoreTest, CopiesAreChargedAndRefusedLikePushes) {
  int64_t src = MakeProject("src");
  std::vector<std::string> img = {"cfg-c", "layer-c"};
  auto m = Image("src/app", img, "c");
  ASSERT_TRUE(IsOk(Push(m, img)));
  int64_t dst = MakeProject("dst", Sum(img) + m.size - 1);
  auto copy = artifacts_->Copy("src/app", m.digest, "dst/app");
  ASSERT_TRUE(IsErr(copy, Errc::kDenied));
  EXPECT_EQ(Used(dst), 0);
  ASSERT_TRUE(IsOk(quotas_->SetHard(Quota(dst).id, Sum(img) + m.size)));
  ASSERT_TRUE(IsOk(artifacts_->Copy("src/app", m.digest, "dst/app")));
  EXPECT_EQ(Used(dst), Used(src));
  ExpectNoDrift();
}

TEST_F(QuotaStoreTest, WarningFiresOncePerCrossingAndExceedOnEveryRefusal) {
  std::vector<std::vector<std::string>> images;
  std::vector<ManifestRecord> ms;
  for (int i = 0; i < 4; ++i) {
    images.push_back({"cfg-" + std::to_string(i), std::string(200, static_cast<char>('a' + i))});
    ms.push_back(Image("w/app", images.back(), "i" + std::to_string(i)));
  }
  int64_t one = Sum(images[0]) + ms[0].size;  // every image costs about the same
  int64_t limit = one * 3 + one / 2;          // three fit (~86%), the fourth does not
  int64_t p = MakeProject("w", limit);
  EventContext ev{"alice", "req-1", true, true, true};
  ASSERT_TRUE(IsOk(Push(ms[0], images[0], "t0", &ev)));
  ASSERT_TRUE(IsOk(Push(ms[1], images[1], "t1", &ev)));
  EXPECT_TRUE(EventPayloads("QUOTA_WARNING").empty());
  ASSERT_TRUE(IsOk(Push(ms[2], images[2], "t2", &ev)));  // crosses 85%
  ASSERT_TRUE(QuotaAtWarning(Used(p), limit)) << Used(p) << " of " << limit;
  auto warnings = EventPayloads("QUOTA_WARNING");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(QuotaWarningDetails(Used(p), limit)), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(ms[2].digest.str()), std::string::npos);
  EXPECT_NE(warnings[0].find("\"tag\":\"t2\""), std::string::npos);
  // Staying above: more successful writes do not warn again.
  ASSERT_TRUE(IsOk(manifests_->Put(ms[2], std::string("t2b"), &ev)));
  EXPECT_EQ(EventPayloads("QUOTA_WARNING").size(), 1u);
  // Two refusals, two QUOTA_EXCEED events; nothing of the refused pushes is committed.
  int64_t used = Used(p);
  for (const auto& b : images[3]) ASSERT_TRUE(IsOk(blobs_->Commit("w/app", Sha256Of(b), static_cast<int64_t>(b.size()))));
  EXPECT_TRUE(IsErr(manifests_->Put(ms[3], std::string("t3"), &ev), Errc::kDenied));
  EXPECT_TRUE(IsErr(manifests_->Put(ms[3], std::string("t3"), &ev), Errc::kDenied));
  auto exceeded = EventPayloads("QUOTA_EXCEED");
  ASSERT_EQ(exceeded.size(), 2u);
  EXPECT_NE(exceeded[0].find(QuotaExceededDetails(Sum(images[3]) + ms[3].size, used, limit)), std::string::npos);
  EXPECT_NE(exceeded[0].find("\"operator\":\"alice\""), std::string::npos);
  EXPECT_EQ(Used(p), used);
  EXPECT_EQ(EventPayloads("PUSH_ARTIFACT").size(), 4u);  // t0, t1, t2, t2b: none for the refusals
  // Falling below and crossing again warns again.
  ASSERT_TRUE(IsOk(artifacts_->DeleteArtifact("w/app", ms[2].digest, &ev)));
  ASSERT_TRUE(IsOk(Push(ms[2], images[2], "t2", &ev)));
  EXPECT_EQ(EventPayloads("QUOTA_WARNING").size(), 2u);
  // Without the flags nothing is recorded, but refusals still hold.
  EventContext artifact_only{"bob", "", true, false, false};
  EXPECT_TRUE(IsErr(manifests_->Put(ms[3], std::string("t3"), &artifact_only), Errc::kDenied));
  EXPECT_EQ(EventPayloads("QUOTA_EXCEED").size(), 2u);
  // Blob refusals record QUOTA_EXCEED too, without resources.
  EXPECT_TRUE(IsErr(blobs_->Commit("w/app", Sha256Of(std::string(one, 'z')), one, &ev), Errc::kDenied));
  exceeded = EventPayloads("QUOTA_EXCEED");
  ASSERT_EQ(exceeded.size(), 3u);
  EXPECT_NE(exceeded[2].find("\"digest\":\"\""), std::string::npos) << exceeded[2];
  ExpectNoDrift();
}

TEST_F(QuotaStoreTest, LoweringTheLimitBelowUsageRefusesGrowthButNotDeletes) {
  int64_t p = MakeProject("low");
  std::vector<std::string> a = {"cfg-a", "layer-a"}, b = {"cfg-b", "layer-b"};
  auto ma = Image("low/app", a, "a"), mb = Image("low/app", b, "b");
  ASSERT_TRUE(IsOk(Push(ma, a, "a")));
  ASSERT_TRUE(IsOk(quotas_->SetHard(Quota(p).id, 1)));
  EXPECT_TRUE(IsErr(Push(mb, b, "b"), Errc::kDenied));  // the first new blob is refused
  EXPECT_TRUE(IsOk(manifests_->Put(ma, std::string("retag"))));  // adds nothing
  ASSERT_TRUE(IsOk(manifests_->Delete("low/app", ma.digest)));
  EXPECT_EQ(Used(p), 0);
  ExpectNoDrift();
}

TEST_F(QuotaStoreTest, AProjectUpdateNeverChangesTheLimit) {
  int64_t p = MakeProject("upd", 100);
  auto rec = projects_->FindById(p);
  ASSERT_TRUE(IsOk(rec));
  ASSERT_TRUE(*rec);
  ASSERT_TRUE(IsOk(quotas_->SetHard(Quota(p).id, 200)));  // meanwhile, an admin raises the limit
  ProjectRecord stale = **rec;
  stale.is_public = true;
  ASSERT_TRUE(IsOk(projects_->Update(stale)));
  EXPECT_EQ(Quota(p).hard, 200);
}

TEST_F(QuotaStoreTest, RepositoriesPushedBeforeTheirProjectJoinItsUsage) {
  std::vector<std::string> img = {"cfg-early", "layer-early"};
  auto m = Image("early/app", img, "e");
  ASSERT_TRUE(IsOk(Push(m, img)));
  int64_t p = MakeProject("early");
  EXPECT_EQ(Used(p), Sum(img) + m.size);
  ExpectNoDrift();
}

// Migration 0010 on a database that already holds artifacts (a Berth upgraded to quotas): every
// project gets its quota, charged with what its manifests reference.
TEST_F(QuotaStoreTest, TheMigrationChargesExistingData) {
  int64_t p = MakeProject("old", 123456);
  std::vector<std::string> a = {"cfg-a", "shared", "layer-a"}, b = {"cfg-b", "shared"};
  auto ma = Image("old/app", a, "a"), mb = Image("old/two", b, "b");
  ASSERT_TRUE(IsOk(Push(ma, a)));
  ASSERT_TRUE(IsOk(Push(mb, b)));
  int64_t want = Used(p);
  ASSERT_GT(want, 0);
  // Undo 0010 behind the store's back, as if the database predated it, then open it again.
  blobs_.reset();
  manifests_.reset();
  artifacts_.reset();
  projects_.reset();
  users_.reset();
  quotas_.reset();
  db_.reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "DROP TRIGGER repositories_join_project; DROP TRIGGER projects_create_quota; "
                         "DROP TABLE quotas; DROP TABLE project_blobs; DROP VIEW project_usage; "
                         "DELETE FROM schema_migrations WHERE version = 10;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(raw);
  sqlite3_close(raw);
  auto db = sqlite::Db::Open(path_, false);
  ASSERT_TRUE(IsOk(db));
  db_ = std::move(*db);
  quotas_ = std::make_unique<sqlite::SqliteQuotaStore>(*db_);
  manifests_ = std::make_unique<sqlite::SqliteManifestStore>(*db_);
  artifacts_ = std::make_unique<sqlite::SqliteArtifactStore>(*db_);
  QuotaRecord q = Quota(p);
  EXPECT_EQ(q.used, want);
  EXPECT_EQ(q.hard, 123456);
  ExpectNoDrift();
  // The reference counts came back too: deleting one artifact releases only what is its own.
  ASSERT_TRUE(IsOk(artifacts_->DeleteArtifact("old/app", ma.digest)));
  EXPECT_EQ(Used(p), Sum(b) + mb.size);
  ExpectNoDrift();
}

TEST_F(QuotaStoreTest, ListsSortsAndFilters) {
  int64_t a = MakeProject("a", 100), b = MakeProject("b", 50), c = MakeProject("c", -1);
  auto all = quotas_->List(QuotaFilter{}, Paging{0, 10});
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->total, 3);
  QuotaFilter by_hard;
  by_hard.sort = "-hard.storage";
  auto sorted = quotas_->List(by_hard, Paging{0, 10});
  ASSERT_TRUE(IsOk(sorted));
  ASSERT_EQ(sorted->items.size(), 3u);
  EXPECT_EQ(sorted->items[0].project_id, a);
  EXPECT_EQ(sorted->items[1].project_id, b);
  EXPECT_EQ(sorted->items[2].project_id, c);
  QuotaFilter one;
  one.project_id = b;
  auto filtered = quotas_->List(one, Paging{0, 10});
  ASSERT_TRUE(IsOk(filtered));
  ASSERT_EQ(filtered->total, 1);
  EXPECT_EQ(filtered->items[0].hard, 50);
  QuotaFilter bad;
  bad.sort = "size";
  EXPECT_TRUE(IsErr(quotas_->List(bad, Paging{0, 10}), Errc::kBadRequest));
}

// 20 writers push distinct images into one project at once; the limit fits 7 of them. Exactly as
// many pushes succeed as fit, usage never passes the limit, and it equals the recomputation.
TEST_F(QuotaStoreTest, ConcurrentPushersNeverOvershoot) {
  constexpr int kWriters = 20;
  std::vector<std::vector<std::string>> images;
  std::vector<ManifestRecord> ms;
  for (int i = 0; i < kWriters; ++i) {
    std::string tag = (i < 10 ? "0" : "") + std::to_string(i);
    images.push_back({"cfg-" + tag, std::string(4096, static_cast<char>('A' + i))});
    ms.push_back(Image("busy/app", images.back(), "img" + tag));
  }
  int64_t cost = Sum(images[0]) + ms[0].size;
  for (int i = 0; i < kWriters; ++i) ASSERT_EQ(Sum(images[i]) + ms[i].size, cost);
  int64_t limit = cost * 7 + cost / 2;
  int64_t p = MakeProject("busy", limit);
  std::atomic<int> ok{0}, denied{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      // Blob commits check without charging, so all of them may pass; the manifest decides.
      for (const auto& b : images[i])
        if (auto r = blobs_->Commit("busy/app", Sha256Of(b), static_cast<int64_t>(b.size())); !r) {
          (r.error().code == Errc::kDenied ? denied : other)++;
          return;
        }
      auto put = manifests_->Put(ms[i], "t" + std::to_string(i));
      if (put) ok++;
      else (put.error().code == Errc::kDenied ? denied : other)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok.load(), 7);
  EXPECT_EQ(denied.load(), kWriters - 7);
  EXPECT_LE(Used(p), limit);
  EXPECT_EQ(Used(p), cost * 7);
  ExpectNoDrift();
}

}  // namespace
}  // namespace berth::store
