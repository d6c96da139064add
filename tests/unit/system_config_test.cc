// SystemConfig (auth/system_config.h) over a real SQLite settings store: defaults, validation of
// partial updates, write-only secrets sealed at rest (and plaintext ones from before), atomic apply
// and reload.
#include <gtest/gtest.h>

#include <filesystem>

#include "auth/system_config.h"
#include "store/sqlite/settings_stores.h"
#include "test_util.h"

namespace berth::auth {
namespace {

using nlohmann::json;
using unit::IsErr;
using unit::IsOk;

class SystemConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    cfg_.reset();
    store_.reset();
    db_.reset();
    db_ = std::move(*store::sqlite::Db::Open(dir_.Sub("cfg.db"), false));
    store_ = std::make_unique<store::sqlite::SqliteSettingsStore>(*db_);
    auto box = SecretBox::LoadOrCreate(dir_.Sub("secret.key"));
    ASSERT_TRUE(IsOk(box));
    box_ = std::move(*box);
    auto cfg = SystemConfig::Load(*store_, *box_);
    ASSERT_TRUE(IsOk(cfg));
    cfg_ = std::move(*cfg);
  }
  std::string Stored(const std::string& key) {
    auto all = store_->LoadAll();
    EXPECT_TRUE(IsOk(all));
    auto it = all->find(key);
    return it == all->end() ? std::string() : it->second;
  }
  Result<void> Put(const json& body) {
    auto parsed = cfg_->Parse(body);
    if (!parsed) return std::unexpected(parsed.error());
    return cfg_->Apply(*parsed);
  }
  unit::TempDir dir_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<store::sqlite::SqliteSettingsStore> store_;
  std::unique_ptr<SecretBox> box_;
  std::unique_ptr<SystemConfig> cfg_;
};

TEST_F(SystemConfigTest, DefaultsAreHarbors) {
  EXPECT_EQ(cfg_->String("auth_mode"), "db_auth");
  EXPECT_EQ(cfg_->String("ldap_uid"), "cn");
  EXPECT_EQ(cfg_->Int("ldap_scope"), 2);
  EXPECT_EQ(cfg_->Int("ldap_timeout"), 5);
  EXPECT_TRUE(cfg_->Bool("ldap_verify_cert"));
  EXPECT_EQ(cfg_->String("ldap_group_membership_attribute"), "memberof");
  EXPECT_EQ(cfg_->String("project_creation_restriction"), "everyone");
  EXPECT_EQ(cfg_->Int("token_expiration"), 30);
  EXPECT_EQ(cfg_->Int("storage_per_project"), -1);
  EXPECT_EQ(cfg_->String("robot_name_prefix"), "robot$");
  EXPECT_FALSE(cfg_->LdapAuth());
  EXPECT_FALSE(cfg_->AdminOnlyProjectCreation());
}

TEST_F(SystemConfigTest, PublicListsEveryKeyButSecrets) {
  bool saw_auth_mode = false;
  for (const auto& [k, v] : cfg_->Public()) {
    EXPECT_NE(k, "ldap_search_password");
    if (k == "auth_mode") saw_auth_mode = true;
  }
  EXPECT_TRUE(saw_auth_mode);
  ASSERT_TRUE(IsOk(Put({{"ldap_search_password", "hunter2"}})));
  EXPECT_EQ(cfg_->String("ldap_search_password"), "hunter2");
  for (const auto& [k, v] : cfg_->Public()) EXPECT_NE(v, "hunter2") << k;
}

TEST_F(SystemConfigTest, UpdatesAreTypedAndPersist) {
  ASSERT_TRUE(IsOk(Put({{"auth_mode", "ldap_auth"},
                        {"ldap_scope", 1},
                        {"token_expiration", "45"},  // Harbor also takes numbers as strings
                        {"ldap_verify_cert", "false"},
                        {"project_creation_restriction", "adminonly"}})));
  Open();  // reload from the database
  EXPECT_TRUE(cfg_->LdapAuth());
  EXPECT_EQ(cfg_->Int("ldap_scope"), 1);
  EXPECT_EQ(cfg_->Int("token_expiration"), 45);
  EXPECT_FALSE(cfg_->Bool("ldap_verify_cert"));
  EXPECT_TRUE(cfg_->AdminOnlyProjectCreation());
  EXPECT_EQ(cfg_->Get("token_expiration"), json(45));  // stored as a number, not the string given
}

TEST_F(SystemConfigTest, BadUpdatesAreRefusedAndChangeNothing) {
  uint64_t gen = cfg_->generation();
  const json bad[] = {
      json::array(),
      json("x"),
      {{"no_such_key", 1}},
      {{"auth_mode", "oidc_auth"}},
      {{"auth_mode", 1}},
      {{"ldap_scope", 3}},
      {{"ldap_scope", "two"}},
      {{"ldap_scope", 1.5}},
      {{"ldap_timeout", 0}},
      {{"ldap_verify_cert", "yes"}},
      {{"ldap_url", 5}},
      {{"ldap_url", "http://example.com"}},
      {{"ldap_uid", ""}},
      {{"ldap_uid", "c n"}},
      {{"ldap_filter", "(objectClass=person"}},
      {{"project_creation_restriction", "nobody"}},
      {{"token_expiration", 0}},
      {{"storage_per_project", 0}},
      {{"robot_name_prefix", ""}},
      {{"audit_log_forward_endpoint", "no-port"}},
      {{"ldap_url", nullptr}},
      // one bad key spoils the whole update
      {{"ldap_scope", 1}, {"ldap_timeout", -1}},
  };
  for (const auto& b : bad) EXPECT_TRUE(IsErr(Put(b), Errc::kBadRequest)) << b.dump();
  EXPECT_EQ(cfg_->Int("ldap_scope"), 2);
  EXPECT_EQ(cfg_->generation(), gen);
  EXPECT_TRUE(store_->LoadAll()->empty());
}

TEST_F(SystemConfigTest, SkippingTheAuditDatabaseNeedsAForwardEndpoint) {
  EXPECT_TRUE(IsErr(Put({{"skip_audit_log_database", true}}), Errc::kBadRequest));
  ASSERT_TRUE(IsOk(Put({{"audit_log_forward_endpoint", "syslog.example.com:514"}, {"skip_audit_log_database", true}})));
  EXPECT_TRUE(IsErr(Put({{"audit_log_forward_endpoint", ""}}), Errc::kBadRequest));
  EXPECT_TRUE(cfg_->Bool("skip_audit_log_database"));
}

TEST_F(SystemConfigTest, StoredValuesThatNoLongerValidateFallBackToDefaults) {
  ASSERT_TRUE(IsOk(store_->Save({{"ldap_scope", "7"}, {"auth_mode", "not json"}, {"retired_key", "1"},
                                 {"ldap_timeout", "9"}})));
  Open();
  EXPECT_EQ(cfg_->Int("ldap_scope"), 2);
  EXPECT_EQ(cfg_->String("auth_mode"), "db_auth");
  EXPECT_EQ(cfg_->Int("ldap_timeout"), 9);
}

TEST_F(SystemConfigTest, SecretsAreStoredSealedAndReadBack) {
  ASSERT_TRUE(IsOk(Put({{"ldap_search_password", "Bind-Pw-4711"}, {"ldap_search_dn", "cn=reader"}})));
  std::string raw = Stored("ldap_search_password");
  EXPECT_TRUE(raw.starts_with("enc:v1:")) << raw;
  EXPECT_EQ(raw.find("Bind-Pw-4711"), std::string::npos);
  EXPECT_EQ(Stored("ldap_search_dn"), "\"cn=reader\"");  // only secrets are sealed
  Open();
  EXPECT_EQ(cfg_->String("ldap_search_password"), "Bind-Pw-4711");
}

TEST_F(SystemConfigTest, PlaintextSecretFromBeforeLoadsAndIsSealedByTheNextWrite) {
  ASSERT_TRUE(IsOk(store_->Save({{"ldap_search_password", "\"Old-Plain-9\""}})));
  Open();
  EXPECT_EQ(cfg_->String("ldap_search_password"), "Old-Plain-9");
  EXPECT_EQ(Stored("ldap_search_password"), "\"Old-Plain-9\"");  // reading does not write
  ASSERT_TRUE(IsOk(Put({{"read_only", true}})));  // any write seals it
  std::string raw = Stored("ldap_search_password");
  EXPECT_TRUE(raw.starts_with("enc:v1:")) << raw;
  EXPECT_EQ(raw.find("Old-Plain-9"), std::string::npos);
  Open();
  EXPECT_EQ(cfg_->String("ldap_search_password"), "Old-Plain-9");
  EXPECT_TRUE(cfg_->Bool("read_only"));
}

TEST_F(SystemConfigTest, SecretThatDoesNotOpenFallsBackToTheDefault) {
  ASSERT_TRUE(IsOk(Put({{"ldap_search_password", "Bind-Pw-4711"}, {"ldap_timeout", 9}})));
  std::filesystem::remove(dir_.Sub("secret.key"));  // the key is lost: a new one is made
  Open();
  EXPECT_EQ(cfg_->String("ldap_search_password"), "");
  EXPECT_EQ(cfg_->Int("ldap_timeout"), 9);
  ASSERT_TRUE(IsOk(store_->Save({{"ldap_search_password", "enc:v1:not-base64!"}})));
  Open();
  EXPECT_EQ(cfg_->String("ldap_search_password"), "");
}

TEST_F(SystemConfigTest, GenerationCountsSuccessfulUpdates) {
  uint64_t g = cfg_->generation();
  ASSERT_TRUE(IsOk(Put({{"read_only", true}})));
  EXPECT_EQ(cfg_->generation(), g + 1);
  EXPECT_TRUE(cfg_->Bool("read_only"));
}

}  // namespace
}  // namespace berth::auth
