// Webhook event model and payload bodies. The expected JSON strings marked "spec §x" are copied
// verbatim from shared/spec/webhooks.md; the bodies must equal them byte for byte.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "webhook/event.h"
#include "webhook/go_json.h"
#include "webhook/payloads.h"

namespace berth::webhook {
namespace {

using ojson = nlohmann::ordered_json;

RepositoryInfo Repo(std::string project, std::string name, bool is_public, int64_t created = 0) {
  RepositoryInfo r;
  r.date_created = created;
  r.name = name;
  r.namespace_ = project;
  r.repo_full_name = project + "/" + name;
  r.repo_type = is_public ? "public" : "private";
  return r;
}

// ---- event model ----

TEST(WebhookEvent, TypesInHarborOrderWithChartEvents) {
  std::vector<std::string_view> want = {
      "PUSH_ARTIFACT", "PULL_ARTIFACT",   "DELETE_ARTIFACT", "UPLOAD_CHART",    "DOWNLOAD_CHART",
      "DELETE_CHART",  "QUOTA_EXCEED",    "QUOTA_WARNING",   "REPLICATION",     "SCANNING_FAILED",
      "SCANNING_COMPLETED", "SCANNING_STOPPED", "TAG_RETENTION"};
  EXPECT_EQ(std::vector<std::string_view>(kEventTypes.begin(), kEventTypes.end()), want);
  for (auto t : want) EXPECT_TRUE(IsEventType(t)) << t;
  for (auto t : {"", "push_artifact", "CREATE_TAG", "DELETE_REPOSITORY", "PUSH_ARTIFACT ", "COMMON_API"}) {
    EXPECT_FALSE(IsEventType(t)) << t;
  }
}

TEST(WebhookEvent, CloudEventTypeMapping) {
  EXPECT_EQ(CloudEventType("PUSH_ARTIFACT"), "harbor.artifact.pushed");
  EXPECT_EQ(CloudEventType("PULL_ARTIFACT"), "harbor.artifact.pulled");
  EXPECT_EQ(CloudEventType("DELETE_ARTIFACT"), "harbor.artifact.deleted");
  EXPECT_EQ(CloudEventType("UPLOAD_CHART"), "harbor.chart.uploaded");
  EXPECT_EQ(CloudEventType("DOWNLOAD_CHART"), "harbor.chart.downloaded");
  EXPECT_EQ(CloudEventType("DELETE_CHART"), "harbor.chart.deleted");
  EXPECT_EQ(CloudEventType("QUOTA_EXCEED"), "harbor.quota.exceeded");
  EXPECT_EQ(CloudEventType("QUOTA_WARNING"), "harbor.quota.warned");
  EXPECT_EQ(CloudEventType("REPLICATION"), "harbor.replication.status.changed");
  EXPECT_EQ(CloudEventType("SCANNING_FAILED"), "harbor.scan.failed");
  EXPECT_EQ(CloudEventType("SCANNING_COMPLETED"), "harbor.scan.completed");
  EXPECT_EQ(CloudEventType("SCANNING_STOPPED"), "harbor.scan.stopped");
  EXPECT_EQ(CloudEventType("TAG_RETENTION"), "harbor.tag_retention.finished");
  EXPECT_EQ(CloudEventType("CREATE_TAG"), "");
  for (auto t : kEventTypes) EXPECT_FALSE(CloudEventType(t).empty()) << t;
}

TEST(WebhookEvent, ExternalHostStripsSchemeAndTrailingSlash) {
  EXPECT_EQ(ExternalHost("http://10.0.0.5:8443/"), "10.0.0.5:8443");
  EXPECT_EQ(ExternalHost("https://harbor.example.com"), "harbor.example.com");
  EXPECT_EQ(ExternalHost("harbor.example.com"), "harbor.example.com");
  EXPECT_EQ(ExternalHost("https://h.example.com:443//"), "h.example.com:443");
  EXPECT_EQ(ExternalHost("http://[::1]:5000/"), "[::1]:5000");
  EXPECT_EQ(ExternalHost(""), "");
}

TEST(WebhookEvent, ArtifactEventByTag) {
  Event e = ArtifactEvent(kPushArtifact, 1655810585, "admin", "192.168.4.207", "base-images", false,
                          "base-images/nginx", 1655352035, "sha256:abc", "1.14");
  EXPECT_EQ(e.type, "PUSH_ARTIFACT");
  EXPECT_EQ(e.occur_at, 1655810585);
  EXPECT_EQ(e.operator_, "admin");
  ASSERT_EQ(e.resources.size(), 1u);
  EXPECT_EQ(e.resources[0].digest, "sha256:abc");
  EXPECT_EQ(e.resources[0].tag, "1.14");
  EXPECT_EQ(e.resources[0].resource_url, "192.168.4.207/base-images/nginx:1.14");
  ASSERT_TRUE(e.repository);
  EXPECT_EQ(e.repository->date_created, 1655352035);
  EXPECT_EQ(e.repository->name, "nginx");
  EXPECT_EQ(e.repository->namespace_, "base-images");
  EXPECT_EQ(e.repository->repo_full_name, "base-images/nginx");
  EXPECT_EQ(e.repository->repo_type, "private");
}

TEST(WebhookEvent, ArtifactEventByDigestPutsDigestInTag) {
  Event e = ArtifactEvent(kPullArtifact, 1, "", "harbor.dev", "library", true, "library/team/busybox",
                          0, "sha256:dde8", "");
  ASSERT_EQ(e.resources.size(), 1u);
  EXPECT_EQ(e.resources[0].tag, "sha256:dde8");
  EXPECT_EQ(e.resources[0].resource_url, "harbor.dev/library/team/busybox@sha256:dde8");
  EXPECT_EQ(e.repository->name, "team/busybox");  // after the first '/', may contain '/'
  EXPECT_EQ(e.repository->repo_type, "public");
  EXPECT_EQ(e.repository->date_created, 0);
  EXPECT_EQ(DefaultBody(e),
            R"({"type":"PULL_ARTIFACT","occur_at":1,"operator":"","event_data":{"resources":[{"digest":"sha256:dde8","tag":"sha256:dde8","resource_url":"harbor.dev/library/team/busybox@sha256:dde8"}],"repository":{"name":"team/busybox","namespace":"library","repo_full_name":"library/team/busybox","repo_type":"public"}}})");
}

// ---- Default payloads against the spec's examples ----

TEST(WebhookDefaultBody, SeedPushExample) {
  Event e = ArtifactEvent(
      kPushArtifact, 1655810585, "admin", ExternalHost("http://192.168.4.207/"), "base-images", false,
      "base-images/nginx", 1655352035,
      "sha256:706446e9c6667c0880d5da3f39c09a6c7d2114f5a5d6b74a2fafd24ae30d2078", "1.14");
  EXPECT_EQ(DefaultBody(e),
            R"({"type":"PUSH_ARTIFACT","occur_at":1655810585,"operator":"admin","event_data":{"resources":[{"digest":"sha256:706446e9c6667c0880d5da3f39c09a6c7d2114f5a5d6b74a2fafd24ae30d2078","tag":"1.14","resource_url":"192.168.4.207/base-images/nginx:1.14"}],"repository":{"date_created":1655352035,"name":"nginx","namespace":"base-images","repo_full_name":"base-images/nginx","repo_type":"private"}}})");
}

TEST(WebhookDefaultBody, SpecPush) {
  Event e = ArtifactEvent(kPushArtifact, 1655810585, "admin", "192.168.4.207", "base-images", false,
                          "base-images/nginx", 1655352035, "sha256:2e3a…d41f", "1.14");
  EXPECT_EQ(DefaultBody(e), R"json({"type":"PUSH_ARTIFACT","occur_at":1655810585,"operator":"admin","event_data":{"resources":[{"digest":"sha256:2e3a…d41f","tag":"1.14","resource_url":"192.168.4.207/base-images/nginx:1.14"}],"repository":{"date_created":1655352035,"name":"nginx","namespace":"base-images","repo_full_name":"base-images/nginx","repo_type":"private"}}})json");  // spec §3.1
}

TEST(WebhookDefaultBody, SpecPullByDigest) {
  Event e = ArtifactEvent(kPullArtifact, 1678082303, "robot$library+deployer", "harbor.dev", "library",
                          true, "library/busybox", 1677053165, "sha256:dde8…fe8c", "");
  EXPECT_EQ(DefaultBody(e), R"json({"type":"PULL_ARTIFACT","occur_at":1678082303,"operator":"robot$library+deployer","event_data":{"resources":[{"digest":"sha256:dde8…fe8c","tag":"sha256:dde8…fe8c","resource_url":"harbor.dev/library/busybox@sha256:dde8…fe8c"}],"repository":{"date_created":1677053165,"name":"busybox","namespace":"library","repo_full_name":"library/busybox","repo_type":"public"}}})json");  // spec §3.2
}

TEST(WebhookDefaultBody, SpecDelete) {
  Event e = ArtifactEvent(kDeleteArtifact, 1700000000, "admin", ExternalHost("https://harbor.example.com"),
                          "team-a", false, "team-a/app", 1690000000, "sha256:9b1c…", "v1.0");
  EXPECT_EQ(DefaultBody(e), R"json({"type":"DELETE_ARTIFACT","occur_at":1700000000,"operator":"admin","event_data":{"resources":[{"digest":"sha256:9b1c…","tag":"v1.0","resource_url":"harbor.example.com/team-a/app:v1.0"}],"repository":{"date_created":1690000000,"name":"app","namespace":"team-a","repo_full_name":"team-a/app","repo_type":"private"}}})json");  // spec §3.3
}

Event ScanEvent(std::string type, int64_t at, std::string op, std::string digest, std::string tag,
                std::string url, std::string overview_json) {
  Event e;
  e.type = type;
  e.occur_at = at;
  e.operator_ = op;
  Resource r;
  r.digest = digest;
  r.tag = tag;
  r.resource_url = url;
  r.extra = ojson::object();
  r.extra["scan_overview"] = ojson::parse(overview_json);
  r.extra["sbom_overview"] = nullptr;  // omitted
  e.resources.push_back(r);
  e.repository = Repo("library", "nginx", true);
  e.scan = ojson::parse(R"({"scan_type":"vulnerability"})");
  return e;
}

TEST(WebhookDefaultBody, SpecScanningCompleted) {
  Event e = ScanEvent(
      "SCANNING_COMPLETED", 1714557612, "admin", "sha256:5f0e…", "1.14",
      "harbor.example.com/library/nginx:1.14",
      R"({"application/vnd.security.vulnerability.report; version=1.1":{"report_id":"0b6c…","scan_status":"Success","severity":"High","duration":12,"summary":{"total":42,"fixable":30,"summary":{"High":3,"Low":19,"Medium":20}},"start_time":"2024-05-01T10:00:00Z","end_time":"2024-05-01T10:00:12Z","scanner":{"name":"Trivy","vendor":"Aqua Security","version":"v0.50.1"},"complete_percent":100}})");
  EXPECT_EQ(DefaultBody(e), R"json({"type":"SCANNING_COMPLETED","occur_at":1714557612,"operator":"admin","event_data":{"resources":[{"digest":"sha256:5f0e…","tag":"1.14","resource_url":"harbor.example.com/library/nginx:1.14","scan_overview":{"application/vnd.security.vulnerability.report; version=1.1":{"report_id":"0b6c…","scan_status":"Success","severity":"High","duration":12,"summary":{"total":42,"fixable":30,"summary":{"High":3,"Low":19,"Medium":20}},"start_time":"2024-05-01T10:00:00Z","end_time":"2024-05-01T10:00:12Z","scanner":{"name":"Trivy","vendor":"Aqua Security","version":"v0.50.1"},"complete_percent":100}}}],"repository":{"name":"nginx","namespace":"library","repo_full_name":"library/nginx","repo_type":"public"},"scan":{"scan_type":"vulnerability"}}})json");  // spec §3.4
}

const char* kFailedOverview =
    R"({"application/vnd.security.vulnerability.report; version=1.1":{"report_id":"c1…","scan_status":"Error","severity":"","duration":3,"summary":null,"start_time":"2024-05-01T10:01:37Z","end_time":"2024-05-01T10:01:40Z","complete_percent":0}})";

TEST(WebhookDefaultBody, SpecScanningFailedWithoutTag) {
  Event e = ScanEvent("SCANNING_FAILED", 1714557700, "", "sha256:77d1…", "",
                      "harbor.example.com/library/nginx@sha256:77d1…", kFailedOverview);
  EXPECT_EQ(DefaultBody(e), R"json({"type":"SCANNING_FAILED","occur_at":1714557700,"operator":"","event_data":{"resources":[{"digest":"sha256:77d1…","resource_url":"harbor.example.com/library/nginx@sha256:77d1…","scan_overview":{"application/vnd.security.vulnerability.report; version=1.1":{"report_id":"c1…","scan_status":"Error","severity":"","duration":3,"summary":null,"start_time":"2024-05-01T10:01:37Z","end_time":"2024-05-01T10:01:40Z","complete_percent":0}}}],"repository":{"name":"nginx","namespace":"library","repo_full_name":"library/nginx","repo_type":"public"},"scan":{"scan_type":"vulnerability"}}})json");  // spec §3.4
}

TEST(WebhookDefaultBody, SpecScanningStopped) {
  std::string overview = kFailedOverview;
  overview.replace(overview.find("\"Error\""), 7, "\"Stopped\"");
  Event e = ScanEvent("SCANNING_STOPPED", 1714557700, "", "sha256:77d1…", "",
                      "harbor.example.com/library/nginx@sha256:77d1…", overview);
  std::string want = R"json({"type":"SCANNING_FAILED","occur_at":1714557700,"operator":"","event_data":{"resources":[{"digest":"sha256:77d1…","resource_url":"harbor.example.com/library/nginx@sha256:77d1…","scan_overview":{"application/vnd.security.vulnerability.report; version=1.1":{"report_id":"c1…","scan_status":"Error","severity":"","duration":3,"summary":null,"start_time":"2024-05-01T10:01:37Z","end_time":"2024-05-01T10:01:40Z","complete_percent":0}}}],"repository":{"name":"nginx","namespace":"library","repo_full_name":"library/nginx","repo_type":"public"},"scan":{"scan_type":"vulnerability"}}})json";
  want.replace(want.find("SCANNING_FAILED"), 15, "SCANNING_STOPPED");
  want.replace(want.find("\"Error\""), 7, "\"Stopped\"");
  EXPECT_EQ(DefaultBody(e), want);
}

TEST(WebhookDefaultBody, SpecReplication) {
  Event e;
  e.type = "REPLICATION";
  e.occur_at = 1700000100;
  e.operator_ = "admin";
  e.replication = ojson::parse(
      R"({"harbor_hostname":"harbor.example.com","job_status":"Success","description":"sync to DR","artifact_type":"artifact","authentication_type":"basic","trigger_type":"MANUAL","policy_creator":"admin","execution_timestamp":1700000050,"src_resource":{"registry_type":"harbor","endpoint":"https://harbor.example.com","namespace":"library"},"dest_resource":{"registry_name":"dr","registry_type":"harbor","endpoint":"https://dr.example.com","namespace":"library"},"successful_artifact":[{"type":"artifact","status":"Success","name_tag":"nginx [2 item(s) in total]","references":["1.14","latest"]}],"execution_id":12,"task_id":57})");
  EXPECT_EQ(DefaultBody(e), R"json({"type":"REPLICATION","occur_at":1700000100,"operator":"admin","event_data":{"replication":{"harbor_hostname":"harbor.example.com","job_status":"Success","description":"sync to DR","artifact_type":"artifact","authentication_type":"basic","trigger_type":"MANUAL","policy_creator":"admin","execution_timestamp":1700000050,"src_resource":{"registry_type":"harbor","endpoint":"https://harbor.example.com","namespace":"library"},"dest_resource":{"registry_name":"dr","registry_type":"harbor","endpoint":"https://dr.example.com","namespace":"library"},"successful_artifact":[{"type":"artifact","status":"Success","name_tag":"nginx [2 item(s) in total]","references":["1.14","latest"]}],"execution_id":12,"task_id":57}}})json");  // spec §3.5
}

TEST(WebhookDefaultBody, SpecTagRetention) {
  Event e;
  e.type = "TAG_RETENTION";
  e.occur_at = 1700001000;
  e.operator_ = "harbor-jobservice";
  ojson rule = ojson::object();
  rule["template"] = "latestPushedK";
  rule["params"] = ojson::parse(R"({"latestPushedK":3})");
  ojson sel = ojson::object();
  sel["kind"] = "doublestar";
  sel["decoration"] = "matches";
  sel["pattern"] = "**";
  sel["extras"] = "{\"untagged\":true}";  // a JSON string inside a string: quotes escaped
  rule["tag_selectors"] = ojson::array({sel});
  rule["scope_selectors"] = ojson::parse(
      R"({"repository":[{"kind":"doublestar","decoration":"repoMatches","pattern":"**","extras":""}]})");
  ojson r = ojson::object();
  r["total"] = 5;
  r["retained"] = 3;
  r["harbor_hostname"] = "harbor.example.com";
  r["project_name"] = "library";
  r["retention_policy_id"] = 4;
  r["retention_rule"] = ojson::array({rule});
  r["result"] = "SUCCESS";
  r["deleted_artifact"] = ojson::parse(
      R"([{"type":"image","status":"SUCCESS","name_tag":"nginx:1.12","references":null}])");
  e.retention = r;
  EXPECT_EQ(DefaultBody(e), R"json({"type":"TAG_RETENTION","occur_at":1700001000,"operator":"harbor-jobservice","event_data":{"retention":{"total":5,"retained":3,"harbor_hostname":"harbor.example.com","project_name":"library","retention_policy_id":4,"retention_rule":[{"template":"latestPushedK","params":{"latestPushedK":3},"tag_selectors":[{"kind":"doublestar","decoration":"matches","pattern":"**","extras":"{\"untagged\":true}"}],"scope_selectors":{"repository":[{"kind":"doublestar","decoration":"repoMatches","pattern":"**","extras":""}]}}],"result":"SUCCESS","deleted_artifact":[{"type":"image","status":"SUCCESS","name_tag":"nginx:1.12","references":null}]}}})json");  // spec §3.6
}

TEST(WebhookDefaultBody, SpecQuotaWarning) {
  Event e;
  e.type = "QUOTA_WARNING";
  e.occur_at = 1700002000;
  e.operator_ = "ci-bot";
  e.resources.push_back(Resource{"sha256:41c0…", "v2", "", nullptr});
  e.repository = Repo("team-a", "app", false);
  e.custom_attributes = ojson::object();
  e.custom_attributes["Details"] = "quota usage reach 85%: resource storage used 8.6 GiB of 10.0 GiB";
  EXPECT_EQ(DefaultBody(e), R"json({"type":"QUOTA_WARNING","occur_at":1700002000,"operator":"ci-bot","event_data":{"resources":[{"digest":"sha256:41c0…","tag":"v2"}],"repository":{"name":"app","namespace":"team-a","repo_full_name":"team-a/app","repo_type":"private"},"custom_attributes":{"Details":"quota usage reach 85%: resource storage used 8.6 GiB of 10.0 GiB"}}})json");  // spec §3.7
}

TEST(WebhookDefaultBody, SpecQuotaExceed) {
  Event e;
  e.type = "QUOTA_EXCEED";
  e.occur_at = 1700002100;
  e.operator_ = "ci-bot";
  e.repository = Repo("team-a", "app", false);
  e.custom_attributes = ojson::object();
  e.custom_attributes["Details"] =
      "adding 512.0 MiB of storage resource, which when updated to current usage of 9.8 GiB will "
      "exceed the configured upper limit of 10.0 GiB.";
  EXPECT_EQ(DefaultBody(e), R"json({"type":"QUOTA_EXCEED","occur_at":1700002100,"operator":"ci-bot","event_data":{"repository":{"name":"app","namespace":"team-a","repo_full_name":"team-a/app","repo_type":"private"},"custom_attributes":{"Details":"adding 512.0 MiB of storage resource, which when updated to current usage of 9.8 GiB will exceed the configured upper limit of 10.0 GiB."}}})json");  // spec §3.7
}

TEST(WebhookDefaultBody, OmitemptyRules) {
  Event e;
  e.type = "QUOTA_EXCEED";
  e.occur_at = 0;
  // operator always present even when empty; empty event_data omitted entirely
  EXPECT_EQ(DefaultBody(e), R"({"type":"QUOTA_EXCEED","occur_at":0,"operator":""})");
  e.custom_attributes = ojson::object();  // empty map: omitted
  EXPECT_EQ(DefaultBody(e), R"({"type":"QUOTA_EXCEED","occur_at":0,"operator":""})");
  // Resource members omitted when empty, extra members when null or empty; repository strings kept
  Resource r;
  r.extra = ojson::object();
  r.extra["scan_overview"] = ojson::object();
  r.extra["sbom_overview"] = nullptr;
  e.resources.push_back(r);
  e.repository = RepositoryInfo{};
  EXPECT_EQ(DefaultBody(e),
            R"({"type":"QUOTA_EXCEED","occur_at":0,"operator":"","event_data":{"resources":[{}],"repository":{"name":"","namespace":"","repo_full_name":"","repo_type":""}}})");
  // replication/retention/scan: emitted when set (even empty), omitted when null
  e.resources.clear();
  e.repository.reset();
  e.scan = ojson::object();
  EXPECT_EQ(DefaultBody(e), R"({"type":"QUOTA_EXCEED","occur_at":0,"operator":"","event_data":{"scan":{}}})");
}

TEST(WebhookDefaultBody, EventDataMemberOrderIsGoDeclarationOrder) {
  Event e;
  e.type = "X";
  e.custom_attributes = ojson::parse(R"({"k":"v"})");
  e.scan = ojson::parse(R"({"scan_type":"sbom"})");
  e.retention = ojson::parse(R"({"total":1})");
  e.replication = ojson::parse(R"({"job_status":"Running"})");
  e.repository = Repo("p", "r", true, 7);
  e.resources.push_back(Resource{"d", "", "", nullptr});
  EXPECT_EQ(GoMarshal(EventDataJson(e)),
            R"({"resources":[{"digest":"d"}],"repository":{"date_created":7,"name":"r","namespace":"p","repo_full_name":"p/r","repo_type":"public"},"replication":{"job_status":"Running"},"retention":{"total":1},"scan":{"scan_type":"sbom"},"custom_attributes":{"k":"v"}})");
}

// ---- Go encoding/json compatibility ----

TEST(WebhookGoJson, HtmlAndLineSeparatorEscaping) {
  Event e;
  e.type = "PUSH_ARTIFACT";
  e.operator_ = "a<b>&c\u2028d\u2029e";
  EXPECT_EQ(DefaultBody(e),
            R"({"type":"PUSH_ARTIFACT","occur_at":0,"operator":"a\u003cb\u003e\u0026c\u2028d\u2029e"})");
}

TEST(WebhookGoJson, StringEscapes) {
  auto enc = [](std::string s) {
    std::string out;
    AppendGoString(out, s);
    return out;
  };
  EXPECT_EQ(enc("q\"b\\s/"), R"("q\"b\\s/")");
  EXPECT_EQ(enc("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(enc(std::string("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(enc("héllo 日本 🐳 \xEF\xBF\xBD"), "\"héllo 日本 🐳 \xEF\xBF\xBD\"");  // kept as is
  // invalid UTF-8: every bad byte becomes \ufffd (Go's utf8.DecodeRuneInString acceptance)
  EXPECT_EQ(enc("a\xff" "b"), R"("a\ufffdb")");
  EXPECT_EQ(enc("\xC0\xAF"), R"("\ufffd\ufffd")");                    // overlong
  EXPECT_EQ(enc("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");         // surrogate
  EXPECT_EQ(enc("\xF4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  EXPECT_EQ(enc("\xE6\x97"), R"("\ufffd\ufffd")");                   // truncated
  EXPECT_EQ(enc("\xE2\x80\xA7"), "\"\xE2\x80\xA7\"");                // U+2027 is not escaped
}

TEST(WebhookGoJson, EscapeHtmlCanBeTurnedOff) {
  ojson v = ojson::object();
  v["a<b"] = "x&y>z\u2028";
  EXPECT_EQ(GoMarshal(v), R"({"a\u003cb":"x\u0026y\u003ez\u2028"})");
  EXPECT_EQ(GoMarshal(v, false), R"({"a<b":"x&y>z\u2028"})");  // U+2028 is escaped regardless
}

TEST(WebhookGoJson, Numbers) {
  ojson v = ojson::array({0, -1, int64_t{9007199254740993}, uint64_t{18446744073709551615ull}, 1.5,
                          0.1, 100.0, 1e20, 1e21, 1e-6, 1e-7, -2.5e-10, 123456789.125});
  EXPECT_EQ(GoMarshal(v),
            "[0,-1,9007199254740993,18446744073709551615,1.5,0.1,100,100000000000000000000,1e+21,"
            "0.000001,1e-7,-2.5e-10,123456789.125]");
}

TEST(WebhookGoJson, MarshalIndentLikeGo) {
  ojson v = ojson::parse(R"({"a":[1,{"b":null,"c":[]}],"d":{},"e":true,"f":"x"})");
  EXPECT_EQ(GoMarshalIndent(v, "\t"),
            "{\n\t\"a\": [\n\t\t1,\n\t\t{\n\t\t\t\"b\": null,\n\t\t\t\"c\": []\n\t\t}\n\t],\n"
            "\t\"d\": {},\n\t\"e\": true,\n\t\"f\": \"x\"\n}");
  EXPECT_EQ(GoMarshalIndent(ojson::object(), "\t"), "{}");
  EXPECT_EQ(GoMarshalIndent(ojson::parse("[1]"), ""), "[\n1\n]");
}

// ---- CloudEvents ----

TEST(WebhookCloudEvents, SpecExample) {
  Event e = ArtifactEvent(kPushArtifact, 1655810585, "admin", "192.168.4.207", "base-images", false,
                          "base-images/nginx", 1655352035, "sha256:2e3a…", "1.14");
  e.request_id = "2eedfab8-61d3-4f3c-8ec3-8f82d1ec4c84";
  EXPECT_EQ(CloudEventsBody(e, "4b2f89a6-548d-4c12-9993-a1f5790b97d2", 1, 3),
            R"json({"specversion":"1.0","id":"4b2f89a6-548d-4c12-9993-a1f5790b97d2","source":"/projects/1/webhook/policies/3","type":"harbor.artifact.pushed","datacontenttype":"application/json","time":"2022-06-21T11:23:05Z","data":{"resources":[{"digest":"sha256:2e3a…","tag":"1.14","resource_url":"192.168.4.207/base-images/nginx:1.14"}],"repository":{"date_created":1655352035,"name":"nginx","namespace":"base-images","repo_full_name":"base-images/nginx","repo_type":"private"}},"requestid":"2eedfab8-61d3-4f3c-8ec3-8f82d1ec4c84","operator":"admin"})json");  // spec §4
}

TEST(WebhookCloudEvents, DataEqualsDefaultEventDataAndEmptyExtensionsPresent) {
  Event e;
  e.type = "TAG_RETENTION";
  e.occur_at = 0;
  e.retention = ojson::parse(R"({"total":1,"retained":0})");
  std::string body = CloudEventsBody(e, "id-1", 12, 34);
  EXPECT_EQ(body,
            R"({"specversion":"1.0","id":"id-1","source":"/projects/12/webhook/policies/34","type":"harbor.tag_retention.finished","datacontenttype":"application/json","time":"1970-01-01T00:00:00Z","data":{"retention":{"total":1,"retained":0}},"requestid":"","operator":""})");
  std::string def = DefaultBody(e);
  std::string data = def.substr(def.find("\"event_data\":") + 13);
  data.pop_back();  // the payload's closing brace
  EXPECT_NE(body.find("\"data\":" + data + ","), std::string::npos);
}

TEST(WebhookCloudEvents, NewEventIdIsRandomUuidV4) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = NewEventId();
    ASSERT_EQ(id.size(), 36u) << id;
    for (size_t k = 0; k < id.size(); ++k) {
      if (k == 8 || k == 13 || k == 18 || k == 23) {
        EXPECT_EQ(id[k], '-') << id;
      } else {
        EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(id[k])) && !std::isupper(id[k])) << id;
      }
    }
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

// ---- Slack ----

TEST(WebhookSlack, PushBodyExact) {
  Event e = ArtifactEvent(kPushArtifact, 1655810585, "admin", "192.168.4.207", "base-images", false,
                          "base-images/nginx", 1655352035, "sha256:2e3a", "1.14");
  std::string want =
      R"({"blocks":[)"
      R"({"type":"section","text":{"type":"mrkdwn","text":"*Harbor webhook events*"}},)"
      R"({"type":"section","text":{"type":"mrkdwn","text":"*event_type:* PUSH_ARTIFACT"}},)"
      R"({"type":"section","text":{"type":"mrkdwn","text":"*occur_at:* <!date^1655810585^{date} at {time}|February 18th, 2014 at 6:39 AM PST>"}},)"
      R"({"type":"section","text":{"type":"mrkdwn","text":"*operator:* admin"}},)"
      R"({"type":"section","text":{"type":"mrkdwn","text":"*event_data:*"}},)"
      R"({"type":"section","text":{"type":"mrkdwn","text":"```\n{\n\t\"resources\": [\n\t\t{\n\t\t\t\"digest\": \"sha256:2e3a\",\n\t\t\t\"tag\": \"1.14\",\n\t\t\t\"resource_url\": \"192.168.4.207/base-images/nginx:1.14\"\n\t\t}\n\t],\n\t\"repository\": {\n\t\t\"date_created\": 1655352035,\n\t\t\"name\": \"nginx\",\n\t\t\"namespace\": \"base-images\",\n\t\t\"repo_full_name\": \"base-images/nginx\",\n\t\t\"repo_type\": \"private\"\n\t}\n}\n```"}})"
      R"(]})";
  std::string body = SlackBody(e);
  EXPECT_EQ(body, want);
  // Strict JSON, and the sixth text is exactly "```\n" + MarshalIndent(event_data, "", "\t") + "\n```".
  auto parsed = ojson::parse(body);
  ASSERT_EQ(parsed["blocks"].size(), 6u);
  EXPECT_EQ(parsed["blocks"][2]["text"]["text"],
            "*occur_at:* <!date^1655810585^{date} at {time}|February 18th, 2014 at 6:39 AM PST>");
  EXPECT_EQ(parsed["blocks"][5]["text"]["text"], "```\n" + GoMarshalIndent(EventDataJson(e), "\t") + "\n```");
}

TEST(WebhookSlack, BackslashesInDataStayValidJson) {
  Event e;
  e.type = "TAG_RETENTION";
  e.operator_ = "x\"y<&>";
  e.retention = ojson::parse(R"({"extras":"{\"untagged\":true}"})");
  auto parsed = ojson::parse(SlackBody(e));  // Harbor's own body would not parse here
  EXPECT_EQ(parsed["blocks"][3]["text"]["text"], "*operator:* x\"y<&>");
  EXPECT_EQ(parsed["blocks"][5]["text"]["text"],
            "```\n{\n\t\"retention\": {\n\t\t\"extras\": \"{\\\"untagged\\\":true}\"\n\t}\n}\n```");
}

// ---- signature ----

TEST(WebhookSignature, HmacSha256Hex) {
  // RFC 4231 test case 2.
  EXPECT_EQ(Signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Empty key and message (well-known value).
  EXPECT_EQ(Signature("", ""),
            "sha256=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace berth::webhook
