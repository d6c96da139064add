// chart/semver.h (SemVer 2 grammar and precedence) and chart/multipart.h (streaming
// multipart/form-data as helm cm-push sends it, fed whole and byte by byte).
#include <gtest/gtest.h>

#include <map>

#include "chart/multipart.h"
#include "chart/semver.h"
#include "test_util.h"

namespace berth::chart {
namespace {

using unit::IsErr;
using unit::IsOk;

TEST(SemVer, ParsesTheGrammar) {
  auto v = ParseSemVer("1.20.3-rc.1+build.7");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->major, 1u);
  EXPECT_EQ(v->minor, 20u);
  EXPECT_EQ(v->patch, 3u);
  EXPECT_EQ(v->pre, (std::vector<std::string>{"rc", "1"}));
  EXPECT_EQ(v->build, "build.7");
  for (const char* bad : {"", "1", "1.2", "1.2.3.4", "v1.2.3", "01.2.3", "1.02.3", "1.2.3-", "1.2.3-a..b",
                          "1.2.3+", "1.2.3-01", "1.2.3-a_b", " 1.2.3", "1.2.3 "})
    EXPECT_FALSE(ParseSemVer(bad)) << bad;
  for (const char* good : {"0.0.0", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85"})
    EXPECT_TRUE(ParseSemVer(good)) << good;
}

TEST(SemVer, OrdersBySpecPrecedence) {
  // semver.org §11's example chain.
  const char* chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                         "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0"};
  for (size_t i = 0; i + 1 < std::size(chain); ++i) {
    auto a = ParseSemVer(chain[i]), b = ParseSemVer(chain[i + 1]);
    ASSERT_TRUE(a && b);
    EXPECT_LT(Compare(*a, *b), 0) << chain[i] << " < " << chain[i + 1];
    EXPECT_GT(Compare(*b, *a), 0);
  }
  EXPECT_EQ(Compare(*ParseSemVer("1.0.0+a"), *ParseSemVer("1.0.0+b")), 0);
}

struct Collected {
  std::map<std::string, std::string> fields;
  std::map<std::string, std::string> filenames;
  int ends = 0;
};

MultipartParser::Callbacks Collect(Collected& c, std::string& current) {
  MultipartParser::Callbacks cb;
  cb.begin = [&c, &current](const std::string& name, const std::string& filename) -> Result<void> {
    current = name;
    c.fields[name];
    c.filenames[name] = filename;
    return {};
  };
  cb.data = [&c, &current](const char* d, size_t n) -> Result<void> {
    c.fields[current].append(d, n);
    return {};
  };
  cb.end = [&c]() -> Result<void> {
    ++c.ends;
    return {};
  };
  return cb;
}

const std::string kBoundary = "------------------------a1b2c3";
std::string Body(const std::string& chart, const std::string& prov) {
  return "preamble ignored\r\n--" + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"chart\"; filename=\"demo-0.1.0.tgz\"\r\n"
         "Content-Type: application/octet-stream\r\n\r\n" +
         chart + "\r\n--" + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"prov\"; filename=\"demo-0.1.0.tgz.prov\"\r\n\r\n" + prov +
         "\r\n--" + kBoundary + "--\r\nepilogue";
}

TEST(Multipart, BoundaryFromContentType) {
  auto b = MultipartBoundary("multipart/form-data; boundary=" + kBoundary);
  ASSERT_TRUE(IsOk(b));
  EXPECT_EQ(*b, kBoundary);
  EXPECT_EQ(*MultipartBoundary("Multipart/Form-Data; charset=utf-8; boundary=\"q;x\""), "q;x");
  EXPECT_TRUE(IsErr(MultipartBoundary("application/gzip"), Errc::kBadRequest));
  EXPECT_TRUE(IsErr(MultipartBoundary("multipart/form-data"), Errc::kBadRequest));
}

TEST(Multipart, ParsesWholeAndByteByByte) {
  // Binary content with CRLFs and a near-miss of the delimiter inside.
  std::string chart = std::string("\x1f\x8b\0\r\n--", 7) + kBoundary.substr(0, 10) + "\r\n-" + std::string(3000, 'z');
  std::string prov = "-----BEGIN PGP SIGNED MESSAGE-----\nname: demo\n";
  std::string body = Body(chart, prov);
  for (size_t step : {body.size(), size_t{1}, size_t{7}, size_t{64}}) {
    SCOPED_TRACE(step);
    Collected c;
    std::string current;
    MultipartParser p(kBoundary, Collect(c, current));
    for (size_t i = 0; i < body.size(); i += step)
      ASSERT_TRUE(IsOk(p.Feed(body.data() + i, std::min(step, body.size() - i))));
    ASSERT_TRUE(IsOk(p.Finish()));
    EXPECT_EQ(c.fields["chart"], chart);
    EXPECT_EQ(c.fields["prov"], prov);
    EXPECT_EQ(c.filenames["chart"], "demo-0.1.0.tgz");
    EXPECT_EQ(c.ends, 2);
  }
}

TEST(Multipart, TruncatedAndMalformedBodies) {
  std::string body = Body("abc", "def");
  {
    Collected c;
    std::string current;
    MultipartParser p(kBoundary, Collect(c, current));
    ASSERT_TRUE(IsOk(p.Feed(body.data(), body.size() / 2)));
    EXPECT_TRUE(IsErr(p.Finish(), Errc::kBadRequest));
  }
  {
    Collected c;
    std::string current;
    MultipartParser p(kBoundary, Collect(c, current));
    std::string bad = "--" + kBoundary + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + kBoundary + "--\r\n";
    EXPECT_TRUE(IsErr(p.Feed(bad.data(), bad.size()), Errc::kBadRequest));  // no form-data name
  }
}

}  // namespace
}  // namespace berth::chart
