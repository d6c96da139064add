#include "webhook/payloads.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "base/clock.h"
#include "webhook/go_json.h"

namespace berth::webhook {

namespace {

using ojson = nlohmann::ordered_json;

constexpr char kHex[] = "0123456789abcdef";

// Go's omitempty for map/slice/string/pointer-like values.
bool GoEmpty(const ojson& v) {
  if (v.is_null()) return true;
  if (v.is_string()) return v.get_ref<const std::string&>().empty();
  if (v.is_object() || v.is_array()) return v.empty();
  return false;
}

void PutIfNotEmpty(ojson& o, const char* key, const std::string& s) {
  if (!s.empty()) o[key] = s;
}

ojson ResourceJson(const Resource& r) {
  ojson o = ojson::object();
  PutIfNotEmpty(o, "digest", r.digest);
  PutIfNotEmpty(o, "tag", r.tag);
  PutIfNotEmpty(o, "resource_url", r.resource_url);
  if (r.extra.is_object()) {
    for (const auto& [k, v] : r.extra.items()) {
      if (!GoEmpty(v)) o[k] = v;
    }
  }
  return o;
}

ojson RepositoryJson(const RepositoryInfo& r) {
  ojson o = ojson::object();
  if (r.date_created != 0) o["date_created"] = r.date_created;
  o["name"] = r.name;
  o["namespace"] = r.namespace_;
  o["repo_full_name"] = r.repo_full_name;
  o["repo_type"] = r.repo_type;
  return o;
}

std::string Hex(const unsigned char* p, size_t n) {
  std::string s;
  s.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    s += kHex[p[i] >> 4];
    s += kHex[p[i] & 0xF];
  }
  return s;
}

ojson Section(std::string text) {
  ojson t = ojson::object();
  t["type"] = "mrkdwn";
  t["text"] = std::move(text);
  ojson b = ojson::object();
  b["type"] = "section";
  b["text"] = std::move(t);
  return b;
}

}  // namespace

ojson EventDataJson(const Event& e) {
  ojson d = ojson::object();
  if (!e.resources.empty()) {
    ojson arr = ojson::array();
    for (const auto& r : e.resources) arr.push_back(ResourceJson(r));
    d["resources"] = std::move(arr);
  }
  if (e.repository) d["repository"] = RepositoryJson(*e.repository);
  if (!e.replication.is_null()) d["replication"] = e.replication;
  if (!e.retention.is_null()) d["retention"] = e.retention;
  if (!e.scan.is_null()) d["scan"] = e.scan;
  if (!GoEmpty(e.custom_attributes)) d["custom_attributes"] = e.custom_attributes;
  return d;
}

std::string DefaultBody(const Event& e) {
  ojson p = ojson::object();
  p["type"] = e.type;
  p["occur_at"] = e.occur_at;
  p["operator"] = e.operator_;
  ojson d = EventDataJson(e);
  if (!d.empty()) p["event_data"] = std::move(d);
  return GoMarshal(p);
}

std::string CloudEventsBody(const Event& e, std::string_view id, int64_t project_id,
                            int64_t policy_id) {
  std::string_view ce_type = CloudEventType(e.type);
  ojson c = ojson::object();
  c["specversion"] = "1.0";
  c["id"] = std::string(id);
  c["source"] = "/projects/" + std::to_string(project_id) + "/webhook/policies/" +
                std::to_string(policy_id);
  c["type"] = std::string(ce_type.empty() ? std::string_view(e.type) : ce_type);
  c["datacontenttype"] = "application/json";
  c["time"] = FormatRfc3339(e.occur_at);
  c["data"] = EventDataJson(e);
  c["requestid"] = e.request_id;
  c["operator"] = e.operator_;
  return GoMarshal(c);
}

std::string NewEventId() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("RAND_bytes failed");
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string h = Hex(b, sizeof b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string SlackBody(const Event& e) {
  ojson blocks = ojson::array();
  blocks.push_back(Section("*Harbor webhook events*"));
  blocks.push_back(Section("*event_type:* " + e.type));
  blocks.push_back(Section("*occur_at:* <!date^" + std::to_string(e.occur_at) +
                           "^{date} at {time}|February 18th, 2014 at 6:39 AM PST>"));
  blocks.push_back(Section("*operator:* " + e.operator_));
  blocks.push_back(Section("*event_data:*"));
  blocks.push_back(Section("```\n" + GoMarshalIndent(EventDataJson(e), "\t") + "\n```"));
  ojson body = ojson::object();
  body["blocks"] = std::move(blocks);
  // Harbor's text/template leaves `<` `>` `&` of the outer texts as they are (the event_data text
  // inside keeps MarshalIndent's own \u003c escapes).
  return GoMarshal(body, /*escape_html=*/false);
}

std::string Signature(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const void* key = secret.empty() ? "" : secret.data();  // OpenSSL treats a null key as "reuse"
  if (HMAC(EVP_sha256(), key, static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return "sha256=" + Hex(mac, len);
}

}  // namespace berth::webhook
