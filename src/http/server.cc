#include "http/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <thread>
#include <vector>

#include "base/log.h"

namespace berth::http {
namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
}

Server::Server(ServerOptions opt, const Router& router)
    : opt_(std::move(opt)), router_(router), io_(std::make_unique<asio::io_context>()) {}

Server::~Server() = default;

Result<void> Server::Listen() {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(opt_.host, ec);
  if (ec) return Fail(Errc::kInternal, "invalid listen address " + opt_.host);
  tcp::endpoint ep(addr, opt_.port);
  acceptor_ = std::make_unique<tcp::acceptor>(*io_);
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Fail(Errc::kInternal, "listen on " + opt_.host + ":" + std::to_string(opt_.port) + ": " + ec.message());
  port_ = acceptor_->local_endpoint().port();
  return {};
}

void Server::Run() {
  asio::co_spawn(*io_, AcceptLoop(), asio::detached);
  int n = opt_.threads > 0 ? opt_.threads : std::max(2, 2 * static_cast<int>(std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back([this] { io_->run(); });
  io_->run();
  for (auto& t : threads) t.join();
}

void Server::Stop() {
  asio::post(*io_, [this] {
    boost::system::error_code ec;
    if (acceptor_) acceptor_->close(ec);
  });
  io_->stop();
}

Task<void> Server::AcceptLoop() {
  for (;;) {
    auto [ec, sock] = co_await acceptor_->async_accept(kUseTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
      spdlog::warn("accept failed error={}", ec.message());
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acceptor_->get_executor(), Serve(std::move(sock)), asio::detached);
  }
}

Task<void> Server::Serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  ExchangeLimits limits{opt_.body_timeout};
  std::string remote;  // once per connection: a getpeername per request showed in profiles
  {
    boost::system::error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  for (;;) {
    RequestParser parser;
    parser.header_limit(opt_.header_limit);
    parser.body_limit(boost::none);
    stream.expires_after(opt_.idle_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kUseTuple);
    if (ec) {
      if (ec == bhttp::error::header_limit) {  // no request to hand to a handler: answer raw
        static constexpr std::string_view k431 =
            "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        stream.expires_after(opt_.body_timeout);
        co_await asio::async_write(stream, asio::buffer(k431.data(), k431.size()), kUseTuple);
      }
      break;
    }
    Exchange ex(stream, buffer, parser, limits, remote);
    std::exception_ptr failure;
    try {
      co_await router_.Dispatch(ex);
    } catch (const std::exception& e) {
      spdlog::error("handler failed method={} path={} error={}", ex.method_string(), ex.path(), e.what());
      failure = std::current_exception();
    }
    if (failure) ex.CloseAfterResponse();
    if (!ex.responded()) co_await router_.RendererFor(ex.path())(ex, Error(Errc::kInternal));
    spdlog::debug("request method={} path={} status={}", ex.method_string(), ex.path(), ex.status());
    if (!ex.keep_alive()) break;
    // Drain a small unread body so the connection can be reused.
    char sink[16384];
    bool ok = true;
    while (!ex.body_done()) {
      auto r = co_await ex.ReadSome(sink, sizeof sink);
      if (!r || *r == 0) {
        ok = r.has_value() && ex.body_done();
        break;
      }
    }
    if (!ok) break;
    if (buffer.size() == 0 && buffer.capacity() > 16 * 1024) buffer.shrink_to_fit();  // idle connections stay small
  }
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

}  // namespace berth::http
