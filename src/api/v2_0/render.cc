#include "api/v2_0/render.h"

#include <charconv>

#include <spdlog/spdlog.h>

#include "base/clock.h"

namespace berth::api::v2_0 {
namespace {

http::Response JsonResponse(unsigned status, std::string body) {
  http::Response r;
  r.status = status;
  r.Set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Result<int64_t> ParsePositive(const http::Exchange& ex, const char* key, int64_t fallback, int64_t max) {
  auto v = ex.query().Get(key);
  if (!v || v->empty()) return fallback;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < 1 || n > max)
    return Fail(Errc::kBadRequest, std::string(key) + " must be an integer between 1 and " + std::to_string(max));
  return n;
}

}  // namespace

http::Task<void> SendError(http::Exchange& ex, const Error& err) {
  // The client sees only "internal server error"; the cause goes to the log.
  if (err.code == Errc::kInternal)
    spdlog::error("internal error method={} path={} error={}", ex.method_string(), ex.path(), err.Message());
  const auto& info = Describe(err.code);
  Json e;
  e["code"] = info.wire_code;
  // Internal details never leave the server.
  e["message"] = err.code == Errc::kInternal ? std::string("internal server error") : std::string(err.Message());
  Json doc;
  doc["errors"] = Json::array({e});
  auto r = JsonResponse(static_cast<unsigned>(info.http_status), doc.dump(-1, ' ', false, Json::error_handler_t::replace));
  co_await ex.Send(std::move(r));
}

http::Task<void> SendJson(http::Exchange& ex, unsigned status, const Json& body) {
  co_await ex.Send(JsonResponse(status, body.dump(-1, ' ', false, Json::error_handler_t::replace)));
}

http::Task<void> SendJsonText(http::Exchange& ex, unsigned status, std::string body) {
  co_await ex.Send(JsonResponse(status, std::move(body)));
}

http::Task<void> SendCreated(http::Exchange& ex, const std::string& location) {
  http::Response r;
  r.status = 201;
  r.Set("Location", location);
  co_await ex.Send(std::move(r));
}

http::Task<void> SendOk(http::Exchange& ex) {
  http::Response r;
  r.status = 200;
  co_await ex.Send(std::move(r));
}

std::string HarborTime(int64_t unix_seconds) {
  std::string t = FormatRfc3339(unix_seconds);
  return t.substr(0, t.size() - 1) + ".000Z";
}

std::string HarborTimeMs(int64_t unix_ms) {
  int64_t seconds = unix_ms / 1000, ms = unix_ms % 1000;
  if (ms < 0) ms += 1000, seconds -= 1;
  std::string t = FormatRfc3339(seconds);
  std::string frac = std::to_string(ms);
  return t.substr(0, t.size() - 1) + "." + std::string(3 - frac.size(), '0') + frac + "Z";
}

Result<PageRequest> ParsePage(const http::Exchange& ex) {
  PageRequest p;
  auto page = ParsePositive(ex, "page", 1, 1'000'000'000);
  if (!page) return std::unexpected(page.error());
  auto size = ParsePositive(ex, "page_size", 10, 100);
  if (!size) return std::unexpected(size.error());
  p.page = *page;
  p.page_size = *size;
  return p;
}

http::Task<void> SendList(http::Exchange& ex, const PageRequest& page, int64_t total, const Json& items) {
  co_await SendListText(ex, page, total, items.dump(-1, ' ', false, Json::error_handler_t::replace));
}

http::Task<void> SendListText(http::Exchange& ex, const PageRequest& page, int64_t total, std::string items) {
  auto r = JsonResponse(200, std::move(items));
  r.Set("X-Total-Count", std::to_string(total));
  std::string base(ex.path());
  // The links keep the request's other parameters (q, name, ...) as they came, minus the paging.
  std::string keep;
  std::string_view target = ex.target();
  if (auto qm = target.find('?'); qm != std::string_view::npos) {
    std::string_view rest = target.substr(qm + 1);
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.empty() || pair.starts_with("page=") || pair.starts_with("page_size=") || pair == "page" ||
          pair == "page_size")
        continue;
      keep.append(pair).push_back('&');
    }
  }
  auto link = [&](int64_t n, const char* rel) {
    return "<" + base + "?" + keep + "page=" + std::to_string(n) + "&page_size=" + std::to_string(page.page_size) +
           ">; rel=\"" + rel + "\"";
  };
  std::string links;
  if (page.page > 1) links = link(page.page - 1, "prev");
  if (page.page * page.page_size < total) links += (links.empty() ? "" : " , ") + link(page.page + 1, "next");
  if (!links.empty()) r.Set("Link", links);
  co_await ex.Send(std::move(r));
}

http::Task<Result<Json>> ReadJson(http::Exchange& ex) {
  auto body = co_await ex.ReadAll(1 << 20);
  if (!body) co_return std::unexpected(body.error());
  Json doc = Json::parse(*body, nullptr, false);
  if (doc.is_discarded()) co_return Fail(Errc::kBadRequest, "the request body is not valid JSON");
  co_return doc;
}

}  // namespace berth::api::v2_0
