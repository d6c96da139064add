#include "auth/system_config.h"

#include <charconv>
#include <functional>
#include <optional>

#include "base/log.h"

namespace berth::auth {
namespace {

using Json = SystemConfig::Json;

enum class Kind { kString, kSecret, kInt, kBool };

// A check returns an error message for a value it refuses.
using Check = std::function<std::optional<std::string>(const Json&)>;

struct Def {
  const char* key;
  Kind kind;
  Json default_value;
  Check check;  // may be empty
};

Check OneOf(std::vector<std::string> allowed) {
  return [allowed = std::move(allowed)](const Json& v) -> std::optional<std::string> {
    for (const auto& a : allowed)
      if (v.get<std::string>() == a) return std::nullopt;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return "must be one of " + list;
  };
}

Check Between(int64_t lo, int64_t hi) {
  return [lo, hi](const Json& v) -> std::optional<std::string> {
    int64_t n = v.get<int64_t>();
    if (n < lo || n > hi) return "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
    return std::nullopt;
  };
}

// Harbor caps these at ten digits (what its UI can show) and wants them positive.
const Check kPositive = Between(1, 9999999999);

std::optional<std::string> CheckAttribute(const Json& v) {
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
          c == ';'))
      return "must be an LDAP attribute name";
  return std::nullopt;
}

std::optional<std::string> CheckUid(const Json& v) {
  if (v.get_ref<const std::string&>().empty()) return "must not be empty";
  return CheckAttribute(v);
}

std::optional<std::string> CheckLdapUrl(const Json& v) {
  const std::string& s = v.get_ref<const std::string&>();
  auto scheme = s.find("://");
  if (scheme == std::string::npos) return std::nullopt;  // host[:port]; ldap:// is implied
  std::string_view proto(s.data(), scheme);
  if (proto != "ldap" && proto != "ldaps") return "must be an ldap:// or ldaps:// URL";
  if (s.size() == scheme + 3) return "must name a host";
  return std::nullopt;
}

std::optional<std::string> CheckFilter(const Json& v) {
  const std::string& s = v.get_ref<const std::string&>();
  int depth = 0;
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) return "has unbalanced parentheses";
  }
  if (depth != 0) return "has unbalanced parentheses";
  return std::nullopt;
}

std::optional<std::string> CheckEndpoint(const Json& v) {
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty()) return std::nullopt;
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size() ||
      s.find_first_not_of("0123456789", colon + 1) != std::string::npos)
    return "must be host:port";
  return std::nullopt;
}

std::optional<std::string> CheckNonEmpty(const Json& v) {
  if (v.get_ref<const std::string&>().empty()) return "must not be empty";
  return std::nullopt;
}

std::optional<std::string> CheckQuota(const Json& v) {
  int64_t n = v.get<int64_t>();
  if (n == -1 || (n >= 1 && n <= (int64_t{1} << 50))) return std::nullopt;
  return "must be -1 (unlimited) or between 1 and 1125899906842624";
}

// The catalog, in the order GET /configurations lists it.
const std::vector<Def>& Catalog() {
  static const std::vector<Def> defs = {
      {"auth_mode", Kind::kString, "db_auth", OneOf({"db_auth", "ldap_auth"})},
      {"ldap_url", Kind::kString, "", CheckLdapUrl},
      {"ldap_search_dn", Kind::kString, "", {}},
      {"ldap_search_password", Kind::kSecret, "", {}},
      {"ldap_base_dn", Kind::kString, "", {}},
      {"ldap_filter", Kind::kString, "", CheckFilter},
      {"ldap_uid", Kind::kString, "cn", CheckUid},
      {"ldap_scope", Kind::kInt, 2, Between(0, 2)},
      {"ldap_timeout", Kind::kInt, 5, Between(1, 300)},
      {"ldap_verify_cert", Kind::kBool, true, {}},
      {"ldap_group_base_dn", Kind::kString, "", {}},
      {"ldap_group_search_filter", Kind::kString, "", CheckFilter},
      {"ldap_group_attribute_name", Kind::kString, "", CheckAttribute},
      {"ldap_group_admin_dn", Kind::kString, "", {}},
      {"ldap_group_membership_attribute", Kind::kString, "memberof", CheckAttribute},
      {"ldap_group_search_scope", Kind::kInt, 2, Between(0, 2)},
      {"project_creation_restriction", Kind::kString, "everyone", OneOf({"everyone", "adminonly"})},
      {"self_registration", Kind::kBool, false, {}},
      {"token_expiration", Kind::kInt, 30, kPositive},
      {"robot_token_duration", Kind::kInt, 30, kPositive},
      {"robot_name_prefix", Kind::kString, "robot$", CheckNonEmpty},
      {"storage_per_project", Kind::kInt, -1, CheckQuota},
      {"notification_enable", Kind::kBool, true, {}},
      {"read_only", Kind::kBool, false, {}},
      {"session_timeout", Kind::kInt, 60, kPositive},
      {"audit_log_forward_endpoint", Kind::kString, "", CheckEndpoint},
      {"skip_audit_log_database", Kind::kBool, false, {}},
  };
  return defs;
}

const Def* Find(std::string_view key) {
  for (const auto& d : Catalog())
    if (key == d.key) return &d;
  return nullptr;
}

// Converts an input value to the key's type. nullopt when the type does not fit.
std::optional<Json> Coerce(const Def& d, const Json& v) {
  switch (d.kind) {
    case Kind::kString:
    case Kind::kSecret:
      if (v.is_string()) return v;
      return std::nullopt;
    case Kind::kInt: {
      if (v.is_number_integer()) return Json(v.get<int64_t>());
      if (v.is_number_float()) {
        double f = v.get<double>();  // JSON numbers like 30.0 are integers too
        if (f == static_cast<double>(static_cast<int64_t>(f))) return Json(static_cast<int64_t>(f));
        return std::nullopt;
      }
      if (v.is_string()) {
        const std::string& s = v.get_ref<const std::string&>();
        int64_t n = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (!s.empty() && ec == std::errc() && p == s.data() + s.size()) return Json(n);
      }
      return std::nullopt;
    }
    case Kind::kBool:
      if (v.is_boolean()) return v;
      if (v == "true") return Json(true);
      if (v == "false") return Json(false);
      return std::nullopt;
  }
  return std::nullopt;
}

const char* TypeName(Kind k) {
  switch (k) {
    case Kind::kInt: return "an integer";
    case Kind::kBool: return "a boolean";
    default: return "a string";
  }
}

// Parses and checks one value; the error says which key and why (never the value).
Result<Json> ParseOne(const Def& d, const Json& v) {
  auto coerced = Coerce(d, v);
  if (!coerced) return Fail(Errc::kBadRequest, std::string("configuration ") + d.key + " must be " + TypeName(d.kind));
  if (d.check)
    if (auto why = d.check(*coerced)) return Fail(Errc::kBadRequest, std::string("configuration ") + d.key + " " + *why);
  return *coerced;
}

}  // namespace

Result<std::unique_ptr<SystemConfig>> SystemConfig::Load(store::SettingsStore& store, const SecretBox& secrets) {
  auto stored = store.LoadAll();
  if (!stored) return std::unexpected(stored.error());
  std::unique_ptr<SystemConfig> cfg(new SystemConfig(store, secrets));
  for (const auto& d : Catalog()) cfg->values_[d.key] = d.default_value;
  for (auto& [key, text] : *stored) {
    const Def* d = Find(key);
    if (!d) {
      spdlog::warn("ignoring unknown stored setting key={}", key);
      continue;
    }
    bool unsealed = false;
    if (d->kind == Kind::kSecret && SecretBox::IsSealed(text)) {
      auto opened = secrets.Open(text);
      if (!opened) {
        spdlog::warn("ignoring stored secret setting key={}: {}", key, opened.error().Message());
        continue;
      }
      text = std::move(*opened);
    } else if (d->kind == Kind::kSecret) {
      unsealed = true;  // stored before secrets were sealed: sealed by the next Apply()
    }
    auto v = Json::parse(text, nullptr, false);
    auto parsed = v.is_discarded() ? Result<Json>(Fail(Errc::kBadRequest)) : ParseOne(*d, v);
    if (!parsed) {
      spdlog::warn("ignoring invalid stored setting key={}", key);
      continue;
    }
    cfg->values_[key] = std::move(*parsed);
    if (unsealed) cfg->plaintext_secrets_.insert(key);
  }
  return cfg;
}

std::vector<std::pair<std::string, Json>> SystemConfig::Public() const {
  std::shared_lock lock(mu_);
  std::vector<std::pair<std::string, Json>> out;
  for (const auto& d : Catalog())
    if (d.kind != Kind::kSecret) out.emplace_back(d.key, values_.at(d.key));
  return out;
}

Result<SystemConfig::Values> SystemConfig::Parse(const Json& changes) const {
  if (!changes.is_object()) return Fail(Errc::kBadRequest, "the body must be a JSON object of configuration keys");
  Values out;
  for (const auto& [key, value] : changes.items()) {
    const Def* d = Find(key);
    if (!d) return Fail(Errc::kBadRequest, "unknown configuration key: " + key);
    auto parsed = ParseOne(*d, value);
    if (!parsed) return std::unexpected(parsed.error());
    out[key] = std::move(*parsed);
  }
  return out;
}

Result<void> SystemConfig::Apply(const Values& parsed) {
  std::lock_guard write(write_mu_);
  Values next;
  {
    std::shared_lock lock(mu_);
    next = values_;
  }
  for (const auto& [k, v] : parsed) next[k] = v;
  // Harbor: database writes of the audit log may be skipped only while logs go somewhere else.
  if ((parsed.contains("skip_audit_log_database") || parsed.contains("audit_log_forward_endpoint")) &&
      next["skip_audit_log_database"].get<bool>() && next["audit_log_forward_endpoint"].get<std::string>().empty())
    return Fail(Errc::kBadRequest,
                "audit_log_forward_endpoint must be configured before skip_audit_log_database is enabled");
  std::map<std::string, std::string> encoded;
  for (const auto& [k, v] : parsed) encoded[k] = v.dump();
  for (const auto& k : plaintext_secrets_)
    if (!encoded.contains(k)) encoded[k] = next[k].dump();  // migrated to sealed with this write
  for (auto& [k, text] : encoded)
    if (Find(k)->kind == Kind::kSecret) text = secrets_.Seal(text);
  if (auto r = store_.Save(encoded); !r) return r;
  plaintext_secrets_.clear();
  std::unique_lock lock(mu_);
  values_ = std::move(next);
  ++generation_;
  return {};
}

SystemConfig::Json SystemConfig::Get(std::string_view key) const {
  std::shared_lock lock(mu_);
  auto it = values_.find(key);
  return it == values_.end() ? Json() : it->second;
}

std::string SystemConfig::String(std::string_view key) const {
  Json v = Get(key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

int64_t SystemConfig::Int(std::string_view key) const {
  Json v = Get(key);
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}

bool SystemConfig::Bool(std::string_view key) const {
  Json v = Get(key);
  return v.is_boolean() && v.get<bool>();
}

uint64_t SystemConfig::generation() const {
  std::shared_lock lock(mu_);
  return generation_;
}

}  // namespace berth::auth
