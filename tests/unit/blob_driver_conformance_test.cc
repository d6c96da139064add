// Conformance suite for the blob::BlobDriver contract (src/blob/driver.h).
//
// Every driver runs the same tests. To add a driver (e.g. S3), add one entry to kDrivers below:
// a name and a factory that builds a fresh, empty driver given a scratch directory that is private
// to the test (a driver that does not need local files may ignore it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "blob/driver.h"
#include "blob/filesystem/fs_driver.h"
#include "test_util.h"

namespace berth::blob {
namespace {

using unit::IsErr;
using unit::IsOk;
using unit::TempDir;

struct DriverFactory {
  std::string name;
  std::function<Result<std::unique_ptr<BlobDriver>>(const std::string& scratch)> make;
};

void PrintTo(const DriverFactory& f, std::ostream* os) { *os << f.name; }

Result<std::unique_ptr<BlobDriver>> MakeFs(const std::string& scratch, bool durable) {
  // The root is a sub-directory, so that escapes such as "../x" would land inside `scratch`.
  auto d = FsDriver::Open(scratch + "/root", durable);
  if (!d) return std::unexpected(d.error());
  return std::unique_ptr<BlobDriver>(std::move(*d));
}

const DriverFactory kDrivers[] = {
    {"FsDurable", [](const std::string& s) { return MakeFs(s, true); }},
    {"FsNonDurable", [](const std::string& s) { return MakeFs(s, false); }},
    // {"S3", [](const std::string& s) { return MakeS3ForTest(s); }},
};

std::string ReadAllFd(int fd, int64_t size) {
  std::string out(static_cast<size_t>(size), '\0');
  int64_t off = 0;
  while (off < size) {
    ssize_t n = ::pread(fd, out.data() + off, static_cast<size_t>(size - off), off);
    if (n <= 0) break;
    off += n;
  }
  out.resize(static_cast<size_t>(off));
  return out;
}

std::string ReadAll(const BlobReader& r) { return ReadAllFd(r.fd(), r.size()); }

class BlobDriverConformance : public ::testing::TestWithParam<DriverFactory> {
 protected:
  void SetUp() override {
    auto d = GetParam().make(tmp_.path());
    ASSERT_TRUE(IsOk(d));
    driver_ = std::move(*d);
  }

  // Creates an upload holding `data` (appended in one call).
  void MakeUpload(const std::string& id, std::string_view data) {
    ASSERT_TRUE(IsOk(driver_->CreateUpload(id)));
    auto w = driver_->OpenUpload(id);
    ASSERT_TRUE(IsOk(w));
    ASSERT_TRUE(IsOk((*w)->Append(data.data(), data.size())));
  }

  // Stores `data` as a blob through an upload; returns its digest.
  Digest PutBlob(const std::string& id, std::string_view data) {
    MakeUpload(id, data);
    Digest d = Sha256Of(data);
    EXPECT_TRUE(IsOk(driver_->CommitUpload(id, d)));
    return d;
  }

  std::string BlobBytes(const Digest& d) {
    auto r = driver_->Open(d);
    if (!r) return "<error " + unit::ErrcText(r.error().code) + ">";
    return ReadAll(**r);
  }

  TempDir tmp_;
  std::unique_ptr<BlobDriver> driver_;
};

TEST_P(BlobDriverConformance, NewUploadIsEmpty) {
  ASSERT_TRUE(IsOk(driver_->CreateUpload("u1")));
  auto size = driver_->UploadSize("u1");
  ASSERT_TRUE(IsOk(size));
  EXPECT_EQ(*size, 0);
  auto w = driver_->OpenUpload("u1");
  ASSERT_TRUE(IsOk(w));
  EXPECT_EQ((*w)->size(), 0);
  auto r = driver_->ReadUpload("u1");
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ((*r)->size(), 0);
}

TEST_P(BlobDriverConformance, AppendGrowsUploadAndIsReadable) {
  ASSERT_TRUE(IsOk(driver_->CreateUpload("0f1e2d3c-aaaa-4bbb-8ccc-0123456789ab")));
  const std::string id = "0f1e2d3c-aaaa-4bbb-8ccc-0123456789ab";
  auto w = driver_->OpenUpload(id);
  ASSERT_TRUE(IsOk(w));
  ASSERT_TRUE(IsOk((*w)->Append("hello ", 6)));
  EXPECT_EQ((*w)->size(), 6);
  ASSERT_TRUE(IsOk((*w)->Append("world", 5)));
  EXPECT_EQ((*w)->size(), 11);
  ASSERT_TRUE(IsOk((*w)->Append("", 0)));
  EXPECT_EQ((*w)->size(), 11);

  auto size = driver_->UploadSize(id);
  ASSERT_TRUE(IsOk(size));
  EXPECT_EQ(*size, 11);
  auto r = driver_->ReadUpload(id);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ((*r)->size(), 11);
  EXPECT_EQ(ReadAll(**r), "hello world");
}

TEST_P(BlobDriverConformance, ReopenedUploadContinuesAtTheEnd) {
  MakeUpload("u1", "abc");
  auto w = driver_->OpenUpload("u1");
  ASSERT_TRUE(IsOk(w));
  EXPECT_EQ((*w)->size(), 3) << "a re-opened writer knows the current size";
  ASSERT_TRUE(IsOk((*w)->Append("def", 3)));
  EXPECT_EQ((*w)->size(), 6);
  w->reset();
  auto r = driver_->ReadUpload("u1");
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(ReadAll(**r), "abcdef");
}

TEST_P(BlobDriverConformance, LargeUploadInChunks) {
  ASSERT_TRUE(IsOk(driver_->CreateUpload("big")));
  auto w = driver_->OpenUpload("big");
  ASSERT_TRUE(IsOk(w));
  std::string all;
  Hasher h;
  for (int i = 0; i < 48; ++i) {
    std::string chunk(65536 + i, static_cast<char>('a' + i % 26));
    all += chunk;
    h.Update(chunk);
    ASSERT_TRUE(IsOk((*w)->Append(chunk.data(), chunk.size())));
  }
  EXPECT_EQ((*w)->size(), static_cast<int64_t>(all.size()));
  w->reset();
  ASSERT_TRUE(IsOk(driver_->CommitUpload("big", h.Peek())));
  auto st = driver_->Stat(h.Peek());
  ASSERT_TRUE(IsOk(st));
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ(**st, static_cast<int64_t>(all.size()));
  EXPECT_TRUE(BlobBytes(h.Peek()) == all);
}

TEST_P(BlobDriverConformance, CommitMakesBlobVisibleAndRemovesUpload) {
  const std::string data = "some blob bytes";
  const Digest d = Sha256Of(data);
  {
    auto st = driver_->Stat(d);
    ASSERT_TRUE(IsOk(st));
    EXPECT_FALSE(st->has_value());
  }
  MakeUpload("u1", data);
  ASSERT_TRUE(IsOk(driver_->CommitUpload("u1", d)));

  auto st = driver_->Stat(d);
  ASSERT_TRUE(IsOk(st));
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ(**st, static_cast<int64_t>(data.size()));
  auto r = driver_->Open(d);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ((*r)->size(), static_cast<int64_t>(data.size()));
  EXPECT_EQ(ReadAll(**r), data);

  EXPECT_TRUE(IsErr(driver_->UploadSize("u1"), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(driver_->OpenUpload("u1"), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(driver_->ReadUpload("u1"), Errc::kBlobUploadUnknown));
}

TEST_P(BlobDriverConformance, CommitWithWriterStillOpen) {
  ASSERT_TRUE(IsOk(driver_->CreateUpload("u1")));
  auto w = driver_->OpenUpload("u1");
  ASSERT_TRUE(IsOk(w));
  ASSERT_TRUE(IsOk((*w)->Append("xyz", 3)));
  ASSERT_TRUE(IsOk(driver_->CommitUpload("u1", Sha256Of("xyz"))));
  EXPECT_EQ(BlobBytes(Sha256Of("xyz")), "xyz");
}

TEST_P(BlobDriverConformance, EmptyBlob) {
  ASSERT_TRUE(IsOk(driver_->CreateUpload("empty")));
  const Digest d = Sha256Of("");
  ASSERT_TRUE(IsOk(driver_->CommitUpload("empty", d)));
  auto st = driver_->Stat(d);
  ASSERT_TRUE(IsOk(st));
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ(**st, 0);
  auto r = driver_->Open(d);
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ((*r)->size(), 0);
}

TEST_P(BlobDriverConformance, CommitOfExistingDigestDiscardsUpload) {
  const Digest d = PutBlob("first", "original");
  // The driver does not verify digests; a second upload committed under the same digest must not
  // replace the stored bytes (content-addressed: the existing blob wins).
  MakeUpload("second", "different bytes");
  ASSERT_TRUE(IsOk(driver_->CommitUpload("second", d)));
  EXPECT_EQ(BlobBytes(d), "original");
  auto st = driver_->Stat(d);
  ASSERT_TRUE(IsOk(st));
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ(**st, 8);
  EXPECT_TRUE(IsErr(driver_->UploadSize("second"), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(driver_->ReadUpload("second"), Errc::kBlobUploadUnknown));
}

TEST_P(BlobDriverConformance, Sha512Digest) {
  Hasher h("sha512");
  h.Update("five-twelve");
  MakeUpload("u1", "five-twelve");
  ASSERT_TRUE(IsOk(driver_->CommitUpload("u1", h.Peek())));
  EXPECT_EQ(BlobBytes(h.Peek()), "five-twelve");
  auto other = driver_->Stat(Sha256Of("five-twelve"));
  ASSERT_TRUE(IsOk(other));
  EXPECT_FALSE(other->has_value()) << "blobs are addressed by the full digest, algorithm included";
}

TEST_P(BlobDriverConformance, UploadsAreIndependent) {
  MakeUpload("a", "AAAA");
  MakeUpload("b", "BB");
  auto wa = driver_->OpenUpload("a");
  ASSERT_TRUE(IsOk(wa));
  ASSERT_TRUE(IsOk((*wa)->Append("aa", 2)));
  EXPECT_EQ(*driver_->UploadSize("a"), 6);
  EXPECT_EQ(*driver_->UploadSize("b"), 2);
  ASSERT_TRUE(IsOk(driver_->DeleteUpload("b")));
  EXPECT_EQ(*driver_->UploadSize("a"), 6);
}

TEST_P(BlobDriverConformance, DeleteUpload) {
  MakeUpload("u1", "bytes");
  ASSERT_TRUE(IsOk(driver_->DeleteUpload("u1")));
  EXPECT_TRUE(IsErr(driver_->UploadSize("u1"), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(driver_->OpenUpload("u1"), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(driver_->ReadUpload("u1"), Errc::kBlobUploadUnknown));
  auto st = driver_->Stat(Sha256Of("bytes"));
  ASSERT_TRUE(IsOk(st));
  EXPECT_FALSE(st->has_value()) << "a deleted upload never becomes a blob";
  // The id can be used again afterwards.
  ASSERT_TRUE(IsOk(driver_->CreateUpload("u1")));
  EXPECT_EQ(*driver_->UploadSize("u1"), 0);
}

TEST_P(BlobDriverConformance, UnknownUploadIsBlobUploadUnknown) {
  EXPECT_TRUE(IsErr(driver_->OpenUpload("nope"), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(driver_->UploadSize("nope"), Errc::kBlobUploadUnknown));
  EXPECT_TRUE(IsErr(driver_->ReadUpload("nope"), Errc::kBlobUploadUnknown));
}

TEST_P(BlobDriverConformance, CommitOfUnknownUploadIsBlobUploadUnknown) {
  EXPECT_TRUE(IsErr(driver_->CommitUpload("nope", Sha256Of("x")), Errc::kBlobUploadUnknown));
  auto st = driver_->Stat(Sha256Of("x"));
  ASSERT_TRUE(IsOk(st));
  EXPECT_FALSE(st->has_value());
}

TEST_P(BlobDriverConformance, UnknownBlob) {
  const Digest d = Sha256Of("never stored");
  auto st = driver_->Stat(d);
  ASSERT_TRUE(IsOk(st));
  EXPECT_FALSE(st->has_value());
  EXPECT_TRUE(IsErr(driver_->Open(d), Errc::kBlobUnknown));
}

TEST_P(BlobDriverConformance, TruncateCutsBackAndAppendContinues) {
  ASSERT_TRUE(IsOk(driver_->CreateUpload("u1")));
  auto w = driver_->OpenUpload("u1");
  ASSERT_TRUE(IsOk(w));
  ASSERT_TRUE(IsOk((*w)->Append("abcd", 4)));
  ASSERT_TRUE(IsOk((*w)->Append("garbage", 7)));
  ASSERT_TRUE(IsOk((*w)->Truncate(4)));
  EXPECT_EQ((*w)->size(), 4);
  EXPECT_EQ(*driver_->UploadSize("u1"), 4);
  ASSERT_TRUE(IsOk((*w)->Append("XY", 2)));
  EXPECT_EQ((*w)->size(), 6);
  w->reset();
  auto r = driver_->ReadUpload("u1");
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(ReadAll(**r), "abcdXY");
  ASSERT_TRUE(IsOk(driver_->CommitUpload("u1", Sha256Of("abcdXY"))));
  EXPECT_EQ(BlobBytes(Sha256Of("abcdXY")), "abcdXY");
}

TEST_P(BlobDriverConformance, TruncateToZero) {
  MakeUpload("u1", "0123456789");
  auto w = driver_->OpenUpload("u1");
  ASSERT_TRUE(IsOk(w));
  ASSERT_TRUE(IsOk((*w)->Truncate(0)));
  EXPECT_EQ((*w)->size(), 0);
  ASSERT_TRUE(IsOk((*w)->Append("z", 1)));
  w->reset();
  auto r = driver_->ReadUpload("u1");
  ASSERT_TRUE(IsOk(r));
  EXPECT_EQ(ReadAll(**r), "z");
}

TEST_P(BlobDriverConformance, InvalidUploadIdsAreRejected) {
  // Ids that could name something outside the upload area, or are not a single path segment.
  const std::vector<std::string> bad_ids = {"../x", "..", ".", "", "a/b", "/etc/passwd", "../../x", "a\n",
                                            std::string("a\0b", 3)};
  for (const std::string& bad : bad_ids) {
    EXPECT_FALSE(driver_->CreateUpload(bad)) << "CreateUpload(" << bad << ")";
    EXPECT_FALSE(driver_->OpenUpload(bad)) << bad;
    EXPECT_FALSE(driver_->UploadSize(bad)) << bad;
    EXPECT_FALSE(driver_->ReadUpload(bad)) << bad;
    EXPECT_FALSE(driver_->CommitUpload(bad, Sha256Of("x"))) << bad;
    EXPECT_FALSE(driver_->DeleteUpload(bad)) << bad;
  }
  // Nothing escaped into the scratch directory next to (or above) the driver's storage.
  EXPECT_FALSE(std::filesystem::exists(tmp_.Sub("x")));
  EXPECT_FALSE(std::filesystem::exists(tmp_.Sub("b")));
  // Upload ids the registry generates (lower-case UUIDs) are accepted.
  EXPECT_TRUE(IsOk(driver_->CreateUpload("3f2504e0-4f89-41d3-9a0c-0305e82c3301")));
}

TEST_P(BlobDriverConformance, DeleteBlob) {
  const Digest keep = PutBlob("u1", "keep me");
  const Digest gone = PutBlob("u2", "delete me");
  ASSERT_TRUE(IsOk(driver_->Delete(gone)));
  auto st = driver_->Stat(gone);
  ASSERT_TRUE(IsOk(st));
  EXPECT_FALSE(st->has_value());
  EXPECT_TRUE(IsErr(driver_->Open(gone), Errc::kBlobUnknown));
  EXPECT_EQ(BlobBytes(keep), "keep me");
  // The digest can be stored again later.
  PutBlob("u3", "delete me");
  EXPECT_EQ(BlobBytes(gone), "delete me");
}

// Delete hides at once; Reclaim gives the space back (all of it, by the time it returns) and is
// idempotent; a digest deleted, stored again and deleted again is reclaimed once.
TEST_P(BlobDriverConformance, ReclaimAfterDelete) {
  const Digest a = PutBlob("u1", std::string(3000, 'a'));
  const Digest b = PutBlob("u2", std::string(5000, 'b'));
  const Digest keep = PutBlob("u3", "keep");
  ASSERT_TRUE(IsOk(driver_->Delete(a)));
  PutBlob("u4", std::string(3000, 'a'));
  ASSERT_TRUE(IsOk(driver_->Delete(a)));
  ASSERT_TRUE(IsOk(driver_->Delete(b)));
  auto r = driver_->Reclaim([] { return false; });
  ASSERT_TRUE(IsOk(r));
  EXPECT_TRUE(r->files == 0 || (r->files == 2 && r->bytes == 8000)) << r->files << " files, " << r->bytes;
  auto again = driver_->Reclaim([] { return false; });
  ASSERT_TRUE(IsOk(again));
  EXPECT_EQ(again->files, 0);
  EXPECT_FALSE(driver_->Stat(a)->has_value());
  EXPECT_FALSE(driver_->Stat(b)->has_value());
  EXPECT_EQ(BlobBytes(keep), "keep");
  // Nothing of the deleted blobs is left on disk under the driver's directory.
  int64_t left = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(tmp_.path()))
    if (e.is_regular_file() && e.file_size() >= 3000) ++left;
  EXPECT_EQ(left, 0);
}

TEST_P(BlobDriverConformance, ConcurrentUploadsOfDistinctIds) {
  constexpr int kThreads = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string id = "thread-" + std::to_string(t);
      std::string data(1000 + t, static_cast<char>('a' + t));
      if (!driver_->CreateUpload(id)) return void(++failures);
      auto w = driver_->OpenUpload(id);
      if (!w) return void(++failures);
      for (int i = 0; i < 10; ++i)
        if (!(*w)->Append(data.data(), data.size())) return void(++failures);
      w->reset();
      std::string all;
      for (int i = 0; i < 10; ++i) all += data;
      if (!driver_->CommitUpload(id, Sha256Of(all))) return void(++failures);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    std::string data(1000 + t, static_cast<char>('a' + t));
    std::string all;
    for (int i = 0; i < 10; ++i) all += data;
    EXPECT_TRUE(BlobBytes(Sha256Of(all)) == all) << "thread " << t;
  }
}

INSTANTIATE_TEST_SUITE_P(Drivers, BlobDriverConformance, ::testing::ValuesIn(kDrivers),
                         [](const ::testing::TestParamInfo<DriverFactory>& info) { return info.param.name; });

}  // namespace
}  // namespace berth::blob
