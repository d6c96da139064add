// berth_bench_static: the trivial HTTP/1.1 server that bench/run.py uses to measure what the
// loopback interface and the benchmark clients can do on this machine, with no registry logic.
//
//   GET/HEAD any path -> 200 with the --file contents, sent with sendfile(2) (zero copy from the
//                        page cache), Content-Length set, keep-alive.
//   PUT/POST/PATCH     -> reads Content-Length bytes into a 1 MiB buffer, discards them, 201.
//   GET /__requests    -> the number of PUT/POST/PATCH requests answered so far, as text (the
//                         webhook benchmark uses this server as a keep-alive receiver).
//
// One thread per connection, blocking sockets. Listens on 127.0.0.1 only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string g_file;
off_t g_size = 0;
off_t g_chunk = 4 << 20;  // bytes per sendfile / pread+send
bool g_sendfile = true;
std::atomic<long long> g_writes{0};  // PUT/POST/PATCH requests answered

bool SendAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void Serve(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::vector<char> buf(1 << 20);  // also the copy-mode buffer
  std::string pending;
  int file_fd = ::open(g_file.c_str(), O_RDONLY);
  for (;;) {
    // Read the request head.
    size_t end;
    while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
      ssize_t r = ::recv(fd, buf.data(), 65536, 0);
      if (r <= 0) goto done;
      pending.append(buf.data(), static_cast<size_t>(r));
      if (pending.size() > (1 << 16)) goto done;
    }
    {
      std::string head = pending.substr(0, end);
      pending.erase(0, end + 4);
      std::string method = head.substr(0, head.find(' '));
      std::string lower = Lower(head);
      long long content_length = 0;
      auto cl = lower.find("\r\ncontent-length:");
      if (cl != std::string::npos) content_length = std::atoll(lower.c_str() + cl + 17);
      bool close_after = lower.find("\r\nconnection: close") != std::string::npos ||
                         lower.find(" http/1.0\r\n") != std::string::npos;
      // Drain the request body.
      long long left = content_length;
      long long have = std::min<long long>(left, static_cast<long long>(pending.size()));
      pending.erase(0, static_cast<size_t>(have));
      left -= have;
      while (left > 0) {
        ssize_t r = ::recv(fd, buf.data(), static_cast<size_t>(std::min<long long>(left, buf.size())), 0);
        if (r <= 0) goto done;
        left -= r;
      }
      std::string target = head.substr(method.size() + 1, head.find(' ', method.size() + 1) - method.size() - 1);
      if (method == "GET" && target == "/__requests") {
        std::string count = std::to_string(g_writes.load());
        char hdr[160];
        int n = std::snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n%s\r\n", count.size(),
                              close_after ? "Connection: close\r\n" : "");
        if (!SendAll(fd, hdr, static_cast<size_t>(n)) || !SendAll(fd, count.data(), count.size())) goto done;
      } else if (method == "GET" || method == "HEAD") {
        char hdr[256];
        int n = std::snprintf(hdr, sizeof hdr,
                              "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                              "Content-Length: %lld\r\n%s\r\n",
                              static_cast<long long>(g_size), close_after ? "Connection: close\r\n" : "");
        if (!SendAll(fd, hdr, static_cast<size_t>(n))) goto done;
        if (method == "GET" && !g_sendfile) {
          // Copy loop: pread into a buffer, send it.
          off_t off = 0;
          while (off < g_size) {
            ssize_t r = ::pread(file_fd, buf.data(),
                                static_cast<size_t>(std::min<off_t>({g_size - off, g_chunk, static_cast<off_t>(buf.size())})), off);
            if (r <= 0) goto done;
            if (!SendAll(fd, buf.data(), static_cast<size_t>(r))) goto done;
            off += r;
          }
        } else if (method == "GET") {
          // Non-blocking sendfile + poll, as Go's net/http does: on this 2-core machine a blocking
          // sendfile of a large count measured slower (sender and receiver contend differently).
          int fl = fcntl(fd, F_GETFL);
          fcntl(fd, F_SETFL, fl | O_NONBLOCK);
          off_t off = 0;
          while (off < g_size) {
            ssize_t s = ::sendfile(fd, file_fd, &off, static_cast<size_t>(std::min<off_t>(g_size - off, g_chunk)));
            if (s < 0 && errno == EINTR) continue;
            if (s < 0 && errno == EAGAIN) {
              pollfd p{fd, POLLOUT, 0};
              ::poll(&p, 1, 10000);
              continue;
            }
            if (s <= 0) goto done;
          }
          fcntl(fd, F_SETFL, fl);
        }
      } else {
        char hdr[160];
        int n = std::snprintf(hdr, sizeof hdr, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n%s\r\n",
                              close_after ? "Connection: close\r\n" : "");
        if (!SendAll(fd, hdr, static_cast<size_t>(n))) goto done;
        g_writes.fetch_add(1);
      }
      if (close_after) goto done;
    }
  }
done:
  if (file_fd >= 0) ::close(file_fd);
  ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--port") port = std::atoi(argv[i + 1]);
    else if (a == "--file") g_file = argv[i + 1];
    else if (a == "--chunk") g_chunk = std::atoll(argv[i + 1]);
    else if (a == "--mode") g_sendfile = std::string(argv[i + 1]) != "copy";
  }
  if (port <= 0 || g_file.empty() || g_chunk <= 0 || g_chunk > (1 << 30)) {
    std::fprintf(stderr, "usage: berth_bench_static --port PORT --file PATH [--mode sendfile|copy] [--chunk BYTES]\n"
                 "  listens on 127.0.0.1; copy mode sends at most 1 MiB per call\n");
    return 2;
  }
  struct stat st{};
  if (::stat(g_file.c_str(), &st) != 0) {
    std::perror("stat");
    return 1;
  }
  g_size = st.st_size;
  signal(SIGPIPE, SIG_IGN);
  int ls = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(ls, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(ls, 512) != 0) {
    std::perror("bind/listen");
    return 1;
  }
  for (;;) {
    int fd = ::accept(ls, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR) continue;
      std::perror("accept");
      return 1;
    }
    std::thread(Serve, fd).detach();
  }
}
