// Router: the route table (method + path pattern → handler). Built once at start-up, then read
// concurrently without locks (thread-safe for Dispatch after construction).
//
// Patterns are '/'-separated segments: a literal, "{name}" (one segment) or "{name...}" (one or
// more segments, as OCI repository names). Parameters are percent-decoded once.
// Requests that match no route, or a route with another method, go to the error renderer of the
// longest matching prefix with kNotFound or kMethodNotAllowed. A fallback (the web console) may
// answer requests whose path matches no route before they become 404s.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "http/exchange.h"

namespace berth::http {

using Handler = std::function<Task<void>(Exchange&)>;
using ErrorRenderer = std::function<Task<void>(Exchange&, const Error&)>;
// Called for a path no route matches; returns true when it answered, false for the usual 404.
using Fallback = std::function<Task<bool>(Exchange&)>;

class Router {
 public:
  void Add(Verb method, std::string pattern, Handler handler);
  // Renders errors for paths under `prefix` (the longest matching prefix wins).
  void SetErrorRenderer(std::string prefix, ErrorRenderer renderer);
  void SetFallback(Fallback fallback) { fallback_ = std::move(fallback); }
  Task<void> Dispatch(Exchange& ex) const;
  // The renderer for a path (used by handlers through their API layer, and for 404/405).
  const ErrorRenderer& RendererFor(std::string_view path) const;

 private:
  struct Segment {
    std::string text;
    bool param = false;
    bool rest = false;  // "{name...}"
  };
  struct Route {
    Verb method;
    std::vector<Segment> segments;
    Handler handler;
  };
  static bool Match(const std::vector<Segment>& pattern, size_t pi, const std::vector<std::string_view>& path,
                    size_t si, std::vector<std::pair<std::string, std::string_view>>& out);

  std::vector<Route> routes_;
  std::vector<std::pair<std::string, ErrorRenderer>> renderers_;
  Fallback fallback_;
};

}  // namespace berth::http
