#include "chart/index_yaml.h"

#include <yaml-cpp/yaml.h>
#include <zlib.h>

#include <stdexcept>

#include "base/clock.h"

namespace berth::chart {
namespace {

void Emit(YAML::Emitter& out, const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (auto it = j.begin(); it != j.end(); ++it) {
        out << YAML::Key << it.key() << YAML::Value;
        Emit(out, it.value());
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& v : j) Emit(out, v);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string:
      out << YAML::DoubleQuoted << j.get_ref<const std::string&>();
      break;
    case nlohmann::json::value_t::boolean:
      out << j.get<bool>();
      break;
    case nlohmann::json::value_t::number_integer:
      out << j.get<int64_t>();
      break;
    case nlohmann::json::value_t::number_unsigned:
      out << j.get<uint64_t>();
      break;
    case nlohmann::json::value_t::number_float:
      out << j.get<double>();
      break;
    default:
      out << YAML::Null;
  }
}

// RFC 3339 with nanoseconds, as Go writes time.Time in an index ("2026-01-02T03:04:05.000000000Z").
std::string IndexTime(int64_t unix_seconds) {
  std::string t = FormatRfc3339(unix_seconds);  // "...:05Z"
  if (!t.empty() && t.back() == 'Z') t.insert(t.size() - 1, ".000000000");
  return t;
}

}  // namespace

void EmitJsonAsYaml(void* emitter, const nlohmann::ordered_json& j) { Emit(*static_cast<YAML::Emitter*>(emitter), j); }

std::string RenderIndexYaml(const std::vector<std::pair<std::string, std::vector<IndexEntry>>>& groups,
                            int64_t generated) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "entries" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, versions] : groups) {
    out << YAML::Key << name << YAML::Value << YAML::BeginSeq;
    for (const auto& e : versions) {
      out << YAML::BeginMap;
      for (auto it = e.metadata->begin(); it != e.metadata->end(); ++it) {
        out << YAML::Key << it.key() << YAML::Value;
        Emit(out, it.value());
      }
      out << YAML::Key << "created" << YAML::Value << IndexTime(e.created);
      out << YAML::Key << "digest" << YAML::Value << e.digest_hex;
      out << YAML::Key << "urls" << YAML::Value << YAML::BeginSeq << e.url << YAML::EndSeq;
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
  out << YAML::Key << "generated" << YAML::Value << IndexTime(generated);
  out << YAML::Key << "serverInfo" << YAML::Value << YAML::BeginMap << YAML::EndMap;
  out << YAML::EndMap;
  std::string s(out.c_str(), out.size());
  s.push_back('\n');
  return s;
}

std::string Gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(data.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int r = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (r != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

}  // namespace berth::chart
