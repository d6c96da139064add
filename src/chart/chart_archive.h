// Reading and validating a Helm chart package (.tgz): gzip + tar, one top-level chart directory,
// Chart.yaml (name without path separators, SemVer 2 version), with caps against hostile archives
// (`..` and absolute paths, links, entries outside the chart directory, unpacked size and entry
// count). Nothing is written to disk: entries are read through libarchive and only the few text
// files the API shows are kept. Stateless functions; thread-safe.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::chart {

inline constexpr std::string_view kHelmConfigMediaType = "application/vnd.cncf.helm.config.v1+json";
inline constexpr std::string_view kHelmChartMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
inline constexpr std::string_view kHelmProvMediaType = "application/vnd.cncf.helm.chart.provenance.v1.prov";

struct ArchiveLimits {
  int64_t max_unpacked_bytes = 64 << 20;  // sum of all entries' sizes once unpacked (zip bombs)
  int64_t max_entries = 10000;
  int64_t max_text_bytes = 1 << 20;  // Chart.yaml, values.yaml, README.md kept in memory
};

// Chart.yaml as Helm's OCI config (helm push): the chart.Metadata fields in Helm's order, strings
// except `deprecated` and dependencies' `enabled` (booleans), omitted when absent.
struct ChartMetadata {
  nlohmann::ordered_json json;
  std::string name;
  std::string version;
};

struct ChartPackage {
  ChartMetadata metadata;
  std::string values_yaml;        // "" when the chart has none
  std::string readme;             // README.md, "" when absent
  std::string requirements_yaml;  // apiVersion v1 charts' dependencies, "" when absent
  std::vector<std::string> files; // every regular file, relative to the chart directory
};

// Parses and validates Chart.yaml. kBadRequest with a message naming the problem.
Result<ChartMetadata> ParseChartYaml(std::string_view text);

// Reads the .tgz at `path` (or from `fd`, read from offset 0 on; not closed). kBadRequest for
// anything that is not a valid chart package.
Result<ChartPackage> ReadChartArchive(const std::string& path, const ArchiveLimits& limits);
Result<ChartPackage> ReadChartArchiveFd(int fd, const ArchiveLimits& limits);

// The OCI tag of a chart version: SemVer's '+' is not allowed in tags, Helm writes '_' instead.
std::string TagOfVersion(std::string_view version);

// A YAML document as JSON with plain scalars typed (null, bool, int, float) as YAML 1.2 core
// schema reads them; quoted scalars stay strings. Throws YAML::Exception on a syntax error.
nlohmann::ordered_json YamlToJson(std::string_view text);

}  // namespace berth::chart
