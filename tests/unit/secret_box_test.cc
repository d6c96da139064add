// SecretBox (auth/secret_box.h): sealing and opening secrets, the key file in the data directory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "auth/secret_box.h"
#include "base/fileio.h"
#include "test_util.h"

namespace berth::auth {
namespace {

using unit::IsErr;
using unit::IsOk;

std::unique_ptr<SecretBox> Box(char fill) { return std::move(*SecretBox::FromKey(std::string(32, fill))); }

TEST(SecretBoxTest, SealsWithAVersionedPrefixAndOpensAgain) {
  auto box = Box('k');
  for (std::string plain : {std::string("Bind-Pw-4711"), std::string(), std::string("\"json\"\n\0x", 9)}) {
    std::string sealed = box->Seal(plain);
    EXPECT_TRUE(sealed.starts_with("enc:v1:")) << sealed;
    EXPECT_TRUE(SecretBox::IsSealed(sealed));
    if (!plain.empty()) {
      EXPECT_EQ(sealed.find(plain), std::string::npos);
    }
    auto opened = box->Open(sealed);
    ASSERT_TRUE(IsOk(opened));
    EXPECT_EQ(*opened, plain);
  }
}

TEST(SecretBoxTest, EverySealHasItsOwnNonce) {
  auto box = Box('k');
  EXPECT_NE(box->Seal("same"), box->Seal("same"));
}

TEST(SecretBoxTest, RefusesOtherKeysAlteredAndMalformedText) {
  auto box = Box('k');
  std::string sealed = box->Seal("Bind-Pw-4711");
  EXPECT_TRUE(IsErr(Box('o')->Open(sealed), Errc::kInternal));
  std::string altered = sealed;
  // A character in the middle: every one there carries 6 data bits (near the end, the last
  // character before the padding may carry bits that decoding drops, so changing it changes nothing).
  size_t mid = altered.size() / 2;
  altered[mid] = altered[mid] == 'A' ? 'B' : 'A';
  EXPECT_TRUE(IsErr(box->Open(altered), Errc::kInternal));
  EXPECT_TRUE(IsErr(box->Open("\"plain\""), Errc::kInternal));
  EXPECT_TRUE(IsErr(box->Open("enc:v1:not base64"), Errc::kInternal));
  EXPECT_TRUE(IsErr(box->Open("enc:v1:AAAA"), Errc::kInternal));  // shorter than nonce + tag
  EXPECT_FALSE(SecretBox::IsSealed("\"enc:v1:\""));  // a JSON text from before sealing
  EXPECT_TRUE(IsErr(SecretBox::FromKey("short"), Errc::kInternal));
}

TEST(SecretBoxTest, KeyFileIsMadeOnceWithMode0600AndReused) {
  unit::TempDir dir;
  std::string path = dir.Sub("secret.key");
  auto first = SecretBox::LoadOrCreate(path);
  ASSERT_TRUE(IsOk(first));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  std::string sealed = (*first)->Seal("Bind-Pw-4711");
  auto again = SecretBox::LoadOrCreate(path);  // the next start reads the same key
  ASSERT_TRUE(IsOk(again));
  auto opened = (*again)->Open(sealed);
  ASSERT_TRUE(IsOk(opened));
  EXPECT_EQ(*opened, "Bind-Pw-4711");
}

TEST(SecretBoxTest, DamagedKeyFileIsAnErrorAndIsNotReplaced) {
  unit::TempDir dir;
  std::string path = dir.Sub("secret.key");
  ASSERT_TRUE(IsOk(fileio::WriteFileAtomic(path, "too short", false, 0600)));
  EXPECT_TRUE(IsErr(SecretBox::LoadOrCreate(path), Errc::kInternal));
  auto kept = fileio::ReadFile(path);
  ASSERT_TRUE(IsOk(kept));
  EXPECT_EQ(*kept, "too short");
}

}  // namespace
}  // namespace berth::auth
