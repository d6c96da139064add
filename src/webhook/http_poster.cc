#include "webhook/http_poster.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <string_view>

namespace berth::webhook {

namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && StartsWithNoCase(a, b);
}

struct Sink {
  std::string snippet;
  bool truncated = false;  // we ended the transfer after the snippet was full
};

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t n = size * nmemb;
  size_t room = kSnippetBytes - sink->snippet.size();
  if (n <= room) {
    sink->snippet.append(data, n);
    return n;
  }
  sink->snippet.append(data, room);
  sink->truncated = true;
  return 0;  // a short count ends the transfer: the rest of the body is of no use
}

// One easy handle per thread, reset before each use: its connection cache keeps connections to
// receivers alive between deliveries (keep-alive), which saves a TCP (and TLS) handshake per
// delivery to the same receiver.
struct ThreadHandle {
  CURL* h = curl_easy_init();
  ~ThreadHandle() {
    if (h) curl_easy_cleanup(h);
  }
};

struct Handle {
  CURL* h = nullptr;
  curl_slist* headers = nullptr;
  Handle() {
    thread_local ThreadHandle mine;
    h = mine.h;
    if (h) curl_easy_reset(h);
  }
  ~Handle() {
    if (h) curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);  // it points into Post()'s frame
    curl_slist_free_all(headers);
  }
};

}  // namespace

PostResult Post(const PostRequest& req) {
  GlobalInitOnce();
  PostResult result;
  const auto start = std::chrono::steady_clock::now();
  auto finish = [&]() -> PostResult {
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return result;
  };

  if (!StartsWithNoCase(req.url, "http://") && !StartsWithNoCase(req.url, "https://")) {
    result.error = "unsupported URL scheme (only http and https): " + req.url;
    return finish();
  }
  Handle c;
  if (c.h == nullptr) {
    result.error = "curl_easy_init failed";
    return finish();
  }

  bool has_content_type = false;
  for (const auto& [name, value] : req.headers) {
    if (EqualsNoCase(name, "content-type")) has_content_type = true;
    c.headers = curl_slist_append(c.headers, (name + ": " + value).c_str());
  }
  if (!has_content_type) c.headers = curl_slist_append(c.headers, "Content-Type:");
  c.headers = curl_slist_append(c.headers, "Expect:");  // no 100-continue round trip

  Sink sink;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* h = c.h;
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(h, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, c.headers);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "Berth-Webhook/1.0");
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // like Go: offer compression, decode it
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(1, req.timeout.count())));
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, req.max_redirects > 0 ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(std::max(0, req.max_redirects)));
  curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, req.skip_cert_verify ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, req.skip_cert_verify ? 0L : 2L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);

  CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && sink.truncated)) {
    result.status = static_cast<int>(code);
    result.response_snippet = std::move(sink.snippet);
  } else {
    result.error = errbuf[0] != '\0' ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
    if (rc == CURLE_TOO_MANY_REDIRECTS) {
      result.error = "stopped after " + std::to_string(req.max_redirects) + " redirects";
    }
  }
  return finish();
}

}  // namespace berth::webhook
