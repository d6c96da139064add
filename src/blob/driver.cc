#include "blob/driver.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace berth::blob {

Result<std::optional<std::string>> ReadWhole(const BlobReader& reader, size_t max_bytes) {
  if (reader.size() < 0 || static_cast<uint64_t>(reader.size()) > max_bytes) return std::nullopt;
  std::string bytes(static_cast<size_t>(reader.size()), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pread(reader.fd(), bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(Errc::kInternal, std::string("read blob: ") + std::strerror(errno));
    if (n == 0) return Fail(Errc::kInternal, "read blob: shorter than its size");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

}  // namespace berth::blob
