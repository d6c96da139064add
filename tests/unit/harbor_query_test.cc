#include "api/v2_0/harbor_query.h"

#include <gtest/gtest.h>

namespace berth::api::v2_0 {
namespace {

using Kind = QueryTerm::Kind;

TEST(HarborQuery, ParsesEveryTermKind) {
  auto q = ParseHarborQuery("operation=create,resource=~app,op_time=[1~2],tags={a b},labels=(1 2)");
  ASSERT_TRUE(q) << q.error().Message();
  ASSERT_EQ(q->size(), 5u);
  EXPECT_EQ(FindTerm(*q, "operation")->kind, Kind::kExact);
  EXPECT_EQ(FindTerm(*q, "operation")->values, std::vector<std::string>{"create"});
  EXPECT_EQ(FindTerm(*q, "resource")->kind, Kind::kFuzzy);
  EXPECT_EQ(FindTerm(*q, "resource")->values, std::vector<std::string>{"app"});
  EXPECT_EQ(FindTerm(*q, "op_time")->kind, Kind::kRange);
  EXPECT_EQ(FindTerm(*q, "op_time")->values, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(FindTerm(*q, "tags")->kind, Kind::kAny);
  EXPECT_EQ(FindTerm(*q, "tags")->values, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(FindTerm(*q, "labels")->kind, Kind::kAll);
  EXPECT_EQ(FindTerm(*q, "absent"), nullptr);
}

TEST(HarborQuery, RangesKeepSpacesAndQuotesKeepCommas) {
  auto q = ParseHarborQuery("op_time=[2024-01-01 00:00:00~2024-12-31 23:59:59],name=\"a,b\"");
  ASSERT_TRUE(q);
  EXPECT_EQ(FindTerm(*q, "op_time")->values[0], "2024-01-01 00:00:00");
  EXPECT_EQ(FindTerm(*q, "name")->values[0], "a,b");
}

TEST(HarborQuery, RejectsMalformedInput) {
  EXPECT_FALSE(ParseHarborQuery("novalue"));
  EXPECT_FALSE(ParseHarborQuery("=x"));
  EXPECT_FALSE(ParseHarborQuery("a=[1~2"));
  EXPECT_FALSE(ParseHarborQuery("a=[12]"));
  EXPECT_FALSE(ParseHarborQuery("a='unterminated"));
  EXPECT_TRUE(ParseHarborQuery(""));
  EXPECT_TRUE(ParseHarborQuery("name=x; DROP TABLE users; --"));  // just a value; stores bind it
}

TEST(HarborQuery, OnlyKeysNamesTheStrangerAndRepeats) {
  auto q = ParseHarborQuery("a=1,b=2");
  ASSERT_TRUE(q);
  EXPECT_TRUE(OnlyKeys(*q, {"a", "b"}));
  auto r = OnlyKeys(*q, {"a"});
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.error().Message()).find("b"), std::string::npos);
  auto twice = ParseHarborQuery("a=1,a=2");
  ASSERT_TRUE(twice);
  EXPECT_FALSE(OnlyKeys(*twice, {"a"}));
}

}  // namespace
}  // namespace berth::api::v2_0
