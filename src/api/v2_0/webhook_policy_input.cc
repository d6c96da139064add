#include "api/v2_0/webhook_policy_input.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "api/v2_0/request_fields.h"
#include "webhook/event.h"

namespace berth::api::v2_0 {
namespace {

// Harbor's event types (spec §2) plus the three chart events of issue 4, in GET /events order.
using webhook::kEventTypes;

constexpr size_t kMaxName = 256;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool ValidPort(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  int n = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
  return ec == std::errc() && end == p.data() + p.size() && n >= 1 && n <= 65535;
}

// Harbor trims spaces and a trailing '/', checks the scheme, and assumes http:// when there is
// none. Berth requires an absolute http(s) URL with a host (a value Harbor stores without a
// scheme only fails later, at delivery).
Result<void> CheckAddress(std::string_view raw) {
  std::string_view a = Trim(raw);
  while (!a.empty() && a.back() == '/') a.remove_suffix(1);
  if (a.empty()) return Fail(Errc::kBadRequest, "empty target address");
  for (char ch : a)
    if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f)
      return Fail(Errc::kBadRequest, "invalid address " + std::string(raw) + ": it contains spaces or control characters");
  size_t sep = a.find("://");
  if (sep == std::string_view::npos)
    return Fail(Errc::kBadRequest,
                "invalid address " + std::string(raw) + ": an absolute http:// or https:// URL is required");
  std::string scheme(a.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https") return Fail(Errc::kBadRequest, "invalid scheme: " + scheme);
  std::string_view rest = a.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1)
      return Fail(Errc::kBadRequest, "invalid address " + std::string(raw) + ": malformed IPv6 host");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Fail(Errc::kBadRequest, "invalid address " + std::string(raw) + ": malformed host");
      port = after.substr(1);
      if (!ValidPort(port)) return Fail(Errc::kBadRequest, "invalid address " + std::string(raw) + ": bad port");
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (!ValidPort(port)) return Fail(Errc::kBadRequest, "invalid address " + std::string(raw) + ": bad port");
  }
  if (host.empty()) return Fail(Errc::kBadRequest, "invalid address " + std::string(raw) + ": no host");
  return {};
}

Result<Json> ReadTarget(const Json& t) {
  if (auto ok = OnlyFields(t, "a target",
                           {"type", "address", "auth_header", "skip_cert_verify", "payload_format", "signing_secret"});
      !ok)
    return std::unexpected(ok.error());
  std::string fields[5];
  const char* keys[5] = {"type", "address", "auth_header", "payload_format", "signing_secret"};
  for (int i = 0; i < 5; ++i) {
    auto v = StringField(t, keys[i]);
    if (!v) return std::unexpected(v.error());
    fields[i] = v->value_or("");
  }
  auto& [type, address, auth_header, payload_format, signing_secret] = fields;
  bool skip_verify = false;
  if (auto it = t.find("skip_cert_verify"); it != t.end() && !it->is_null()) {
    if (!it->is_boolean()) return Fail(Errc::kBadRequest, "skip_cert_verify must be a boolean");
    skip_verify = it->get<bool>();
  }
  if (type.empty()) return Fail(Errc::kBadRequest, "target type is required (http or slack)");
  if (type != "http" && type != "slack") return Fail(Errc::kBadRequest, "unsupported target type " + type);
  if (auto ok = CheckAddress(address); !ok) return std::unexpected(ok.error());
  if (type == "http") {
    if (payload_format.empty()) payload_format = "Default";
    if (payload_format != "Default" && payload_format != "CloudEvents")
      return Fail(Errc::kBadRequest, "unsupported payload format " + payload_format + " for an http target");
  } else if (!payload_format.empty()) {
    return Fail(Errc::kBadRequest, "a slack target takes no payload format, got " + payload_format);
  }
  Json out;
  out["type"] = type;
  out["address"] = std::string(Trim(address));
  out["auth_header"] = auth_header;
  out["skip_cert_verify"] = skip_verify;
  out["payload_format"] = payload_format;
  out["signing_secret"] = signing_secret;
  return out;
}

}  // namespace

std::span<const std::string_view> WebhookEventTypes() { return kEventTypes; }

Result<void> ReadPolicyBody(const Json& body, store::PolicyRecord& out) {
  if (auto ok = OnlyFields(body, "the policy",
                           {"id", "name", "description", "project_id", "targets", "event_types", "creator",
                            "creation_time", "update_time", "enabled"});
      !ok)
    return std::unexpected(ok.error());
  // Read-only fields: type-checked, otherwise ignored (the path names the project and the policy).
  if (auto id = IntField(body, "id"); !id) return std::unexpected(id.error());
  if (auto pid = IntField(body, "project_id"); !pid) return std::unexpected(pid.error());
  for (const char* key : {"creation_time", "update_time"})
    if (auto t = StringField(body, key); !t) return std::unexpected(t.error());

  auto name = StringField(body, "name");
  if (!name) return std::unexpected(name.error());
  out.name = std::string(Trim(name->value_or("")));
  if (out.name.empty()) return Fail(Errc::kBadRequest, "name is required");
  if (out.name.size() > kMaxName) return Fail(Errc::kBadRequest, "name must have at most 256 characters");
  auto description = StringField(body, "description");
  if (!description) return std::unexpected(description.error());
  out.description = description->value_or("");
  auto creator = StringField(body, "creator");
  if (!creator) return std::unexpected(creator.error());
  if (*creator) out.creator = **creator;
  out.enabled = false;
  if (auto it = body.find("enabled"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return Fail(Errc::kBadRequest, "enabled must be a boolean");
    out.enabled = it->get<bool>();
  }

  out.event_types.clear();
  auto events = body.find("event_types");
  if (events != body.end() && !events->is_null() && !events->is_array())
    return Fail(Errc::kBadRequest, "event_types must be an array of strings");
  if (events == body.end() || events->is_null() || events->empty()) return Fail(Errc::kBadRequest, "empty event type");
  for (const auto& e : *events) {
    if (!e.is_string()) return Fail(Errc::kBadRequest, "event_types must be an array of strings");
    std::string type = e.get<std::string>();
    if (std::find(kEventTypes.begin(), kEventTypes.end(), type) == kEventTypes.end())
      return Fail(Errc::kBadRequest, "unsupported event type " + type);
    if (std::find(out.event_types.begin(), out.event_types.end(), type) == out.event_types.end())
      out.event_types.push_back(std::move(type));
  }

  auto targets = body.find("targets");
  if (targets != body.end() && !targets->is_null() && !targets->is_array())
    return Fail(Errc::kBadRequest, "targets must be an array of objects");
  if (targets == body.end() || targets->is_null() || targets->empty())
    return Fail(Errc::kBadRequest, "empty notify target");
  Json normalized = Json::array();
  for (const auto& t : *targets) {
    auto one = ReadTarget(t);
    if (!one) return std::unexpected(one.error());
    normalized.push_back(std::move(*one));
  }
  out.targets_json = normalized.dump();
  return {};
}

}  // namespace berth::api::v2_0
