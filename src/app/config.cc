#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <vector>

namespace berth::app {
namespace {

using Setter = std::function<Result<void>(Config&, const std::string&)>;

struct Key {
  const char* path;
  Setter set;
};

Result<void> Bad(const std::string& key, const std::string& why) {
  return Fail(Errc::kBadRequest, "config " + key + ": " + why);
}

Setter Str(std::string Config::*field) {
  return [field](Config& c, const std::string& v) -> Result<void> {
    c.*field = v;
    return {};
  };
}

Setter Int(int64_t Config::*field, int64_t min, const char* key) {
  return [field, min, key](Config& c, const std::string& v) -> Result<void> {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size()) return Bad(key, "not an integer: " + v);
    if (n < min) return Bad(key, "must be at least " + std::to_string(min));
    c.*field = n;
    return {};
  };
}

// "1000,5000,30000": one or more positive integers.
Setter MsList(std::vector<int64_t> Config::*field, const char* key) {
  return [field, key](Config& c, const std::string& v) -> Result<void> {
    std::vector<int64_t> out;
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      int64_t n = 0;
      auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
      if (item.empty() || ec != std::errc() || p != item.data() + item.size() || n < 1)
        return Bad(key, "must be a comma-separated list of positive integers: " + v);
      out.push_back(n);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    c.*field = std::move(out);
    return {};
  };
}

Setter Bool(bool Config::*field, const char* key) {
  return [field, key](Config& c, const std::string& v) -> Result<void> {
    if (v == "true" || v == "1" || v == "yes" || v == "on") c.*field = true;
    else if (v == "false" || v == "0" || v == "no" || v == "off") c.*field = false;
    else return Bad(key, "not a boolean: " + v);
    return {};
  };
}

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = {
      {"listen", Str(&Config::listen)},
      {"data_dir", Str(&Config::data_dir)},
      {"log_level", Str(&Config::log_level)},
      {"external_url", Str(&Config::external_url)},
      {"admin_password", Str(&Config::admin_password)},
      {"storage.fsync", Bool(&Config::storage_fsync, "storage.fsync")},
      {"http.threads", Int(&Config::http_threads, 0, "http.threads")},
      {"http.max_manifest_bytes", Int(&Config::http_max_manifest_bytes, 1024, "http.max_manifest_bytes")},
      {"http.max_concurrent_uploads", Int(&Config::http_max_concurrent_uploads, 1, "http.max_concurrent_uploads")},
      {"http.idle_timeout_seconds", Int(&Config::http_idle_timeout_seconds, 1, "http.idle_timeout_seconds")},
      {"http.body_timeout_seconds", Int(&Config::http_body_timeout_seconds, 1, "http.body_timeout_seconds")},
      {"auth.max_failed_logins", Int(&Config::auth_max_failed_logins, 1, "auth.max_failed_logins")},
      {"auth.max_failed_logins_per_source", Int(&Config::auth_max_failed_logins_per_source, 1, "auth.max_failed_logins_per_source")},
      {"auth.lockout_seconds", Int(&Config::auth_lockout_seconds, 1, "auth.lockout_seconds")},
      {"auth.cache_ttl_seconds", Int(&Config::auth_cache_ttl_seconds, 0, "auth.cache_ttl_seconds")},
      {"jobs.workers", Int(&Config::jobs_workers, 1, "jobs.workers")},
      {"jobs.lease_seconds", Int(&Config::jobs_lease_seconds, 1, "jobs.lease_seconds")},
      {"jobs.nice", Int(&Config::jobs_nice, 0, "jobs.nice")},
      {"webhook.max_attempts", Int(&Config::webhook_max_attempts, 1, "webhook.max_attempts")},
      {"webhook.timeout_ms", Int(&Config::webhook_timeout_ms, 100, "webhook.timeout_ms")},
      {"webhook.backoff_ms", MsList(&Config::webhook_backoff_ms, "webhook.backoff_ms")},
      {"webhook.per_target", Int(&Config::webhook_per_target, 1, "webhook.per_target")},
      {"gc.grace_seconds", Int(&Config::gc_grace_seconds, 0, "gc.grace_seconds")},
      {"gc.schedule", Str(&Config::gc_schedule)},
      {"gc.delete_untagged", Bool(&Config::gc_delete_untagged, "gc.delete_untagged")},
      {"gc.upload_expiry_seconds", Int(&Config::gc_upload_expiry_seconds, 1, "gc.upload_expiry_seconds")},
      {"gc.batch_size", Int(&Config::gc_batch_size, 1, "gc.batch_size")},
      {"chart.max_upload_bytes", Int(&Config::chart_max_upload_bytes, 1024, "chart.max_upload_bytes")},
      {"chart.max_unpacked_bytes", Int(&Config::chart_max_unpacked_bytes, 1024, "chart.max_unpacked_bytes")},
      {"chart.allow_overwrite", Bool(&Config::chart_allow_overwrite, "chart.allow_overwrite")},
  };
  return keys;
}

const Key* FindKey(const std::string& path) {
  for (const auto& k : Keys())
    if (path == k.path) return &k;
  return nullptr;
}

std::string EnvName(const std::string& path) {
  std::string out = "BERTH_";
  for (char c : path) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

Result<void> ApplyYaml(Config& c, const YAML::Node& node, const std::string& prefix) {
  if (!node.IsMap()) return Bad(prefix.empty() ? "(root)" : prefix, "must be a mapping");
  for (const auto& kv : node) {
    std::string path = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
    if (kv.second.IsMap()) {
      if (auto r = ApplyYaml(c, kv.second, path); !r) return r;
      continue;
    }
    const Key* key = FindKey(path);
    if (!key) return Bad(path, "unknown key");
    if (!kv.second.IsScalar()) return Bad(path, "must be a scalar");
    if (auto r = key->set(c, kv.second.as<std::string>()); !r) return r;
  }
  return {};
}

}  // namespace

std::string Config::ListenHost() const {
  auto colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host.empty() ? "0.0.0.0" : host;
}

uint16_t Config::ListenPort() const {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return 5000;
  return static_cast<uint16_t>(std::atoi(listen.c_str() + colon + 1));
}

Result<Config> LoadConfig(const std::optional<std::string>& file, const std::map<std::string, std::string>& overrides) {
  Config c;
  if (file) {
    try {
      YAML::Node root = YAML::LoadFile(*file);
      if (!root.IsNull())
        if (auto r = ApplyYaml(c, root, ""); !r) return std::unexpected(r.error());
    } catch (const YAML::Exception& e) {
      return Fail(Errc::kBadRequest, "config file " + *file + ": " + e.what());
    }
  }
  for (const auto& k : Keys()) {
    if (const char* v = std::getenv(EnvName(k.path).c_str()))
      if (auto r = k.set(c, v); !r) return std::unexpected(r.error());
  }
  for (const auto& [path, value] : overrides) {
    const Key* key = FindKey(path);
    if (!key) return Fail(Errc::kBadRequest, "config " + path + ": unknown key");
    if (auto r = key->set(c, value); !r) return std::unexpected(r.error());
  }
  auto port = c.listen.substr(c.listen.rfind(':') + 1);
  if (c.listen.find(':') == std::string::npos || port.empty() ||
      port.find_first_not_of("0123456789") != std::string::npos || std::atoi(port.c_str()) > 65535)
    return Fail(Errc::kBadRequest, "config listen: expected HOST:PORT, got " + c.listen);
  if (c.external_url.empty()) c.external_url = "http://" + c.listen;
  return c;
}

}  // namespace berth::app
