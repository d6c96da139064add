#include "api/chartrepo/staging.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "chart/multipart.h"

namespace berth::api::chartrepo {

Result<std::unique_ptr<StagingFile>> StagingFile::Create(const std::string& dir) {
  std::string tmpl = dir + "/upload-XXXXXX";
  std::vector<char> path(tmpl.begin(), tmpl.end());
  path.push_back('\0');
  int fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return Fail(Errc::kInternal, "cannot create a staging file in " + dir + ": " + std::strerror(errno));
  return std::unique_ptr<StagingFile>(new StagingFile(fd, std::string(path.data())));
}

StagingFile::~StagingFile() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

Result<void> StagingFile::Write(const char* data, size_t len) {
  hasher_.Update(data, len);
  size_ += static_cast<int64_t>(len);
  while (len > 0) {
    ssize_t n = ::write(fd_, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(Errc::kInternal, std::string("staging write failed: ") + std::strerror(errno));
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return {};
}

namespace {

// Up to this much of an oversized body is read and dropped so that the client, still sending,
// sees the 413 instead of a reset connection; beyond it the connection is closed.
constexpr int64_t kDrainLimit = 64 << 20;

http::Task<void> Discard(http::Exchange& ex, int64_t already) {
  if (ex.Header("Expect") == "100-continue" && already == 0) {  // nothing sent yet: just refuse
    ex.CloseAfterResponse();
    co_return;
  }
  std::vector<char> buf(256 * 1024);
  int64_t total = already;
  while (total <= kDrainLimit) {
    auto n = co_await ex.ReadSome(buf.data(), buf.size());
    if (!n || *n == 0) co_return;
    total += static_cast<int64_t>(*n);
  }
  ex.CloseAfterResponse();
}

}  // namespace

http::Task<Result<StagedBody>> StageBody(http::Exchange& ex, const std::string& dir, int64_t max_bytes,
                                         std::string raw_field) {
  StagedBody body;
  auto too_large = [&]() -> Error {
    return Error(Errc::kTooLarge, "the upload is larger than " + std::to_string(max_bytes) + " bytes");
  };
  if (auto len = ex.ContentLength(); len && static_cast<int64_t>(*len) > max_bytes) {
    co_await Discard(ex, 0);
    co_return std::unexpected(too_large());
  }

  std::string_view content_type = ex.Header("Content-Type");
  std::unique_ptr<chart::MultipartParser> parser;
  StagingFile* current = nullptr;
  if (content_type.substr(0, 19) == "multipart/form-data" || content_type.substr(0, 19) == "Multipart/Form-Data") {
    auto boundary = chart::MultipartBoundary(content_type);
    if (!boundary) co_return std::unexpected(boundary.error());
    chart::MultipartParser::Callbacks cb;
    cb.begin = [&](const std::string& name, const std::string& filename) -> Result<void> {
      current = nullptr;
      if (name != "chart" && name != "prov") return {};  // other fields are ignored
      if (body.fields.count(name)) return Fail(Errc::kBadRequest, "the form field '" + name + "' appears twice");
      auto f = StagingFile::Create(dir);
      if (!f) return std::unexpected(f.error());
      (*f)->filename = filename;
      current = f->get();
      body.fields[name] = std::move(*f);
      return {};
    };
    cb.data = [&](const char* d, size_t n) -> Result<void> {
      if (current == nullptr) return {};
      return current->Write(d, n);
    };
    cb.end = [&]() -> Result<void> {
      current = nullptr;
      return {};
    };
    parser = std::make_unique<chart::MultipartParser>(std::move(*boundary), std::move(cb));
  } else {
    auto f = StagingFile::Create(dir);
    if (!f) co_return std::unexpected(f.error());
    current = f->get();
    body.fields[raw_field] = std::move(*f);
  }

  std::vector<char> buf(256 * 1024);
  int64_t total = 0;
  for (;;) {
    auto n = co_await ex.ReadSome(buf.data(), buf.size());
    if (!n) co_return std::unexpected(n.error());
    if (*n == 0) break;
    total += static_cast<int64_t>(*n);
    if (total > max_bytes) {
      co_await Discard(ex, total);
      co_return std::unexpected(too_large());
    }
    Result<void> r = parser ? parser->Feed(buf.data(), *n) : current->Write(buf.data(), *n);
    if (!r) {
      ex.CloseAfterResponse();
      co_return std::unexpected(r.error());
    }
  }
  if (parser)
    if (auto r = parser->Finish(); !r) co_return std::unexpected(r.error());
  co_return std::move(body);
}

}  // namespace berth::api::chartrepo
