// Quota webhook payloads (webhook::QuotaEvent + DefaultBody) against the two samples of
// shared/spec/webhooks.md §3.7, byte for byte (the digest there is shortened as in the spec), and
// the outbox record of a quota event surviving its JSON round trip.
#include <gtest/gtest.h>

#include "store/outbox.h"
#include "webhook/event.h"
#include "webhook/payloads.h"

namespace berth::webhook {
namespace {

TEST(QuotaEvents, WarningMatchesTheSpecSample) {
  Event e = QuotaEvent("QUOTA_WARNING", 1700002000, "ci-bot", "team-a", false, "team-a/app", "sha256:41c0…", "v2",
                       "quota usage reach 85%: resource storage used 8.6 GiB of 10.0 GiB");
  EXPECT_EQ(DefaultBody(e),
            R"({"type":"QUOTA_WARNING","occur_at":1700002000,"operator":"ci-bot","event_data":{"resources":[{"digest":"sha256:41c0…","tag":"v2"}],"repository":{"name":"app","namespace":"team-a","repo_full_name":"team-a/app","repo_type":"private"},"custom_attributes":{"Details":"quota usage reach 85%: resource storage used 8.6 GiB of 10.0 GiB"}}})");
}

TEST(QuotaEvents, ExceedWithoutAManifestHasNoResources) {
  Event e = QuotaEvent("QUOTA_EXCEED", 1700002100, "ci-bot", "team-a", false, "team-a/app", "", "",
                       "adding 512.0 MiB of storage resource, which when updated to current usage of 9.8 GiB will "
                       "exceed the configured upper limit of 10.0 GiB.");
  EXPECT_EQ(DefaultBody(e),
            R"({"type":"QUOTA_EXCEED","occur_at":1700002100,"operator":"ci-bot","event_data":{"repository":{"name":"app","namespace":"team-a","repo_full_name":"team-a/app","repo_type":"private"},"custom_attributes":{"Details":"adding 512.0 MiB of storage resource, which when updated to current usage of 9.8 GiB will exceed the configured upper limit of 10.0 GiB."}}})");
}

TEST(QuotaEvents, ByDigestManifestPutNamesOnlyTheDigest) {
  Event e = QuotaEvent("QUOTA_EXCEED", 1, "u", "p", true, "p/a/b", "sha256:ab", "", "d");
  ASSERT_EQ(e.resources.size(), 1u);
  EXPECT_EQ(EventDataJson(e)["resources"].dump(), R"([{"digest":"sha256:ab"}])");
  EXPECT_EQ(EventDataJson(e)["repository"]["name"], "a/b");
  EXPECT_EQ(EventDataJson(e)["repository"]["repo_type"], "public");
}

TEST(QuotaEvents, OutboxRecordKeepsDetailsAndAllowsNoDigest) {
  store::ArtifactEventRecord r;
  r.type = "QUOTA_EXCEED";
  r.occur_at = 5;
  r.operator_name = "alice";
  r.repository = "p/app";
  r.details = "adding 3 B of storage resource, …";
  auto back = store::ParseArtifactEvent(store::ToJson(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->details, r.details);
  EXPECT_EQ(back->digest, "");
  // Artifact events still need their digest, and carry no details key.
  r.type = "PUSH_ARTIFACT";
  EXPECT_FALSE(store::ParseArtifactEvent(store::ToJson(r)));
  r.details.clear();
  r.digest = "sha256:ab";
  EXPECT_EQ(store::ToJson(r).find("details"), std::string::npos);
}

}  // namespace
}  // namespace berth::webhook
