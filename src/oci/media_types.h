// Media type constants of the OCI image spec and Docker's image manifest formats.
#pragma once
#include <string_view>

namespace berth::oci::media {

inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciEmpty = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kDockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

inline bool IsIndex(std::string_view m) { return m == kOciIndex || m == kDockerManifestList; }
inline bool IsImage(std::string_view m) { return m == kOciManifest || m == kDockerManifest; }
inline bool IsManifest(std::string_view m) { return IsIndex(m) || IsImage(m); }

}  // namespace berth::oci::media
