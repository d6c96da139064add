#include "http/router.h"

namespace berth::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

Task<void> PlainError(Exchange& ex, const Error& err) {
  Response r;
  r.status = static_cast<unsigned>(Describe(err.code).http_status);
  r.Set("Content-Type", "text/plain");
  r.body = std::string(err.Message()) + "\n";
  co_await ex.Send(std::move(r));
}

}  // namespace

void Router::Add(Verb method, std::string pattern, Handler handler) {
  Route r{method, {}, std::move(handler)};
  for (auto seg : Split(pattern)) {
    Segment s;
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      s.param = true;
      std::string_view name = seg.substr(1, seg.size() - 2);
      if (name.ends_with("...")) {
        s.rest = true;
        name.remove_suffix(3);
      }
      s.text = std::string(name);
    } else {
      s.text = std::string(seg);
    }
    r.segments.push_back(std::move(s));
  }
  routes_.push_back(std::move(r));
}

void Router::SetErrorRenderer(std::string prefix, ErrorRenderer renderer) {
  renderers_.emplace_back(std::move(prefix), std::move(renderer));
}

const ErrorRenderer& Router::RendererFor(std::string_view path) const {
  static const ErrorRenderer kPlain = PlainError;
  const ErrorRenderer* best = &kPlain;
  size_t best_len = 0;
  for (const auto& [prefix, r] : renderers_) {
    if (path.starts_with(prefix) && prefix.size() >= best_len) {
      best = &r;
      best_len = prefix.size();
    }
  }
  return *best;
}

bool Router::Match(const std::vector<Segment>& pattern, size_t pi, const std::vector<std::string_view>& path,
                   size_t si, std::vector<std::pair<std::string, std::string_view>>& out) {
  if (pi == pattern.size()) return si == path.size();
  if (si == path.size()) return false;
  const Segment& seg = pattern[pi];
  if (!seg.param) {
    if (seg.text != path[si]) return false;
    return Match(pattern, pi + 1, path, si + 1, out);
  }
  if (!seg.rest) {
    if (path[si].empty()) return false;
    out.emplace_back(seg.text, path[si]);
    if (Match(pattern, pi + 1, path, si + 1, out)) return true;
    out.pop_back();
    return false;
  }
  // Greedy: take as many segments as possible, backing off until the tail matches.
  for (size_t end = path.size(); end > si; --end) {
    const char* b = path[si].data();
    const char* e = path[end - 1].data() + path[end - 1].size();
    out.emplace_back(seg.text, std::string_view(b, static_cast<size_t>(e - b)));
    if (Match(pattern, pi + 1, path, end, out)) return true;
    out.pop_back();
  }
  return false;
}

Task<void> Router::Dispatch(Exchange& ex) const {
  auto parts = Split(ex.path());
  bool path_matched = false;
  Verb method = ex.method() == Verb::head ? Verb::get : ex.method();
  for (const auto& r : routes_) {
    std::vector<std::pair<std::string, std::string_view>> params;
    if (!Match(r.segments, 0, parts, 0, params)) continue;
    path_matched = true;
    if (r.method != ex.method() && r.method != method) continue;
    // An explicit HEAD route wins over GET when both exist: routes are tried in order.
    bool ok = true;
    for (auto& [k, v] : params) {
      auto decoded = PercentDecode(v);
      if (!decoded) {
        ok = false;
        break;
      }
      ex.SetParam(k, std::move(*decoded));
    }
    if (!ok) {
      co_await RendererFor(ex.path())(ex, Error(Errc::kBadRequest, "malformed percent-encoding in path"));
      co_return;
    }
    co_await r.handler(ex);
    co_return;
  }
  if (!path_matched && fallback_) {
    bool answered = co_await fallback_(ex);
    if (answered) co_return;
  }
  co_await RendererFor(ex.path())(ex, Error(path_matched ? Errc::kMethodNotAllowed : Errc::kNotFound));
}

}  // namespace berth::http
