#include "base/fileio.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace berth::fileio {
namespace {
std::unexpected<Error> Errno(std::string_view what, const std::string& path) {
  return Fail(Errc::kInternal, std::string(what) + " " + path + ": " + std::strerror(errno));
}
}  // namespace

Result<void> MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Fail(Errc::kInternal, "mkdir " + path + ": " + ec.message());
  return {};
}

Result<void> FsyncFd(int fd) {
  if (::fsync(fd) != 0) return Fail(Errc::kInternal, std::string("fsync: ") + std::strerror(errno));
  return {};
}

Result<void> FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync", dir);
  return {};
}

std::string DirName(const std::string& path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

Result<void> WriteAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(Errc::kInternal, std::string("write: ") + std::strerror(errno));
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return {};
}

Result<void> WriteFileAtomic(const std::string& path, std::string_view data, bool durable, unsigned mode) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                    std::to_string(reinterpret_cast<uintptr_t>(&data));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return Errno("open", tmp);
  auto w = WriteAll(fd, data.data(), data.size());
  if (w && durable) w = FsyncFd(fd);
  ::close(fd);
  if (!w) {
    ::unlink(tmp.c_str());
    return w;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = Errno("rename", path);
    ::unlink(tmp.c_str());
    return e;
  }
  if (durable) return FsyncDir(DirName(path));
  return {};
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto e = Errno("read", path);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace berth::fileio
