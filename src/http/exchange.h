// Exchange: one HTTP request/response on a connection, as handlers see it.
// Owns nothing of the connection: it borrows the stream, read buffer and parser from the
// connection coroutine (server.cc) for the duration of one request. Not thread-safe: it is used
// by the one coroutine that serves the connection, on whichever io thread that coroutine runs.
//
// Bodies stream: ReadSome() hands out body bytes as they arrive, answering "Expect: 100-continue"
// on first use. A Content-Length body is read from the socket straight into the caller's buffer
// (one large recv per call, no copy); a chunked body goes through Beast's parser. Responses are either small (Send) or a file range
// sent with sendfile(2) (SendFile).
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "http/query.h"
#include "http/types.h"

namespace berth::http {

struct Response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // For HEAD: the Content-Length to announce (the GET body's size); no body is sent.
  std::optional<uint64_t> head_length;

  Response& Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

struct ExchangeLimits {
  std::chrono::seconds body_timeout{60};
};

class Exchange {
 public:
  // `remote`: the peer's address, read once per connection by the server (it must outlive this).
  Exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer, RequestParser& parser, ExchangeLimits limits,
           std::string_view remote);

  // ---- request ----
  Verb method() const { return parser_.get().method(); }
  std::string_view method_string() const { return parser_.get().method_string(); }
  std::string_view target() const { return parser_.get().target(); }
  std::string_view path() const { return path_; }  // raw (still percent-encoded), without query
  const Query& query() const { return query_; }
  // First value of a header, or empty.
  std::string_view Header(std::string_view name) const;
  // Every value of a header across repeated lines, comma lists split and trimmed.
  std::vector<std::string_view> HeaderList(std::string_view name) const;
  std::optional<uint64_t> ContentLength() const;
  // The peer's IP address ("127.0.0.1"), or empty when the socket has none.
  std::string RemoteAddress() const { return std::string(remote_); }
  bool HasBody() const { return !body_done(); }

  // Route parameters (percent-decoded once), set by the router.
  void SetParam(std::string name, std::string value) { params_.emplace_back(std::move(name), std::move(value)); }
  const std::string& Param(std::string_view name) const;

  // ---- body ----
  // Reads up to `cap` body bytes into `data`; 0 means the body is complete. Errors: kBadRequest
  // for a broken or truncated body (the connection is then closed).
  Task<Result<size_t>> ReadSome(char* data, size_t cap);
  // Reads the whole body; kTooLarge when it exceeds `limit` (announced or actual).
  Task<Result<std::string>> ReadAll(size_t limit);
  bool body_done() const { return direct_ ? direct_left_ == 0 : parser_.is_done(); }

  // ---- response ----
  Task<void> Send(Response res);
  // Sends `len` bytes of `fd` from `offset` after the response head (Content-Length = len).
  Task<void> SendFile(Response head, int fd, uint64_t offset, uint64_t len);
  bool responded() const { return responded_; }
  bool keep_alive() const { return keep_alive_ && !broken_; }
  void CloseAfterResponse() { keep_alive_ = false; }
  int status() const { return status_; }

 private:
  Task<bool> SendContinueIfExpected();
  template <class Msg>
  void ApplyHeaders(Msg& msg, Response& res);

  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  RequestParser& parser_;
  ExchangeLimits limits_;
  std::string_view remote_;
  std::string_view path_;
  Query query_;
  std::vector<std::pair<std::string, std::string>> params_;
  bool responded_ = false;
  bool keep_alive_ = true;
  bool broken_ = false;  // I/O failed: the connection cannot be reused
  bool continue_sent_ = false;
  bool direct_ = false;       // Content-Length body read without the parser
  uint64_t direct_left_ = 0;  // body bytes still to read in direct mode
  int status_ = 0;
};

}  // namespace berth::http
