// Shared helpers for the unit tests: temporary directories and Result<T> assertions.
// Header-only; included by *_test.cc files in this directory (not a test source itself).
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/error.h"

namespace berth::unit {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/berth-unit-XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    if (made == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

inline std::string ErrcText(Errc c) {
  return std::string(Describe(c).wire_code) + " (#" + std::to_string(static_cast<int>(c)) + ")";
}

// EXPECT_TRUE(IsErr(result, Errc::kX)): the result failed with exactly that code.
template <class T>
::testing::AssertionResult IsErr(const Result<T>& r, Errc code) {
  if (r) return ::testing::AssertionFailure() << "expected error " << ErrcText(code) << ", got success";
  if (r.error().code != code)
    return ::testing::AssertionFailure() << "expected error " << ErrcText(code) << ", got " << ErrcText(r.error().code)
                                         << ": " << r.error().Message();
  return ::testing::AssertionSuccess();
}

// EXPECT_TRUE(IsOk(result)): the result succeeded (prints the error otherwise).
template <class T>
::testing::AssertionResult IsOk(const Result<T>& r) {
  if (r) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "unexpected error " << ErrcText(r.error().code) << ": " << r.error().Message();
}

// A valid sha256 digest of arbitrary text, for descriptors that need not point at real content.
inline Digest DigestOf(std::string_view text) { return Sha256Of(text); }

}  // namespace berth::unit
