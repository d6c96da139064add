// PullRecorder over a real SQLite artifact store: pulls are batched, written at most once per
// interval, and never lost at a clean shutdown.
#include <gtest/gtest.h>

#include <memory>

#include "registry/pull_recorder.h"
#include "store/sqlite/artifact_stores.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth::registry {
namespace {

class PullRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*store::sqlite::Db::Open(dir_.Sub("pulls.db"), false));
    artifacts_ = std::make_unique<store::sqlite::SqliteArtifactStore>(*db_);
    store::sqlite::SqliteBlobIndex blobs(*db_);
    store::sqlite::SqliteManifestStore manifests(*db_);
    std::string cfg = "config";
    ASSERT_TRUE(blobs.Commit("p/app", Sha256Of(cfg), static_cast<int64_t>(cfg.size())));
    store::ManifestRecord m;
    m.repository = "p/app";
    m.content = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{}}";
    m.digest = Sha256Of(m.content);
    m.media_type = "application/vnd.oci.image.manifest.v1+json";
    m.size = static_cast<int64_t>(m.content.size());
    m.blobs = {store::BlobRef{Sha256Of(cfg), static_cast<int64_t>(cfg.size())}};
    ASSERT_TRUE(manifests.Put(m, std::string("v1")));
    digest_ = m.digest;
  }

  int64_t PullCount() { return (*artifacts_->FindRepository("p/app"))->pull_count; }
  int64_t PulledAt() { return (*artifacts_->FindByDigest("p/app", digest_))->pulled_at; }

  unit::TempDir dir_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<store::sqlite::SqliteArtifactStore> artifacts_;
  Digest digest_;
};

TEST_F(PullRecorderTest, FirstPullIsWrittenThenBatchedUntilTheIntervalOrShutdown) {
  {
    PullRecorder rec(*artifacts_, PullRecorder::Options{std::chrono::seconds(3600), 10000});
    rec.Record("p/app", digest_, "v1");  // nothing written for an hour before: written now
    EXPECT_EQ(PullCount(), 1);
    EXPECT_GT(PulledAt(), 0);
    rec.Record("p/app", digest_, "v1");
    rec.Record("p/app", digest_, "");
    EXPECT_EQ(PullCount(), 1);  // within the interval: pending
    rec.Flush();
    EXPECT_EQ(PullCount(), 3);
    rec.Record("p/app", digest_, "v1");
    rec.Record("p/gone", digest_, "");  // unknown repositories are skipped, not an error
  }  // destruction writes what is pending
  EXPECT_EQ(PullCount(), 4);
}

TEST_F(PullRecorderTest, ManyDistinctPullsFlushEarly) {
  PullRecorder rec(*artifacts_, PullRecorder::Options{std::chrono::seconds(3600), 3});
  rec.Record("p/app", digest_, "v1");  // first: written
  rec.Record("p/app", digest_, "a");
  rec.Record("p/app", digest_, "b");
  EXPECT_EQ(PullCount(), 1);
  rec.Record("p/app", digest_, "c");  // the third pending entry triggers a write
  EXPECT_EQ(PullCount(), 4);
}

}  // namespace
}  // namespace berth::registry
