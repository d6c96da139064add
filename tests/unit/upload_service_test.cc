// registry::UploadService over the real filesystem driver and SQLite stores: sessions, leases,
// Content-Range checks, digest verification, restarts (re-hash) and cancellation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "blob/filesystem/fs_driver.h"
#include "registry/blob_service.h"
#include "registry/upload_service.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth::registry {
namespace {

using unit::IsErr;
using unit::IsOk;
using unit::TempDir;

constexpr const char* kRepo = "library/alpine";

// One registry "process": driver, database, stores and services over a data directory.
struct Node {
  Node(const std::string& dir, UploadService::Options opt = {}) {
    auto d = blob::FsDriver::Open(dir + "/content", /*durable=*/false);
    if (!d) throw std::runtime_error(std::string(d.error().Message()));
    driver = std::move(*d);
    auto b = store::sqlite::Db::Open(dir + "/registry.db", /*durable=*/false);
    if (!b) throw std::runtime_error(std::string(b.error().Message()));
    db = std::move(*b);
    blob_index = std::make_unique<store::sqlite::SqliteBlobIndex>(*db);
    upload_store = std::make_unique<store::sqlite::SqliteUploadStore>(*db);
    blobs = std::make_unique<BlobService>(*driver, *blob_index);
    uploads = std::make_unique<UploadService>(*driver, *upload_store, *blob_index, opt);
  }
  std::unique_ptr<blob::FsDriver> driver;
  std::unique_ptr<store::sqlite::Db> db;
  std::unique_ptr<store::sqlite::SqliteBlobIndex> blob_index;
  std::unique_ptr<store::sqlite::SqliteUploadStore> upload_store;
  std::unique_ptr<BlobService> blobs;
  std::unique_ptr<UploadService> uploads;
};

std::string ReadBlob(BlobService& svc, const std::string& repo, const Digest& d) {
  auto r = svc.Open(repo, d);
  if (!r) return "<error " + unit::ErrcText(r.error().code) + ">";
  std::string out(static_cast<size_t>((*r)->size()), '\0');
  ssize_t n = ::pread((*r)->fd(), out.data(), out.size(), 0);
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

Digest Sha512Of(std::string_view s) {
  Hasher h("sha512");
  h.Update(s);
  return h.Peek();
}

class UploadServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { node_ = std::make_unique<Node>(tmp_.path()); }

  UploadService& svc() { return *node_->uploads; }
  BlobService& blobs() { return *node_->blobs; }

  std::string StartUpload(const std::string& repo = kRepo) {
    auto s = svc().Start(repo);
    EXPECT_TRUE(IsOk(s));
    return s ? s->id : std::string();
  }

  std::unique_ptr<UploadLease> LeaseOk(const std::string& id, std::optional<ContentRange> range = std::nullopt,
                                       const std::string& repo = kRepo) {
    auto l = svc().Lease(repo, id, range);
    EXPECT_TRUE(IsOk(l));
    return l ? std::move(*l) : nullptr;
  }

  static void Append(UploadLease& lease, std::string_view data) {
    ASSERT_TRUE(IsOk(lease.Append(data.data(), data.size())));
  }

  int64_t SizeOf(const std::string& id, const std::string& repo = kRepo) {
    auto s = svc().Status(repo, id);
    EXPECT_TRUE(IsOk(s));
    return s ? s->size : -1;
  }

  TempDir tmp_;
  std::unique_ptr<Node> node_;
};

TEST_F(UploadServiceTest, StartLeaseAppendComplete) {
  auto started = svc().Start(kRepo);
  ASSERT_TRUE(IsOk(started));
  EXPECT_FALSE(started->id.empty());
  EXPECT_EQ(started->repository, kRepo);
  EXPECT_EQ(started->size, 0);
  const std::string id = started->id;

  auto status = svc().Status(kRepo, id);
  ASSERT_TRUE(IsOk(status));
  EXPECT_EQ(status->id, id);
  EXPECT_EQ(status->repository, kRepo);
  EXPECT_EQ(status->size, 0);

  auto lease = LeaseOk(id);
  ASSERT_NE(lease, nullptr);
  EXPECT_EQ(lease->id(), id);
  EXPECT_EQ(lease->size(), 0);
  Append(*lease, "hello ");
  Append(*lease, "");
  Append(*lease, "world");
  EXPECT_EQ(lease->size(), 11);
  EXPECT_EQ(SizeOf(id), 11) << "Status reports the bytes received while a lease is held";

  const Digest want = Sha256Of("hello world");
  auto done = svc().Complete(*lease, want);
  ASSERT_TRUE(IsOk(done));
  EXPECT_EQ(*done, want);
  lease.reset();

  auto st = blobs().Stat(kRepo, want);
  ASSERT_TRUE(IsOk(st));
  EXPECT_EQ(st->digest, want);
  EXPECT_EQ(st->size, 11);
  EXPECT_EQ(ReadBlob(blobs(), kRepo, want), "hello world");
  EXPECT_TRUE(IsErr(blobs().Stat("other/repo", want), Errc::kBlobUnknown)) << "linked only into the upload's repo";

  EXPECT_TRUE(IsErr(svc().Status(kRepo, id), Errc::kBlobUploadUnknown)) << "a completed upload is gone";
  EXPECT_TRUE(IsErr(svc().Lease(kRepo, id, std::nullopt), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(node_->driver->UploadSize(id), Errc::kBlobUploadUnknown));
}

TEST_F(UploadServiceTest, UploadIdsAreUnique) {
  auto a = StartUpload();
  auto b = StartUpload();
  EXPECT_NE(a, b);
  EXPECT_EQ(SizeOf(a), 0);
  EXPECT_EQ(SizeOf(b), 0);
}

TEST_F(UploadServiceTest, EmptyBlob) {
  auto id = StartUpload();
  auto lease = LeaseOk(id);
  ASSERT_NE(lease, nullptr);
  auto done = svc().Complete(*lease, Sha256Of(""));
  ASSERT_TRUE(IsOk(done));
  lease.reset();
  auto st = blobs().Stat(kRepo, Sha256Of(""));
  ASSERT_TRUE(IsOk(st));
  EXPECT_EQ(st->size, 0);
}

TEST_F(UploadServiceTest, DigestMismatchDiscardsUpload) {
  auto id = StartUpload();
  auto lease = LeaseOk(id);
  ASSERT_NE(lease, nullptr);
  Append(*lease, "actual content");
  const Digest claimed = Sha256Of("something else");
  EXPECT_TRUE(IsErr(svc().Complete(*lease, claimed), Errc::kDigestInvalid));
  lease.reset();

  EXPECT_TRUE(IsErr(svc().Status(kRepo, id), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(node_->driver->UploadSize(id), Errc::kBlobUploadUnknown)) << "the bytes are discarded";
  EXPECT_TRUE(IsErr(blobs().Stat(kRepo, claimed), Errc::kBlobUnknown));
  EXPECT_TRUE(IsErr(blobs().Stat(kRepo, Sha256Of("actual content")), Errc::kBlobUnknown));
  for (const Digest& d : {claimed, Sha256Of("actual content")}) {
    auto st = node_->driver->Stat(d);
    ASSERT_TRUE(IsOk(st));
    EXPECT_FALSE(st->has_value());
  }
}

TEST_F(UploadServiceTest, ContentRangeMustStartAtCurrentSize) {
  auto id = StartUpload();
  {
    EXPECT_TRUE(IsErr(svc().Lease(kRepo, id, ContentRange{1, 4}), Errc::kRangeInvalid));
    auto lease = LeaseOk(id, ContentRange{0, 4});
    ASSERT_NE(lease, nullptr);
    Append(*lease, "01234");
  }
  EXPECT_TRUE(IsErr(svc().Lease(kRepo, id, ContentRange{0, 4}), Errc::kRangeInvalid)) << "overlapping range";
  EXPECT_TRUE(IsErr(svc().Lease(kRepo, id, ContentRange{3, 9}), Errc::kRangeInvalid));
  EXPECT_TRUE(IsErr(svc().Lease(kRepo, id, ContentRange{6, 9}), Errc::kRangeInvalid)) << "a gap";
  // A rejected range holds no lease: the right range succeeds afterwards.
  auto lease = LeaseOk(id, ContentRange{5, 9});
  ASSERT_NE(lease, nullptr);
  Append(*lease, "56789");
  auto done = svc().Complete(*lease, Sha256Of("0123456789"));
  EXPECT_TRUE(IsOk(done));
}

TEST_F(UploadServiceTest, SecondLeaseWhileOneIsHeldIsRefused) {
  auto id = StartUpload();
  auto first = LeaseOk(id);
  ASSERT_NE(first, nullptr);
  Append(*first, "abc");
  EXPECT_TRUE(IsErr(svc().Lease(kRepo, id, std::nullopt), Errc::kBlobUploadInvalid));
  EXPECT_TRUE(IsErr(svc().Lease(kRepo, id, ContentRange{3, 5}), Errc::kBlobUploadInvalid));
  // The refused request did not disturb the holder.
  Append(*first, "def");
  first.reset();
  auto second = LeaseOk(id);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->size(), 6);
  auto done = svc().Complete(*second, Sha256Of("abcdef"));
  EXPECT_TRUE(IsOk(done));
}

TEST_F(UploadServiceTest, RacingLeasesOnOneUploadOnlyOneWins) {
  constexpr int kThreads = 8;
  auto id = StartUpload();
  std::latch all_tried(kThreads);
  std::atomic<int> won{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto lease = svc().Lease(kRepo, id, std::nullopt);
      if (lease) ++won;
      else if (lease.error().code == Errc::kBlobUploadInvalid) ++refused;
      else ++other;
      all_tried.arrive_and_wait();  // the winner holds its lease until everyone has tried
      if (lease) (void)(*lease)->Append("x", 1);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(refused.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(SizeOf(id), 1);
  auto lease = LeaseOk(id);
  ASSERT_NE(lease, nullptr);
  EXPECT_TRUE(IsOk(svc().Complete(*lease, Sha256Of("x"))));
}

TEST_F(UploadServiceTest, MaxConcurrentLeases) {
  node_.reset();
  node_ = std::make_unique<Node>(tmp_.path(), UploadService::Options{.max_concurrent = 2});
  auto a = StartUpload();
  auto b = StartUpload();
  auto c = StartUpload();
  auto la = LeaseOk(a);
  auto lb = LeaseOk(b);
  ASSERT_NE(la, nullptr);
  ASSERT_NE(lb, nullptr);
  EXPECT_TRUE(IsErr(svc().Lease(kRepo, c, std::nullopt), Errc::kTooManyRequests));
  lb.reset();
  auto lc = LeaseOk(c);
  ASSERT_NE(lc, nullptr);
  EXPECT_TRUE(IsErr(svc().Lease(kRepo, b, std::nullopt), Errc::kTooManyRequests));
  // A completed lease also frees its slot once released.
  ASSERT_TRUE(IsOk(svc().Complete(*la, Sha256Of(""))));
  la.reset();
  auto lb2 = LeaseOk(b);
  EXPECT_NE(lb2, nullptr);
}

TEST_F(UploadServiceTest, FailedLeasesDoNotLeakSlots) {
  node_.reset();
  node_ = std::make_unique<Node>(tmp_.path(), UploadService::Options{.max_concurrent = 1});
  auto id = StartUpload();
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(IsErr(svc().Lease(kRepo, "00000000-0000-4000-8000-000000000000", std::nullopt),
                      Errc::kBlobUploadUnknown));
    EXPECT_TRUE(IsErr(svc().Lease("other/repo", id, std::nullopt), Errc::kBlobUploadUnknown));
    EXPECT_TRUE(IsErr(svc().Lease(kRepo, id, ContentRange{7, 8}), Errc::kRangeInvalid));
  }
  auto lease = LeaseOk(id);
  ASSERT_NE(lease, nullptr);
  Append(*lease, "ok");
  EXPECT_TRUE(IsOk(svc().Complete(*lease, Sha256Of("ok"))));
}

TEST_F(UploadServiceTest, LeaseReleasedThenNewLeaseContinuesHashing) {
  auto id = StartUpload();
  std::string all;
  for (int round = 0; round < 4; ++round) {
    auto lease = LeaseOk(id, ContentRange{static_cast<int64_t>(all.size()), static_cast<int64_t>(all.size()) + 99});
    ASSERT_NE(lease, nullptr);
    EXPECT_EQ(lease->size(), static_cast<int64_t>(all.size()));
    std::string chunk(100, static_cast<char>('a' + round));
    Append(*lease, chunk);
    all += chunk;
  }
  EXPECT_EQ(SizeOf(id), 400);
  auto lease = LeaseOk(id);
  ASSERT_NE(lease, nullptr);
  auto done = svc().Complete(*lease, Sha256Of(all));
  ASSERT_TRUE(IsOk(done));
  lease.reset();
  EXPECT_EQ(ReadBlob(blobs(), kRepo, Sha256Of(all)), all);
}

TEST_F(UploadServiceTest, NewServiceInstanceContinuesUploadAfterRestart) {
  std::string id = StartUpload();
  {
    auto lease = LeaseOk(id);
    ASSERT_NE(lease, nullptr);
    Append(*lease, "first part, ");
  }
  // Restart: every object is torn down and re-opened over the same data directory, so the parked
  // hash state is gone and the service has to re-hash the bytes on disk.
  node_.reset();
  node_ = std::make_unique<Node>(tmp_.path());

  EXPECT_EQ(SizeOf(id), 12);
  auto lease = LeaseOk(id, ContentRange{12, 22});
  ASSERT_NE(lease, nullptr);
  EXPECT_EQ(lease->size(), 12);
  Append(*lease, "second part");
  EXPECT_TRUE(IsErr(svc().Complete(*lease, Sha256Of("second part")), Errc::kDigestInvalid))
      << "the digest covers the bytes written before the restart too";

  // Again, with the right digest this time.
  id = StartUpload();
  {
    auto l1 = LeaseOk(id);
    ASSERT_NE(l1, nullptr);
    Append(*l1, "first part, ");
  }
  lease.reset();
  node_.reset();
  node_ = std::make_unique<Node>(tmp_.path());
  auto l2 = LeaseOk(id, ContentRange{12, 22});
  ASSERT_NE(l2, nullptr);
  Append(*l2, "second part");
  auto done = svc().Complete(*l2, Sha256Of("first part, second part"));
  ASSERT_TRUE(IsOk(done));
  EXPECT_EQ(*done, Sha256Of("first part, second part"));
  l2.reset();
  EXPECT_EQ(ReadBlob(blobs(), kRepo, *done), "first part, second part");
}

TEST_F(UploadServiceTest, StaleParkedStateFromAnotherNodeIsNotUsed) {
  // Two service instances over the same storage, as two nodes behind a load balancer.
  Node other(tmp_.path());
  std::string id = StartUpload();
  {
    auto lease = LeaseOk(id);
    ASSERT_NE(lease, nullptr);
    Append(*lease, "aaa");
  }  // this node parks a hash covering 3 bytes
  {
    auto lease = other.uploads->Lease(kRepo, id, ContentRange{3, 5});
    ASSERT_TRUE(IsOk(lease));
    Append(**lease, "bbb");
  }  // the other node appended 3 more
  auto lease = LeaseOk(id, ContentRange{6, 8});
  ASSERT_NE(lease, nullptr);
  EXPECT_EQ(lease->size(), 6);
  Append(*lease, "ccc");
  auto done = svc().Complete(*lease, Sha256Of("aaabbbccc"));
  ASSERT_TRUE(IsOk(done)) << "the parked 3-byte hash must not be reused for a 6-byte upload";
}

TEST_F(UploadServiceTest, Sha512ExpectedDigest) {
  auto id = StartUpload();
  auto lease = LeaseOk(id);
  ASSERT_NE(lease, nullptr);
  Append(*lease, "five-twelve ");
  Append(*lease, "content");
  const Digest want = Sha512Of("five-twelve content");
  auto done = svc().Complete(*lease, want);
  ASSERT_TRUE(IsOk(done));
  EXPECT_EQ(*done, want);
  EXPECT_EQ(done->algorithm(), "sha512");
  lease.reset();
  auto st = blobs().Stat(kRepo, want);
  ASSERT_TRUE(IsOk(st));
  EXPECT_EQ(st->size, 19);
  EXPECT_EQ(ReadBlob(blobs(), kRepo, want), "five-twelve content");
  EXPECT_TRUE(IsErr(blobs().Stat(kRepo, Sha256Of("five-twelve content")), Errc::kBlobUnknown));
}

TEST_F(UploadServiceTest, Sha512Mismatch) {
  auto id = StartUpload();
  auto lease = LeaseOk(id);
  ASSERT_NE(lease, nullptr);
  Append(*lease, "data");
  EXPECT_TRUE(IsErr(svc().Complete(*lease, Sha512Of("other")), Errc::kDigestInvalid));
  lease.reset();
  EXPECT_TRUE(IsErr(svc().Status(kRepo, id), Errc::kBlobUploadUnknown));
}

TEST_F(UploadServiceTest, SameContentUploadedTwice) {
  for (const char* repo : {"one/repo", "two/repo"}) {
    auto id = StartUpload(repo);
    auto lease = LeaseOk(id, std::nullopt, repo);
    ASSERT_NE(lease, nullptr);
    Append(*lease, "same bytes");
    ASSERT_TRUE(IsOk(svc().Complete(*lease, Sha256Of("same bytes"))));
  }
  for (const char* repo : {"one/repo", "two/repo"}) {
    EXPECT_EQ(ReadBlob(blobs(), repo, Sha256Of("same bytes")), "same bytes") << repo;
  }
}

TEST_F(UploadServiceTest, StatusAndLeaseCheckTheRepository) {
  auto id = StartUpload();
  EXPECT_TRUE(IsErr(svc().Status("other/repo", id), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(svc().Lease("other/repo", id, std::nullopt), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(svc().Cancel("other/repo", id), Errc::kBlobUploadUnknown));
  EXPECT_EQ(SizeOf(id), 0) << "requests against another repository leave the upload alone";
}

TEST_F(UploadServiceTest, UnknownUploadIds) {
  for (const char* id : {"00000000-0000-4000-8000-000000000000", "../x", "", "not-an-upload"}) {
    EXPECT_TRUE(IsErr(svc().Status(kRepo, id), Errc::kBlobUploadUnknown)) << id;
    EXPECT_TRUE(IsErr(svc().Lease(kRepo, id, std::nullopt), Errc::kBlobUploadUnknown)) << id;
    EXPECT_TRUE(IsErr(svc().Cancel(kRepo, id), Errc::kBlobUploadUnknown)) << id;
  }
}

TEST_F(UploadServiceTest, Cancel) {
  auto id = StartUpload();
  {
    auto lease = LeaseOk(id);
    ASSERT_NE(lease, nullptr);
    Append(*lease, "partial");
    EXPECT_TRUE(IsErr(svc().Cancel(kRepo, id), Errc::kBlobUploadInvalid)) << "cannot cancel while appending";
  }
  EXPECT_EQ(SizeOf(id), 7);
  ASSERT_TRUE(IsOk(svc().Cancel(kRepo, id)));
  EXPECT_TRUE(IsErr(svc().Status(kRepo, id), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(svc().Lease(kRepo, id, std::nullopt), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(node_->driver->UploadSize(id), Errc::kBlobUploadUnknown)) << "the bytes are deleted";
  EXPECT_TRUE(IsErr(svc().Cancel(kRepo, id), Errc::kBlobUploadUnknown));
}

}  // namespace
}  // namespace berth::registry
