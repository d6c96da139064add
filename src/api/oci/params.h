// Request parameter parsing shared by the /v2 handlers (validated repository name, digests,
// references, page sizes). Pure functions over an Exchange; thread-safe.
#pragma once
#include <string>

#include "base/digest.h"
#include "http/exchange.h"
#include "oci/reference.h"
#include "registry/upload_service.h"

namespace berth::api::oci {

Result<std::string> RepoName(const http::Exchange& ex);
Result<Digest> DigestParam(std::string_view text);
Result<berth::oci::Reference> ReferenceParam(const http::Exchange& ex);
// n: absent → fallback; negative or non-numeric → kPaginationInvalid.
Result<int> PageSize(const http::Exchange& ex, int fallback);
// Content-Range of a PATCH ("<start>-<end>", optionally prefixed "bytes="); nullopt when absent.
Result<std::optional<registry::ContentRange>> UploadRange(const http::Exchange& ex);

}  // namespace berth::api::oci
