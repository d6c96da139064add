#include "chart/chart_service.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "base/clock.h"
#include "chart/index_yaml.h"
#include "oci/reference.h"

namespace berth::chart {
namespace {

using Json = nlohmann::ordered_json;
constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr int64_t kMaxConfigBytes = 1 << 20;
constexpr size_t kMaxCachedConfigs = 200000;

struct ReadFd {
  int fd = -1;
  ~ReadFd() {
    if (fd >= 0) ::close(fd);
  }
};

Result<std::string> ReadWhole(int fd, int64_t size) {
  std::string out(static_cast<size_t>(size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n <= 0) return Fail(Errc::kInternal, "short read of a stored blob");
    done += static_cast<size_t>(n);
  }
  return out;
}

// "name: x" / "version: y" lines of a provenance file's signed Chart.yaml copy.
std::string ProvField(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ':') {
      std::string_view v = line.substr(key.size() + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '"' || v.front() == '\'')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\r' || v.back() == '"' || v.back() == '\'')) v.remove_suffix(1);
      return std::string(v);
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return {};
}

}  // namespace

std::unique_ptr<MemFile> MemFile::Of(std::string_view bytes) {
  int fd = ::memfd_create("berth-index", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return nullptr;
    }
    done += static_cast<size_t>(n);
  }
  return std::unique_ptr<MemFile>(new MemFile(fd, bytes.size()));
}

MemFile::~MemFile() { ::close(fd_); }

const std::vector<ChartVersion>* ProjectCharts::Find(std::string_view name) const {
  auto it = std::lower_bound(charts.begin(), charts.end(), name,
                             [](const auto& p, std::string_view n) { return p.first < n; });
  if (it == charts.end() || it->first != name) return nullptr;
  return &it->second;
}

const ChartVersion* ProjectCharts::Find(std::string_view name, std::string_view version) const {
  const auto* versions = Find(name);
  if (!versions) return nullptr;
  for (const auto& v : *versions)
    if (v.version == version) return &v;
  return nullptr;
}

const ChartVersion* ChartService::ResolveFileName(const ProjectCharts& charts, std::string_view stem) {
  for (size_t i = stem.find('-'); i != std::string_view::npos; i = stem.find('-', i + 1)) {
    if (const auto* v = charts.Find(stem.substr(0, i), stem.substr(i + 1))) return v;
  }
  return nullptr;
}

Result<std::shared_ptr<const ProjectCharts>> ChartService::Charts(const std::string& project) {
  uint64_t gen = generation_();
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(project);
    if (it != slots_.end() && it->second.charts && it->second.generation == gen) return it->second.charts;
  }
  auto seq = store_.ChangeSeq(project);
  if (!seq) return std::unexpected(seq.error());
  {
    std::lock_guard lock(mu_);
    auto it = slots_.find(project);
    if (it != slots_.end() && it->second.charts && it->second.seq == *seq) {
      it->second.generation = std::max(it->second.generation, gen);
      return it->second.charts;
    }
  }
  auto built = Build(project);
  if (!built) return std::unexpected(built.error());
  std::lock_guard lock(mu_);
  auto& slot = slots_[project];
  slot.generation = gen;
  slot.seq = *seq;
  slot.charts = *built;
  return *built;
}

Result<Json> ChartService::ConfigOf(const std::string& repository, const Digest& digest) {
  std::string key = digest.str();
  {
    std::lock_guard lock(mu_);
    if (auto it = configs_.find(key); it != configs_.end()) return it->second;
  }
  auto reader = blobs_.Open(repository, digest);
  if (!reader) return std::unexpected(reader.error());
  if ((*reader)->size() > kMaxConfigBytes) return Fail(Errc::kManifestInvalid, "chart config too large");
  auto text = ReadWhole((*reader)->fd(), (*reader)->size());
  if (!text) return std::unexpected(text.error());
  auto j = Json::parse(*text, nullptr, false);
  if (!j.is_object()) return Fail(Errc::kManifestInvalid, "chart config is not a JSON object");
  std::lock_guard lock(mu_);
  if (configs_.size() >= kMaxCachedConfigs) configs_.clear();
  configs_.emplace(key, j);
  return j;
}

Result<std::shared_ptr<const ProjectCharts>> ChartService::Build(const std::string& project) {
  auto rows = store_.ListChartArtifacts(project);
  if (!rows) return std::unexpected(rows.error());
  std::map<std::string, std::map<std::string, ChartVersion>> by_name;  // name → version → newest
  for (auto& row : *rows) {
    auto m = Json::parse(row.content, nullptr, false);
    if (!m.is_object() || !m.contains("config") || !m["config"].is_object()) continue;
    auto config_digest = Digest::Parse(m["config"].value("digest", ""));
    if (!config_digest) continue;
    ChartVersion v;
    bool have_chart = false;
    if (auto layers = m.find("layers"); layers != m.end() && layers->is_array()) {
      for (const auto& l : *layers) {
        if (!l.is_object()) continue;
        std::string mt = l.value("mediaType", "");
        auto d = Digest::Parse(l.value("digest", ""));
        if (!d) continue;
        if (mt == kHelmChartMediaType && !have_chart) {
          v.chart_digest = *d;
          v.chart_size = l.value("size", int64_t{0});
          have_chart = true;
        } else if (mt == kHelmProvMediaType) {
          v.prov_digest = *d;
        }
      }
    }
    if (!have_chart) continue;
    auto config = ConfigOf(row.repository, *config_digest);
    if (!config) continue;  // unreadable config: not listed
    v.metadata = std::move(*config);
    v.name = row.repository.substr(project.size() + 1);
    v.version = v.metadata.value("version", "");
    auto sv = ParseSemVer(v.version);
    if (!sv) {  // fall back to the tag (Helm writes '+' as '_')
      std::string t = row.tag;
      std::replace(t.begin(), t.end(), '_', '+');
      sv = ParseSemVer(t);
      if (!sv) continue;
      v.version = t;
    }
    v.semver = std::move(*sv);
    v.metadata["name"] = v.name;
    v.metadata["version"] = v.version;
    v.repository = row.repository;
    v.tag = row.tag;
    v.manifest_id = row.manifest_id;
    v.manifest_digest = *Digest::Parse(row.digest);
    v.created = row.pushed_at;
    auto& slot = by_name[v.name];
    auto it = slot.find(v.version);
    if (it == slot.end() || it->second.created < v.created) slot[v.version] = std::move(v);
  }

  auto out = std::make_shared<ProjectCharts>();
  out->project = project;
  std::vector<std::pair<std::string, std::vector<IndexEntry>>> groups;
  for (auto& [name, versions] : by_name) {
    std::vector<ChartVersion> list;
    list.reserve(versions.size());
    for (auto& [_, v] : versions) list.push_back(std::move(v));
    std::sort(list.begin(), list.end(), [](const ChartVersion& a, const ChartVersion& b) {
      int c = Compare(a.semver, b.semver);
      return c != 0 ? c > 0 : a.created > b.created;
    });
    out->charts.emplace_back(name, std::move(list));
  }
  for (const auto& [name, list] : out->charts) {
    std::vector<IndexEntry> entries;
    entries.reserve(list.size());
    for (const auto& v : list)
      entries.push_back({&v.metadata, "charts/" + v.name + "-" + v.version + ".tgz", v.chart_digest.hex(), v.created});
    groups.emplace_back(name, std::move(entries));
  }
  out->index_yaml = RenderIndexYaml(groups, NowUnixSeconds());
  out->index_gzip = Gzip(out->index_yaml);
  out->etag = "\"" + Sha256Of(out->index_yaml).hex() + "\"";
  out->index_yaml_file = MemFile::Of(out->index_yaml);
  out->index_gzip_file = MemFile::Of(out->index_gzip);
  return std::shared_ptr<const ProjectCharts>(std::move(out));
}

Result<void> ChartService::StoreBytes(const std::string& repository, const std::string& bytes, const Digest& digest) {
  auto started = uploads_.Start(repository);
  if (!started) return std::unexpected(started.error());
  Result<Digest> done = Fail(Errc::kInternal, "upload not completed");
  {
    auto lease = uploads_.Lease(repository, started->id, std::nullopt);
    if (!lease) return std::unexpected(lease.error());
    if (auto w = (*lease)->Append(bytes.data(), bytes.size()); !w) done = std::unexpected(w.error());
    else done = uploads_.Complete(**lease, digest);
  }
  if (!done) {
    (void)uploads_.Cancel(repository, started->id);
    return std::unexpected(done.error());
  }
  return {};
}

Result<void> ChartService::StoreFile(const std::string& repository, const StagedFile& f) {
  if (f.path.empty()) return {};  // already stored (a provenance added to an existing version)
  ReadFd in{::open(f.path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return Fail(Errc::kInternal, "cannot open staged file " + f.path);
  auto started = uploads_.Start(repository);
  if (!started) return std::unexpected(started.error());
  Result<Digest> done = Fail(Errc::kInternal, "upload not completed");
  {
    auto lease = uploads_.Lease(repository, started->id, std::nullopt);
    if (!lease) return std::unexpected(lease.error());
    std::vector<char> buf(256 * 1024);
    std::optional<Error> failed;
    for (;;) {
      ssize_t n = ::read(in.fd, buf.data(), buf.size());
      if (n < 0) {
        failed = Error(Errc::kInternal, "cannot read staged file " + f.path);
        break;
      }
      if (n == 0) break;
      if (auto w = (*lease)->Append(buf.data(), static_cast<size_t>(n)); !w) {
        failed = w.error();
        break;
      }
    }
    if (failed) done = std::unexpected(*failed);
    else done = uploads_.Complete(**lease, f.digest);
  }
  if (!done) {
    (void)uploads_.Cancel(repository, started->id);
    return std::unexpected(done.error());
  }
  return {};
}

Result<UploadResult> ChartService::PutManifest(const std::string& project, const ChartMetadata& meta,
                                               const StagedFile& chart, const std::optional<StagedFile>& prov,
                                               const store::EventContext* events) {
  std::string repo = project + "/" + meta.name;
  if (auto v = oci::ValidateRepositoryName(repo); !v)
    return Fail(Errc::kBadRequest, "chart name '" + meta.name + "' cannot name a repository: " + std::string(v.error().Message()));
  oci::Reference ref;
  ref.tag = TagOfVersion(meta.version);
  std::string config = meta.json.dump();
  Digest config_digest = Sha256Of(config);
  if (auto r = StoreBytes(repo, config, config_digest); !r) return std::unexpected(r.error());
  if (auto r = StoreFile(repo, chart); !r) return std::unexpected(r.error());
  if (prov)
    if (auto r = StoreFile(repo, *prov); !r) return std::unexpected(r.error());

  Json m;
  m["schemaVersion"] = 2;
  m["mediaType"] = kOciManifest;
  m["config"] = {{"mediaType", kHelmConfigMediaType}, {"digest", config_digest.str()},
                 {"size", static_cast<int64_t>(config.size())}};
  Json layers = Json::array();
  layers.push_back({{"mediaType", kHelmChartMediaType}, {"digest", chart.digest.str()}, {"size", chart.size}});
  if (prov) layers.push_back({{"mediaType", kHelmProvMediaType}, {"digest", prov->digest.str()}, {"size", prov->size}});
  m["layers"] = std::move(layers);
  m["annotations"] = {{"org.opencontainers.image.title", meta.name},
                      {"org.opencontainers.image.version", meta.version}};
  store::EventContext ev;
  if (events) {
    ev = *events;
    ev.type = "UPLOAD_CHART";
    ev.tag = meta.version;
  }
  auto put = manifests_.Put(repo, ref, m.dump(), kOciManifest, events ? &ev : nullptr);
  if (!put) return std::unexpected(put.error());
  return UploadResult{meta.name, meta.version, put->digest};
}

Result<UploadResult> ChartService::Upload(const std::string& project, const StagedFile& chart,
                                          const std::optional<StagedFile>& prov, const store::EventContext* events) {
  auto pkg = ReadChartArchive(chart.path, opt_.archive);
  if (!pkg) return std::unexpected(pkg.error());
  if (!opt_.allow_overwrite) {
    oci::Reference ref;
    ref.tag = TagOfVersion(pkg->metadata.version);
    if (manifests_.Get(project + "/" + pkg->metadata.name, ref))
      return Fail(Errc::kConflict, pkg->metadata.name + "-" + pkg->metadata.version +
                                       ".tgz already exists and overwriting chart versions is disabled");
  }
  return PutManifest(project, pkg->metadata, chart, prov, events);
}

Result<UploadResult> ChartService::AttachProvenance(const std::string& project, const StagedFile& prov,
                                                    const std::string& filename) {
  std::string text;
  {
    ReadFd in{::open(prov.path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0) return Fail(Errc::kInternal, "cannot open staged file");
    auto t = ReadWhole(in.fd, std::min<int64_t>(prov.size, 1 << 20));
    if (!t) return std::unexpected(t.error());
    text = std::move(*t);
  }
  auto charts = Charts(project);
  if (!charts) return std::unexpected(charts.error());
  const ChartVersion* v = nullptr;
  std::string name = ProvField(text, "name"), version = ProvField(text, "version");
  if (!name.empty() && !version.empty()) v = (*charts)->Find(name, version);
  if (!v && filename.ends_with(".tgz.prov"))
    v = ResolveFileName(**charts, std::string_view(filename).substr(0, filename.size() - 9));
  if (!v) return Fail(Errc::kNotFound, "no chart version for this provenance file; upload the chart first");
  ChartMetadata meta;
  meta.name = v->name;
  meta.version = v->version;
  meta.json = v->metadata;
  StagedFile chart{"", v->chart_digest, v->chart_size};
  return PutManifest(project, meta, chart, prov, nullptr);
}

Result<void> ChartService::DeleteVersion(const std::string& project, const std::string& name,
                                         const std::string& version, const store::EventContext* events) {
  auto charts = Charts(project);
  if (!charts) return std::unexpected(charts.error());
  const auto* v = (*charts)->Find(name, version);
  if (!v) return Fail(Errc::kNotFound, "chart " + name + " version " + version + " not found");
  store::EventContext ev;
  if (events) {
    ev = *events;
    ev.type = "DELETE_CHART";
  }
  auto done = store_.DeleteArtifacts(v->repository, {{v->manifest_digest.str(), v->version}}, events ? &ev : nullptr);
  if (!done) return std::unexpected(done.error());
  if (*done == 0) return Fail(Errc::kNotFound, "chart " + name + " version " + version + " not found");
  return {};
}

Result<int> ChartService::DeleteChart(const std::string& project, const std::string& name,
                                      const store::EventContext* events) {
  auto charts = Charts(project);
  if (!charts) return std::unexpected(charts.error());
  const auto* versions = (*charts)->Find(name);
  if (!versions || versions->empty()) return Fail(Errc::kNotFound, "chart " + name + " not found");
  std::vector<std::pair<std::string, std::string>> targets;
  for (const auto& v : *versions) targets.emplace_back(v.manifest_digest.str(), v.version);
  store::EventContext ev;
  if (events) {
    ev = *events;
    ev.type = "DELETE_CHART";
  }
  auto done = store_.DeleteArtifacts(versions->front().repository, targets, events ? &ev : nullptr);
  if (!done) return std::unexpected(done.error());
  return *done;
}

Result<ChartPackage> ChartService::ReadPackage(const ChartVersion& v) {
  auto reader = blobs_.Open(v.repository, v.chart_digest);
  if (!reader) return std::unexpected(reader.error());
  return ReadChartArchiveFd((*reader)->fd(), opt_.archive);
}

}  // namespace berth::chart
