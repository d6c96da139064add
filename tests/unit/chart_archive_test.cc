// chart/chart_archive.h: reading and validating chart packages — the valid case, and every kind of
// hostile or broken archive (not gzip, no Chart.yaml, no name, bad version, `..`, absolute paths,
// links, entries outside the chart directory, zip bombs, too many entries).
#include <gtest/gtest.h>

#include <fstream>

#include "chart/chart_archive.h"
#include "chart_test_util.h"
#include "test_util.h"

namespace berth::chart {
namespace {

using unit::DemoChart;
using unit::IsErr;
using unit::IsOk;
using unit::TarEntry;
using unit::TempDir;
using unit::WriteTar;

class ChartArchiveTest : public ::testing::Test {
 protected:
  Result<ChartPackage> Read(const std::vector<TarEntry>& entries, bool gzip = true, ArchiveLimits limits = {}) {
    std::string path = dir_.Sub("chart.tgz");
    WriteTar(path, entries, gzip);
    return ReadChartArchive(path, limits);
  }
  // The error message of a rejected archive (it must be kBadRequest).
  std::string Rejection(const std::vector<TarEntry>& entries, ArchiveLimits limits = {}) {
    auto r = Read(entries, true, limits);
    EXPECT_TRUE(IsErr(r, Errc::kBadRequest));
    return r ? std::string() : std::string(r.error().Message());
  }
  TempDir dir_;
};

TEST_F(ChartArchiveTest, ReadsAValidChart) {
  auto pkg = Read(DemoChart("demo", "0.1.0"));
  ASSERT_TRUE(IsOk(pkg));
  EXPECT_EQ(pkg->metadata.name, "demo");
  EXPECT_EQ(pkg->metadata.version, "0.1.0");
  EXPECT_EQ(pkg->metadata.json.dump(),
            R"({"name":"demo","version":"0.1.0","description":"A demo chart","apiVersion":"v2","appVersion":"1.16","type":"application"})");
  EXPECT_EQ(pkg->values_yaml, "replicaCount: 1\nimage:\n  repository: nginx\n");
  EXPECT_EQ(pkg->files, (std::vector<std::string>{"Chart.yaml", "values.yaml", "templates/deployment.yaml"}));
}

TEST_F(ChartArchiveTest, MetadataFollowsHelmsConfigShape) {
  auto m = ParseChartYaml(
      "name: web\nversion: 1.2.3-rc.1+build.5\ndeprecated: true\nkeywords: [a, b]\n"
      "annotations:\n  z: last\n  a: first\nmaintainers:\n  - name: Ann\n    email: ann@example.com\n"
      "dependencies:\n  - name: redis\n    version: 17.x\n    repository: https://charts.example.com\n    enabled: true\n"
      "unknownKey: dropped\n");
  ASSERT_TRUE(IsOk(m));
  EXPECT_EQ(m->json.dump(),
            R"({"name":"web","version":"1.2.3-rc.1+build.5","keywords":["a","b"],)"
            R"("maintainers":[{"name":"Ann","email":"ann@example.com"}],"deprecated":true,)"
            R"("annotations":{"a":"first","z":"last"},)"
            R"("dependencies":[{"name":"redis","version":"17.x","repository":"https://charts.example.com","enabled":true}]})");
  EXPECT_EQ(TagOfVersion(m->version), "1.2.3-rc.1_build.5");
}

TEST_F(ChartArchiveTest, RejectsAPlainTar) {
  auto r = Read(DemoChart("demo", "0.1.0"), /*gzip=*/false);
  ASSERT_TRUE(IsErr(r, Errc::kBadRequest));
  EXPECT_NE(r.error().Message().find("gzip"), std::string::npos);
}

TEST_F(ChartArchiveTest, RejectsGarbageAfterAGzipMagic) {
  std::string path = dir_.Sub("junk.tgz");
  std::ofstream(path) << "\x1f\x8b" << std::string(100, 'x');
  EXPECT_TRUE(IsErr(ReadChartArchive(path, {}), Errc::kBadRequest));
}

TEST_F(ChartArchiveTest, RejectsAChartWithoutChartYaml) {
  EXPECT_NE(Rejection({{"demo/values.yaml", "a: 1\n"}}).find("no Chart.yaml"), std::string::npos);
  // A Chart.yaml of a subchart does not count.
  EXPECT_NE(Rejection({{"demo/charts/sub/Chart.yaml", unit::ChartYaml("sub", "1.0.0")}}).find("no Chart.yaml"),
            std::string::npos);
}

TEST_F(ChartArchiveTest, RejectsBadNames) {
  EXPECT_NE(Rejection({{"demo/Chart.yaml", "version: 1.0.0\n"}}).find("no name"), std::string::npos);
  EXPECT_NE(Rejection({{"demo/Chart.yaml", "name: a/b\nversion: 1.0.0\n"}}).find("path separators"), std::string::npos);
  EXPECT_NE(Rejection({{"demo/Chart.yaml", "name: ..\nversion: 1.0.0\n"}}).find("path separators"), std::string::npos);
  EXPECT_NE(Rejection({{"demo/Chart.yaml", "name: Demo\nversion: 1.0.0\n"}}).find("repository name"), std::string::npos);
}

TEST_F(ChartArchiveTest, RejectsNonSemVerVersions) {
  for (const char* v : {"1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0+", "latest", "1.0.0-01"}) {
    SCOPED_TRACE(v);
    EXPECT_NE(Rejection({{"demo/Chart.yaml", std::string("name: demo\nversion: \"") + v + "\"\n"}}).find("SemVer"),
              std::string::npos);
  }
  EXPECT_NE(Rejection({{"demo/Chart.yaml", "name: demo\n"}}).find("no version"), std::string::npos);
}

TEST_F(ChartArchiveTest, RejectsDotDotAndAbsolutePaths) {
  auto entries = DemoChart("demo", "0.1.0");
  entries.push_back({"demo/../../etc/evil", "x"});
  EXPECT_NE(Rejection(entries).find("'..'"), std::string::npos);
  entries = DemoChart("demo", "0.1.0");
  entries.push_back({"/etc/passwd", "x"});
  EXPECT_NE(Rejection(entries).find("absolute"), std::string::npos);
}

TEST_F(ChartArchiveTest, RejectsEntriesOutsideTheChartDirectoryAndLinks) {
  auto entries = DemoChart("demo", "0.1.0");
  entries.push_back({"other/file", "x"});
  EXPECT_NE(Rejection(entries).find("outside the chart directory"), std::string::npos);
  EXPECT_NE(Rejection({{"Chart.yaml", unit::ChartYaml("demo", "1.0.0")}}).find("outside the chart directory"),
            std::string::npos);
  entries = DemoChart("demo", "0.1.0");
  entries.push_back({"demo/link", "", AE_IFLNK, "/etc/passwd"});
  EXPECT_NE(Rejection(entries).find("only files and directories"), std::string::npos);
}

TEST_F(ChartArchiveTest, RejectsAZipBomb) {
  auto entries = DemoChart("demo", "0.1.0");
  entries.push_back({"demo/templates/zeros.yaml", std::string(4 << 20, '\0')});  // compresses to ~4 KiB
  std::string path = dir_.Sub("bomb.tgz");
  WriteTar(path, entries);
  ArchiveLimits limits;
  limits.max_unpacked_bytes = 1 << 20;
  auto r = ReadChartArchive(path, limits);
  ASSERT_TRUE(IsErr(r, Errc::kBadRequest));
  EXPECT_NE(r.error().Message().find("unpacks to more than"), std::string::npos);
  limits.max_unpacked_bytes = 8 << 20;  // the same archive under a higher cap is fine
  EXPECT_TRUE(IsOk(ReadChartArchive(path, limits)));
}

TEST_F(ChartArchiveTest, RejectsTooManyEntries) {
  auto entries = DemoChart("demo", "0.1.0");
  for (int i = 0; i < 20; ++i) entries.push_back({"demo/templates/f" + std::to_string(i), "x"});
  ArchiveLimits limits;
  limits.max_entries = 10;
  EXPECT_NE(Rejection(entries, limits).find("entries"), std::string::npos);
}

TEST(YamlToJson, TypesPlainScalarsOnly) {
  auto j = YamlToJson("a: 1\nb: \"1\"\nc: true\nd: ~\ne: 1.5\nf: text\ng: [1, x]\n");
  EXPECT_EQ(j.dump(), R"({"a":1,"b":"1","c":true,"d":null,"e":1.5,"f":"text","g":[1,"x"]})");
}

}  // namespace
}  // namespace berth::chart
