#include "webhook/target_secrets.h"

#include <optional>

#include "base/log.h"

namespace berth::webhook {
namespace {

using Json = nlohmann::json;

// Calls `f(target_object)` for `targets` itself or for each object of it.
template <typename F>
std::optional<Error> ForEachTarget(Json& targets, F&& f) {
  if (targets.is_object()) return f(targets);
  if (!targets.is_array()) return std::nullopt;
  for (auto& t : targets)
    if (t.is_object())
      if (auto err = f(t)) return err;
  return std::nullopt;
}

std::string* SecretField(Json& target, std::string_view key) {
  auto it = target.find(key);
  if (it == target.end() || !it->is_string()) return nullptr;
  return it->get_ptr<std::string*>();
}

}  // namespace

bool TargetSecrets::IsSealed(std::string_view stored) const {
  return !cipher_.marker.empty() && stored.starts_with(cipher_.marker);
}

Json TargetSecrets::Seal(const Json& targets) const {
  Json out = targets;
  ForEachTarget(out, [&](Json& t) -> std::optional<Error> {
    for (auto key : kFields)
      if (std::string* v = SecretField(t, key); v && !v->empty()) *v = cipher_.seal(*v);
    return std::nullopt;
  });
  return out;
}

Result<Json> TargetSecrets::Open(const Json& targets) const {
  Json out = targets;
  auto err = ForEachTarget(out, [&](Json& t) -> std::optional<Error> {
    for (auto key : kFields) {
      std::string* v = SecretField(t, key);
      if (!v || !IsSealed(*v)) continue;  // empty, or legacy plaintext
      auto opened = cipher_.open(*v);
      if (!opened)
        return Error(Errc::kInternal, "the target's " + std::string(key) +
                                          " does not open with this server's secret.key: " +
                                          std::string(opened.error().Message()));
      *v = std::move(*opened);
    }
    return std::nullopt;
  });
  if (err) return std::unexpected(*err);
  return out;
}

Json TargetSecrets::OpenForDisplay(const Json& targets) const {
  Json out = targets;
  ForEachTarget(out, [&](Json& t) -> std::optional<Error> {
    for (auto key : kFields) {
      std::string* v = SecretField(t, key);
      if (!v || !IsSealed(*v)) continue;
      auto opened = cipher_.open(*v);
      if (!opened) spdlog::warn("webhook target {} does not open (shown empty): {}", key, opened.error().Message());
      *v = opened ? std::move(*opened) : std::string();
    }
    return std::nullopt;
  });
  return out;
}

std::string TargetSecrets::SealText(std::string_view targets_json) const {
  Json j = Json::parse(targets_json, nullptr, false);
  if (j.is_discarded()) return std::string(targets_json);
  return Seal(j).dump();
}

Result<std::string> TargetSecrets::OpenText(std::string_view targets_json) const {
  Json j = Json::parse(targets_json, nullptr, false);
  if (j.is_discarded()) return std::string(targets_json);
  auto opened = Open(j);
  if (!opened) return std::unexpected(opened.error());
  return opened->dump();
}

std::string TargetSecrets::OpenTextForDisplay(std::string_view targets_json) const {
  Json j = Json::parse(targets_json, nullptr, false);
  if (j.is_discarded()) return std::string(targets_json);
  return OpenForDisplay(j).dump();
}

}  // namespace berth::webhook
