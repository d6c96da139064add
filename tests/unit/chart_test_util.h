// Building chart archives in unit tests with libarchive's writer: any entry names (including the
// hostile ones a real tar refuses to create), gzip or not. Header-only helper for chart_*_test.cc.
#pragma once
#include <archive.h>
#include <archive_entry.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace berth::unit {

struct TarEntry {
  std::string name;
  std::string content;
  unsigned type = AE_IFREG;  // AE_IFREG, AE_IFDIR, AE_IFLNK
  std::string link;          // symlink target
  int64_t declared_size = -1;  // -1 = content.size()
};

inline void WriteTar(const std::string& path, const std::vector<TarEntry>& entries, bool gzip = true) {
  archive* a = archive_write_new();
  if (gzip) archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) throw std::runtime_error("archive open");
  for (const auto& e : entries) {
    archive_entry* en = archive_entry_new();
    archive_entry_set_pathname(en, e.name.c_str());
    archive_entry_set_filetype(en, e.type);
    archive_entry_set_perm(en, e.type == AE_IFDIR ? 0755 : 0644);
    if (e.type == AE_IFLNK) archive_entry_set_symlink(en, e.link.c_str());
    archive_entry_set_size(en, e.type == AE_IFREG ? static_cast<la_int64_t>(e.content.size()) : 0);
    archive_write_header(a, en);
    if (e.type == AE_IFREG && !e.content.empty()) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(en);
  }
  archive_write_close(a);
  archive_write_free(a);
}

inline std::string ChartYaml(const std::string& name, const std::string& version) {
  return "apiVersion: v2\nname: " + name + "\nversion: " + version +
         "\nappVersion: \"1.16\"\ndescription: A demo chart\ntype: application\n";
}

// A minimal valid chart: <name>/Chart.yaml, values.yaml, templates/deployment.yaml.
inline std::vector<TarEntry> DemoChart(const std::string& name, const std::string& version,
                                       const std::string& values = "replicaCount: 1\nimage:\n  repository: nginx\n") {
  return {
      {name + "/Chart.yaml", ChartYaml(name, version)},
      {name + "/values.yaml", values},
      {name + "/templates/deployment.yaml", "kind: Deployment\n"},
  };
}

}  // namespace berth::unit
