// One webhook delivery attempt: an HTTP(S) POST over libcurl, bounded by one timeout for the whole
// exchange (connect, TLS, redirects, response). Redirects are followed like Go's http.Client
// (up to max_redirects; 301/302/303 continue as GET without the body, 307/308 repeat the POST;
// the Authorization header is not sent to another host). Only http and https URLs, also for
// redirect targets; proxies from the environment are ignored; no signals are used.
// The response body is read only up to kSnippetBytes, then the transfer is ended.
//
// Thread-safe: Post() may be called from many threads at once (each thread reuses its own easy
// handle, so connections to a receiver stay open between calls; curl_global_init runs once, on
// first use). Post() blocks the calling thread, so call it
// from a worker, never from an io thread.
#pragma once
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace berth::webhook {

inline constexpr size_t kSnippetBytes = 1024;

struct PostRequest {
  std::string url;
  std::string body;
  // Sent verbatim, in order. Without a Content-Type here, none is sent.
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{3000};  // whole exchange
  bool skip_cert_verify = false;
  int max_redirects = 10;  // 0 = do not follow: the 3xx is the final status
};

struct PostResult {
  int status = 0;                 // final HTTP status; 0 = transport error (see `error`)
  std::string response_snippet;   // first kSnippetBytes of the final response body
  std::string error;              // empty unless status == 0
  std::chrono::milliseconds duration{0};
};

PostResult Post(const PostRequest& req);

// A delivery succeeded when the final status is 2xx.
inline bool IsSuccess(int status) { return status >= 200 && status <= 299; }

}  // namespace berth::webhook
