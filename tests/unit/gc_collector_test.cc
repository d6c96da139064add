// Garbage collection against the SQLite store and the filesystem driver: candidate selection, the
// grace window, untagged deletion rules, dry run == real run, a manifest commit racing sweeps,
// fsck, and the cron parser.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <sstream>
#include <thread>

#include "base/clock.h"
#include "blob/filesystem/fs_driver.h"
#include "gc/collector.h"
#include "gc/cron.h"
#include "gc/fsck.h"
#include "store/sqlite/gc_store.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth {
namespace {

using unit::IsErr;
using unit::IsOk;

Digest DigestOf(const std::string& s) {
  Hasher h;
  h.Update(s);
  return h.Peek();
}

class GcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*store::sqlite::Db::Open(dir_.Sub("berth.db"), false));
    driver_ = std::move(*blob::FsDriver::Open(dir_.path(), false));
    blobs_ = std::make_unique<store::sqlite::SqliteBlobIndex>(*db_);
    manifests_ = std::make_unique<store::sqlite::SqliteManifestStore>(*db_);
    gc_ = std::make_unique<store::sqlite::SqliteGcStore>(*db_);
  }

  // A blob with content `s`, uploaded into `repo` (file, then row) — as UploadService does.
  Digest Upload(const std::string& repo, const std::string& s) {
    static std::atomic<int> n{0};
    std::string id = "up-" + std::to_string(n++);
    EXPECT_TRUE(IsOk(driver_->CreateUpload(id)));
    auto w = driver_->OpenUpload(id);
    EXPECT_TRUE(IsOk((*w)->Append(s.data(), s.size())));
    w->reset();
    Digest d = DigestOf(s);
    std::lock_guard lock(blob::DigestLocks::Process().For(d));
    EXPECT_TRUE(IsOk(driver_->CommitUpload(id, d)));
    EXPECT_TRUE(IsOk(blobs_->Commit(repo, d, static_cast<int64_t>(s.size()))));
    return d;
  }

  Result<void> Put(const std::string& repo, const std::string& content, std::vector<std::pair<Digest, int64_t>> refs,
                   std::optional<std::string> tag, std::vector<Digest> children = {},
                   std::optional<Digest> subject = std::nullopt, int64_t pushed_at = 0) {
    store::ManifestRecord m;
    m.repository = repo;
    m.digest = DigestOf(content);
    m.media_type = "application/vnd.oci.image.manifest.v1+json";
    m.size = static_cast<int64_t>(content.size());
    m.content = content;
    for (auto& [d, size] : refs) m.blobs.push_back({d, size});
    m.children = std::move(children);
    m.subject = subject;
    m.pushed_at = pushed_at ? pushed_at : NowUnixSeconds() - 100;
    return manifests_->Put(m, tag);
  }

  gc::Collector MakeCollector(int64_t grace) {
    gc::CollectorOptions opt;
    opt.root = dir_.path();
    opt.grace_seconds = grace;
    opt.batch_size = 2;  // several batches even in small tests
    return gc::Collector(*gc_, *driver_, blob::DigestLocks::Process(), opt);
  }

  store::GcRunRecord RunGc(int64_t grace, gc::GcParams p = {}) {
    auto id = gc_->CreateRun("MANUAL", "Manual", "", gc::ParamsJson(p));
    EXPECT_TRUE(IsOk(id));
    auto c = MakeCollector(grace);
    EXPECT_TRUE(IsOk(c.Run(*id, [] { return false; })));
    return **gc_->GetRun(*id);
  }

  bool HasFile(const Digest& d) { return driver_->Stat(d)->has_value(); }
  bool HasRow(const Digest& d) { return *gc_->BlobRowExists(d); }
  static void AgeOneSecond() { std::this_thread::sleep_for(std::chrono::milliseconds(1100)); }

  unit::TempDir dir_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<blob::FsDriver> driver_;
  std::unique_ptr<store::sqlite::SqliteBlobIndex> blobs_;
  std::unique_ptr<store::sqlite::SqliteManifestStore> manifests_;
  std::unique_ptr<store::sqlite::SqliteGcStore> gc_;
};

TEST_F(GcTest, CollectsOnlyUnreferencedBlobsOutsideTheGraceWindow) {
  Digest kept = Upload("p/a", "layer-kept");
  Digest loose = Upload("p/a", "layer-loose");
  ASSERT_TRUE(IsOk(Put("p/a", "m1", {{kept, 10}}, "v1")));
  AgeOneSecond();
  auto r = RunGc(3600);  // everything is younger than an hour
  EXPECT_EQ(r.status, "Success");
  EXPECT_EQ(r.done.blobs, 0);
  EXPECT_TRUE(HasFile(loose));
  r = RunGc(0);
  EXPECT_EQ(r.done.blobs, 1);
  EXPECT_EQ(r.done.bytes, 11);
  EXPECT_FALSE(HasRow(loose));
  EXPECT_FALSE(HasFile(loose));
  EXPECT_TRUE(HasRow(kept));
  EXPECT_TRUE(HasFile(kept));
  auto log = gc_->Log(r.id);
  EXPECT_NE(log->find("delete blob " + loose.str()), std::string::npos) << *log;
}

// A batch stops taking items once its hold time has passed (pushes wait for the same writer), but
// always makes progress: with no time at all, each call deletes exactly one item.
TEST_F(GcTest, ABatchPastItsHoldTimeStopsAfterOneItemAndTheSweepCarriesOn) {
  std::vector<Digest> loose;
  for (int i = 0; i < 5; ++i) loose.push_back(Upload("p/a", "loose-" + std::to_string(i)));
  ASSERT_TRUE(IsOk(Put("p/a", "u1", {}, std::nullopt)));
  ASSERT_TRUE(IsOk(Put("p/a", "u2", {}, std::nullopt)));
  AgeOneSecond();
  auto id = gc_->CreateRun("MANUAL", "Manual", "", "{}");
  ASSERT_TRUE(IsOk(id));
  const store::GcStore::BatchLimit none{500, std::chrono::milliseconds(0)};
  int64_t cutoff = NowUnixSeconds();
  auto m = gc_->DeleteUntagged(*id, cutoff, none);
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->size(), 1u);
  std::string after;
  size_t swept = 0, calls = 0;
  for (;; ++calls) {
    auto b = gc_->SweepBlobs(*id, cutoff, after, none);
    ASSERT_TRUE(IsOk(b));
    if (b->empty()) break;
    EXPECT_EQ(b->size(), 1u);
    swept += b->size();
    after = b->back().digest.str();
  }
  EXPECT_EQ(swept, loose.size());
  EXPECT_EQ(calls, loose.size());
  for (const auto& d : loose) EXPECT_FALSE(HasRow(d));
  // A generous hold takes the whole row limit in one transaction.
  auto rest = gc_->DeleteUntagged(*id, cutoff, {500, std::chrono::seconds(60)});
  ASSERT_TRUE(IsOk(rest));
  EXPECT_EQ(rest->size(), 1u);
}

TEST_F(GcTest, UntaggedDeletionSparesTaggedChildrenOfIndexesAndTakesAccessoriesAlong) {
  Digest l1 = Upload("p/a", "l1"), l2 = Upload("p/a", "l2"), l3 = Upload("p/a", "l3");
  ASSERT_TRUE(IsOk(Put("p/a", "tagged", {{l1, 2}}, "v1")));
  ASSERT_TRUE(IsOk(Put("p/a", "untagged", {{l2, 2}}, std::nullopt)));
  ASSERT_TRUE(IsOk(Put("p/a", "signature", {{l3, 2}}, std::nullopt, {}, DigestOf("untagged"))));
  ASSERT_TRUE(IsOk(Put("p/a", "child", {{l1, 2}}, std::nullopt)));
  ASSERT_TRUE(IsOk(Put("p/a", "index", {}, std::nullopt, {DigestOf("child")})));
  ASSERT_TRUE(IsOk(Put("p/a", "child2", {{l1, 2}}, std::nullopt)));
  ASSERT_TRUE(IsOk(Put("p/a", "index2", {}, "multi", {DigestOf("child2")})));
  ASSERT_TRUE(IsOk(Put("p/a", "fresh", {{l1, 2}}, std::nullopt, {}, std::nullopt, NowUnixSeconds() + 5)));
  AgeOneSecond();
  gc::GcParams p;
  p.delete_untagged = true;
  auto r = RunGc(0, p);
  // untagged + its signature, index + its child; the tagged index's child and the fresh one stay.
  EXPECT_EQ(r.done.manifests, 4);
  auto gone = [&](const char* c) { return !manifests_->GetByDigest("p/a", DigestOf(c))->has_value(); };
  EXPECT_TRUE(gone("untagged"));
  EXPECT_TRUE(gone("signature"));
  EXPECT_TRUE(gone("index"));
  EXPECT_TRUE(gone("child"));
  EXPECT_FALSE(gone("tagged"));
  EXPECT_FALSE(gone("child2"));
  EXPECT_FALSE(gone("index2"));
  EXPECT_FALSE(gone("fresh"));
  EXPECT_EQ(r.done.blobs, 2);  // l2, l3
  EXPECT_FALSE(HasFile(l2));
  EXPECT_FALSE(HasFile(l3));
  EXPECT_TRUE(HasFile(l1));
}

TEST_F(GcTest, DryRunReportsWhatTheRealRunThenFrees) {
  Digest a = Upload("p/a", "aaaa"), b = Upload("p/a", "bbbbbb");
  Upload("p/a", "cc");
  ASSERT_TRUE(IsOk(Put("p/a", "m-a", {{a, 4}}, "v1")));
  ASSERT_TRUE(IsOk(Put("p/a", "m-b", {{b, 6}}, std::nullopt)));
  AgeOneSecond();
  gc::GcParams p;
  p.delete_untagged = true;
  p.dry_run = true;
  auto dry = RunGc(0, p);
  EXPECT_EQ(dry.done.manifests, 1);
  EXPECT_EQ(dry.done.blobs, 2);
  EXPECT_EQ(dry.done.bytes, 8);
  EXPECT_TRUE(HasFile(b));  // nothing freed
  EXPECT_TRUE(manifests_->GetByDigest("p/a", DigestOf("m-b"))->has_value());
  p.dry_run = false;
  auto real = RunGc(0, p);
  EXPECT_EQ(real.done.manifests, dry.done.manifests);
  EXPECT_EQ(real.done.blobs, dry.done.blobs);
  EXPECT_EQ(real.done.bytes, dry.done.bytes);
  EXPECT_FALSE(HasFile(b));
}

// The dry run plans on a private snapshot: it must finish while another transaction holds the one
// writer for the whole time (before, it ran inside Db::Write and so blocked every push), leave the
// store untouched, and commit nothing (generation() counts only the other writer's commit).
TEST_F(GcTest, DryRunPlanNeverTakesTheWriter) {
  Digest a = Upload("p/a", "aaaa"), b = Upload("p/a", "bbbbbb");
  Upload("p/a", "cc");
  ASSERT_TRUE(IsOk(Put("p/a", "m-a", {{a, 4}}, "v1")));
  ASSERT_TRUE(IsOk(Put("p/a", "m-b", {{b, 6}}, std::nullopt)));
  AgeOneSecond();
  std::promise<void> holding, planned;
  auto planned_f = planned.get_future();
  uint64_t gen = db_->generation();
  std::thread writer([&] {
    auto r = db_->Write([&](store::sqlite::Conn& c) -> Result<void> {
      c.Exec("UPDATE gc_runs SET updated_ms = updated_ms WHERE 0");
      holding.set_value();
      planned_f.wait_for(std::chrono::seconds(30));
      return {};
    });
    EXPECT_TRUE(IsOk(r));
  });
  holding.get_future().wait();
  auto fut = std::async(std::launch::async, [&] { return gc_->Plan(NowUnixSeconds(), true); });
  bool finished_while_writer_held = fut.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  planned.set_value();
  writer.join();
  EXPECT_TRUE(finished_while_writer_held);
  auto plan = fut.get();
  ASSERT_TRUE(IsOk(plan));
  ASSERT_EQ(plan->manifests.size(), 1u);
  EXPECT_EQ(plan->manifests[0].digest, DigestOf("m-b").str());
  EXPECT_EQ(plan->blobs.size(), 2u);  // b (freed with m-b) and the never-referenced cc
  EXPECT_EQ(db_->generation(), gen + 1);  // the other writer's commit only
  EXPECT_TRUE(HasRow(b));
  EXPECT_TRUE(manifests_->GetByDigest("p/a", DigestOf("m-b"))->has_value());
  // And a second plan sees the same store.
  auto again = gc_->Plan(NowUnixSeconds(), true);
  ASSERT_TRUE(IsOk(again));
  EXPECT_EQ(again->blobs.size(), 2u);
}

TEST_F(GcTest, OrphanFilesAndStaleUploadFilesGo) {
  Digest d = DigestOf("orphan");
  ASSERT_TRUE(IsOk(driver_->CreateUpload("orph")));
  auto w = driver_->OpenUpload("orph");
  ASSERT_TRUE(IsOk((*w)->Append("orphan", 6)));
  w->reset();
  ASSERT_TRUE(IsOk(driver_->CommitUpload("orph", d)));  // a file, no row (a crash before the row)
  AgeOneSecond();
  auto r = RunGc(0);
  EXPECT_EQ(r.done.orphans, 1);
  EXPECT_EQ(r.done.bytes, 6);
  EXPECT_FALSE(HasFile(d));
}

TEST_F(GcTest, ARunIsExclusiveAndCanBeStopped) {
  auto first = gc_->CreateRun("MANUAL", "Manual", "", "{}");
  ASSERT_TRUE(IsOk(first));
  EXPECT_TRUE(IsErr(gc_->CreateRun("SCHEDULE", "Hourly", "0 0 * * * *", "{}"), Errc::kConflict));
  EXPECT_TRUE(*gc_->RequestStop(*first));
  EXPECT_EQ((*gc_->GetRun(*first))->status, "Stopped");
  EXPECT_TRUE(IsOk(gc_->CreateRun("MANUAL", "Manual", "", "{}")));
}

// A manifest commit racing sweeps (grace 0): a commit either fails with MANIFEST_BLOB_UNKNOWN or
// leaves every blob it references with its row and file.
TEST_F(GcTest, ManifestCommitsRacingSweepsNeverLoseAReferencedBlob) {
  std::atomic<bool> done{false};
  std::atomic<int> committed{0}, refused{0};
  std::thread collector([&] {
    auto c = MakeCollector(0);
    while (!done) {
      auto id = gc_->CreateRun("MANUAL", "Manual", "", "{}");
      if (id) (void)c.Run(*id, [] { return false; });
    }
  });
  std::vector<std::thread> pushers;
  for (int t = 0; t < 3; ++t) {
    pushers.emplace_back([&, t] {
      for (int i = 0; i < 6; ++i) {
        std::string shared = "shared-layer-" + std::to_string(i % 2);
        Digest s = Upload("p/r" + std::to_string(t), shared);
        std::string own_content = "own-" + std::to_string(t) + "-" + std::to_string(i);
        Digest own = Upload("p/r" + std::to_string(t), own_content);
        std::this_thread::sleep_for(std::chrono::milliseconds(300 * (i % 5)));  // sometimes past the cutoff
        std::string content = "manifest-" + std::to_string(t) + "-" + std::to_string(i);
        auto put = Put("p/r" + std::to_string(t), content,
                       {{s, static_cast<int64_t>(shared.size())},
                        {own, static_cast<int64_t>(own_content.size())}},
                       "t" + std::to_string(i));
        if (!put) {
          EXPECT_EQ(put.error().code, Errc::kManifestBlobUnknown) << put.error().Message();
          refused++;
          continue;
        }
        committed++;
        EXPECT_TRUE(HasFile(s) && HasRow(s)) << s.str();
        EXPECT_TRUE(HasFile(own) && HasRow(own)) << own.str();
      }
    });
  }
  for (auto& p : pushers) p.join();
  done = true;
  collector.join();
  EXPECT_GT(committed.load(), 0);
  std::ostringstream out;
  gc::FsckOptions fo;
  fo.root = dir_.path();
  fo.grace_seconds = 0;
  auto rep = gc::Fsck(*gc_, *driver_, fo, out);
  // Blobs of refused commits may still be waiting for the next sweep; nothing referenced is lost.
  EXPECT_EQ(rep.problems, 0) << out.str();
}

TEST_F(GcTest, FsckFindsAndRepairsWhatIsSafe) {
  Digest a = Upload("p/a", "aaaa"), b = Upload("p/a", "bbbb");
  ASSERT_TRUE(IsOk(Put("p/a", "m", {{a, 4}}, "v1")));
  ASSERT_TRUE(IsOk(driver_->Delete(b)));  // an unreferenced row without its file
  std::ostringstream out;
  gc::FsckOptions fo;
  fo.root = dir_.path();
  EXPECT_EQ(gc::Fsck(*gc_, *driver_, fo, out).problems, 1) << out.str();
  fo.repair = true;
  EXPECT_EQ(gc::Fsck(*gc_, *driver_, fo, out).repaired, 1) << out.str();
  fo.repair = false;
  EXPECT_EQ(gc::Fsck(*gc_, *driver_, fo, out).problems, 0) << out.str();
  ASSERT_TRUE(IsOk(driver_->Delete(a)));  // a referenced blob lost: reported, never "repaired"
  fo.repair = true;
  auto rep = gc::Fsck(*gc_, *driver_, fo, out);
  EXPECT_EQ(rep.problems, 1);
  EXPECT_EQ(rep.repaired, 0);
}

TEST(GcCron, ParsesHarborSchedulesAndFindsTheNextTime) {
  auto hourly = gc::Cron::Parse("0 0 * * * *");
  ASSERT_TRUE(IsOk(hourly));
  EXPECT_EQ(*hourly->Next(1700000000), 1700002800);  // 2023-11-14 22:13:20 → 23:00:00
  auto every2 = gc::Cron::Parse("*/2 * * * * *");
  ASSERT_TRUE(IsOk(every2));
  EXPECT_EQ(*every2->Next(1700000001), 1700000002);
  EXPECT_TRUE(every2->Matches(1700000000));
  EXPECT_FALSE(every2->Matches(1700000001));
  auto weekly = gc::Cron::Parse("0 0 0 * * 0");
  ASSERT_TRUE(IsOk(weekly));
  EXPECT_EQ(*weekly->Next(1700000000), 1700352000);  // Sunday 2023-11-19 00:00
  EXPECT_TRUE(IsErr(gc::Cron::Parse("0 0 25 * * *"), Errc::kBadRequest));
  EXPECT_TRUE(IsErr(gc::Cron::Parse("bogus"), Errc::kBadRequest));
  EXPECT_TRUE(IsOk(gc::Cron::Parse("0 5 * * 1-5")));  // five fields: second 0
}

TEST(GcParams, ValidatesWorkers) {
  EXPECT_TRUE(IsErr(gc::ParseParams(R"({"workers": 11})"), Errc::kBadRequest));
  EXPECT_TRUE(IsErr(gc::ParseParams(R"({"dry_run": "yes"})"), Errc::kBadRequest));
  auto p = gc::ParseParams(R"({"delete_untagged": true, "workers": 3})");
  ASSERT_TRUE(IsOk(p));
  EXPECT_TRUE(p->delete_untagged);
  EXPECT_EQ(p->workers, 3);
}

}  // namespace
}  // namespace berth
