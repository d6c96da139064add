#include "api/oci/render.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "http/query.h"

namespace berth::api::oci {

http::Response Reply(unsigned status) {
  http::Response r;
  r.status = status;
  r.Set("Docker-Distribution-API-Version", "registry/2.0");
  return r;
}

std::string ErrorBody(const Error& err) {
  nlohmann::ordered_json e;
  e["code"] = Describe(err.code).wire_code;
  e["message"] = err.Message();
  nlohmann::ordered_json doc;
  doc["errors"] = nlohmann::ordered_json::array({e});
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

http::Task<void> SendError(http::Exchange& ex, const Error& err,
                           std::vector<std::pair<std::string, std::string>> extra_headers) {
  // The client sees only "internal server error"; the cause goes to the log.
  if (err.code == Errc::kInternal)
    spdlog::error("internal error method={} path={} error={}", ex.method_string(), ex.path(), err.Message());
  const auto& info = Describe(err.code);
  auto r = Reply(static_cast<unsigned>(info.http_status));
  r.Set("Content-Type", "application/json; charset=utf-8");
  if (err.code == Errc::kTooManyRequests) r.Set("Retry-After", "1");
  for (auto& [k, v] : extra_headers) r.Set(std::move(k), std::move(v));
  r.body = ErrorBody(err);
  co_await ex.Send(std::move(r));
}

std::string NextLink(std::string_view path, int n, std::string_view last) {
  return "<" + std::string(path) + "?n=" + std::to_string(n) + "&last=" + http::PercentEncode(last) +
         ">; rel=\"next\"";
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace berth::api::oci
