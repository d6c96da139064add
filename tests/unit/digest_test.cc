#include <gtest/gtest.h>

#include "base/digest.h"

namespace berth {

TEST(Digest, ParsesSha256) {
  auto d = Digest::Parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->algorithm(), "sha256");
  EXPECT_EQ(d->str(), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Digest, RejectsBadInput) {
  for (const char* bad : {"", "sha256", "sha256:", "sha256:abc", "md5:d41d8cd98f00b204e9800998ecf8427e",
                          "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                          "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
                          "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85z",
                          ":e3b0", "sha256::x"}) {
    auto d = Digest::Parse(bad);
    EXPECT_FALSE(d) << bad;
    if (!d) {
      EXPECT_EQ(d.error().code, Errc::kDigestInvalid) << bad;
    }
  }
}

TEST(Hasher, HashesIncrementallyAndPeeksWithoutFinishing) {
  Hasher h;
  EXPECT_EQ(h.Peek().hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  h.Update("a");
  Hasher copy = h;
  h.Update("bc");
  EXPECT_EQ(h.Peek().hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  copy.Update("bc");
  EXPECT_EQ(copy.Peek(), h.Peek());
  EXPECT_EQ(Sha256Of("abc"), h.Peek());
}

TEST(Hasher, Sha512) {
  Hasher h("sha512");
  h.Update("abc");
  EXPECT_EQ(h.Peek().str().substr(0, 23), "sha512:ddaf35a193617aba");
  EXPECT_TRUE(Digest::Parse(h.Peek().str()));
}

TEST(ErrorTable, EveryCodeHasAWireCodeAndStatus) {
  for (int i = 0; i <= static_cast<int>(Errc::kInternal); ++i) {
    const auto& info = Describe(static_cast<Errc>(i));
    EXPECT_FALSE(info.wire_code.empty());
    EXPECT_GE(info.http_status, 400);
    EXPECT_LT(info.http_status, 600);
  }
  EXPECT_EQ(Describe(Errc::kBlobUnknown).wire_code, "BLOB_UNKNOWN");
  EXPECT_EQ(Describe(Errc::kRangeInvalid).http_status, 416);
  EXPECT_EQ(Describe(Errc::kTooLarge).http_status, 413);
}

}  // namespace berth
