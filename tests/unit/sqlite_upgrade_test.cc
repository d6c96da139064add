// Migrations that fill new columns from rows already stored (a Berth upgraded in place): a
// database is written by the current stores, taken back to the schema before the migration behind
// the stores' back, and opened again; what the stores read must be what they read before.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/artifact_stores.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth::store {
namespace {

using unit::IsOk;

constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";

class SqliteUpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Sub("upgrade.db");
    Open();
    UserRecord u;
    u.username = "owner";
    u.password_hash = "$argon2id$fake";
    int64_t owner = users_->Create(u).value_or(0);
    ProjectRecord p;
    p.name = "team";
    p.owner_id = owner;
    ASSERT_TRUE(IsOk(projects_->Create(p)));
  }

  void Open() {
    auto db = sqlite::Db::Open(path_, false);
    ASSERT_TRUE(IsOk(db));
    db_ = std::move(*db);
    blobs_ = std::make_unique<sqlite::SqliteBlobIndex>(*db_);
    manifests_ = std::make_unique<sqlite::SqliteManifestStore>(*db_);
    artifacts_ = std::make_unique<sqlite::SqliteArtifactStore>(*db_);
    users_ = std::make_unique<sqlite::SqliteUserStore>(*db_);
    projects_ = std::make_unique<sqlite::SqliteProjectStore>(*db_);
  }

  void Close() {
    blobs_.reset();
    manifests_.reset();
    artifacts_.reset();
    users_.reset();
    projects_.reset();
    db_.reset();
  }

  void Exec(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(raw);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
  }

  // An image of one config (of `config_type`) and `layers`, blobs committed, tagged `tag`.
  ManifestRecord PushImage(const std::string& name, const std::string& config_type,
                           const std::vector<std::string>& layers, const std::string& tag) {
    std::string cfg = name + "-config";
    ManifestRecord r;
    r.repository = "team/app";
    std::string entries;
    for (const auto& l : layers) {
      EXPECT_TRUE(IsOk(blobs_->Commit(r.repository, Sha256Of(l), static_cast<int64_t>(l.size()))));
      entries += std::string(entries.empty() ? "" : ",") + "{\"mediaType\":\"application/octet-stream\",\"digest\":\"" +
                 Sha256Of(l).str() + "\",\"size\":" + std::to_string(l.size()) + "}";
      r.blobs.push_back(BlobRef{Sha256Of(l), static_cast<int64_t>(l.size())});
    }
    EXPECT_TRUE(IsOk(blobs_->Commit(r.repository, Sha256Of(cfg), static_cast<int64_t>(cfg.size()))));
    r.blobs.insert(r.blobs.begin(), BlobRef{Sha256Of(cfg), static_cast<int64_t>(cfg.size())});
    r.content = std::string("{\"schemaVersion\":2,\"mediaType\":\"") + kOciManifest + "\",\"config\":{\"mediaType\":\"" +
                config_type + "\",\"digest\":\"" + Sha256Of(cfg).str() + "\",\"size\":" + std::to_string(cfg.size()) +
                "},\"layers\":[" + entries + "]}";
    r.digest = Sha256Of(r.content);
    r.media_type = kOciManifest;
    r.size = static_cast<int64_t>(r.content.size());
    EXPECT_TRUE(IsOk(manifests_->Put(r, tag)));
    return r;
  }

  ManifestRecord PushIndex(const std::vector<ManifestRecord>& children, const std::string& tag) {
    ManifestRecord r;
    r.repository = "team/app";
    std::string entries;
    for (const auto& c : children) {
      entries += std::string(entries.empty() ? "" : ",") + "{\"mediaType\":\"" + kOciManifest + "\",\"digest\":\"" +
                 c.digest.str() + "\",\"size\":" + std::to_string(c.size) + "}";
      r.children.push_back(c.digest);
    }
    r.content = std::string("{\"schemaVersion\":2,\"mediaType\":\"") + kOciIndex + "\",\"manifests\":[" + entries + "]}";
    r.digest = Sha256Of(r.content);
    r.media_type = kOciIndex;
    r.size = static_cast<int64_t>(r.content.size());
    EXPECT_TRUE(IsOk(manifests_->Put(r, tag)));
    return r;
  }

  struct Row {
    std::string digest, media_type, config_digest;
    int64_t size;
    bool operator==(const Row&) const = default;
  };
  std::vector<Row> Listed(const std::vector<std::string>& media_types = {}) {
    ArtifactFilter f;
    f.all = true;
    f.media_types = media_types;
    auto l = artifacts_->ListArtifacts("team/app", f, Paging{0, 100});
    EXPECT_TRUE(IsOk(l));
    std::vector<Row> out;
    if (l)
      for (const auto& a : l->items) out.push_back(Row{a.digest.str(), a.media_type, a.config_digest, a.size});
    return out;
  }

  unit::TempDir dir_;
  std::string path_;
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::SqliteBlobIndex> blobs_;
  std::unique_ptr<sqlite::SqliteManifestStore> manifests_;
  std::unique_ptr<sqlite::SqliteArtifactStore> artifacts_;
  std::unique_ptr<sqlite::SqliteUserStore> users_;
  std::unique_ptr<sqlite::SqliteProjectStore> projects_;
};

// Migration 0013 stores each manifest's blob bytes, config media type and config digest: an upgraded database
// lists the same sizes and types, and filters by type the same way, as one written after it.
TEST_F(SqliteUpgradeTest, StoredSizesAndTypesAreFilledForExistingArtifacts) {
  auto amd = PushImage("amd", "application/vnd.oci.image.config.v1+json", {"shared-layer", "amd-layer"}, "amd");
  auto arm = PushImage("arm", "application/vnd.oci.image.config.v1+json", {"shared-layer", "arm-layer-longer"}, "arm");
  PushImage("chart", "application/vnd.cncf.helm.config.v1+json", {"chart-tgz"}, "c1");
  PushIndex({amd, arm}, "multi");
  auto before = Listed();
  auto charts_before = Listed({"application/vnd.cncf.helm.config.v1+json"});
  ASSERT_EQ(before.size(), 4u);
  ASSERT_EQ(charts_before.size(), 1u);

  Close();
  Exec("ALTER TABLE manifests DROP COLUMN blob_bytes; ALTER TABLE manifests DROP COLUMN config_media_type; "
       "ALTER TABLE manifests DROP COLUMN config_digest; "
       "DELETE FROM schema_migrations WHERE version = 13;");
  Open();

  EXPECT_EQ(Listed(), before);
  EXPECT_EQ(Listed({"application/vnd.cncf.helm.config.v1+json"}), charts_before);
  // And the numbers are the real ones, not only equal to each other.
  int64_t amd_bytes = static_cast<int64_t>(std::string("amd-config").size() + std::string("shared-layer").size() +
                                           std::string("amd-layer").size());
  for (const auto& r : before) {
    if (r.digest == amd.digest.str()) {
      EXPECT_EQ(r.size, amd.size + amd_bytes);
      EXPECT_EQ(r.media_type, "application/vnd.oci.image.config.v1+json");
      EXPECT_EQ(r.config_digest, Sha256Of("amd-config").str());
    }
  }
  auto idx = artifacts_->FindByTag("team/app", "multi");
  ASSERT_TRUE(IsOk(idx) && idx->has_value());
  EXPECT_EQ((*idx)->media_type, kOciIndex);
  EXPECT_EQ((*idx)->config_digest, "");
  auto a = artifacts_->FindByTag("team/app", "amd"), b = artifacts_->FindByTag("team/app", "arm");
  ASSERT_TRUE(IsOk(a) && a->has_value() && IsOk(b) && b->has_value());
  EXPECT_GT((*idx)->size, (*a)->size + (*b)->size);  // the index's own bytes on top of its children's
}

}  // namespace
}  // namespace berth::store
