#include "base/error.h"

#include <array>

namespace berth {
namespace {

struct Row {
  Errc code;
  ErrorInfo info;
};

// One row per code, in enum order (checked by a unit test).
constexpr std::array kTable{
    Row{Errc::kBlobUnknown, {"BLOB_UNKNOWN", 404, "blob unknown to registry"}},
    Row{Errc::kBlobUploadInvalid, {"BLOB_UPLOAD_INVALID", 400, "blob upload invalid"}},
    Row{Errc::kBlobUploadUnknown, {"BLOB_UPLOAD_UNKNOWN", 404, "blob upload unknown to registry"}},
    Row{Errc::kDigestInvalid, {"DIGEST_INVALID", 400, "provided digest did not match uploaded content"}},
    Row{Errc::kManifestBlobUnknown, {"MANIFEST_BLOB_UNKNOWN", 400, "manifest references a manifest or blob unknown to registry"}},
    Row{Errc::kManifestInvalid, {"MANIFEST_INVALID", 400, "manifest invalid"}},
    Row{Errc::kManifestUnknown, {"MANIFEST_UNKNOWN", 404, "manifest unknown to registry"}},
    Row{Errc::kManifestReferenced, {"DENIED", 409, "manifest is referenced by an index and cannot be deleted alone"}},
    Row{Errc::kNameInvalid, {"NAME_INVALID", 400, "invalid repository name"}},
    Row{Errc::kNameUnknown, {"NAME_UNKNOWN", 404, "repository name not known to registry"}},
    Row{Errc::kSizeInvalid, {"SIZE_INVALID", 400, "provided length did not match content length"}},
    Row{Errc::kTooLarge, {"SIZE_INVALID", 413, "request body too large"}},
    Row{Errc::kRangeInvalid, {"BLOB_UPLOAD_INVALID", 416, "content range does not continue the upload"}},
    Row{Errc::kRangeNotSatisfiable, {"BLOB_UNKNOWN", 416, "requested range not satisfiable"}},
    Row{Errc::kUnauthorized, {"UNAUTHORIZED", 401, "authentication required"}},
    Row{Errc::kDenied, {"DENIED", 403, "requested access to the resource is denied"}},
    Row{Errc::kUnsupported, {"UNSUPPORTED", 400, "the operation is unsupported"}},
    Row{Errc::kMethodNotAllowed, {"UNSUPPORTED", 405, "method not allowed"}},
    Row{Errc::kTooManyRequests, {"TOOMANYREQUESTS", 429, "too many requests"}},
    Row{Errc::kNotFound, {"NOT_FOUND", 404, "not found"}},
    Row{Errc::kPaginationInvalid, {"PAGINATION_NUMBER_INVALID", 400, "invalid number of results requested"}},
    Row{Errc::kBadRequest, {"BAD_REQUEST", 400, "bad request"}},
    Row{Errc::kConflict, {"CONFLICT", 409, "conflict"}},
    Row{Errc::kPreconditionFailed, {"PRECONDITION", 412, "precondition failed"}},
    Row{Errc::kForbidden, {"FORBIDDEN", 403, "forbidden"}},
    Row{Errc::kInternal, {"UNKNOWN", 500, "internal server error"}},
};

constexpr bool TableInEnumOrder() {
  for (size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<size_t>(kTable[i].code) != i) return false;
  return true;
}
static_assert(TableInEnumOrder(), "error table rows must follow the Errc order");
static_assert(kTable.size() == static_cast<size_t>(Errc::kInternal) + 1, "every Errc needs a row");

}  // namespace

const ErrorInfo& Describe(Errc code) { return kTable[static_cast<size_t>(code)].info; }

}  // namespace berth
