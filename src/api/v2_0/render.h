// Rendering for the Harbor-compatible REST API: {"errors":[{"code","message"}]} with the status
// from the error table, JSON bodies, Harbor's time format, and list paging (page, page_size,
// X-Total-Count, Link). Stateless; thread-safe.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "http/exchange.h"
#include "store/identity_records.h"

namespace berth::api::v2_0 {

using Json = nlohmann::ordered_json;

http::Task<void> SendError(http::Exchange& ex, const Error& err);
http::Task<void> SendJson(http::Exchange& ex, unsigned status, const Json& body);
// The same with a body already serialized (by a JsonWriter).
http::Task<void> SendJsonText(http::Exchange& ex, unsigned status, std::string body);
// 201 with Location and an empty body.
http::Task<void> SendCreated(http::Exchange& ex, const std::string& location);
http::Task<void> SendOk(http::Exchange& ex);

// "2026-11-29T13:51:28.000Z"
std::string HarborTime(int64_t unix_seconds);
// The same from unix milliseconds, keeping them: "2026-11-29T13:51:28.123Z".
std::string HarborTimeMs(int64_t unix_ms);

struct PageRequest {
  int64_t page = 1;
  int64_t page_size = 10;
  store::Paging paging() const { return {(page - 1) * page_size, page_size}; }
};
// page ≥ 1, 1 ≤ page_size ≤ 100 (Harbor's limits). kBadRequest otherwise.
Result<PageRequest> ParsePage(const http::Exchange& ex);
// A list response: the array body plus X-Total-Count and an RFC 5988 Link with prev/next.
http::Task<void> SendList(http::Exchange& ex, const PageRequest& page, int64_t total, const Json& items);
// The same with the array already serialized (by a JsonWriter).
http::Task<void> SendListText(http::Exchange& ex, const PageRequest& page, int64_t total, std::string items);

// Parses a JSON request body (limit 1 MiB). kBadRequest with the parser's message when invalid.
http::Task<Result<Json>> ReadJson(http::Exchange& ex);

}  // namespace berth::api::v2_0
