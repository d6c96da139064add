#include "api/oci/handlers.h"
#include "api/oci/params.h"
#include "api/oci/render.h"
#include "http/range.h"

namespace berth::api::oci {

http::Task<void> GetBlob(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  auto digest = DigestParam(ex.Param("digest"));
  if (!digest) co_return co_await SendError(ex, digest.error());
  std::string d = digest->str();
  auto head = Reply(200);
  head.Set("Content-Type", "application/octet-stream");
  head.Set("Docker-Content-Digest", d);
  head.Set("ETag", Quoted(d));
  head.Set("Accept-Ranges", "bytes");
  if (ex.method() == http::Verb::head) {
    auto rec = ctx.blobs.Stat(*name, *digest);
    if (!rec) co_return co_await SendError(ex, rec.error());
    head.head_length = static_cast<uint64_t>(rec->size);
    co_return co_await ex.Send(std::move(head));
  }
  auto reader = ctx.blobs.Open(*name, *digest);
  if (!reader) co_return co_await SendError(ex, reader.error());
  if (ex.Header("If-None-Match") == Quoted(d)) {
    head.status = 304;
    co_return co_await ex.Send(std::move(head));
  }
  uint64_t size = static_cast<uint64_t>((*reader)->size());
  http::ByteRange range;
  switch (http::ParseRange(ex.Header("Range"), size, range)) {
    case http::RangeResult::kNone:
      co_return co_await ex.SendFile(std::move(head), (*reader)->fd(), 0, size);
    case http::RangeResult::kUnsatisfiable: {
      auto r = Reply(416);
      r.Set("Content-Range", "bytes */" + std::to_string(size));
      r.Set("Content-Type", "application/json; charset=utf-8");
      r.body = ErrorBody(Error(Errc::kRangeNotSatisfiable));
      co_return co_await ex.Send(std::move(r));
    }
    case http::RangeResult::kOk:
      head.status = 206;
      head.Set("Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                                    std::to_string(size));
      co_return co_await ex.SendFile(std::move(head), (*reader)->fd(), range.first, range.last - range.first + 1);
  }
}

http::Task<void> DeleteBlob(OciContext& ctx, http::Exchange& ex) {
  auto name = RepoName(ex);
  if (!name) co_return co_await SendError(ex, name.error());
  auto digest = DigestParam(ex.Param("digest"));
  if (!digest) co_return co_await SendError(ex, digest.error());
  auto done = ctx.blobs.Delete(*name, *digest);
  if (!done) co_return co_await SendError(ex, done.error());
  co_await ex.Send(Reply(202));
}

}  // namespace berth::api::oci
