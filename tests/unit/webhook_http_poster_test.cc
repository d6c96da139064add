// One webhook delivery attempt over libcurl, against a real HTTP server on 127.0.0.1 run by the
// test itself (plain POSIX sockets, one thread, one connection at a time).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "webhook/http_poster.h"

namespace berth::webhook {
namespace {

using namespace std::chrono_literals;

struct Request {
  std::string method, target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return "<absent>";
  }
  int Count(const std::string& name) const {
    int n = 0;
    for (const auto& [k, v] : headers) n += k == name;
    return n;
  }
};

// Returns the raw response to write, or "" to never answer (the connection is held until the
// client gives up or the server stops).
using Handler = std::function<std::string(const Request&)>;

std::string Response(int status, const std::string& reason, const std::string& body,
                     const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n" + extra_headers + "\r\n" + body;
}

class TestServer {
 public:
  explicit TestServer(Handler h) : handler_(std::move(h)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~TestServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  std::string Url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  std::vector<Request> requests() {
    std::lock_guard lk(mu_);
    return requests_;
  }

 private:
  bool WaitReadable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) return true;
    }
    return false;
  }

  void Run() {
    while (WaitReadable(fd_)) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      Serve(c);
      ::close(c);
    }
  }

  void Serve(int c) {
    std::string buf;
    char tmp[4096];
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!WaitReadable(c)) return;
      ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return;
      buf.append(tmp, static_cast<size_t>(n));
    }
    Request req;
    std::string head = buf.substr(0, head_end);
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    req.method = first.substr(0, first.find(' '));
    req.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
    size_t content_length = 0;
    for (size_t pos = line_end; pos != std::string::npos && pos < head.size();) {
      size_t start = pos + 2;
      size_t end = head.find("\r\n", start);
      std::string line = head.substr(start, end == std::string::npos ? std::string::npos : end - start);
      pos = end;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") content_length = std::stoul(value);
      req.headers.emplace_back(name, value);
    }
    std::string body = buf.substr(head_end + 4);
    while (body.size() < content_length) {
      if (!WaitReadable(c)) return;
      ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return;
      body.append(tmp, static_cast<size_t>(n));
    }
    req.body = body;
    {
      std::lock_guard lk(mu_);
      requests_.push_back(req);
    }
    std::string resp = handler_(req);
    if (resp.empty()) {  // never answer: hold the connection until the client closes it
      while (WaitReadable(c)) {
        if (::recv(c, tmp, sizeof tmp, 0) <= 0) return;
      }
      return;
    }
    for (size_t off = 0; off < resp.size();) {
      ssize_t n = ::send(c, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Request> requests_;
};

PostRequest JsonPost(const std::string& url, std::string body = R"({"type":"PUSH_ARTIFACT"})") {
  PostRequest r;
  r.url = url;
  r.body = std::move(body);
  r.headers = {{"Content-Type", "application/json"}};
  return r;
}

TEST(WebhookHttpPoster, IsSuccessIs2xx) {
  EXPECT_TRUE(IsSuccess(200));
  EXPECT_TRUE(IsSuccess(204));
  EXPECT_TRUE(IsSuccess(299));
  EXPECT_FALSE(IsSuccess(0));
  EXPECT_FALSE(IsSuccess(199));
  EXPECT_FALSE(IsSuccess(300));
  EXPECT_FALSE(IsSuccess(302));
  EXPECT_FALSE(IsSuccess(500));
}

TEST(WebhookHttpPoster, Ok200AndRequestArrivesExactly) {
  TestServer srv([](const Request&) { return Response(200, "OK", "thanks"); });
  std::string body = R"({"type":"PUSH_ARTIFACT","operator":"a\u003cb","x":"héllo"})";
  body += std::string(5000, 'z');  // large enough that curl would otherwise send Expect: 100-continue
  PostRequest req = JsonPost(srv.Url("/hook?x=1"), body);
  req.headers.push_back({"Authorization", "Bearer s3cr3t"});
  req.headers.push_back({"X-Berth-Event-Id", "4b2f89a6-548d-4c12-9993-a1f5790b97d2"});
  req.headers.push_back({"X-Berth-Signature", "sha256=00ff"});
  PostResult res = Post(req);
  EXPECT_EQ(res.status, 200) << res.error;
  EXPECT_TRUE(IsSuccess(res.status));
  EXPECT_EQ(res.response_snippet, "thanks");
  EXPECT_EQ(res.error, "");
  EXPECT_LT(res.duration, 2000ms);

  auto got = srv.requests();
  ASSERT_EQ(got.size(), 1u);
  const Request& r = got[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook?x=1");
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.Header("content-length"), std::to_string(body.size()));
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Count("content-type"), 1);
  EXPECT_EQ(r.Header("authorization"), "Bearer s3cr3t");
  EXPECT_EQ(r.Header("x-berth-event-id"), "4b2f89a6-548d-4c12-9993-a1f5790b97d2");
  EXPECT_EQ(r.Header("x-berth-signature"), "sha256=00ff");
  EXPECT_EQ(r.Header("expect"), "<absent>");
  EXPECT_EQ(r.Header("host"), "127.0.0.1:" + std::to_string(srv.port()));
}

TEST(WebhookHttpPoster, NoContentTypeUnlessGiven) {
  TestServer srv([](const Request&) { return Response(204, "No Content", ""); });
  PostRequest req;
  req.url = srv.Url();
  req.body = "x";
  PostResult res = Post(req);
  EXPECT_EQ(res.status, 204) << res.error;
  auto got = srv.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].Header("content-type"), "<absent>");  // not curl's form-urlencoded default
}

TEST(WebhookHttpPoster, CloudEventsContentType) {
  TestServer srv([](const Request&) { return Response(200, "OK", ""); });
  PostRequest req = JsonPost(srv.Url());
  req.headers = {{"Content-Type", "application/cloudevents+json"}};
  EXPECT_EQ(Post(req).status, 200);
  ASSERT_EQ(srv.requests().size(), 1u);
  EXPECT_EQ(srv.requests()[0].Header("content-type"), "application/cloudevents+json");
  EXPECT_EQ(srv.requests()[0].Header("authorization"), "<absent>");
}

TEST(WebhookHttpPoster, Status500IsAnAnsweredFailure) {
  TestServer srv([](const Request&) { return Response(500, "Internal Server Error", "boom: db down"); });
  PostResult res = Post(JsonPost(srv.Url()));
  EXPECT_EQ(res.status, 500);
  EXPECT_FALSE(IsSuccess(res.status));
  EXPECT_EQ(res.response_snippet, "boom: db down");
  EXPECT_EQ(res.error, "");
}

TEST(WebhookHttpPoster, SnippetIsFirstKiB) {
  std::string big(200000, 'a');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  TestServer srv([&](const Request&) { return Response(502, "Bad Gateway", big); });
  PostResult res = Post(JsonPost(srv.Url()));
  EXPECT_EQ(res.status, 502) << res.error;
  EXPECT_EQ(res.response_snippet, big.substr(0, kSnippetBytes));
  EXPECT_EQ(res.error, "");
}

TEST(WebhookHttpPoster, FollowsRedirect307KeepingPostAnd302AsGet) {
  TestServer srv([](const Request& r) {
    if (r.target == "/a") return Response(307, "Temporary Redirect", "", "Location: /b\r\n");
    if (r.target == "/b") return Response(302, "Found", "", "Location: /final\r\n");
    return Response(200, "OK", "final");
  });
  PostRequest req = JsonPost(srv.Url("/a"), "payload");
  req.headers.push_back({"Authorization", "Bearer same-host"});
  PostResult res = Post(req);
  EXPECT_EQ(res.status, 200) << res.error;
  EXPECT_EQ(res.response_snippet, "final");
  auto got = srv.requests();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[1].method, "POST");  // 307 repeats the POST with its body
  EXPECT_EQ(got[1].target, "/b");
  EXPECT_EQ(got[1].body, "payload");
  EXPECT_EQ(got[2].method, "GET");  // 302 continues as GET, like Go
  EXPECT_EQ(got[2].target, "/final");
  EXPECT_EQ(got[2].body, "");
  for (const auto& r : got) EXPECT_EQ(r.Header("authorization"), "Bearer same-host");
}

TEST(WebhookHttpPoster, AuthorizationNotSentToAnotherHostOnRedirect) {
  TestServer target([](const Request&) { return Response(200, "OK", ""); });
  std::string loc = "http://localhost:" + std::to_string(target.port()) + "/there";
  TestServer origin([&](const Request&) { return Response(307, "Temporary Redirect", "", "Location: " + loc + "\r\n"); });
  PostRequest req = JsonPost(origin.Url());
  req.headers.push_back({"Authorization", "Bearer s3cr3t"});
  PostResult res = Post(req);
  ASSERT_EQ(res.status, 200) << res.error;
  ASSERT_EQ(target.requests().size(), 1u);
  EXPECT_EQ(origin.requests()[0].Header("authorization"), "Bearer s3cr3t");
  EXPECT_EQ(target.requests()[0].Header("authorization"), "<absent>");
}

TEST(WebhookHttpPoster, RedirectLimit) {
  TestServer srv([](const Request&) { return Response(302, "Found", "", "Location: /loop\r\n"); });
  PostRequest req = JsonPost(srv.Url());
  req.max_redirects = 3;
  PostResult res = Post(req);
  EXPECT_EQ(res.status, 0);
  EXPECT_NE(res.error.find("redirect"), std::string::npos) << res.error;
  EXPECT_EQ(srv.requests().size(), 4u);  // the first request plus three redirects

  req.max_redirects = 0;  // not following: the 3xx is the final answer
  res = Post(req);
  EXPECT_EQ(res.status, 302);
  EXPECT_FALSE(IsSuccess(res.status));
}

TEST(WebhookHttpPoster, RedirectToOtherSchemeRefused) {
  TestServer srv([](const Request&) { return Response(302, "Found", "", "Location: file:///etc/passwd\r\n"); });
  PostResult res = Post(JsonPost(srv.Url()));
  EXPECT_EQ(res.status, 0);
  EXPECT_NE(res.error, "");
}

TEST(WebhookHttpPoster, NeverAnsweringServerTimesOut) {
  TestServer srv([](const Request&) { return std::string(); });
  PostRequest req = JsonPost(srv.Url());
  req.timeout = 500ms;
  PostResult res = Post(req);
  EXPECT_EQ(res.status, 0);
  EXPECT_NE(res.error.find("timed out"), std::string::npos) << res.error;
  EXPECT_GE(res.duration, 450ms);
  EXPECT_LT(res.duration, 1500ms);
  EXPECT_EQ(srv.requests().size(), 1u);  // the request did arrive
}

TEST(WebhookHttpPoster, ConnectionRefused) {
  int port;
  {
    // Bind an ephemeral port and close it again: nothing listens there afterwards.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    ::close(fd);
  }
  PostResult res = Post(JsonPost("http://127.0.0.1:" + std::to_string(port) + "/hook"));
  EXPECT_EQ(res.status, 0);
  EXPECT_NE(res.error, "");
  EXPECT_LT(res.duration, 2000ms);
}

TEST(WebhookHttpPoster, OnlyHttpAndHttps) {
  for (const char* url : {"ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/", "127.0.0.1:80/x", ""}) {
    PostResult res = Post(JsonPost(url));
    EXPECT_EQ(res.status, 0) << url;
    EXPECT_NE(res.error.find("scheme"), std::string::npos) << url << ": " << res.error;
  }
}

TEST(WebhookHttpPoster, HttpsToPlainServerFailsAsTransportError) {
  TestServer srv([](const Request&) { return Response(200, "OK", ""); });
  PostRequest req = JsonPost("https://127.0.0.1:" + std::to_string(srv.port()) + "/hook");
  req.skip_cert_verify = true;
  req.timeout = 500ms;
  PostResult res = Post(req);
  EXPECT_EQ(res.status, 0);
  EXPECT_NE(res.error, "");
}

TEST(WebhookHttpPoster, ConcurrentPostsFromManyThreads) {
  std::atomic<int> served{0};
  TestServer srv([&](const Request&) {
    ++served;
    return Response(200, "OK", "ok");
  });
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 5; ++k) ok += Post(JsonPost(srv.Url())).status == 200;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(served.load(), 40);
}

}  // namespace
}  // namespace berth::webhook
