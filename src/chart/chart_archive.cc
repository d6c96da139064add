#include "chart/chart_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <regex>

#include "chart/semver.h"

namespace berth::chart {
namespace {

using Json = nlohmann::ordered_json;

Error Bad(std::string msg) { return Error(Errc::kBadRequest, std::move(msg)); }

// ---- YAML → JSON -------------------------------------------------------------------------------

Json ScalarToJson(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() != "?") return s;  // quoted or explicitly tagged: a string
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  {
    int64_t i = 0;
    const char* b = s.data() + (s[0] == '+' ? 1 : 0);
    auto [p, ec] = std::from_chars(b, s.data() + s.size(), i);
    if (ec == std::errc() && p == s.data() + s.size()) return i;
  }
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, kFloat)) {
    try {
      double d = std::stod(s);
      if (std::isfinite(d)) return d;
    } catch (...) {
    }
  }
  return s;
}

Json NodeToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      Json o = Json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = NodeToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      Json a = Json::array();
      for (const auto& v : n) a.push_back(NodeToJson(v));
      return a;
    }
    case YAML::NodeType::Scalar:
      return ScalarToJson(n);
    default:
      return nullptr;
  }
}

// ---- Chart.yaml → Helm's config JSON -----------------------------------------------------------

std::string Str(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }

void PutStr(Json& out, const char* key, const YAML::Node& map) {
  std::string v = Str(map[key]);
  if (!v.empty()) out[key] = v;
}

void PutStrList(Json& out, const char* key, const YAML::Node& map) {
  auto n = map[key];
  if (!n || !n.IsSequence() || n.size() == 0) return;
  Json a = Json::array();
  for (const auto& v : n) a.push_back(Str(v));
  out[key] = std::move(a);
}

void PutBool(Json& out, const char* key, const YAML::Node& map) {
  std::string v = Str(map[key]);
  if (v == "true" || v == "True" || v == "TRUE") out[key] = true;
}

Json MetadataJson(const YAML::Node& doc) {
  Json out = Json::object();
  PutStr(out, "name", doc);
  PutStr(out, "home", doc);
  PutStrList(out, "sources", doc);
  PutStr(out, "version", doc);
  PutStr(out, "description", doc);
  PutStrList(out, "keywords", doc);
  if (auto m = doc["maintainers"]; m && m.IsSequence() && m.size() > 0) {
    Json a = Json::array();
    for (const auto& item : m) {
      Json o = Json::object();
      if (item.IsMap()) {
        PutStr(o, "name", item);
        PutStr(o, "email", item);
        PutStr(o, "url", item);
      }
      a.push_back(std::move(o));
    }
    out["maintainers"] = std::move(a);
  }
  PutStr(out, "icon", doc);
  PutStr(out, "apiVersion", doc);
  PutStr(out, "condition", doc);
  PutStr(out, "tags", doc);
  PutStr(out, "appVersion", doc);
  PutBool(out, "deprecated", doc);
  if (auto a = doc["annotations"]; a && a.IsMap() && a.size() > 0) {
    std::map<std::string, std::string> sorted;  // Go marshals map keys in order
    for (const auto& kv : a) sorted[kv.first.as<std::string>()] = Str(kv.second);
    Json o = Json::object();
    for (auto& [k, v] : sorted) o[k] = v;
    out["annotations"] = std::move(o);
  }
  PutStr(out, "kubeVersion", doc);
  if (auto d = doc["dependencies"]; d && d.IsSequence() && d.size() > 0) {
    Json a = Json::array();
    for (const auto& item : d) {
      Json o = Json::object();
      if (item.IsMap()) {
        PutStr(o, "name", item);
        PutStr(o, "version", item);
        PutStr(o, "repository", item);
        PutStr(o, "condition", item);
        PutStrList(o, "tags", item);
        PutBool(o, "enabled", item);
        if (auto iv = item["import-values"]; iv && iv.IsSequence() && iv.size() > 0) o["import-values"] = NodeToJson(iv);
        PutStr(o, "alias", item);
      }
      a.push_back(std::move(o));
    }
    out["dependencies"] = std::move(a);
  }
  PutStr(out, "type", doc);
  return out;
}

// One path component of an OCI repository name (the chart becomes <project>/<name>).
bool ValidNameComponent(const std::string& s) {
  static const std::regex kComponent("[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*");
  return s.size() <= 128 && std::regex_match(s, kComponent);
}

// ---- the archive -------------------------------------------------------------------------------

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

// Splits an entry path into components, rejecting absolute paths, `..`, backslashes and empty names.
Result<std::vector<std::string>> PathComponents(const char* raw) {
  if (raw == nullptr || *raw == '\0') return std::unexpected(Bad("archive entry without a name"));
  std::string_view p(raw);
  if (p.front() == '/') return std::unexpected(Bad("archive entry with an absolute path: " + std::string(p)));
  if (p.find('\\') != std::string_view::npos)
    return std::unexpected(Bad("archive entry with a backslash in its path: " + std::string(p)));
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    std::string_view c = p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (c == "..") return std::unexpected(Bad("archive entry with '..' in its path: " + std::string(p)));
    if (!c.empty() && c != ".") out.emplace_back(c);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (out.empty()) return std::unexpected(Bad("archive entry without a name"));
  return out;
}

bool IsGzip(int fd) {
  unsigned char magic[2] = {0, 0};
  ssize_t n = ::pread(fd, magic, 2, 0);
  return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

}  // namespace

nlohmann::ordered_json YamlToJson(std::string_view text) {
  YAML::Node doc = YAML::Load(std::string(text));
  return NodeToJson(doc);
}

std::string TagOfVersion(std::string_view version) {
  std::string t(version);
  for (char& c : t)
    if (c == '+') c = '_';
  return t;
}

Result<ChartMetadata> ParseChartYaml(std::string_view text) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return std::unexpected(Bad(std::string("Chart.yaml is not valid YAML: ") + e.what()));
  }
  if (!doc.IsMap()) return std::unexpected(Bad("Chart.yaml is not a mapping"));
  ChartMetadata m;
  try {
    m.name = Str(doc["name"]);
    m.version = Str(doc["version"]);
    if (m.name.empty()) return std::unexpected(Bad("Chart.yaml has no name"));
    if (m.name.find('/') != std::string::npos || m.name.find('\\') != std::string::npos || m.name == "." ||
        m.name == "..")
      return std::unexpected(Bad("chart name '" + m.name + "' must not contain path separators"));
    if (!ValidNameComponent(m.name))
      return std::unexpected(Bad("chart name '" + m.name +
                                 "' is not a valid repository name (lower-case letters, digits and . _ - between them)"));
    if (m.version.empty()) return std::unexpected(Bad("Chart.yaml has no version"));
    if (!ParseSemVer(m.version))
      return std::unexpected(Bad("chart version '" + m.version + "' is not a valid SemVer 2 version"));
    m.json = MetadataJson(doc);
  } catch (const YAML::Exception& e) {
    return std::unexpected(Bad(std::string("Chart.yaml is malformed: ") + e.what()));
  }
  return m;
}

Result<ChartPackage> ReadChartArchive(const std::string& path, const ArchiveLimits& limits) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Errc::kInternal, "cannot open staged chart " + path);
  auto r = ReadChartArchiveFd(fd, limits);
  ::close(fd);
  return r;
}

Result<ChartPackage> ReadChartArchiveFd(int fd, const ArchiveLimits& limits) {
  if (!IsGzip(fd)) return std::unexpected(Bad("the chart is not a gzip-compressed archive (.tgz)"));
  if (::lseek(fd, 0, SEEK_SET) != 0) return Fail(Errc::kInternal, "cannot rewind the chart archive");
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_fd(a.get(), fd, 64 * 1024) != ARCHIVE_OK)
    return std::unexpected(Bad(std::string("not a valid chart archive: ") + archive_error_string(a.get())));

  ChartPackage pkg;
  std::string top;
  std::string chart_yaml;
  bool have_chart_yaml = false;
  int64_t unpacked = 0;
  int64_t entries = 0;
  std::vector<char> scratch(64 * 1024);
  for (;;) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return std::unexpected(Bad(std::string("not a valid chart archive: ") + archive_error_string(a.get())));
    if (++entries > limits.max_entries)
      return std::unexpected(Bad("the chart archive has more than " + std::to_string(limits.max_entries) + " entries"));
    const char* name = archive_entry_pathname_utf8(e);
    if (name == nullptr) name = archive_entry_pathname(e);
    auto parts = PathComponents(name);
    if (!parts) return std::unexpected(parts.error());
    if (top.empty()) top = parts->front();
    if (parts->front() != top)
      return std::unexpected(Bad("archive entry outside the chart directory '" + top + "': " + std::string(name)));
    auto type = archive_entry_filetype(e);
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG || archive_entry_hardlink(e) != nullptr)
      return std::unexpected(Bad("the chart archive may hold only files and directories: " + std::string(name)));
    if (parts->size() < 2)
      return std::unexpected(Bad("archive entry outside the chart directory: " + std::string(name)));
    if (archive_entry_size_is_set(e) && archive_entry_size(e) > limits.max_unpacked_bytes - unpacked)
      return std::unexpected(Bad("the chart unpacks to more than " + std::to_string(limits.max_unpacked_bytes) + " bytes"));

    std::string rel;
    for (size_t i = 1; i < parts->size(); ++i) rel += (i > 1 ? "/" : "") + (*parts)[i];
    std::string* keep = nullptr;
    if (rel == "Chart.yaml") keep = &chart_yaml, have_chart_yaml = true;
    else if (rel == "values.yaml") keep = &pkg.values_yaml;
    else if (rel == "README.md") keep = &pkg.readme;
    else if (rel == "requirements.yaml") keep = &pkg.requirements_yaml;
    for (;;) {
      la_ssize_t n = archive_read_data(a.get(), scratch.data(), scratch.size());
      if (n < 0)
        return std::unexpected(Bad(std::string("not a valid chart archive: ") + archive_error_string(a.get())));
      if (n == 0) break;
      unpacked += n;
      if (unpacked > limits.max_unpacked_bytes)
        return std::unexpected(
            Bad("the chart unpacks to more than " + std::to_string(limits.max_unpacked_bytes) + " bytes"));
      if (keep) {
        if (static_cast<int64_t>(keep->size()) + n > limits.max_text_bytes)
          return std::unexpected(Bad(rel + " is larger than " + std::to_string(limits.max_text_bytes) + " bytes"));
        keep->append(scratch.data(), static_cast<size_t>(n));
      }
    }
    pkg.files.push_back(std::move(rel));
  }
  if (!have_chart_yaml) return std::unexpected(Bad("the chart archive has no Chart.yaml in its chart directory"));
  auto meta = ParseChartYaml(chart_yaml);
  if (!meta) return std::unexpected(meta.error());
  pkg.metadata = std::move(*meta);
  return pkg;
}

}  // namespace berth::chart
