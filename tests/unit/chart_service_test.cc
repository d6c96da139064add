// chart::ChartService over the real filesystem driver and SQLite stores: an upload becomes an OCI
// artifact <project>/<name>:<version> (config, chart layer, provenance layer), index.yaml lists it
// with the .tgz digest, overwrite rules, deletes, an OCI chart pushed directly shows up, and the
// per-project snapshot is reused until that project's tags change.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "blob/filesystem/fs_driver.h"
#include "chart/chart_service.h"
#include "chart_test_util.h"
#include "registry/blob_service.h"
#include "registry/manifest_service.h"
#include "registry/upload_service.h"
#include "store/sqlite/chart_store.h"
#include "store/sqlite/db.h"
#include "store/sqlite/sqlite_stores.h"
#include "test_util.h"

namespace berth::chart {
namespace {

using unit::DemoChart;
using unit::IsErr;
using unit::IsOk;
using unit::TempDir;
using unit::WriteTar;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Node {
  explicit Node(const std::string& dir, ChartOptions opt = {}) {
    driver = std::move(*blob::FsDriver::Open(dir + "/content", false));
    db = std::move(*store::sqlite::Db::Open(dir + "/registry.db", false));
    blob_index = std::make_unique<store::sqlite::SqliteBlobIndex>(*db);
    upload_store = std::make_unique<store::sqlite::SqliteUploadStore>(*db);
    manifest_store = std::make_unique<store::sqlite::SqliteManifestStore>(*db);
    chart_store = std::make_unique<store::sqlite::SqliteChartStore>(*db);
    blobs = std::make_unique<registry::BlobService>(*driver, *blob_index);
    uploads = std::make_unique<registry::UploadService>(*driver, *upload_store, *blob_index,
                                                        registry::UploadService::Options{});
    manifests = std::make_unique<registry::ManifestService>(*manifest_store);
    auto* d = db.get();
    charts = std::make_unique<ChartService>(*uploads, *blobs, *manifests, *chart_store,
                                            [d] { return d->generation(); }, opt);
  }
  std::unique_ptr<blob::FsDriver> driver;
  std::unique_ptr<store::sqlite::Db> db;
  std::unique_ptr<store::sqlite::SqliteBlobIndex> blob_index;
  std::unique_ptr<store::sqlite::SqliteUploadStore> upload_store;
  std::unique_ptr<store::sqlite::SqliteManifestStore> manifest_store;
  std::unique_ptr<store::sqlite::SqliteChartStore> chart_store;
  std::unique_ptr<registry::BlobService> blobs;
  std::unique_ptr<registry::UploadService> uploads;
  std::unique_ptr<registry::ManifestService> manifests;
  std::unique_ptr<ChartService> charts;
};

class ChartServiceTest : public ::testing::Test {
 protected:
  StagedFile Stage(const std::string& file, const std::vector<unit::TarEntry>& entries) {
    std::string path = dir_.Sub(file);
    WriteTar(path, entries);
    std::string bytes = Slurp(path);
    return {path, Sha256Of(bytes), static_cast<int64_t>(bytes.size())};
  }
  StagedFile StageText(const std::string& file, const std::string& text) {
    std::string path = dir_.Sub(file);
    std::ofstream(path, std::ios::binary) << text;
    return {path, Sha256Of(text), static_cast<int64_t>(text.size())};
  }
  TempDir dir_;
};

TEST_F(ChartServiceTest, UploadBecomesAnOciArtifactListedInTheIndex) {
  Node n(dir_.Sub("node"));
  auto tgz = Stage("demo.tgz", DemoChart("demo", "0.1.0"));
  auto prov = StageText("demo.prov", "-----BEGIN PGP SIGNED MESSAGE-----\nname: demo\nversion: 0.1.0\n");
  auto up = n.charts->Upload("team", tgz, prov, nullptr);
  ASSERT_TRUE(IsOk(up));
  EXPECT_EQ(up->name, "demo");
  EXPECT_EQ(up->version, "0.1.0");

  oci::Reference ref;
  ref.tag = "0.1.0";
  auto m = n.manifests->Get("team/demo", ref);
  ASSERT_TRUE(IsOk(m));
  auto j = nlohmann::json::parse(m->content);
  EXPECT_EQ(j["config"]["mediaType"], kHelmConfigMediaType);
  ASSERT_EQ(j["layers"].size(), 2u);
  EXPECT_EQ(j["layers"][0]["mediaType"], kHelmChartMediaType);
  EXPECT_EQ(j["layers"][0]["digest"], tgz.digest.str());
  EXPECT_EQ(j["layers"][1]["mediaType"], kHelmProvMediaType);
  EXPECT_EQ(m->artifact_type, kHelmConfigMediaType);

  auto charts = n.charts->Charts("team");
  ASSERT_TRUE(IsOk(charts));
  YAML::Node index = YAML::Load((*charts)->index_yaml);
  EXPECT_EQ(index["apiVersion"].as<std::string>(), "v1");
  auto entry = index["entries"]["demo"][0];
  EXPECT_EQ(entry["version"].as<std::string>(), "0.1.0");
  EXPECT_EQ(entry["appVersion"].as<std::string>(), "1.16");
  EXPECT_EQ(entry["digest"].as<std::string>(), tgz.digest.hex());
  EXPECT_EQ(entry["urls"][0].as<std::string>(), "charts/demo-0.1.0.tgz");
  const auto* v = ChartService::ResolveFileName(**charts, "demo-0.1.0");
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->prov_digest.has_value());
  EXPECT_EQ(ChartService::ResolveFileName(**charts, "demo-0.2.0"), nullptr);
  EXPECT_TRUE(IsOk(n.charts->ReadPackage(*v)));
}

TEST_F(ChartServiceTest, VersionsSortNewestFirstAndNamesWithDashesResolve) {
  Node n(dir_.Sub("node"));
  for (const char* ver : {"1.0.0", "1.10.0", "1.2.0", "2.0.0-rc.1"})
    ASSERT_TRUE(IsOk(n.charts->Upload("team", Stage(std::string("c") + ver + ".tgz", DemoChart("my-app", ver)), {}, nullptr)));
  auto charts = n.charts->Charts("team");
  ASSERT_TRUE(IsOk(charts));
  const auto* list = (*charts)->Find("my-app");
  ASSERT_NE(list, nullptr);
  std::vector<std::string> order;
  for (const auto& v : *list) order.push_back(v.version);
  EXPECT_EQ(order, (std::vector<std::string>{"2.0.0-rc.1", "1.10.0", "1.2.0", "1.0.0"}));
  const auto* v = ChartService::ResolveFileName(**charts, "my-app-2.0.0-rc.1");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->version, "2.0.0-rc.1");
}

TEST_F(ChartServiceTest, ReuploadReplacesUnlessOverwritesAreOff) {
  Node n(dir_.Sub("node"));
  ASSERT_TRUE(IsOk(n.charts->Upload("team", Stage("a.tgz", DemoChart("demo", "0.1.0", "a: 1\n")), {}, nullptr)));
  auto second = Stage("b.tgz", DemoChart("demo", "0.1.0", "a: 2\n"));
  ASSERT_TRUE(IsOk(n.charts->Upload("team", second, {}, nullptr)));
  auto charts = n.charts->Charts("team");
  ASSERT_TRUE(IsOk(charts));
  ASSERT_EQ((*charts)->Find("demo")->size(), 1u);
  EXPECT_EQ((*charts)->Find("demo", "0.1.0")->chart_digest, second.digest);

  ChartOptions strict;
  strict.allow_overwrite = false;
  Node s(dir_.Sub("strict"), strict);
  ASSERT_TRUE(IsOk(s.charts->Upload("team", Stage("c.tgz", DemoChart("demo", "0.1.0")), {}, nullptr)));
  EXPECT_TRUE(IsErr(s.charts->Upload("team", Stage("d.tgz", DemoChart("demo", "0.1.0", "x: 1\n")), {}, nullptr),
                    Errc::kConflict));
  EXPECT_TRUE(IsOk(s.charts->Upload("team", Stage("e.tgz", DemoChart("demo", "0.2.0")), {}, nullptr)));
}

TEST_F(ChartServiceTest, InvalidChartsStoreNothing) {
  Node n(dir_.Sub("node"));
  EXPECT_TRUE(IsErr(n.charts->Upload("team", Stage("bad.tgz", {{"demo/values.yaml", "a: 1\n"}}), {}, nullptr),
                    Errc::kBadRequest));
  auto charts = n.charts->Charts("team");
  ASSERT_TRUE(IsOk(charts));
  EXPECT_TRUE((*charts)->charts.empty());
  auto repos = n.manifest_store->ListRepositories("", 10);
  ASSERT_TRUE(IsOk(repos));
  EXPECT_TRUE(repos->items.empty());
}

TEST_F(ChartServiceTest, DeletesVersionsAndCharts) {
  Node n(dir_.Sub("node"));
  for (const char* ver : {"0.1.0", "0.2.0"})
    ASSERT_TRUE(IsOk(n.charts->Upload("team", Stage(std::string(ver) + ".tgz", DemoChart("demo", ver)), {}, nullptr)));
  ASSERT_TRUE(IsOk(n.charts->DeleteVersion("team", "demo", "0.1.0", nullptr)));
  EXPECT_TRUE(IsErr(n.charts->DeleteVersion("team", "demo", "0.1.0", nullptr), Errc::kNotFound));
  auto charts = n.charts->Charts("team");
  ASSERT_TRUE(IsOk(charts));
  EXPECT_EQ((*charts)->Find("demo")->size(), 1u);
  auto deleted = n.charts->DeleteChart("team", "demo", nullptr);
  ASSERT_TRUE(IsOk(deleted));
  EXPECT_EQ(*deleted, 1);
  charts = n.charts->Charts("team");
  EXPECT_EQ((*charts)->Find("demo"), nullptr);
  EXPECT_EQ((*charts)->index_yaml.find("demo"), std::string::npos);
}

TEST_F(ChartServiceTest, SnapshotIsReusedUntilTheProjectChanges) {
  Node n(dir_.Sub("node"));
  ASSERT_TRUE(IsOk(n.charts->Upload("team", Stage("a.tgz", DemoChart("demo", "0.1.0")), {}, nullptr)));
  auto first = n.charts->Charts("team");
  ASSERT_TRUE(IsOk(first));
  EXPECT_EQ(first->get(), n.charts->Charts("team")->get());  // nothing written: same snapshot
  // A write in another project moves the database generation but not this project's counter.
  ASSERT_TRUE(IsOk(n.charts->Upload("other", Stage("b.tgz", DemoChart("demo", "0.1.0")), {}, nullptr)));
  EXPECT_EQ(first->get(), n.charts->Charts("team")->get());
  // A plain OCI push into the project (any client, Helm media types) invalidates and is listed.
  auto oci = Stage("c.tgz", DemoChart("pushed", "3.0.0"));
  std::string config = R"({"name":"pushed","version":"3.0.0","apiVersion":"v2"})";
  auto up = [&](const std::string& bytes, const Digest& d) {
    auto s = n.uploads->Start("team/pushed");
    auto lease = n.uploads->Lease("team/pushed", s->id, std::nullopt);
    ASSERT_TRUE(IsOk((*lease)->Append(bytes.data(), bytes.size())));
    ASSERT_TRUE(IsOk(n.uploads->Complete(**lease, d)));
  };
  up(config, Sha256Of(config));
  up(Slurp(oci.path), oci.digest);
  nlohmann::ordered_json m = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
      {"config", {{"mediaType", kHelmConfigMediaType}, {"digest", Sha256Of(config).str()}, {"size", config.size()}}},
      {"layers", {{{"mediaType", kHelmChartMediaType}, {"digest", oci.digest.str()}, {"size", oci.size}}}}};
  oci::Reference ref;
  ref.tag = "3.0.0";
  ASSERT_TRUE(IsOk(n.manifests->Put("team/pushed", ref, m.dump(), "application/vnd.oci.image.manifest.v1+json")));
  auto after = n.charts->Charts("team");
  ASSERT_TRUE(IsOk(after));
  EXPECT_NE(first->get(), after->get());
  ASSERT_NE((*after)->Find("pushed", "3.0.0"), nullptr);
  // An untag through the registry also invalidates.
  ASSERT_TRUE(IsOk(n.manifests->Delete("team/pushed", ref)));
  EXPECT_EQ((*n.charts->Charts("team"))->Find("pushed"), nullptr);
}

}  // namespace
}  // namespace berth::chart
