// A streaming multipart/form-data parser (RFC 7578): bytes go in as they arrive from the socket,
// part headers and body bytes come out through callbacks, so a file field never has to be held in
// memory. Keeps at most one delimiter's length of body plus one header block buffered.
// Not thread-safe: one parser per request.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::chart {

// The boundary parameter of a multipart/form-data Content-Type; kBadRequest when there is none.
Result<std::string> MultipartBoundary(std::string_view content_type);

class MultipartParser {
 public:
  struct Callbacks {
    // A part starts: its form field name and filename ("" when absent).
    std::function<Result<void>(const std::string& name, const std::string& filename)> begin;
    std::function<Result<void>(const char* data, size_t len)> data;
    std::function<Result<void>()> end;
  };
  MultipartParser(std::string boundary, Callbacks cb);

  // Errors: kBadRequest for a malformed body, or whatever a callback returned.
  Result<void> Feed(const char* data, size_t len);
  // After the last Feed: kBadRequest unless the closing delimiter was seen.
  Result<void> Finish() const;

 private:
  enum class State { kPreamble, kAfterDelimiter, kHeaders, kBody, kDone };
  Result<void> Step(bool& progressed);
  Result<void> ParseHeaders(std::string_view block);

  std::string delimiter_;  // "\r\n--" + boundary
  Callbacks cb_;
  State state_ = State::kPreamble;
  std::string buf_;
  size_t pos_ = 0;  // bytes of buf_ already consumed
};

}  // namespace berth::chart
