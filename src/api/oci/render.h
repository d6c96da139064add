// Rendering helpers for the OCI distribution API: the error JSON, the common headers, Location
// and Link values. Stateless; thread-safe.
#pragma once
#include <string>
#include <string_view>

#include "base/error.h"
#include "http/exchange.h"

namespace berth::api::oci {

// A response with the headers every /v2 answer carries.
http::Response Reply(unsigned status);
// {"errors":[{"code":…,"message":…,"detail":…}]} with the status from the error table, plus any
// extra headers (a WWW-Authenticate challenge).
http::Task<void> SendError(http::Exchange& ex, const Error& err,
                           std::vector<std::pair<std::string, std::string>> extra_headers = {});
std::string ErrorBody(const Error& err);
// `</v2/...?n=N&last=X>; rel="next"`
std::string NextLink(std::string_view path, int n, std::string_view last);
std::string Quoted(std::string_view s);

}  // namespace berth::api::oci
