#include "registry/manifest_service.h"

#include "base/clock.h"
#include "registry/manifest_cache.h"
#include "oci/image_config.h"
#include "oci/manifest.h"

namespace berth::registry {

Result<PutManifestResult> ManifestService::Put(const std::string& repository, const oci::Reference& ref,
                                               std::string body, std::string_view content_type,
                                               const store::EventContext* events) {
  Digest digest;
  if (ref.is_digest() && ref.digest.algorithm() != "sha256") {
    Hasher h(ref.digest.algorithm());
    h.Update(body);
    digest = h.Peek();
  } else {
    digest = Sha256Of(body);
  }
  if (ref.is_digest() && ref.digest != digest)
    return Fail(Errc::kDigestInvalid, "manifest digest " + digest.str() + " does not match reference " + ref.digest.str());

  auto parsed = oci::ParseManifest(body, content_type);
  if (!parsed) return std::unexpected(parsed.error());

  store::ManifestRecord rec;
  rec.repository = repository;
  rec.digest = digest;
  rec.media_type = parsed->media_type;
  rec.artifact_type = parsed->artifact_type;
  rec.size = static_cast<int64_t>(body.size());
  rec.subject = parsed->subject ? std::optional<Digest>(parsed->subject->digest) : std::nullopt;
  rec.annotations_json = parsed->annotations_json;
  for (const auto* d : parsed->Blobs()) rec.blobs.push_back({d->digest, d->size});
  rec.children = parsed->ChildDigests();
  rec.extra_attrs = ExtraAttrs(*parsed);
  rec.pushed_at = NowUnixSeconds();
  rec.content = std::move(body);

  std::optional<std::string> tag;
  if (!ref.is_digest()) tag = ref.tag;
  if (auto r = store_.Put(rec, tag, events); !r) return std::unexpected(r.error());
  return PutManifestResult{digest, rec.subject};
}

// Best effort: a config that is missing (the put will then fail on it), too large or not JSON
// leaves extra_attrs to be read when the artifact is listed.
std::optional<std::string> ManifestService::ExtraAttrs(const oci::ParsedManifest& m) {
  if (!configs_ || !m.config || !oci::HasImageConfig(m.media_type, m.config->media_type)) return std::nullopt;
  auto reader = configs_->Open(m.config->digest);
  if (!reader) return std::nullopt;
  auto bytes = blob::ReadWhole(**reader, oci::kMaxImageConfigBytes);
  if (!bytes || !*bytes) return std::nullopt;
  return oci::ImageExtraAttrs(**bytes);
}

Result<store::ManifestRecord> ManifestService::Get(const std::string& repository, const oci::Reference& ref) {
  std::string key;
  uint64_t generation = 0;
  if (cache_) {
    key = repository + '\n' + ref.str();  // '\n' appears in neither
    if (auto hit = cache_->Get(key)) return *hit;
    generation = cache_->Generation();
  }
  auto rec = ref.is_digest() ? store_.GetByDigest(repository, ref.digest) : store_.GetByTag(repository, ref.tag);
  if (!rec) return std::unexpected(rec.error());
  if (!*rec) return Fail(Errc::kManifestUnknown, "manifest unknown: " + repository + ":" + ref.str());
  if (cache_) cache_->Put(key, generation, std::make_shared<const store::ManifestRecord>(**rec));
  return std::move(**rec);
}

Result<void> ManifestService::Delete(const std::string& repository, const oci::Reference& ref,
                                     const store::EventContext* events) {
  auto done = ref.is_digest() ? store_.Delete(repository, ref.digest, events) : store_.Untag(repository, ref.tag);
  if (!done) return std::unexpected(done.error());
  if (!*done) return Fail(Errc::kManifestUnknown, "manifest unknown: " + repository + ":" + ref.str());
  return {};
}

}  // namespace berth::registry
