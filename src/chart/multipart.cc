#include "chart/multipart.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace berth::chart {
namespace {

constexpr size_t kMaxHeaderBlock = 16 * 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The value of `key` in a "; key=value; key2="quoted"" parameter list, or nullopt.
std::optional<std::string> Param(std::string_view header, std::string_view key) {
  size_t i = header.find(';');
  while (i != std::string_view::npos) {
    std::string_view rest = header.substr(i + 1);
    size_t next = std::string_view::npos;
    // A quoted value may contain ';'.
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view k = Trim(rest.substr(0, eq));
    std::string_view v = rest.substr(eq + 1);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    std::string value;
    if (!v.empty() && v.front() == '"') {
      size_t j = 1;
      for (; j < v.size() && v[j] != '"'; ++j) {
        if (v[j] == '\\' && j + 1 < v.size()) ++j;
        value.push_back(v[j]);
      }
      size_t after = v.find(';', j);
      next = after == std::string_view::npos ? std::string_view::npos : (v.data() - header.data()) + after;
    } else {
      size_t semi = v.find(';');
      value = std::string(Trim(v.substr(0, semi)));
      next = semi == std::string_view::npos ? std::string_view::npos : (v.data() - header.data()) + semi;
    }
    if (Lower(k) == Lower(key)) return value;
    i = next;
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
  auto semi = content_type.find(';');
  if (Lower(Trim(content_type.substr(0, semi))) != "multipart/form-data")
    return Fail(Errc::kBadRequest, "not a multipart/form-data body");
  auto b = Param(content_type, "boundary");
  if (!b || b->empty() || b->size() > 70) return Fail(Errc::kBadRequest, "multipart/form-data without a valid boundary");
  return *b;
}

MultipartParser::MultipartParser(std::string boundary, Callbacks cb)
    : delimiter_("\r\n--" + boundary), cb_(std::move(cb)) {
  buf_ = "\r\n";  // the first delimiter may start the body without a preceding CRLF
}

Result<void> MultipartParser::Feed(const char* data, size_t len) {
  if (state_ == State::kDone) return {};
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(data, len);
  for (bool progressed = true; progressed && state_ != State::kDone;) {
    progressed = false;
    if (auto r = Step(progressed); !r) return r;
  }
  return {};
}

Result<void> MultipartParser::Finish() const {
  if (state_ != State::kDone) return Fail(Errc::kBadRequest, "multipart body ends before its closing boundary");
  return {};
}

Result<void> MultipartParser::Step(bool& progressed) {
  std::string_view avail(buf_.data() + pos_, buf_.size() - pos_);
  switch (state_) {
    case State::kPreamble: {
      size_t at = avail.find(delimiter_);
      if (at == std::string_view::npos) {
        if (avail.size() > delimiter_.size()) pos_ += avail.size() - delimiter_.size();  // drop the preamble
        if (pos_ > 64 * 1024) return Fail(Errc::kBadRequest, "multipart body without its boundary");
        return {};
      }
      pos_ += at + delimiter_.size();
      state_ = State::kAfterDelimiter;
      progressed = true;
      return {};
    }
    case State::kAfterDelimiter: {
      if (avail.size() < 2) return {};
      if (avail.substr(0, 2) == "--") {
        state_ = State::kDone;
        return {};
      }
      size_t eol = avail.find("\r\n");
      if (eol == std::string_view::npos) {
        if (avail.size() > 256) return Fail(Errc::kBadRequest, "malformed multipart delimiter line");
        return {};
      }
      if (!Trim(avail.substr(0, eol)).empty()) return Fail(Errc::kBadRequest, "malformed multipart delimiter line");
      pos_ += eol + 2;
      state_ = State::kHeaders;
      progressed = true;
      return {};
    }
    case State::kHeaders: {
      if (avail.substr(0, 2) == "\r\n") {  // a part without headers
        pos_ += 2;
        if (auto r = ParseHeaders({}); !r) return r;
        state_ = State::kBody;
        progressed = true;
        return {};
      }
      size_t end = avail.find("\r\n\r\n");
      if (end == std::string_view::npos) {
        if (avail.size() > kMaxHeaderBlock) return Fail(Errc::kBadRequest, "multipart part headers too large");
        return {};
      }
      if (auto r = ParseHeaders(avail.substr(0, end)); !r) return r;
      pos_ += end + 4;
      state_ = State::kBody;
      progressed = true;
      return {};
    }
    case State::kBody: {
      size_t at = avail.find(delimiter_);
      if (at == std::string_view::npos) {
        if (avail.size() >= delimiter_.size()) {
          size_t n = avail.size() - (delimiter_.size() - 1);
          if (auto r = cb_.data(avail.data(), n); !r) return r;
          pos_ += n;
        }
        return {};
      }
      if (at > 0) {
        if (auto r = cb_.data(avail.data(), at); !r) return r;
      }
      if (auto r = cb_.end(); !r) return r;
      pos_ += at + delimiter_.size();
      state_ = State::kAfterDelimiter;
      progressed = true;
      return {};
    }
    case State::kDone:
      return {};
  }
  return {};
}

Result<void> MultipartParser::ParseHeaders(std::string_view block) {
  std::string name, filename;
  bool disposition = false;
  size_t start = 0;
  while (start < block.size()) {
    size_t eol = block.find("\r\n", start);
    std::string_view line = block.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && Lower(Trim(line.substr(0, colon))) == "content-disposition") {
      std::string_view value = Trim(line.substr(colon + 1));
      disposition = true;
      if (auto n = Param(value, "name")) name = *n;
      if (auto f = Param(value, "filename")) filename = *f;
    }
    if (eol == std::string_view::npos) break;
    start = eol + 2;
  }
  if (!disposition || name.empty())
    return Fail(Errc::kBadRequest, "multipart part without a Content-Disposition form-data name");
  return cb_.begin(name, filename);
}

}  // namespace berth::chart
