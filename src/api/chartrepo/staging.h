// Streaming a chart upload's request body to temporary files: a raw .tgz body, or the `chart` and
// `prov` fields of a multipart/form-data body (helm cm-push), each hashed (SHA-256) while it is
// written, never held in memory. The body as a whole is capped (chart.max_upload_bytes → 413).
// Files are removed when the StagedBody goes. Not thread-safe: one per request.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "base/digest.h"
#include "chart/chart_service.h"
#include "http/exchange.h"

namespace berth::api::chartrepo {

// A temporary file being written: fd, path, running hash and size. Unlinked on destruction.
class StagingFile {
 public:
  static Result<std::unique_ptr<StagingFile>> Create(const std::string& dir);
  ~StagingFile();
  StagingFile(const StagingFile&) = delete;
  StagingFile& operator=(const StagingFile&) = delete;

  Result<void> Write(const char* data, size_t len);
  chart::StagedFile Staged() const { return {path_, hasher_.Peek(), size_}; }
  std::string filename;  // the multipart filename, if any

 private:
  StagingFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
  Hasher hasher_;
  int64_t size_ = 0;
};

struct StagedBody {
  // Form field → file ("chart", "prov"); a raw body is stored as `raw_field`.
  std::map<std::string, std::unique_ptr<StagingFile>> fields;
  const StagingFile* Get(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? nullptr : it->second.get();
  }
};

// Reads the whole body. Errors: kTooLarge over `max_bytes` (the connection is closed after the
// answer), kBadRequest for a malformed multipart body.
http::Task<Result<StagedBody>> StageBody(http::Exchange& ex, const std::string& dir, int64_t max_bytes,
                                         std::string raw_field);

}  // namespace berth::api::chartrepo
