// TargetSecrets (webhook/target_secrets.h) over a real SecretBox: targets' auth_header and
// signing_secret sealed for storage, opened for a delivery, legacy plaintext rows still working.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/secret_box.h"
#include "test_util.h"
#include "webhook/target_secrets.h"

namespace berth::webhook {
namespace {

using Json = nlohmann::json;
using unit::IsErr;
using unit::IsOk;

struct Fixture {
  std::unique_ptr<auth::SecretBox> box;
  std::unique_ptr<TargetSecrets> secrets;
};

Fixture Make(char fill) {
  Fixture f;
  f.box = std::move(*auth::SecretBox::FromKey(std::string(32, fill)));
  auto* box = f.box.get();
  f.secrets = std::make_unique<TargetSecrets>(Cipher{[box](std::string_view p) { return box->Seal(p); },
                                                     [box](std::string_view s) { return box->Open(s); },
                                                     std::string(auth::SecretBox::kPrefix)});
  return f;
}

Json Target(std::string auth, std::string signing) {
  return Json{{"type", "http"},          {"address", "https://ci.example.com/hook"}, {"auth_header", auth},
              {"skip_cert_verify", false}, {"payload_format", "Default"},            {"signing_secret", signing}};
}

TEST(WebhookTargetSecretsTest, SealsBothSecretsAndOpensThemAgain) {
  auto f = Make('a');
  Json targets = Json::array({Target("Bearer s3cr3t-token-42", "hmac-key-77"), Target("", "")});
  std::string stored = f.secrets->SealText(targets.dump());
  EXPECT_EQ(stored.find("s3cr3t-token-42"), std::string::npos) << "no plaintext at rest";
  EXPECT_EQ(stored.find("hmac-key-77"), std::string::npos);
  EXPECT_EQ(stored.find("Bearer"), std::string::npos) << "the scheme is sealed too";
  Json sealed = Json::parse(stored);
  EXPECT_TRUE(f.secrets->IsSealed(sealed[0]["auth_header"].get<std::string>()));
  EXPECT_TRUE(f.secrets->IsSealed(sealed[0]["signing_secret"].get<std::string>()));
  EXPECT_EQ(sealed[1]["auth_header"], "") << "an empty value stays empty (no header)";
  EXPECT_EQ(sealed[0]["address"], "https://ci.example.com/hook") << "other fields are untouched";

  auto opened = f.secrets->OpenText(stored);
  ASSERT_TRUE(IsOk(opened));
  EXPECT_EQ(Json::parse(*opened), targets);
  // One target object (an execution's copy) opens the same way.
  auto one = f.secrets->Open(sealed[0]);
  ASSERT_TRUE(IsOk(one));
  EXPECT_EQ((*one)["auth_header"], "Bearer s3cr3t-token-42");
  EXPECT_EQ((*one)["signing_secret"], "hmac-key-77");
}

TEST(WebhookTargetSecretsTest, SealingTwiceGivesDifferentTextsThatOpenAlike) {
  auto f = Make('b');
  Json t = Target("Basic dXNlcjpwdw==", "k");
  Json a = f.secrets->Seal(t), b = f.secrets->Seal(t);
  EXPECT_NE(a["auth_header"], b["auth_header"]) << "a random nonce per seal";
  EXPECT_EQ(*f.secrets->Open(a), *f.secrets->Open(b));
}

TEST(WebhookTargetSecretsTest, LegacyPlaintextRowsOpenToThemselvesAndAreSealedWhenRewritten) {
  auto f = Make('c');
  Json legacy = Json::array({Target("Bearer old-plain-token", "old-plain-key")});
  auto opened = f.secrets->OpenText(legacy.dump());
  ASSERT_TRUE(IsOk(opened));
  EXPECT_EQ(Json::parse(*opened), legacy);
  EXPECT_EQ(f.secrets->OpenForDisplay(legacy), legacy);
  // Rewriting the policy (what PUT does with the plaintext a GET returned) seals it.
  std::string rewritten = f.secrets->SealText(*opened);
  EXPECT_EQ(rewritten.find("old-plain"), std::string::npos);
  EXPECT_EQ(Json::parse(*f.secrets->OpenText(rewritten)), legacy);
}

TEST(WebhookTargetSecretsTest, AValueSealedUnderAnotherKeyDoesNotOpenAndNeverShows) {
  auto mine = Make('d');
  auto other = Make('e');
  Json sealed = other.secrets->Seal(Target("Bearer elsewhere-secret", ""));
  auto opened = mine.secrets->Open(sealed);
  ASSERT_TRUE(IsErr(opened, Errc::kInternal));
  std::string message(opened.error().Message());
  EXPECT_NE(message.find("auth_header"), std::string::npos) << message;
  EXPECT_EQ(message.find("elsewhere-secret"), std::string::npos) << message;
  EXPECT_EQ(message.find(sealed["auth_header"].get<std::string>()), std::string::npos) << message;
  // For display the value is blanked, not shown sealed and not an error.
  Json shown = mine.secrets->OpenForDisplay(sealed);
  EXPECT_EQ(shown["auth_header"], "");
  EXPECT_EQ(shown["address"], "https://ci.example.com/hook");
}

TEST(WebhookTargetSecretsTest, TextThatIsNotJsonIsLeftAlone) {
  auto f = Make('f');
  EXPECT_EQ(f.secrets->SealText("not json"), "not json");
  EXPECT_EQ(*f.secrets->OpenText("not json"), "not json");
}

}  // namespace
}  // namespace berth::webhook
