// ManifestCache (registry/manifest_cache.h): an entry is served only under the generation it was
// read at and within its age; the byte bound evicts least recently used entries; and through
// ManifestService, a moved or deleted tag is never served from the cache.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "registry/manifest_cache.h"
#include "registry/manifest_service.h"
#include "store/sqlite/identity_stores.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth::registry {
namespace {

using unit::IsOk;

std::shared_ptr<const store::ManifestRecord> Manifest(size_t bytes, char fill = 'm') {
  auto m = std::make_shared<store::ManifestRecord>();
  m->content.assign(bytes, fill);
  return m;
}

TEST(ManifestCacheTest, ServesAnEntryOnlyUnderItsGeneration) {
  std::atomic<uint64_t> gen{7};
  ManifestCache cache([&] { return gen.load(); }, {});
  EXPECT_EQ(cache.Get("a"), nullptr);
  uint64_t at = cache.Generation();
  cache.Put("a", at, Manifest(10));
  ASSERT_NE(cache.Get("a"), nullptr);
  gen++;  // a write committed
  EXPECT_EQ(cache.Get("a"), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);  // the stale entry is gone, not only skipped
  // Filled from a read that began before a write: never served after it.
  uint64_t before = cache.Generation();
  gen++;
  cache.Put("a", before, Manifest(10));
  EXPECT_EQ(cache.Get("a"), nullptr);
}

TEST(ManifestCacheTest, EntriesExpire) {
  ManifestCache cache([] { return uint64_t{1}; }, {.max_age = std::chrono::milliseconds(30)});
  cache.Put("a", 1, Manifest(10));
  ASSERT_NE(cache.Get("a"), nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(cache.Get("a"), nullptr);
}

TEST(ManifestCacheTest, BoundedByBytesLeastRecentlyUsedFirst) {
  ManifestCache cache([] { return uint64_t{1}; }, {.max_bytes = 300, .max_entry_bytes = 200});
  cache.Put("a", 1, Manifest(100));
  cache.Put("b", 1, Manifest(100));
  cache.Put("c", 1, Manifest(100));
  ASSERT_NE(cache.Get("a"), nullptr);  // a is now the most recently used
  cache.Put("d", 1, Manifest(100));    // over 300: b goes
  EXPECT_EQ(cache.Get("b"), nullptr);
  EXPECT_NE(cache.Get("a"), nullptr);
  EXPECT_NE(cache.Get("c"), nullptr);
  EXPECT_NE(cache.Get("d"), nullptr);
  EXPECT_EQ(cache.bytes(), 300u);
  cache.Put("big", 1, Manifest(201));  // larger than one entry may be: not kept
  EXPECT_EQ(cache.Get("big"), nullptr);
  cache.Put("a", 1, Manifest(50, 'x'));  // replacing an entry accounts for the old one
  EXPECT_EQ(cache.bytes(), 250u);
  EXPECT_EQ(cache.Get("a")->content, std::string(50, 'x'));
}

// Through the real store: the generation is the Db's, so pushing over a tag or deleting it is
// seen by the very next Get.
TEST(ManifestCacheTest, AMovedOrDeletedTagIsNeverServedFromTheCache) {
  unit::TempDir dir;
  auto db = store::sqlite::Db::Open(dir.Sub("cache.db"), false);
  ASSERT_TRUE(IsOk(db));
  store::sqlite::SqliteUserStore users(**db);
  store::sqlite::SqliteProjectStore projects(**db);
  store::sqlite::SqliteBlobIndex blobs(**db);
  store::sqlite::SqliteManifestStore manifests(**db);
  store::UserRecord u;
  u.username = "owner";
  u.password_hash = "$argon2id$fake";
  store::ProjectRecord p;
  p.name = "team";
  p.owner_id = users.Create(u).value_or(0);
  ASSERT_TRUE(IsOk(projects.Create(p)));
  ManifestCache cache([&] { return (*db)->generation(); }, {});
  ManifestService service(manifests, nullptr, &cache);

  auto push = [&](const std::string& layer) {
    std::string cfg = "{}";
    for (const auto& b : {cfg, layer})
      EXPECT_TRUE(IsOk(blobs.Commit("team/app", Sha256Of(b), static_cast<int64_t>(b.size()))));
    std::string body = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                       "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" +
                       Sha256Of(cfg).str() + "\",\"size\":2},\"layers\":[{\"mediaType\":"
                       "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + Sha256Of(layer).str() +
                       "\",\"size\":" + std::to_string(layer.size()) + "}]}";
    auto r = service.Put("team/app", *oci::ParseReference("v1"), body, "application/vnd.oci.image.manifest.v1+json");
    EXPECT_TRUE(IsOk(r));
    return r ? r->digest : Digest{};
  };
  auto v1 = *oci::ParseReference("v1");
  Digest first = push("layer one");
  ASSERT_EQ(service.Get("team/app", v1)->digest, first);
  ASSERT_EQ(service.Get("team/app", v1)->digest, first);  // now from the cache
  EXPECT_GT(cache.bytes(), 0u);
  Digest second = push("layer two");
  EXPECT_EQ(service.Get("team/app", v1)->digest, second);
  ASSERT_TRUE(IsOk(service.Delete("team/app", v1)));
  auto gone = service.Get("team/app", v1);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::kManifestUnknown);
}

}  // namespace
}  // namespace berth::registry
