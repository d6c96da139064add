#include "http/exchange.h"

#include <sys/sendfile.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>

namespace berth::http {
namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

}  // namespace

Exchange::Exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer, RequestParser& parser,
                   ExchangeLimits limits, std::string_view remote)
    : stream_(stream), buffer_(buffer), parser_(parser), limits_(limits), remote_(remote) {
  std::string_view t = parser_.get().target();
  auto q = t.find('?');
  path_ = t.substr(0, q);
  if (q != std::string_view::npos) query_ = Query::Parse(t.substr(q + 1));
  keep_alive_ = parser_.get().keep_alive();
  if (parser_.is_header_done() && !parser_.is_done() && !parser_.chunked() && parser_.content_length()) {
    direct_ = true;
    direct_left_ = *parser_.content_length();
  }
}

std::string_view Exchange::Header(std::string_view name) const {
  auto it = parser_.get().find(name);
  if (it == parser_.get().end()) return {};
  return it->value();
}

std::vector<std::string_view> Exchange::HeaderList(std::string_view name) const {
  std::vector<std::string_view> out;
  auto range = parser_.get().equal_range(name);
  for (auto it = range.first; it != range.second; ++it) {
    std::string_view v = it->value();
    size_t start = 0;
    while (start <= v.size()) {
      size_t comma = v.find(',', start);
      auto item = Trim(v.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      if (!item.empty()) out.push_back(item);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

std::optional<uint64_t> Exchange::ContentLength() const {
  auto len = parser_.content_length();
  if (!len) return std::nullopt;
  return *len;
}

const std::string& Exchange::Param(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : params_)
    if (k == name) return v;
  return kEmpty;
}

Task<bool> Exchange::SendContinueIfExpected() {
  if (continue_sent_) co_return true;
  continue_sent_ = true;
  if (!IEquals(Header("Expect"), "100-continue")) co_return true;
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  stream_.expires_after(limits_.body_timeout);
  auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()), kUseTuple);
  if (ec) broken_ = true;
  co_return !ec;
}

Task<Result<size_t>> Exchange::ReadSome(char* data, size_t cap) {
  if (body_done()) co_return 0;
  if (broken_) co_return Fail(Errc::kBadRequest, "connection broken");
  if (!co_await SendContinueIfExpected()) co_return Fail(Errc::kBadRequest, "connection broken");
  if (direct_) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(cap, direct_left_));
    // Body bytes that arrived with the header come first; bytes beyond the body (a pipelined
    // next request) stay in the buffer for the next parser.
    if (buffer_.size() > 0) {
      size_t n = std::min(want, buffer_.size());
      asio::buffer_copy(asio::buffer(data, n), buffer_.data());
      buffer_.consume(n);
      direct_left_ -= n;
      co_return n;
    }
    stream_.expires_after(limits_.body_timeout);
    auto [ec, n] = co_await stream_.async_read_some(asio::buffer(data, want), kUseTuple);
    if (ec) {
      broken_ = true;
      co_return Fail(Errc::kBadRequest, "request body incomplete: " + ec.message());
    }
    direct_left_ -= n;
    co_return n;
  }
  // Chunked: through the parser. Let Beast read in large pieces (it reads at most the buffer's
  // free capacity per call).
  if (buffer_.capacity() < 64 * 1024) buffer_.reserve(64 * 1024);
  while (!parser_.is_done()) {
    auto& body = parser_.get().body();
    body.data = data;
    body.size = cap;
    stream_.expires_after(limits_.body_timeout);
    auto [ec, n] = co_await bhttp::async_read_some(stream_, buffer_, parser_, kUseTuple);
    if (ec == bhttp::error::need_buffer) ec = {};
    size_t got = cap - parser_.get().body().size;
    if (ec) {
      broken_ = true;
      co_return Fail(Errc::kBadRequest, "request body incomplete: " + ec.message());
    }
    if (got > 0) co_return got;
  }
  co_return 0;
}

Task<Result<std::string>> Exchange::ReadAll(size_t limit) {
  std::string out;
  if (auto len = ContentLength(); len && *len > limit) {
    keep_alive_ = false;  // the unread body makes the connection unusable
    co_return Fail(Errc::kTooLarge, "request body of " + std::to_string(*len) + " bytes exceeds the limit of " +
                                         std::to_string(limit));
  }
  char buf[16384];
  for (;;) {
    auto n = co_await ReadSome(buf, sizeof buf);
    if (!n) co_return std::unexpected(n.error());
    if (*n == 0) break;
    if (out.size() + *n > limit) {
      keep_alive_ = false;
      co_return Fail(Errc::kTooLarge, "request body exceeds the limit of " + std::to_string(limit) + " bytes");
    }
    out.append(buf, *n);
  }
  co_return out;
}

template <class Msg>
void Exchange::ApplyHeaders(Msg& msg, Response& res) {
  for (auto& [k, v] : res.headers) msg.insert(k, v);
  msg.keep_alive(keep_alive());
}

Task<void> Exchange::Send(Response res) {
  responded_ = true;
  status_ = static_cast<int>(res.status);
  if (broken_) co_return;
  if (!body_done() && keep_alive_) {
    // Unread body: keep the connection only when little is left to drain (server.cc drains it).
    auto len = ContentLength();
    if (!len || *len > (1u << 20)) keep_alive_ = false;
  }
  if (method() == Verb::head && !res.head_length) {
    res.head_length = res.body.size();
    res.body.clear();
  }
  stream_.expires_after(limits_.body_timeout);
  bool no_body = res.status == 204 || res.status == 304 || (res.status >= 100 && res.status < 200);
  if (res.head_length || no_body) {
    bhttp::response<bhttp::empty_body> msg{static_cast<bhttp::status>(res.status), parser_.get().version()};
    ApplyHeaders(msg, res);
    if (res.head_length) msg.content_length(*res.head_length);
    auto [ec, n] = co_await bhttp::async_write(stream_, msg, kUseTuple);
    if (ec) broken_ = true;
    co_return;
  }
  bhttp::response<bhttp::string_body> msg{static_cast<bhttp::status>(res.status), parser_.get().version()};
  ApplyHeaders(msg, res);
  msg.body() = std::move(res.body);
  msg.prepare_payload();
  auto [ec, n] = co_await bhttp::async_write(stream_, msg, kUseTuple);
  if (ec) broken_ = true;
}

Task<void> Exchange::SendFile(Response head, int fd, uint64_t offset, uint64_t len) {
  using namespace asio::experimental::awaitable_operators;
  responded_ = true;
  status_ = static_cast<int>(head.status);
  if (broken_) co_return;
  bhttp::response<bhttp::empty_body> msg{static_cast<bhttp::status>(head.status), parser_.get().version()};
  ApplyHeaders(msg, head);
  msg.content_length(len);
  bhttp::response_serializer<bhttp::empty_body> sr(msg);
  stream_.expires_after(limits_.body_timeout);
  auto [ec, n] = co_await bhttp::async_write_header(stream_, sr, kUseTuple);
  if (ec) {
    broken_ = true;
    co_return;
  }
  stream_.expires_never();
  auto& sock = stream_.socket();
  sock.native_non_blocking(true);
  off_t off = static_cast<off_t>(offset);
  uint64_t left = len;
  asio::steady_timer timer(sock.get_executor());
  while (left > 0) {
    // Moderate pieces: one huge sendfile call is markedly slower on virtualised loopback.
    ssize_t sent = ::sendfile(sock.native_handle(), fd, &off, std::min<uint64_t>(left, 256u * 1024));
    if (sent > 0) {
      left -= static_cast<uint64_t>(sent);
      continue;
    }
    if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
      timer.expires_after(limits_.body_timeout);
      auto which = co_await (sock.async_wait(tcp::socket::wait_write, kUseTuple) || timer.async_wait(kUseTuple));
      if (which.index() == 1) {  // no progress within the timeout
        broken_ = true;
        co_return;
      }
      if (std::get<0>(std::get<0>(which))) {
        broken_ = true;
        co_return;
      }
      continue;
    }
    broken_ = true;  // error or the file shrank
    co_return;
  }
}

}  // namespace berth::http
