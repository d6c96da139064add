// JsonWriter: writes one JSON document straight into a string, for responses whose shape is fixed
// (lists of artifacts, tags) where building a tree first costs more than the rest of the request.
// Commas are placed by the writer; keys and values must alternate inside objects (the caller's
// job, checked only by the tests that compare output with a parser). Strings are escaped as
// RFC 8259 requires; bytes that are not valid UTF-8 become U+FFFD (as nlohmann's dump with
// error_handler_t::replace does), so the output is always valid JSON.
// One writer per document; not thread-safe.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth {

class JsonWriter {
 public:
  explicit JsonWriter(size_t reserve = 0) { out_.reserve(reserve); }

  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // An already serialized JSON value (e.g. a cached subtree), written as it is.
  JsonWriter& Raw(std::string_view json);

  // Key then value, for the common case.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Open(char bracket);
  JsonWriter& Close(char bracket);
  void BeforeValue();
  void Escaped(std::string_view s);

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace berth
