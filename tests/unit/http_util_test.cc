// http::ParseRange, http::Query, PercentDecode and PercentEncode.
#include "http/query.h"
#include "http/range.h"

#include <gtest/gtest.h>

#include <string>

namespace berth::http {
namespace {

// ---- ParseRange ----

struct RangeCase {
  const char* header;
  uint64_t size;
  RangeResult result;
  uint64_t first = 0;
  uint64_t last = 0;
};

void PrintTo(const RangeCase& c, std::ostream* os) { *os << '"' << c.header << "\" size=" << c.size; }

class ParseRangeTest : public ::testing::TestWithParam<RangeCase> {};

TEST_P(ParseRangeTest, Parses) {
  const RangeCase& c = GetParam();
  ByteRange out{12345, 67890};
  RangeResult r = ParseRange(c.header, c.size, out);
  EXPECT_EQ(static_cast<int>(r), static_cast<int>(c.result));
  if (c.result == RangeResult::kOk && r == RangeResult::kOk) {
    EXPECT_EQ(out.first, c.first);
    EXPECT_EQ(out.last, c.last);
    EXPECT_LE(out.first, out.last);
    EXPECT_LT(out.last, c.size);
  }
}

INSTANTIATE_TEST_SUITE_P(
    FirstLast, ParseRangeTest,
    ::testing::Values(RangeCase{"bytes=0-4", 10, RangeResult::kOk, 0, 4},
                      RangeCase{"bytes=0-0", 10, RangeResult::kOk, 0, 0},
                      RangeCase{"bytes=3-3", 10, RangeResult::kOk, 3, 3},
                      RangeCase{"bytes=0-9", 10, RangeResult::kOk, 0, 9},
                      RangeCase{"bytes=2-100", 10, RangeResult::kOk, 2, 9},  // last is clamped
                      RangeCase{"bytes=9-9", 10, RangeResult::kOk, 9, 9},
                      RangeCase{"bytes=0-18446744073709551615", 10, RangeResult::kOk, 0, 9}));

INSTANTIATE_TEST_SUITE_P(OpenEnded, ParseRangeTest,
                         ::testing::Values(RangeCase{"bytes=5-", 10, RangeResult::kOk, 5, 9},
                                           RangeCase{"bytes=0-", 10, RangeResult::kOk, 0, 9},
                                           RangeCase{"bytes=9-", 10, RangeResult::kOk, 9, 9},
                                           RangeCase{"bytes=0-", 1, RangeResult::kOk, 0, 0}));

INSTANTIATE_TEST_SUITE_P(Suffix, ParseRangeTest,
                         ::testing::Values(RangeCase{"bytes=-3", 10, RangeResult::kOk, 7, 9},
                                           RangeCase{"bytes=-1", 10, RangeResult::kOk, 9, 9},
                                           RangeCase{"bytes=-10", 10, RangeResult::kOk, 0, 9},
                                           RangeCase{"bytes=-20", 10, RangeResult::kOk, 0, 9}));

INSTANTIATE_TEST_SUITE_P(Unsatisfiable, ParseRangeTest,
                         ::testing::Values(RangeCase{"bytes=10-", 10, RangeResult::kUnsatisfiable},
                                           RangeCase{"bytes=10-20", 10, RangeResult::kUnsatisfiable},
                                           RangeCase{"bytes=100-200", 10, RangeResult::kUnsatisfiable},
                                           RangeCase{"bytes=-0", 10, RangeResult::kUnsatisfiable},
                                           RangeCase{"bytes=0-", 0, RangeResult::kUnsatisfiable},
                                           RangeCase{"bytes=0-5", 0, RangeResult::kUnsatisfiable},
                                           RangeCase{"bytes=-5", 0, RangeResult::kUnsatisfiable}));

// Multi-range and malformed headers are ignored: the whole body is sent.
INSTANTIATE_TEST_SUITE_P(IgnoredAsAbsent, ParseRangeTest,
                         ::testing::Values(RangeCase{"", 10, RangeResult::kNone},
                                           RangeCase{"bytes=0-1,3-4", 10, RangeResult::kNone},
                                           RangeCase{"bytes=0-1, 5-", 10, RangeResult::kNone},
                                           RangeCase{"bytes=-1,-2", 10, RangeResult::kNone},
                                           RangeCase{"bytes=", 10, RangeResult::kNone},
                                           RangeCase{"bytes=-", 10, RangeResult::kNone},
                                           RangeCase{"bytes=5", 10, RangeResult::kNone},
                                           RangeCase{"bytes=a-b", 10, RangeResult::kNone},
                                           RangeCase{"bytes=1-x", 10, RangeResult::kNone},
                                           RangeCase{"bytes=5-2", 10, RangeResult::kNone},
                                           RangeCase{"bytes=1-2-3", 10, RangeResult::kNone},
                                           RangeCase{"bytes= 0-1", 10, RangeResult::kNone},
                                           RangeCase{"bytes=+1-2", 10, RangeResult::kNone},
                                           RangeCase{"bytes=--1", 10, RangeResult::kNone},
                                           RangeCase{"items=0-1", 10, RangeResult::kNone},
                                           RangeCase{"0-1", 10, RangeResult::kNone},
                                           RangeCase{"bytes 0-1", 10, RangeResult::kNone}));

// ---- Query ----

TEST(Query, GetsValues) {
  auto q = Query::Parse("n=10&last=abc");
  EXPECT_EQ(q.Get("n"), "10");
  EXPECT_EQ(q.Get("last"), "abc");
  EXPECT_EQ(q.Get("missing"), std::nullopt);
  EXPECT_TRUE(q.Has("n"));
  EXPECT_FALSE(q.Has("N")) << "keys are case-sensitive";
}

TEST(Query, EmptyQuery) {
  auto q = Query::Parse("");
  EXPECT_FALSE(q.Has("n"));
  EXPECT_FALSE(q.Has(""));
  Query def;
  EXPECT_FALSE(def.Has("n"));
}

TEST(Query, PercentEncodedKeysAndValuesAreDecoded) {
  auto q = Query::Parse("last=library%2Falpine&ns=a%20b&amp=a%26b%3Dc&la%73t2=x");
  EXPECT_EQ(q.Get("last"), "library/alpine");
  EXPECT_EQ(q.Get("ns"), "a b");
  EXPECT_EQ(q.Get("amp"), "a&b=c") << "an encoded '&' or '=' is data, not a separator";
  EXPECT_EQ(q.Get("last2"), "x");
}

TEST(Query, DecodesOnlyOnce) {
  auto q = Query::Parse("v=%252F");
  EXPECT_EQ(q.Get("v"), "%2F");
}

TEST(Query, KeyWithoutValueAndEmptyValue) {
  auto q = Query::Parse("flag&empty=&n=1");
  EXPECT_TRUE(q.Has("flag"));
  EXPECT_EQ(q.Get("flag"), "");
  EXPECT_TRUE(q.Has("empty"));
  EXPECT_EQ(q.Get("empty"), "");
  EXPECT_EQ(q.Get("n"), "1");
}

TEST(Query, FirstOfRepeatedKeysWins) {
  auto q = Query::Parse("n=1&n=2");
  EXPECT_EQ(q.Get("n"), "1");
}

TEST(Query, ValueMayContainEquals) {
  auto q = Query::Parse("artifactType=application/vnd.example+json&x=a=b");
  EXPECT_EQ(q.Get("x"), "a=b");
  EXPECT_TRUE(q.Has("artifactType"));
}

TEST(Query, MalformedPairIsSkippedOthersKept) {
  auto q = Query::Parse("a=%zz&n=5");
  EXPECT_EQ(q.Get("n"), "5");
  EXPECT_FALSE(q.Has("a"));
  auto r = Query::Parse("n=5&bad=%4");
  EXPECT_EQ(r.Get("n"), "5");
  EXPECT_FALSE(r.Has("bad"));
  auto k = Query::Parse("%zz=1&n=6");
  EXPECT_EQ(k.Get("n"), "6");
}

TEST(Query, EmptyPairsAreIgnored) {
  auto q = Query::Parse("&&n=1&&last=x&");
  EXPECT_EQ(q.Get("n"), "1");
  EXPECT_EQ(q.Get("last"), "x");
  EXPECT_FALSE(q.Has(""));
}

TEST(Query, PlusIsASpaceInQueryComponents) {
  auto q = Query::Parse("a=x+y&b=x%2By&c+d=1");
  EXPECT_EQ(q.Get("a"), "x y");
  EXPECT_EQ(q.Get("b"), "x+y") << "an encoded plus stays a plus";
  EXPECT_EQ(q.Get("c d"), "1");
}

// ---- PercentDecode / PercentEncode ----

TEST(PercentDecode, DecodesEscapes) {
  EXPECT_EQ(PercentDecode("plain"), "plain");
  EXPECT_EQ(PercentDecode(""), "");
  EXPECT_EQ(PercentDecode("a%2Fb"), "a/b");
  EXPECT_EQ(PercentDecode("a%2fb"), "a/b") << "hex digits of either case";
  EXPECT_EQ(PercentDecode("%41%42%43"), "ABC");
  EXPECT_EQ(PercentDecode("%C3%A9"), "\xc3\xa9");
  EXPECT_EQ(PercentDecode("%00"), std::string(1, '\0'));
  EXPECT_EQ(PercentDecode("%252F"), "%2F") << "decoded once only";
  EXPECT_EQ(PercentDecode("a+b"), "a+b") << "'+' is only a space inside query strings";
}

TEST(PercentDecode, RejectsMalformedEscapes) {
  for (const char* bad : {"%", "%4", "%zz", "%G0", "abc%", "abc%2", "%%", "a%2Gb"}) {
    EXPECT_EQ(PercentDecode(bad), std::nullopt) << bad;
  }
}

TEST(PercentEncode, EncodesAllButUnreserved) {
  EXPECT_EQ(PercentEncode(""), "");
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a/b c"), "a%2Fb%20c");
  EXPECT_EQ(PercentEncode("sha256:abc"), "sha256%3Aabc");
  EXPECT_EQ(PercentEncode("?&=+%#"), "%3F%26%3D%2B%25%23");
  EXPECT_EQ(PercentEncode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(PercentEncode(std::string(1, '\0')), "%00");
  EXPECT_EQ(PercentEncode("\xff"), "%FF");
}

TEST(PercentEncode, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string enc = PercentEncode(all);
  for (char c : enc) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_' || c == '~' || c == '%';
    EXPECT_TRUE(ok) << "unexpected character in encoding: " << static_cast<int>(static_cast<unsigned char>(c));
  }
  EXPECT_EQ(PercentDecode(enc), all);
  auto q = Query::Parse("v=" + enc);
  EXPECT_EQ(q.Get("v"), all) << "an encoded value survives the query string";
}

}  // namespace
}  // namespace berth::http
