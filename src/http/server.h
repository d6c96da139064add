// Server: accepts TCP connections and serves each with one coroutine (read a request head, let the
// router run the handler, repeat while keep-alive). Owns the io_context and its threads.
// Thread-safe: Run() blocks the calling thread; Stop() may be called from any thread or a signal
// handler thread.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/error.h"
#include "http/router.h"

namespace berth::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 5000;
  int threads = 0;  // 0: two per core
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds body_timeout{60};
  uint32_t header_limit = 64 * 1024;
};

class Server {
 public:
  Server(ServerOptions opt, const Router& router);
  ~Server();
  // Binds and listens (port 0 picks a free port). Errors: kInternal with the bind error.
  Result<void> Listen();
  uint16_t port() const { return port_; }
  // Serves until Stop(); returns after all threads have finished.
  void Run();
  void Stop();

 private:
  Task<void> AcceptLoop();
  Task<void> Serve(tcp::socket socket);

  ServerOptions opt_;
  const Router& router_;
  std::unique_ptr<asio::io_context> io_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  uint16_t port_ = 0;
};

}  // namespace berth::http
