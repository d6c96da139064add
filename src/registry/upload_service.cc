#include "registry/upload_service.h"

#include <openssl/rand.h>
#include <unistd.h>

#include "base/clock.h"
#include "blob/digest_locks.h"

namespace berth::registry {
namespace {

std::string NewUploadId() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 15]);
  }
  return s;
}

}  // namespace

UploadLease::~UploadLease() {
  if (svc_) svc_->Release(*this);
}

Result<void> UploadLease::Append(const char* data, size_t len) {
  if (len == 0) return {};
  auto r = writer_->Append(data, len);
  if (!r) {
    (void)writer_->Truncate(size_);
    return r;
  }
  hasher_.Update(data, len);
  size_ += static_cast<int64_t>(len);
  return {};
}

Result<UploadStatus> UploadService::Start(const std::string& repository) {
  std::string id = NewUploadId();
  if (auto r = driver_.CreateUpload(id); !r) return std::unexpected(r.error());
  int64_t now = NowUnixSeconds();
  if (auto r = uploads_.Create({id, repository, now, now}); !r) {
    (void)driver_.DeleteUpload(id);
    return std::unexpected(r.error());
  }
  return UploadStatus{id, repository, 0};
}

Result<UploadStatus> UploadService::Status(const std::string& repository, const std::string& id) {
  auto rec = uploads_.Find(id);
  if (!rec) return std::unexpected(rec.error());
  if (!*rec || (*rec)->repository != repository) return Fail(Errc::kBlobUploadUnknown);
  auto size = driver_.UploadSize(id);
  if (!size) return std::unexpected(size.error());
  return UploadStatus{id, repository, *size};
}

Result<Hasher> UploadService::Rehash(const std::string& id, std::string_view algorithm, int64_t size) {
  auto reader = driver_.ReadUpload(id);
  if (!reader) return std::unexpected(reader.error());
  Hasher h(algorithm);
  std::string buf(1 << 20, '\0');
  int64_t off = 0;
  while (off < size) {
    size_t want = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(buf.size()), size - off));
    ssize_t n = ::pread((*reader)->fd(), buf.data(), want, off);
    if (n <= 0) return Fail(Errc::kInternal, "short read while re-hashing upload " + id);
    h.Update(buf.data(), static_cast<size_t>(n));
    off += n;
  }
  return h;
}

Result<std::unique_ptr<UploadLease>> UploadService::Lease(const std::string& repository, const std::string& id,
                                                          const std::optional<ContentRange>& range) {
  std::optional<Hasher> parked_hasher;
  int64_t parked_size = -1;
  {
    std::lock_guard lock(mu_);
    if (active_ >= opt_.max_concurrent) return Fail(Errc::kTooManyRequests, "too many concurrent uploads");
    auto& p = parked_[id];
    if (p.leased) return Fail(Errc::kBlobUploadInvalid, "another request is writing to this upload");
    p.leased = true;
    ++active_;
    if (p.hasher) {
      parked_hasher = std::move(p.hasher);
      p.hasher.reset();
      parked_size = p.size;
    }
  }
  auto unlease = [&] {
    std::lock_guard lock(mu_);
    --active_;
    parked_.erase(id);
  };
  auto status = Status(repository, id);
  if (!status) {
    unlease();
    return std::unexpected(status.error());
  }
  if (range && range->start != status->size) {
    unlease();
    return Fail(Errc::kRangeInvalid, "content range starts at " + std::to_string(range->start) +
                                         " but the upload has " + std::to_string(status->size) + " bytes");
  }
  auto writer = driver_.OpenUpload(id);
  if (!writer) {
    unlease();
    return std::unexpected(writer.error());
  }
  Hasher hasher;
  if (parked_hasher && parked_size == status->size) {
    hasher = std::move(*parked_hasher);
  } else {
    auto h = Rehash(id, "sha256", status->size);
    if (!h) {
      unlease();
      return std::unexpected(h.error());
    }
    hasher = std::move(*h);
  }
  return std::unique_ptr<UploadLease>(
      new UploadLease(this, id, repository, std::move(*writer), std::move(hasher), status->size));
}

void UploadService::Release(UploadLease& lease) {
  std::lock_guard lock(mu_);
  --active_;
  if (lease.finished_) {
    parked_.erase(lease.id_);
    return;
  }
  auto& p = parked_[lease.id_];
  p.leased = false;
  p.hasher = std::move(lease.hasher_);
  p.size = lease.size_;
}

Result<Digest> UploadService::Complete(UploadLease& lease, const Digest& expected, const store::EventContext* events) {
  lease.writer_.reset();  // close the append handle before commit
  Digest actual;
  if (expected.algorithm() == lease.hasher_.algorithm()) {
    actual = lease.hasher_.Peek();
  } else {
    auto h = Rehash(lease.id_, expected.algorithm(), lease.size_);
    if (!h) return std::unexpected(h.error());
    actual = h->Peek();
  }
  lease.finished_ = true;
  if (actual != expected) {
    (void)driver_.DeleteUpload(lease.id_);
    (void)uploads_.Remove(lease.id_);
    return Fail(Errc::kDigestInvalid, "digest " + expected.str() + " does not match uploaded content (" +
                                          actual.str() + ")");
  }
  {
    // The file and then its row, while no garbage collector deletes this digest's file.
    std::lock_guard digest_lock(blob::DigestLocks::Process().For(actual));
    if (auto r = driver_.CommitUpload(lease.id_, actual); !r) return std::unexpected(r.error());
    if (auto r = blobs_.Commit(lease.repo_, actual, lease.size_, events); !r) {
      if (r.error().code == Errc::kDenied) (void)uploads_.Remove(lease.id_);  // the bytes stay unreferenced
      return std::unexpected(r.error());
    }
  }
  (void)uploads_.Remove(lease.id_);
  return actual;
}

Result<void> UploadService::Cancel(const std::string& repository, const std::string& id) {
  auto status = Status(repository, id);
  if (!status) return std::unexpected(status.error());
  {
    std::lock_guard lock(mu_);
    auto it = parked_.find(id);
    if (it != parked_.end() && it->second.leased)
      return Fail(Errc::kBlobUploadInvalid, "another request is writing to this upload");
    parked_.erase(id);
  }
  if (auto r = uploads_.Remove(id); !r) return r;
  return driver_.DeleteUpload(id);
}

}  // namespace berth::registry
