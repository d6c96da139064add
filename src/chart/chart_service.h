// ChartService: the Helm chart repository over the one OCI store. A chart version is the artifact
// <project>/<name>:<version> (Helm's config media type, the .tgz as its chart layer, an optional
// provenance layer), written through the upload and manifest services like any push, so listing,
// RBAC, audit, quotas and GC see it; OCI charts pushed by any client are charts here too.
//
// Reads go through a per-project snapshot (every chart version with its metadata, the rendered
// index.yaml and its gzip form). A snapshot is reused while the database generation is unchanged
// (no SQL at all), revalidated against the project's change counter (ChartStore::ChangeSeq) when
// something was written anywhere, and rebuilt only when the project's tags changed. Config blobs
// are immutable, so their parsed metadata is cached by digest across rebuilds.
//
// Thread-safe: the snapshot map and the metadata cache are guarded by mu_; snapshots are
// immutable and shared.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "chart/chart_archive.h"
#include "chart/semver.h"
#include "registry/blob_service.h"
#include "registry/manifest_service.h"
#include "registry/upload_service.h"
#include "store/chart_store.h"

namespace berth::chart {

struct ChartOptions {
  ArchiveLimits archive;
  int64_t max_upload_bytes = 20 << 20;  // a request body (chart + provenance) beyond this is 413
  bool allow_overwrite = true;          // false: re-uploading an existing version is 409
};

// One chart version as the API shows it.
struct ChartVersion {
  std::string name;
  std::string version;
  std::string repository;  // <project>/<name>
  std::string tag;
  int64_t manifest_id = 0;  // the artifact id (labels attach here)
  Digest manifest_digest;
  Digest chart_digest;  // sha256 of the .tgz
  int64_t chart_size = 0;
  std::optional<Digest> prov_digest;
  int64_t created = 0;  // unix seconds (the tag's push time)
  nlohmann::ordered_json metadata;
  SemVer semver;
};

// Read-only bytes in an anonymous memory file (memfd), so that they can be sent with sendfile(2)
// like a blob. Owns the descriptor.
class MemFile {
 public:
  static std::unique_ptr<MemFile> Of(std::string_view bytes);  // nullptr if memfd is unavailable
  ~MemFile();
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  int fd() const { return fd_; }
  uint64_t size() const { return size_; }

 private:
  MemFile(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  uint64_t size_;
};

// Every chart of one project: names sorted, versions newest first.
struct ProjectCharts {
  std::string project;
  std::vector<std::pair<std::string, std::vector<ChartVersion>>> charts;
  std::string index_yaml;
  std::string index_gzip;
  std::string etag;  // quoted sha256 of index_yaml
  // The same two bodies as memory files for zero-copy sends (null when memfd failed).
  std::unique_ptr<MemFile> index_yaml_file;
  std::unique_ptr<MemFile> index_gzip_file;

  const std::vector<ChartVersion>* Find(std::string_view name) const;
  const ChartVersion* Find(std::string_view name, std::string_view version) const;
};

// A file the request body was staged into (hashed while written).
struct StagedFile {
  std::string path;
  Digest digest;
  int64_t size = 0;
};

struct UploadResult {
  std::string name;
  std::string version;
  Digest manifest_digest;
};

class ChartService {
 public:
  ChartService(registry::UploadService& uploads, registry::BlobService& blobs, registry::ManifestService& manifests,
               store::ChartStore& store, std::function<uint64_t()> generation, ChartOptions opt)
      : uploads_(uploads), blobs_(blobs), manifests_(manifests), store_(store), generation_(std::move(generation)),
        opt_(std::move(opt)) {}

  const ChartOptions& options() const { return opt_; }

  // The project's current snapshot (see the class comment).
  Result<std::shared_ptr<const ProjectCharts>> Charts(const std::string& project);

  // Validates the .tgz (kBadRequest), then stores it (and the provenance file, if any) as
  // <project>/<name>:<version>. kConflict when the version exists and overwrites are off. With
  // `events`, an UPLOAD_CHART event (tag = version) commits with the manifest.
  Result<UploadResult> Upload(const std::string& project, const StagedFile& chart, const std::optional<StagedFile>& prov,
                              const store::EventContext* events);
  // Adds a provenance file to an existing chart version, named by the .prov's own name/version
  // lines (or by `filename`, "<name>-<version>.tgz.prov"). kNotFound when the version is absent.
  Result<UploadResult> AttachProvenance(const std::string& project, const StagedFile& prov, const std::string& filename);

  // Deletes one version / every version of a chart; with `events`, one DELETE_CHART per version.
  // kNotFound when absent.
  Result<void> DeleteVersion(const std::string& project, const std::string& name, const std::string& version,
                             const store::EventContext* events);
  Result<int> DeleteChart(const std::string& project, const std::string& name, const store::EventContext* events);

  // Reads a chart version's .tgz and unpacks what the detail API shows (values, README, files).
  Result<ChartPackage> ReadPackage(const ChartVersion& v);

  // Splits "<name>-<version>" (both may contain '-') against the snapshot.
  static const ChartVersion* ResolveFileName(const ProjectCharts& charts, std::string_view stem);

 private:
  struct Slot {
    uint64_t generation = 0;
    int64_t seq = -1;
    std::shared_ptr<const ProjectCharts> charts;
  };
  Result<std::shared_ptr<const ProjectCharts>> Build(const std::string& project);
  Result<nlohmann::ordered_json> ConfigOf(const std::string& repository, const Digest& digest);
  Result<void> StoreFile(const std::string& repository, const StagedFile& f);
  Result<void> StoreBytes(const std::string& repository, const std::string& bytes, const Digest& digest);
  Result<UploadResult> PutManifest(const std::string& project, const ChartMetadata& meta, const StagedFile& chart,
                                   const std::optional<StagedFile>& prov, const store::EventContext* events);

  registry::UploadService& uploads_;
  registry::BlobService& blobs_;
  registry::ManifestService& manifests_;
  store::ChartStore& store_;
  std::function<uint64_t()> generation_;
  ChartOptions opt_;
  std::mutex mu_;
  std::unordered_map<std::string, Slot> slots_;                      // guarded by mu_
  std::unordered_map<std::string, nlohmann::ordered_json> configs_;  // config digest → JSON; guarded by mu_
};

}  // namespace berth::chart
