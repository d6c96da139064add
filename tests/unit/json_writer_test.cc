// JsonWriter (base/json_writer.h): the text it writes parses back to what was written, strings
// are escaped as nlohmann's dump escapes them, and bytes that are not UTF-8 become U+FFFD.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/json_writer.h"

namespace berth {
namespace {

using nlohmann::ordered_json;

TEST(JsonWriterTest, NestedContainersGetTheirCommas) {
  JsonWriter w;
  w.BeginObject()
      .Field("id", int64_t{-42})
      .Field("name", "a")
      .Field("ok", true)
      .Key("none").Null()
      .Key("list").BeginArray().Int(1).BeginObject().EndObject().BeginArray().EndArray().String("x").EndArray()
      .Key("raw").Raw(R"({"k":[1,2]})")
      .Key("empty").BeginObject().EndObject()
      .EndObject();
  EXPECT_EQ(w.str(), R"({"id":-42,"name":"a","ok":true,"none":null,"list":[1,{},[],"x"],"raw":{"k":[1,2]},"empty":{}})");
  auto parsed = ordered_json::parse(w.str());
  EXPECT_EQ(parsed["list"][3], "x");
  EXPECT_EQ(parsed["raw"]["k"][1], 2);
}

TEST(JsonWriterTest, StringsAreEscapedAsNlohmannDumpsThem) {
  std::string all;
  for (int c = 1; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  all += "é€😀";  // valid multi-byte UTF-8 stays as it is
  JsonWriter w;
  w.String(all);
  EXPECT_EQ(w.str(), ordered_json(all).dump());
  EXPECT_EQ(ordered_json::parse(w.str()).get<std::string>(), all);
}

TEST(JsonWriterTest, InvalidUtf8BecomesTheReplacementCharacter) {
  const std::string bad[] = {
      "a\xff" "b",            // never valid
      "\xc3",                 // truncated
      "\xe0\x80\x80",         // overlong
      "\xed\xa0\x80",         // surrogate
      "\xf4\x90\x80\x80",     // above U+10FFFF
      "ok\xc3\xa9\x80" "end", // a stray continuation byte after a valid é
  };
  for (const auto& s : bad) {
    JsonWriter w;
    w.String(s);
    auto back = ordered_json::parse(w.str());  // valid JSON whatever the input
    EXPECT_NE(back.get<std::string>().find("\xEF\xBF\xBD"), std::string::npos) << w.str();
  }
  JsonWriter w;
  w.String("ok\xc3\xa9\x80" "end");
  EXPECT_EQ(w.str(), "\"ok\xc3\xa9\xEF\xBF\xBD" "end\"");
}

}  // namespace
}  // namespace berth
