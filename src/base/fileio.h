// Durable file primitives: atomic replace (temp + fsync + rename + fsync dir), directory creation.
// Stateless and thread-safe. Errors are returned as kInternal with errno text.
#pragma once
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::fileio {

Result<void> MakeDirs(const std::string& path);
Result<void> FsyncDir(const std::string& dir);
Result<void> FsyncFd(int fd);
// Writes data to path atomically; with durable=true the file and its directory are fsynced. The file
// is created with `mode` (less the umask) from the start: 0600 keeps a secret private at every moment.
Result<void> WriteFileAtomic(const std::string& path, std::string_view data, bool durable, unsigned mode = 0644);
Result<std::string> ReadFile(const std::string& path);
std::string DirName(const std::string& path);
Result<void> WriteAll(int fd, const char* data, size_t len);

}  // namespace berth::fileio
