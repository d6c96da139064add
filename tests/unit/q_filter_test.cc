#include "api/v2_0/q_filter.h"

#include <gtest/gtest.h>

namespace berth::api::v2_0 {
namespace {

TEST(QFilter, ParsesEveryTermKind) {
  auto f = ParseQ("operation=create,resource=~app,op_time=[1~2],tags={a b},labels=(1 2)");
  ASSERT_TRUE(f) << f.error().Message();
  EXPECT_EQ(f->at("operation").kind, QTerm::Kind::kExact);
  EXPECT_EQ(f->at("operation").values, std::vector<std::string>{"create"});
  EXPECT_EQ(f->at("resource").kind, QTerm::Kind::kFuzzy);
  EXPECT_EQ(f->at("resource").values, std::vector<std::string>{"app"});
  EXPECT_EQ(f->at("op_time").kind, QTerm::Kind::kRange);
  EXPECT_EQ(f->at("op_time").values, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(f->at("tags").kind, QTerm::Kind::kAnyOf);
  EXPECT_EQ(f->at("tags").values, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f->at("labels").kind, QTerm::Kind::kAllOf);
}

TEST(QFilter, RangesMayContainSpacesAndCommasStayInside) {
  auto f = ParseQ("op_time=[2024-01-01 00:00:00~2024-12-31 23:59:59],username=admin");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->at("op_time").values[0], "2024-01-01 00:00:00");
  EXPECT_EQ(f->at("username").values[0], "admin");
}

TEST(QFilter, RejectsMalformedInput) {
  EXPECT_FALSE(ParseQ("novalue"));
  EXPECT_FALSE(ParseQ("=x"));
  EXPECT_FALSE(ParseQ("a=[1~2"));
  EXPECT_FALSE(ParseQ("a=[12]"));
  EXPECT_FALSE(ParseQ("a=1,a=2"));
  EXPECT_TRUE(ParseQ(""));
  EXPECT_TRUE(ParseQ("name='; DROP TABLE users; --"));  // just a value; stores bind it
}

TEST(QFilter, OnlyKeysNamesTheStranger) {
  auto f = ParseQ("a=1,b=2");
  ASSERT_TRUE(f);
  EXPECT_TRUE(OnlyKeys(*f, {"a", "b"}));
  auto r = OnlyKeys(*f, {"a"});
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.error().Message()).find("b"), std::string::npos);
}

}  // namespace
}  // namespace berth::api::v2_0
