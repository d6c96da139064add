// Error codes and the one table that maps each to its wire code and HTTP status.
// Owns: the Errc enumeration, Error (code + message), Result<T>. Thread-safe: immutable data only.
// Handlers never choose statuses: they return an Error and the renderer looks it up here.
#pragma once
#include <expected>
#include <string>
#include <string_view>

namespace berth {

enum class Errc {
  kBlobUnknown,
  kBlobUploadInvalid,
  kBlobUploadUnknown,
  kDigestInvalid,
  kManifestBlobUnknown,
  kManifestInvalid,
  kManifestUnknown,
  kManifestReferenced,   // deleting a manifest that an index in the repository still references
  kNameInvalid,
  kNameUnknown,
  kSizeInvalid,
  kTooLarge,             // body over a configured limit (413)
  kRangeInvalid,         // Content-Range out of order (416)
  kRangeNotSatisfiable,  // GET Range beyond the blob (416)
  kUnauthorized,
  kDenied,
  kUnsupported,
  kMethodNotAllowed,
  kTooManyRequests,
  kNotFound,             // route not found
  kPaginationInvalid,    // n or last malformed
  kBadRequest,
  kConflict,
  kPreconditionFailed,   // e.g. deleting a project that still has repositories (412)
  kForbidden,            // authenticated but not allowed (REST API)
  kInternal,
};

struct ErrorInfo {
  std::string_view wire_code;  // OCI / Harbor error code string
  int http_status;
  std::string_view default_message;
};

// The error table. Every Errc has exactly one row.
const ErrorInfo& Describe(Errc code);

struct Error {
  Errc code;
  std::string message;  // human readable; defaults to the table's message when empty

  Error(Errc c, std::string msg = {}) : code(c), message(std::move(msg)) {}
  std::string_view Message() const {
    return message.empty() ? Describe(code).default_message : std::string_view(message);
  }
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> Fail(Errc c, std::string msg = {}) {
  return std::unexpected<Error>(Error(c, std::move(msg)));
}

}  // namespace berth
