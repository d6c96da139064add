// ProjectLookup: cached project reads reflect every committed write at once, and writes it
// cannot see (another process) within max_age. Real SQLite store.
#include <gtest/gtest.h>

#include <thread>

#include "auth/project_lookup.h"
#include "store/sqlite/identity_stores.h"
#include "test_util.h"

namespace berth::auth {
namespace {

using unit::IsOk;

class ProjectLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(*store::sqlite::Db::Open(dir_.Sub("id.db"), false));
    users_ = std::make_unique<store::sqlite::SqliteUserStore>(*db_);
    projects_ = std::make_unique<store::sqlite::SqliteProjectStore>(*db_);
    store::UserRecord u;
    u.username = "owner";
    owner_ = *users_->Create(u);
  }
  int64_t Create(const std::string& name, bool is_public) {
    store::ProjectRecord p;
    p.name = name;
    p.owner_id = owner_;
    p.is_public = is_public;
    return *projects_->Create(p);
  }

  unit::TempDir dir_;
  std::unique_ptr<store::sqlite::Db> db_;
  std::unique_ptr<store::sqlite::SqliteUserStore> users_;
  std::unique_ptr<store::sqlite::SqliteProjectStore> projects_;
  int64_t owner_ = 0;
};

TEST_F(ProjectLookupTest, ReusesAnEntryUntilTheNextWrite) {
  ProjectLookup lookup(*projects_, [this] { return db_->generation(); }, std::chrono::hours(1));
  auto missing = lookup.FindByName("team");
  ASSERT_TRUE(IsOk(missing));
  EXPECT_EQ(*missing, nullptr);
  int64_t id = Create("team", false);  // a committed write: the cached "missing" is dropped
  auto first = lookup.FindByName("team");
  ASSERT_TRUE(IsOk(first));
  ASSERT_NE(*first, nullptr);
  EXPECT_EQ((*first)->id, id);
  EXPECT_FALSE((*first)->is_public);
  auto again = lookup.FindByName("team");
  EXPECT_EQ(again->get(), first->get()) << "no write in between: the same record, no query";
  store::ProjectRecord p = **first;
  p.is_public = true;
  ASSERT_TRUE(IsOk(projects_->Update(p)));
  auto updated = lookup.FindByName("team");
  ASSERT_NE(*updated, nullptr);
  EXPECT_TRUE((*updated)->is_public);
  ASSERT_TRUE(IsOk(projects_->Delete(id)));
  EXPECT_EQ(*lookup.FindByName("team"), nullptr);
}

TEST_F(ProjectLookupTest, WritesItCannotCountAreSeenAfterMaxAge) {
  // No generation: as with writes by another process, only age expires an entry.
  ProjectLookup lookup(*projects_, nullptr, std::chrono::milliseconds(100));
  EXPECT_EQ(*lookup.FindByName("team"), nullptr);
  Create("team", true);
  EXPECT_EQ(*lookup.FindByName("team"), nullptr) << "still within max_age";
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  auto found = lookup.FindByName("team");
  ASSERT_NE(*found, nullptr);
  EXPECT_TRUE((*found)->is_public);
}

}  // namespace
}  // namespace berth::auth
