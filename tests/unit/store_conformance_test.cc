// Conformance suite for the metadata store interfaces (src/store/registry_store.h): BlobIndex,
// UploadStore and ManifestStore.
//
// Every backend runs the same tests. To add one (e.g. PostgreSQL), implement StoreBackend for it
// and add one entry to kBackends below.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/registry_store.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth::store {
namespace {

using unit::IsErr;
using unit::IsOk;
using unit::TempDir;

// One backend instance: the three stores over one fresh, empty database.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  virtual BlobIndex& blobs() = 0;
  virtual UploadStore& uploads() = 0;
  virtual ManifestStore& manifests() = 0;

  struct RefCount {
    int64_t ref_count = 0;   // the stored counter
    int64_t references = 0;  // manifest -> blob references, counted independently
  };
  // Reads the database behind the backend's back: digest -> counts, for every known blob.
  virtual std::map<std::string, RefCount> AuditRefCounts() = 0;
};

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<StoreBackend>(const std::string& scratch)> make;
};

void PrintTo(const StoreFactory& f, std::ostream* os) { *os << f.name; }

// ---- SQLite ----

class SqliteBackend final : public StoreBackend {
 public:
  explicit SqliteBackend(const std::string& scratch) : path_(scratch + "/registry.db") {
    auto db = sqlite::Db::Open(path_, /*durable=*/false);
    if (!db) throw std::runtime_error("open sqlite: " + std::string(db.error().Message()));
    db_ = std::move(*db);
    blobs_ = std::make_unique<sqlite::SqliteBlobIndex>(*db_);
    uploads_ = std::make_unique<sqlite::SqliteUploadStore>(*db_);
    manifests_ = std::make_unique<sqlite::SqliteManifestStore>(*db_);
  }
  BlobIndex& blobs() override { return *blobs_; }
  UploadStore& uploads() override { return *uploads_; }
  ManifestStore& manifests() override { return *manifests_; }

  std::map<std::string, RefCount> AuditRefCounts() override {
    std::map<std::string, RefCount> out;
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path_ << ": " << (raw ? sqlite3_errmsg(raw) : "?");
      sqlite3_close_v2(raw);
      return out;
    }
    const char* sql =
        "SELECT b.digest, b.ref_count, (SELECT COUNT(*) FROM manifest_blobs mb WHERE mb.digest = b.digest) "
        "FROM blobs b ORDER BY b.digest";
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(raw, sql, -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "prepare: " << sqlite3_errmsg(raw);
    } else {
      while (sqlite3_step(st) == SQLITE_ROW) {
        std::string digest(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
        out[digest] = RefCount{sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)};
      }
      // Every manifest_blobs row must name a known blob, or the count above would miss it.
      sqlite3_stmt* orphan = nullptr;
      sqlite3_prepare_v2(raw, "SELECT COUNT(*) FROM manifest_blobs WHERE digest NOT IN (SELECT digest FROM blobs)", -1,
                         &orphan, nullptr);
      if (orphan && sqlite3_step(orphan) == SQLITE_ROW) {
        EXPECT_EQ(sqlite3_column_int64(orphan, 0), 0) << "manifest_blobs rows without a blobs row";
      }
      sqlite3_finalize(orphan);
    }
    sqlite3_finalize(st);
    sqlite3_close_v2(raw);
    return out;
  }

 private:
  std::string path_;
  std::unique_ptr<sqlite::Db> db_;
  std::unique_ptr<sqlite::SqliteBlobIndex> blobs_;
  std::unique_ptr<sqlite::SqliteUploadStore> uploads_;
  std::unique_ptr<sqlite::SqliteManifestStore> manifests_;
};

const StoreFactory kBackends[] = {
    {"Sqlite", [](const std::string& s) -> std::unique_ptr<StoreBackend> { return std::make_unique<SqliteBackend>(s); }},
    // {"Postgres", [](const std::string& s) -> std::unique_ptr<StoreBackend> { return MakePostgresForTest(s); }},
};

// ---- fixture ----

constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kConfigType = "application/vnd.oci.image.config.v1+json";

class StoreConformance : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make(tmp_.path());
    ASSERT_NE(backend_, nullptr);
  }

  BlobIndex& blobs() { return backend_->blobs(); }
  UploadStore& uploads() { return backend_->uploads(); }
  ManifestStore& manifests() { return backend_->manifests(); }

  // Records a blob (as if its bytes were committed) linked into `repo`.
  Digest Blob(std::string_view repo, std::string_view content) {
    Digest d = Sha256Of(content);
    EXPECT_TRUE(IsOk(blobs().Commit(repo, d, static_cast<int64_t>(content.size()))));
    return d;
  }

  // A reference to the blob holding `content`, with its true size (as a descriptor would claim).
  static BlobRef Ref(std::string_view content) { return BlobRef{Sha256Of(content), static_cast<int64_t>(content.size())}; }

  // An image manifest record naming `blob_refs`; the content is unique per `name`.
  static ManifestRecord Image(std::string_view repo, std::string_view name, std::vector<BlobRef> blob_refs,
                              std::optional<Digest> subject = std::nullopt, std::string artifact_type = std::string(kConfigType),
                              std::string annotations = {}) {
    ManifestRecord r;
    r.repository = std::string(repo);
    r.content = "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"" + std::string(kOciManifest) + "\",  \"x-name\": \"" +
                std::string(name) + "\" }";
    r.digest = Sha256Of(r.content);
    r.media_type = std::string(kOciManifest);
    r.artifact_type = std::move(artifact_type);
    r.size = static_cast<int64_t>(r.content.size());
    r.subject = subject;
    r.annotations_json = std::move(annotations);
    r.blobs = std::move(blob_refs);
    return r;
  }

  static ManifestRecord IndexOf(std::string_view repo, std::string_view name, std::vector<Digest> children) {
    ManifestRecord r;
    r.repository = std::string(repo);
    r.content = "{\"schemaVersion\":2,\"mediaType\":\"" + std::string(kOciIndex) + "\",\"x-name\":\"" +
                std::string(name) + "\"}";
    r.digest = Sha256Of(r.content);
    r.media_type = std::string(kOciIndex);
    r.size = static_cast<int64_t>(r.content.size());
    r.children = std::move(children);
    return r;
  }

  // A stored image manifest in `repo` with its own config and layer blobs.
  ManifestRecord PutImage(std::string_view repo, std::string_view name,
                          const std::optional<std::string>& tag = std::nullopt) {
    const std::string cfg = std::string(name) + "-config", layer = std::string(name) + "-layer";
    Blob(repo, cfg);
    Blob(repo, layer);
    auto rec = Image(repo, name, {Ref(cfg), Ref(layer)});
    EXPECT_TRUE(IsOk(manifests().Put(rec, tag)));
    return rec;
  }

  std::optional<Digest> TagTarget(std::string_view repo, std::string_view tag) {
    auto r = manifests().GetByTag(repo, tag);
    EXPECT_TRUE(IsOk(r));
    if (!r || !*r) return std::nullopt;
    return (*r)->digest;
  }

  bool HasManifest(std::string_view repo, const Digest& d) {
    auto r = manifests().GetByDigest(repo, d);
    EXPECT_TRUE(IsOk(r));
    return r && r->has_value();
  }

  bool RepoExists(std::string_view repo) {
    auto r = manifests().RepositoryExists(repo);
    EXPECT_TRUE(IsOk(r));
    return r && *r;
  }

  std::vector<std::string> AllTags(std::string_view repo) {
    auto p = manifests().ListTags(repo, "", 1000);
    EXPECT_TRUE(IsOk(p));
    return p ? p->items : std::vector<std::string>{};
  }

  // Asserts ref_count == number of manifest references for every blob, and returns the counts.
  std::map<std::string, int64_t> CheckRefCounts() {
    std::map<std::string, int64_t> out;
    for (const auto& [digest, rc] : backend_->AuditRefCounts()) {
      EXPECT_EQ(rc.ref_count, rc.references) << "blob " << digest;
      out[digest] = rc.ref_count;
    }
    return out;
  }

  TempDir tmp_;
  std::unique_ptr<StoreBackend> backend_;
};

// ===================== BlobIndex =====================

TEST_P(StoreConformance, BlobCommitThenFind) {
  const Digest d = Sha256Of("layer bytes");
  {
    auto f = blobs().Find(d);
    ASSERT_TRUE(IsOk(f));
    EXPECT_FALSE(f->has_value());
  }
  ASSERT_TRUE(IsOk(blobs().Commit("library/alpine", d, 11)));
  auto f = blobs().Find(d);
  ASSERT_TRUE(IsOk(f));
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->digest, d);
  EXPECT_EQ((*f)->size, 11);
  EXPECT_GT((*f)->created_at, 0);

  auto in = blobs().FindInRepository("library/alpine", d);
  ASSERT_TRUE(IsOk(in));
  ASSERT_TRUE(in->has_value());
  EXPECT_EQ((*in)->digest, d);
  EXPECT_EQ((*in)->size, 11);

  auto other = blobs().FindInRepository("library/busybox", d);
  ASSERT_TRUE(IsOk(other));
  EXPECT_FALSE(other->has_value()) << "a blob is readable only through repositories it is linked into";
}

TEST_P(StoreConformance, BlobCommitCreatesRepositoryAndIsIdempotent) {
  EXPECT_FALSE(RepoExists("team/app"));
  const Digest d = Sha256Of("x");
  ASSERT_TRUE(IsOk(blobs().Commit("team/app", d, 1)));
  EXPECT_TRUE(RepoExists("team/app"));
  ASSERT_TRUE(IsOk(blobs().Commit("team/app", d, 1)));
  ASSERT_TRUE(IsOk(blobs().Commit("other", d, 1)));
  auto a = blobs().FindInRepository("team/app", d);
  auto b = blobs().FindInRepository("other", d);
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(a->has_value());
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*a)->size, 1);
  EXPECT_EQ((*b)->size, 1);
}

TEST_P(StoreConformance, MountLinksBlobIntoTarget) {
  const Digest d = Blob("source/repo", "shared layer");
  auto m = blobs().Mount("source/repo", "target/repo", d);
  ASSERT_TRUE(IsOk(m));
  EXPECT_TRUE(*m);
  auto in = blobs().FindInRepository("target/repo", d);
  ASSERT_TRUE(IsOk(in));
  ASSERT_TRUE(in->has_value());
  EXPECT_EQ((*in)->size, 12);
  EXPECT_TRUE(RepoExists("target/repo"));
  auto still = blobs().FindInRepository("source/repo", d);
  ASSERT_TRUE(IsOk(still));
  EXPECT_TRUE(still->has_value()) << "mounting copies the link, it does not move it";

  auto again = blobs().Mount("source/repo", "target/repo", d);
  ASSERT_TRUE(IsOk(again));
  EXPECT_TRUE(*again) << "mounting twice is harmless";
}

TEST_P(StoreConformance, MountFromRepositoryLackingBlobChangesNothing) {
  const Digest d = Blob("has/it", "layer");
  Blob("lacks/it", "something else");  // the source repository exists, but without `d`

  auto m = blobs().Mount("lacks/it", "target", d);
  ASSERT_TRUE(IsOk(m));
  EXPECT_FALSE(*m);
  EXPECT_FALSE(RepoExists("target")) << "a failed mount must not create the target repository";
  auto in = blobs().FindInRepository("target", d);
  ASSERT_TRUE(IsOk(in));
  EXPECT_FALSE(in->has_value());

  auto missing_source = blobs().Mount("does/not/exist", "target", d);
  ASSERT_TRUE(IsOk(missing_source));
  EXPECT_FALSE(*missing_source);
  EXPECT_FALSE(RepoExists("target"));

  // An existing target keeps exactly what it had.
  const Digest own = Blob("target2", "own");
  auto m2 = blobs().Mount("lacks/it", "target2", d);
  ASSERT_TRUE(IsOk(m2));
  EXPECT_FALSE(*m2);
  auto t2 = blobs().FindInRepository("target2", d);
  ASSERT_TRUE(IsOk(t2));
  EXPECT_FALSE(t2->has_value());
  auto t2own = blobs().FindInRepository("target2", own);
  ASSERT_TRUE(IsOk(t2own));
  EXPECT_TRUE(t2own->has_value());
}

TEST_P(StoreConformance, UnlinkRemovesOnlyThatLink) {
  const Digest d = Blob("a", "layer");
  Blob("b", "layer");
  auto u = blobs().Unlink("a", d);
  ASSERT_TRUE(IsOk(u));
  EXPECT_TRUE(*u);
  auto in_a = blobs().FindInRepository("a", d);
  ASSERT_TRUE(IsOk(in_a));
  EXPECT_FALSE(in_a->has_value());
  auto in_b = blobs().FindInRepository("b", d);
  ASSERT_TRUE(IsOk(in_b));
  EXPECT_TRUE(in_b->has_value());
  auto global = blobs().Find(d);
  ASSERT_TRUE(IsOk(global));
  EXPECT_TRUE(global->has_value()) << "the blob record stays (garbage collection removes it)";

  auto again = blobs().Unlink("a", d);
  ASSERT_TRUE(IsOk(again));
  EXPECT_FALSE(*again);
  auto unknown_repo = blobs().Unlink("nope", d);
  ASSERT_TRUE(IsOk(unknown_repo));
  EXPECT_FALSE(*unknown_repo);

  // After unlinking, the repository can no longer mount from itself or reference the blob.
  auto mount = blobs().Mount("a", "c", d);
  ASSERT_TRUE(IsOk(mount));
  EXPECT_FALSE(*mount);
  EXPECT_TRUE(IsErr(manifests().Put(Image("a", "m", {Ref("layer")}), std::nullopt), Errc::kManifestBlobUnknown));
}

// ===================== UploadStore =====================

TEST_P(StoreConformance, UploadLifecycle) {
  {
    auto f = uploads().Find("0f1e2d3c-aaaa-4bbb-8ccc-0123456789ab");
    ASSERT_TRUE(IsOk(f));
    EXPECT_FALSE(f->has_value());
  }
  UploadRecord rec{"0f1e2d3c-aaaa-4bbb-8ccc-0123456789ab", "library/alpine", 1000, 1000};
  ASSERT_TRUE(IsOk(uploads().Create(rec)));
  ASSERT_TRUE(IsOk(uploads().Create({"second", "other/repo", 5, 6})));

  auto f = uploads().Find(rec.id);
  ASSERT_TRUE(IsOk(f));
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->id, rec.id);
  EXPECT_EQ((*f)->repository, "library/alpine");
  EXPECT_EQ((*f)->created_at, 1000);
  EXPECT_EQ((*f)->updated_at, 1000);

  ASSERT_TRUE(IsOk(uploads().Touch(rec.id, 2000)));
  f = uploads().Find(rec.id);
  ASSERT_TRUE(IsOk(f));
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->created_at, 1000);
  EXPECT_EQ((*f)->updated_at, 2000);

  ASSERT_TRUE(IsOk(uploads().Remove(rec.id)));
  f = uploads().Find(rec.id);
  ASSERT_TRUE(IsOk(f));
  EXPECT_FALSE(f->has_value());

  auto second = uploads().Find("second");
  ASSERT_TRUE(IsOk(second));
  ASSERT_TRUE(second->has_value()) << "removing one upload leaves the others";
  EXPECT_EQ((*second)->repository, "other/repo");
  EXPECT_EQ((*second)->created_at, 5);
  EXPECT_EQ((*second)->updated_at, 6);
}

// ===================== ManifestStore: put / get =====================

TEST_P(StoreConformance, PutThenGetByDigestAndTag) {
  Blob("library/alpine", "config");
  Blob("library/alpine", "layer");
  auto rec = Image("library/alpine", "m1", {Ref("config"), Ref("layer")}, Sha256Of("subject"), "application/vnd.example+json",
                   R"({"org.example":"v"})");
  rec.content += "  \xc3\xa9\n";  // bytes are kept exactly, whitespace and UTF-8 included
  rec.digest = Sha256Of(rec.content);
  rec.size = static_cast<int64_t>(rec.content.size());
  ASSERT_TRUE(IsOk(manifests().Put(rec, std::string("3.19"))));

  for (auto got : {manifests().GetByDigest("library/alpine", rec.digest), manifests().GetByTag("library/alpine", "3.19")}) {
    ASSERT_TRUE(IsOk(got));
    ASSERT_TRUE(got->has_value());
    const ManifestRecord& m = **got;
    EXPECT_EQ(m.repository, "library/alpine");
    EXPECT_EQ(m.digest, rec.digest);
    EXPECT_EQ(m.media_type, kOciManifest);
    EXPECT_EQ(m.artifact_type, "application/vnd.example+json");
    EXPECT_EQ(m.size, rec.size);
    EXPECT_EQ(m.content, rec.content);
    ASSERT_TRUE(m.subject.has_value());
    EXPECT_EQ(*m.subject, Sha256Of("subject"));
    EXPECT_EQ(m.annotations_json, R"({"org.example":"v"})");
    EXPECT_GT(m.pushed_at, 0);
  }
  EXPECT_TRUE(RepoExists("library/alpine"));
}

TEST_P(StoreConformance, GetAbsent) {
  PutImage("repo", "m1", std::string("latest"));
  auto by_tag = manifests().GetByTag("repo", "nope");
  ASSERT_TRUE(IsOk(by_tag));
  EXPECT_FALSE(by_tag->has_value());
  auto by_digest = manifests().GetByDigest("repo", Sha256Of("nope"));
  ASSERT_TRUE(IsOk(by_digest));
  EXPECT_FALSE(by_digest->has_value());
  auto other_repo = manifests().GetByTag("other", "latest");
  ASSERT_TRUE(IsOk(other_repo));
  EXPECT_FALSE(other_repo->has_value());
  EXPECT_FALSE(RepoExists("other"));
}

TEST_P(StoreConformance, ManifestWithoutSubjectOrAnnotations) {
  auto rec = PutImage("repo", "plain");
  auto got = manifests().GetByDigest("repo", rec.digest);
  ASSERT_TRUE(IsOk(got));
  ASSERT_TRUE(got->has_value());
  EXPECT_FALSE((*got)->subject.has_value());
  EXPECT_TRUE((*got)->annotations_json.empty());
}

TEST_P(StoreConformance, ManifestsAreScopedToTheirRepository) {
  auto rec = PutImage("one", "m", std::string("latest"));
  EXPECT_FALSE(HasManifest("two", rec.digest));
  // The same manifest pushed to another repository is a separate entry there.
  auto copy = rec;
  copy.repository = "two";
  Blob("two", "m-config");
  Blob("two", "m-layer");
  ASSERT_TRUE(IsOk(manifests().Put(copy, std::string("stable"))));
  EXPECT_TRUE(HasManifest("two", rec.digest));
  EXPECT_EQ(AllTags("one"), std::vector<std::string>{"latest"});
  EXPECT_EQ(AllTags("two"), std::vector<std::string>{"stable"});
  auto del = manifests().Delete("one", rec.digest);
  ASSERT_TRUE(IsOk(del));
  EXPECT_TRUE(*del);
  EXPECT_FALSE(HasManifest("one", rec.digest));
  EXPECT_TRUE(HasManifest("two", rec.digest));
  EXPECT_EQ(TagTarget("two", "stable"), rec.digest);
}

TEST_P(StoreConformance, PutWithUnknownBlobFailsAtomically) {
  // New repository: nothing at all may remain, not even the repository row.
  Blob("elsewhere", "layer");  // known globally, but not linked into "fresh/repo"
  auto rec = Image("fresh/repo", "m", {Ref("layer")});
  EXPECT_TRUE(IsErr(manifests().Put(rec, std::string("latest")), Errc::kManifestBlobUnknown));
  EXPECT_FALSE(HasManifest("fresh/repo", rec.digest));
  EXPECT_FALSE(TagTarget("fresh/repo", "latest").has_value());
  EXPECT_FALSE(RepoExists("fresh/repo"));

  // Existing repository: the tag keeps pointing where it did; no partial manifest.
  auto good = PutImage("repo", "good", std::string("latest"));
  const Digest known = Blob("repo", "known");
  auto bad = Image("repo", "bad", {Ref("known"), Ref("never uploaded")});
  EXPECT_TRUE(IsErr(manifests().Put(bad, std::string("latest")), Errc::kManifestBlobUnknown));
  EXPECT_EQ(TagTarget("repo", "latest"), good.digest);
  EXPECT_FALSE(HasManifest("repo", bad.digest));
  EXPECT_EQ(AllTags("repo"), std::vector<std::string>{"latest"});
  auto counts = CheckRefCounts();
  EXPECT_EQ(counts[known.str()], 0) << "a failed put must not leave a reference behind";
}

TEST_P(StoreConformance, PutWithWrongBlobSizeIsManifestInvalidAndAtomic) {
  Blob("fresh", "layer");  // 5 bytes
  auto wrong = Image("fresh", "m", {BlobRef{Sha256Of("layer"), 6}});
  EXPECT_TRUE(IsErr(manifests().Put(wrong, std::string("latest")), Errc::kManifestInvalid));
  EXPECT_FALSE(HasManifest("fresh", wrong.digest));
  EXPECT_FALSE(TagTarget("fresh", "latest").has_value());

  auto good = PutImage("repo", "good", std::string("latest"));
  Blob("repo", "cfg");
  auto bad = Image("repo", "bad", {Ref("cfg"), BlobRef{Sha256Of("good-layer"), 0}});
  EXPECT_TRUE(IsErr(manifests().Put(bad, std::string("latest")), Errc::kManifestInvalid));
  EXPECT_FALSE(HasManifest("repo", bad.digest));
  EXPECT_EQ(TagTarget("repo", "latest"), good.digest);
  auto counts = CheckRefCounts();
  EXPECT_EQ(counts[Sha256Of("cfg").str()], 0);
  EXPECT_EQ(counts[Sha256Of("good-layer").str()], 1);

  // With the true sizes the same blobs are accepted.
  auto fixed = Image("repo", "fixed", {Ref("cfg"), Ref("good-layer")});
  EXPECT_TRUE(IsOk(manifests().Put(fixed, std::string("latest"))));
  EXPECT_EQ(TagTarget("repo", "latest"), fixed.digest);
}

TEST_P(StoreConformance, PutIndexWithUnknownChildFails) {
  auto child = PutImage("repo", "child");
  PutImage("other", "foreign");
  auto foreign = Image("other", "foreign", {});
  auto idx = IndexOf("repo", "idx", {child.digest, Sha256Of("missing child")});
  EXPECT_TRUE(IsErr(manifests().Put(idx, std::string("multi")), Errc::kManifestBlobUnknown));
  EXPECT_FALSE(HasManifest("repo", idx.digest));
  EXPECT_FALSE(TagTarget("repo", "multi").has_value());

  // A child that exists only in another repository does not count.
  auto idx2 = IndexOf("repo", "idx2", {child.digest, foreign.digest});
  EXPECT_TRUE(IsErr(manifests().Put(idx2, std::nullopt), Errc::kManifestBlobUnknown));
  EXPECT_FALSE(HasManifest("repo", idx2.digest));

  auto ok = IndexOf("repo", "idx3", {child.digest});
  ASSERT_TRUE(IsOk(manifests().Put(ok, std::string("multi"))));
  EXPECT_EQ(TagTarget("repo", "multi"), ok.digest);
}

TEST_P(StoreConformance, PutIsIdempotentByDigest) {
  auto rec = PutImage("repo", "m", std::string("v1"));
  ASSERT_TRUE(IsOk(manifests().Put(rec, std::nullopt)));
  ASSERT_TRUE(IsOk(manifests().Put(rec, std::string("v1"))));
  ASSERT_TRUE(IsOk(manifests().Put(rec, std::string("v2"))));
  EXPECT_EQ(AllTags("repo"), (std::vector<std::string>{"v1", "v2"}));
  EXPECT_EQ(TagTarget("repo", "v1"), rec.digest);
  EXPECT_EQ(TagTarget("repo", "v2"), rec.digest);
  auto got = manifests().GetByDigest("repo", rec.digest);
  ASSERT_TRUE(IsOk(got));
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->content, rec.content);
  auto counts = CheckRefCounts();
  for (const auto& b : rec.blobs) EXPECT_EQ(counts[b.digest.str()], 1) << "re-putting must not count references twice";
  // One delete removes it entirely.
  auto del = manifests().Delete("repo", rec.digest);
  ASSERT_TRUE(IsOk(del));
  EXPECT_TRUE(*del);
  EXPECT_FALSE(HasManifest("repo", rec.digest));
}

TEST_P(StoreConformance, TagsPointAndRepoint) {
  auto a = PutImage("repo", "a", std::string("latest"));
  EXPECT_EQ(TagTarget("repo", "latest"), a.digest);
  auto b = PutImage("repo", "b", std::string("latest"));
  EXPECT_EQ(TagTarget("repo", "latest"), b.digest);
  EXPECT_EQ(AllTags("repo"), std::vector<std::string>{"latest"});
  EXPECT_TRUE(HasManifest("repo", a.digest)) << "re-pointing a tag keeps the old manifest";
  // Point back by re-putting the existing manifest with the tag.
  ASSERT_TRUE(IsOk(manifests().Put(a, std::string("latest"))));
  EXPECT_EQ(TagTarget("repo", "latest"), a.digest);
  // The same tag name in another repository is independent.
  auto c = PutImage("other", "c", std::string("latest"));
  EXPECT_EQ(TagTarget("repo", "latest"), a.digest);
  EXPECT_EQ(TagTarget("other", "latest"), c.digest);
}

// ===================== ManifestStore: delete / untag =====================

TEST_P(StoreConformance, DeleteRemovesManifestAndAllItsTags) {
  auto a = PutImage("repo", "a", std::string("v1"));
  ASSERT_TRUE(IsOk(manifests().Put(a, std::string("v2"))));
  auto b = PutImage("repo", "b", std::string("v3"));
  auto del = manifests().Delete("repo", a.digest);
  ASSERT_TRUE(IsOk(del));
  EXPECT_TRUE(*del);
  EXPECT_FALSE(HasManifest("repo", a.digest));
  EXPECT_FALSE(TagTarget("repo", "v1").has_value());
  EXPECT_FALSE(TagTarget("repo", "v2").has_value());
  EXPECT_EQ(TagTarget("repo", "v3"), b.digest);
  EXPECT_EQ(AllTags("repo"), std::vector<std::string>{"v3"});

  auto again = manifests().Delete("repo", a.digest);
  ASSERT_TRUE(IsOk(again));
  EXPECT_FALSE(*again);
  auto unknown_repo = manifests().Delete("nope", a.digest);
  ASSERT_TRUE(IsOk(unknown_repo));
  EXPECT_FALSE(*unknown_repo);

  // A deleted manifest can be pushed again.
  ASSERT_TRUE(IsOk(manifests().Put(a, std::string("v1"))));
  EXPECT_EQ(TagTarget("repo", "v1"), a.digest);
}

TEST_P(StoreConformance, DeleteOfIndexChildIsRefusedWhileIndexExists) {
  auto c1 = PutImage("repo", "c1");
  auto c2 = PutImage("repo", "c2", std::string("c2tag"));
  auto idx = IndexOf("repo", "idx", {c1.digest, c2.digest});
  ASSERT_TRUE(IsOk(manifests().Put(idx, std::string("latest"))));

  EXPECT_TRUE(IsErr(manifests().Delete("repo", c1.digest), Errc::kManifestReferenced));
  EXPECT_TRUE(IsErr(manifests().Delete("repo", c2.digest), Errc::kManifestReferenced));
  EXPECT_TRUE(HasManifest("repo", c1.digest));
  EXPECT_EQ(TagTarget("repo", "c2tag"), c2.digest) << "a refused delete leaves the tags alone";

  auto del_idx = manifests().Delete("repo", idx.digest);
  ASSERT_TRUE(IsOk(del_idx));
  EXPECT_TRUE(*del_idx);
  auto del_c1 = manifests().Delete("repo", c1.digest);
  ASSERT_TRUE(IsOk(del_c1));
  EXPECT_TRUE(*del_c1);
  EXPECT_FALSE(HasManifest("repo", c1.digest));
}

TEST_P(StoreConformance, IndexInAnotherRepositoryDoesNotBlockDelete) {
  auto in_a = PutImage("a", "child");
  auto copy = in_a;
  copy.repository = "b";
  Blob("b", "child-config");
  Blob("b", "child-layer");
  ASSERT_TRUE(IsOk(manifests().Put(copy, std::nullopt)));
  ASSERT_TRUE(IsOk(manifests().Put(IndexOf("b", "idx", {in_a.digest}), std::nullopt)));

  auto del = manifests().Delete("a", in_a.digest);
  ASSERT_TRUE(IsOk(del));
  EXPECT_TRUE(*del);
  EXPECT_TRUE(IsErr(manifests().Delete("b", in_a.digest), Errc::kManifestReferenced));
}

TEST_P(StoreConformance, NestedIndexes) {
  auto leaf = PutImage("repo", "leaf");
  auto inner = IndexOf("repo", "inner", {leaf.digest});
  ASSERT_TRUE(IsOk(manifests().Put(inner, std::nullopt)));
  auto outer = IndexOf("repo", "outer", {inner.digest});
  ASSERT_TRUE(IsOk(manifests().Put(outer, std::string("latest"))));
  EXPECT_TRUE(IsErr(manifests().Delete("repo", inner.digest), Errc::kManifestReferenced));
  EXPECT_TRUE(IsErr(manifests().Delete("repo", leaf.digest), Errc::kManifestReferenced));
  ASSERT_TRUE(IsOk(manifests().Delete("repo", outer.digest)));
  EXPECT_TRUE(IsErr(manifests().Delete("repo", leaf.digest), Errc::kManifestReferenced));
  ASSERT_TRUE(IsOk(manifests().Delete("repo", inner.digest)));
  auto del = manifests().Delete("repo", leaf.digest);
  ASSERT_TRUE(IsOk(del));
  EXPECT_TRUE(*del);
}

TEST_P(StoreConformance, Untag) {
  auto a = PutImage("repo", "a", std::string("v1"));
  ASSERT_TRUE(IsOk(manifests().Put(a, std::string("v2"))));
  auto u = manifests().Untag("repo", "v1");
  ASSERT_TRUE(IsOk(u));
  EXPECT_TRUE(*u);
  EXPECT_FALSE(TagTarget("repo", "v1").has_value());
  EXPECT_EQ(TagTarget("repo", "v2"), a.digest);
  EXPECT_TRUE(HasManifest("repo", a.digest)) << "untagging keeps the manifest";

  auto again = manifests().Untag("repo", "v1");
  ASSERT_TRUE(IsOk(again));
  EXPECT_FALSE(*again);
  auto unknown_repo = manifests().Untag("nope", "v2");
  ASSERT_TRUE(IsOk(unknown_repo));
  EXPECT_FALSE(*unknown_repo);
  EXPECT_EQ(AllTags("repo"), std::vector<std::string>{"v2"});
}

// ===================== ManifestStore: listings =====================

TEST_P(StoreConformance, ListTagsKeysetPaging) {
  auto m = PutImage("repo", "m");
  std::vector<std::string> tags = {"b", "a", "c10", "c2", "A", "_x", "a-1", "a.1", "Z9"};
  for (const auto& t : tags) ASSERT_TRUE(IsOk(manifests().Put(m, t)));
  PutImage("other", "o", std::string("aa"));  // tags of other repositories never show up
  std::vector<std::string> want = tags;
  std::sort(want.begin(), want.end());  // byte-wise: "A" < "Z9" < "_x" < "a" < "a-1" < "a.1" < ...
  ASSERT_EQ(want, (std::vector<std::string>{"A", "Z9", "_x", "a", "a-1", "a.1", "b", "c10", "c2"}));

  // Walk with limit 2, following `last`.
  std::vector<std::string> seen;
  std::string last;
  int pages = 0;
  for (;;) {
    auto p = manifests().ListTags("repo", last, 2);
    ASSERT_TRUE(IsOk(p));
    ++pages;
    ASSERT_LE(p->items.size(), 2u);
    seen.insert(seen.end(), p->items.begin(), p->items.end());
    if (!p->more) break;
    ASSERT_EQ(p->items.size(), 2u) << "a page followed by another is full";
    last = p->items.back();
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(seen, want);
  EXPECT_EQ(pages, 5);

  auto all = manifests().ListTags("repo", "", 9);
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->items, want);
  EXPECT_FALSE(all->more) << "exactly `limit` items left: no further page";

  auto eight = manifests().ListTags("repo", "", 8);
  ASSERT_TRUE(IsOk(eight));
  EXPECT_EQ(eight->items.size(), 8u);
  EXPECT_TRUE(eight->more);

  // `last` need not be an existing tag: the page starts strictly after it.
  auto after = manifests().ListTags("repo", "a-2", 3);
  ASSERT_TRUE(IsOk(after));
  EXPECT_EQ(after->items, (std::vector<std::string>{"a.1", "b", "c10"}));
  EXPECT_TRUE(after->more);

  auto after_existing = manifests().ListTags("repo", "c10", 5);
  ASSERT_TRUE(IsOk(after_existing));
  EXPECT_EQ(after_existing->items, std::vector<std::string>{"c2"});
  EXPECT_FALSE(after_existing->more);

  auto past_end = manifests().ListTags("repo", "zzz", 5);
  ASSERT_TRUE(IsOk(past_end));
  EXPECT_TRUE(past_end->items.empty());
  EXPECT_FALSE(past_end->more);
}

TEST_P(StoreConformance, ListTagsOfRepositoryWithoutTags) {
  PutImage("repo", "untagged");
  auto p = manifests().ListTags("repo", "", 10);
  ASSERT_TRUE(IsOk(p));
  EXPECT_TRUE(p->items.empty());
  EXPECT_FALSE(p->more);
}

TEST_P(StoreConformance, ListRepositoriesOnlyListsRepositoriesWithManifests) {
  PutImage("zeta/app", "z");
  PutImage("alpha", "a", std::string("latest"));
  PutImage("library/alpine", "l");
  Blob("blobs/only", "layer");                          // blobs but no manifest
  ASSERT_TRUE(IsOk(uploads().Create({"u", "uploads/only", 1, 1})));  // an upload only
  auto gone = PutImage("deleted/all", "d");
  ASSERT_TRUE(IsOk(manifests().Delete("deleted/all", gone.digest)));
  // Mounting creates a repository with a link but still no manifest.
  ASSERT_TRUE(IsOk(blobs().Mount("alpha", "mounted/only", Sha256Of("a-layer"))));

  auto all = manifests().ListRepositories("", 100);
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ(all->items, (std::vector<std::string>{"alpha", "library/alpine", "zeta/app"}));
  EXPECT_FALSE(all->more);

  auto p1 = manifests().ListRepositories("", 2);
  ASSERT_TRUE(IsOk(p1));
  EXPECT_EQ(p1->items, (std::vector<std::string>{"alpha", "library/alpine"}));
  EXPECT_TRUE(p1->more);
  auto p2 = manifests().ListRepositories(p1->items.back(), 2);
  ASSERT_TRUE(IsOk(p2));
  EXPECT_EQ(p2->items, std::vector<std::string>{"zeta/app"});
  EXPECT_FALSE(p2->more);

  auto exact = manifests().ListRepositories("", 3);
  ASSERT_TRUE(IsOk(exact));
  EXPECT_EQ(exact->items.size(), 3u);
  EXPECT_FALSE(exact->more);

  auto after = manifests().ListRepositories("b", 10);
  ASSERT_TRUE(IsOk(after));
  EXPECT_EQ(after->items, (std::vector<std::string>{"library/alpine", "zeta/app"}));
}

TEST_P(StoreConformance, ListRepositoriesOnEmptyStore) {
  auto p = manifests().ListRepositories("", 10);
  ASSERT_TRUE(IsOk(p));
  EXPECT_TRUE(p->items.empty());
  EXPECT_FALSE(p->more);
}

TEST_P(StoreConformance, ListReferrers) {
  auto subject = PutImage("repo", "subject", std::string("latest"));
  Blob("repo", "{}");
  const BlobRef empty_cfg = Ref("{}");
  auto sig = Image("repo", "sig", {empty_cfg}, subject.digest, "application/vnd.example.sig", R"({"org.example.signer":"me"})");
  auto sbom = Image("repo", "sbom", {empty_cfg}, subject.digest, "application/vnd.example.sbom");
  auto unrelated = Image("repo", "unrelated", {empty_cfg}, Sha256Of("another subject"), "application/vnd.example.sig");
  auto plain = PutImage("repo", "plain");  // no subject
  (void)plain;
  ASSERT_TRUE(IsOk(manifests().Put(sig, std::nullopt)));
  ASSERT_TRUE(IsOk(manifests().Put(sbom, std::nullopt)));
  ASSERT_TRUE(IsOk(manifests().Put(unrelated, std::nullopt)));

  auto all = manifests().ListReferrers("repo", subject.digest, "");
  ASSERT_TRUE(IsOk(all));
  ASSERT_EQ(all->size(), 2u);
  std::map<Digest, ReferrerRecord> by_digest;
  for (const auto& r : *all) by_digest[r.digest] = r;
  ASSERT_TRUE(by_digest.contains(sig.digest));
  ASSERT_TRUE(by_digest.contains(sbom.digest));
  const auto& s = by_digest[sig.digest];
  EXPECT_EQ(s.media_type, kOciManifest);
  EXPECT_EQ(s.artifact_type, "application/vnd.example.sig");
  EXPECT_EQ(s.size, sig.size);
  EXPECT_EQ(s.annotations_json, R"({"org.example.signer":"me"})");
  const auto& b = by_digest[sbom.digest];
  EXPECT_EQ(b.artifact_type, "application/vnd.example.sbom");
  EXPECT_EQ(b.size, sbom.size);
  EXPECT_TRUE(b.annotations_json.empty());

  auto only_sig = manifests().ListReferrers("repo", subject.digest, "application/vnd.example.sig");
  ASSERT_TRUE(IsOk(only_sig));
  ASSERT_EQ(only_sig->size(), 1u);
  EXPECT_EQ((*only_sig)[0].digest, sig.digest);

  auto none = manifests().ListReferrers("repo", subject.digest, "application/vnd.example.other");
  ASSERT_TRUE(IsOk(none));
  EXPECT_TRUE(none->empty());

  auto other_repo = manifests().ListReferrers("other", subject.digest, "");
  ASSERT_TRUE(IsOk(other_repo));
  EXPECT_TRUE(other_repo->empty());

  // Referrers may be pushed before their subject exists.
  auto dangling = manifests().ListReferrers("repo", Sha256Of("another subject"), "");
  ASSERT_TRUE(IsOk(dangling));
  ASSERT_EQ(dangling->size(), 1u);
  EXPECT_EQ((*dangling)[0].digest, unrelated.digest);

  // Deleting a referrer removes it from the list.
  ASSERT_TRUE(IsOk(manifests().Delete("repo", sig.digest)));
  auto after = manifests().ListReferrers("repo", subject.digest, "");
  ASSERT_TRUE(IsOk(after));
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].digest, sbom.digest);
}

// ===================== reference counts =====================

TEST_P(StoreConformance, BlobRefCountsFollowManifestPutsAndDeletes) {
  const Digest c1 = Blob("a", "config-1");
  const Digest l1 = Blob("a", "layer-1");
  const Digest l2 = Blob("a", "layer-2");
  Blob("b", "config-1");
  Blob("b", "layer-1");
  const Digest unused = Blob("a", "unused");

  auto m1 = Image("a", "m1", {Ref("config-1"), Ref("layer-1")});
  auto m2 = Image("a", "m2", {Ref("config-1"), Ref("layer-2")});
  auto m1b = m1;
  m1b.repository = "b";

  ASSERT_TRUE(IsOk(manifests().Put(m1, std::string("v1"))));
  ASSERT_TRUE(IsOk(manifests().Put(m2, std::nullopt)));
  ASSERT_TRUE(IsOk(manifests().Put(m1, std::nullopt)));       // idempotent
  ASSERT_TRUE(IsOk(manifests().Put(m1, std::string("v2"))));  // idempotent, new tag
  ASSERT_TRUE(IsOk(manifests().Put(m1b, std::string("v1"))));  // same manifest, another repository
  auto idx = IndexOf("a", "idx", {m1.digest, m2.digest});
  ASSERT_TRUE(IsOk(manifests().Put(idx, std::nullopt)));       // indexes reference no blobs

  auto counts = CheckRefCounts();
  EXPECT_EQ(counts[c1.str()], 3);
  EXPECT_EQ(counts[l1.str()], 2);
  EXPECT_EQ(counts[l2.str()], 1);
  EXPECT_EQ(counts[unused.str()], 0);

  // Failures change nothing.
  EXPECT_TRUE(IsErr(manifests().Put(Image("a", "bad", {Ref("config-1"), Ref("missing")}), std::nullopt),
                    Errc::kManifestBlobUnknown));
  EXPECT_TRUE(IsErr(manifests().Delete("a", m2.digest), Errc::kManifestReferenced));
  counts = CheckRefCounts();
  EXPECT_EQ(counts[c1.str()], 3);
  EXPECT_EQ(counts[l2.str()], 1);

  ASSERT_TRUE(IsOk(manifests().Delete("a", idx.digest)));
  ASSERT_TRUE(IsOk(manifests().Delete("a", m2.digest)));
  counts = CheckRefCounts();
  EXPECT_EQ(counts[c1.str()], 2);
  EXPECT_EQ(counts[l1.str()], 2);
  EXPECT_EQ(counts[l2.str()], 0);

  ASSERT_TRUE(IsOk(manifests().Untag("b", "v1")));  // untagging does not change references
  ASSERT_TRUE(IsOk(manifests().Delete("b", m1b.digest)));
  counts = CheckRefCounts();
  EXPECT_EQ(counts[c1.str()], 1);
  EXPECT_EQ(counts[l1.str()], 1);

  // Deleted and re-pushed: counted once again.
  ASSERT_TRUE(IsOk(manifests().Put(m2, std::nullopt)));
  ASSERT_TRUE(IsOk(manifests().Delete("a", m1.digest)));
  counts = CheckRefCounts();
  EXPECT_EQ(counts[c1.str()], 1);
  EXPECT_EQ(counts[l1.str()], 0);
  EXPECT_EQ(counts[l2.str()], 1);
}

// ===================== concurrency =====================

TEST_P(StoreConformance, ConcurrentWritersAndReaders) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string repo = "team/repo" + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        std::string name = "m" + std::to_string(t) + "-" + std::to_string(i);
        Digest shared = Sha256Of("shared layer");
        Digest own = Sha256Of(name);
        if (!blobs().Commit(repo, shared, 12) || !blobs().Commit(repo, own, 5)) ++failures;
        auto rec = Image(repo, name, {BlobRef{shared, 12}, BlobRef{own, 5}});
        if (!manifests().Put(rec, "t" + std::to_string(i))) ++failures;
        auto got = manifests().GetByTag(repo, "t" + std::to_string(i));
        if (!got || !*got || (*got)->digest != rec.digest) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(AllTags("team/repo" + std::to_string(t)).size(), size_t{kPerThread});
  auto counts = CheckRefCounts();
  EXPECT_EQ(counts[Sha256Of("shared layer").str()], kThreads * kPerThread);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

}  // namespace
}  // namespace berth::store
