#include "blob/filesystem/fs_driver.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fileio.h"

namespace berth::blob {
namespace {

std::unexpected<Error> Sys(std::string_view what, const std::string& path) {
  return Fail(Errc::kInternal, std::string(what) + " " + path + ": " + std::strerror(errno));
}

bool ValidUploadId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

class FdReader final : public BlobReader {
 public:
  FdReader(int fd, int64_t size) : fd_(fd), size_(size) {}
  ~FdReader() override { ::close(fd_); }
  int fd() const override { return fd_; }
  int64_t size() const override { return size_; }

 private:
  int fd_;
  int64_t size_;
};

class FdWriter final : public UploadWriter {
 public:
  FdWriter(int fd, int64_t size) : fd_(fd), size_(size) {}
  ~FdWriter() override { ::close(fd_); }
  Result<void> Append(const char* data, size_t len) override {
    auto r = fileio::WriteAll(fd_, data, len);
    if (r) size_ += static_cast<int64_t>(len);
    return r;
  }
  int64_t size() const override { return size_; }
  Result<void> Truncate(int64_t size) override {
    if (::ftruncate(fd_, size) != 0) return Fail(Errc::kInternal, std::string("ftruncate: ") + std::strerror(errno));
    ::lseek(fd_, 0, SEEK_END);
    size_ = size;
    return {};
  }

 private:
  int fd_;
  int64_t size_;
};

Result<std::unique_ptr<BlobReader>> OpenReader(const std::string& path, Errc missing) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Fail(missing);
    return Sys("open", path);
  }
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Sys("fstat", path);
  }
  return std::make_unique<FdReader>(fd, st.st_size);
}

}  // namespace

Result<std::unique_ptr<FsDriver>> FsDriver::Open(std::string root, bool durable) {
  for (const char* sub : {"/blobs", "/uploads", "/trash"}) {
    auto r = fileio::MakeDirs(root + sub);
    if (!r) return std::unexpected(r.error());
  }
  return std::unique_ptr<FsDriver>(new FsDriver(std::move(root), durable));
}

std::string FsDriver::BlobPath(const Digest& d) const {
  return root_ + "/blobs/" + d.algorithm() + "/" + d.hex().substr(0, 2) + "/" + d.hex();
}

std::string FsDriver::UploadPath(const std::string& id) const { return root_ + "/uploads/" + id; }

Result<void> FsDriver::CreateUpload(const std::string& id) {
  if (!ValidUploadId(id)) return Fail(Errc::kBlobUploadUnknown);
  std::string path = UploadPath(id);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Sys("create", path);
  ::close(fd);
  return {};
}

Result<std::unique_ptr<UploadWriter>> FsDriver::OpenUpload(const std::string& id) {
  if (!ValidUploadId(id)) return Fail(Errc::kBlobUploadUnknown);
  std::string path = UploadPath(id);
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Fail(Errc::kBlobUploadUnknown);
    return Sys("open", path);
  }
  struct stat st{};
  ::fstat(fd, &st);
  return std::make_unique<FdWriter>(fd, st.st_size);
}

Result<int64_t> FsDriver::UploadSize(const std::string& id) {
  if (!ValidUploadId(id)) return Fail(Errc::kBlobUploadUnknown);
  struct stat st{};
  if (::stat(UploadPath(id).c_str(), &st) != 0) {
    if (errno == ENOENT) return Fail(Errc::kBlobUploadUnknown);
    return Sys("stat", UploadPath(id));
  }
  return static_cast<int64_t>(st.st_size);
}

Result<std::unique_ptr<BlobReader>> FsDriver::ReadUpload(const std::string& id) {
  if (!ValidUploadId(id)) return Fail(Errc::kBlobUploadUnknown);
  return OpenReader(UploadPath(id), Errc::kBlobUploadUnknown);
}

Result<void> FsDriver::CommitUpload(const std::string& id, const Digest& digest) {
  if (!ValidUploadId(id)) return Fail(Errc::kBlobUploadUnknown);
  std::string src = UploadPath(id);
  std::string dst = BlobPath(digest);
  struct stat st{};
  if (::stat(src.c_str(), &st) != 0) return errno == ENOENT ? Fail(Errc::kBlobUploadUnknown) : Sys("stat", src);
  if (::stat(dst.c_str(), &st) == 0) {  // content-addressed: an existing blob is the same bytes
    ::unlink(src.c_str());
    return {};
  }
  if (durable_) {
    int fd = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? Fail(Errc::kBlobUploadUnknown) : Sys("open", src);
    auto r = fileio::FsyncFd(fd);
    ::close(fd);
    if (!r) return r;
  }
  std::string dir = fileio::DirName(dst);
  if (auto r = fileio::MakeDirs(dir); !r) return r;
  if (::rename(src.c_str(), dst.c_str()) != 0) return Sys("rename", src);
  if (durable_) return fileio::FsyncDir(dir);
  return {};
}

Result<void> FsDriver::DeleteUpload(const std::string& id) {
  if (!ValidUploadId(id)) return Fail(Errc::kBlobUploadUnknown);
  if (::unlink(UploadPath(id).c_str()) != 0 && errno != ENOENT) return Sys("unlink", UploadPath(id));
  return {};
}

Result<std::optional<int64_t>> FsDriver::Stat(const Digest& digest) {
  struct stat st{};
  if (::stat(BlobPath(digest).c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<int64_t>{};
    return Sys("stat", BlobPath(digest));
  }
  return std::optional<int64_t>(st.st_size);
}

Result<std::unique_ptr<BlobReader>> FsDriver::Open(const Digest& digest) {
  return OpenReader(BlobPath(digest), Errc::kBlobUnknown);
}

// Into the trash under the digest's name (a later delete of the same digest replaces it). Not
// fsynced: a crash that forgets the rename leaves the file in blobs/ without a row, an orphan the
// next GC run collects.
// The file is looked up first: that reads its inode from the disk, when it is not cached, under
// the directory's shared lock only. A rename between directories holds the filesystem's one
// rename lock, which every upload commit (uploads/ → blobs/) needs too, and it must not wait for
// the disk while holding it: measured on ext4, GC renames of cold files made pushes wait in
// rename and doubled their p99.
Result<void> FsDriver::Delete(const Digest& digest) {
  std::string path = BlobPath(digest);
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return errno == ENOENT ? Result<void>{} : Sys("stat", path);
  std::string to = TrashDir() + "/" + digest.algorithm() + "-" + digest.hex();
  if (::rename(path.c_str(), to.c_str()) != 0 && errno != ENOENT) return Sys("rename", path);
  return {};
}

Result<FsDriver::Reclaimed> FsDriver::Reclaim(const std::function<bool()>& stop) {
  Reclaimed out;
  DIR* dir = ::opendir(TrashDir().c_str());
  if (!dir) return errno == ENOENT ? Result<Reclaimed>(out) : Sys("opendir", TrashDir());
  int dfd = ::dirfd(dir);
  while (!stop()) {
    errno = 0;
    dirent* e = ::readdir(dir);
    if (!e) break;
    if (e->d_name[0] == '.') continue;
    struct stat st{};
    if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::unlinkat(dfd, e->d_name, 0) != 0) continue;  // raced with a replacing Delete: fine
    out.files++;
    out.bytes += st.st_size;
  }
  ::closedir(dir);
  return out;
}

}  // namespace berth::blob
