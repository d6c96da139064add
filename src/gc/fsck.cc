#include "gc/fsck.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "base/clock.h"
#include "blob/digest_locks.h"

namespace berth::gc {
namespace {

Result<Digest> HashOf(blob::BlobDriver& driver, const Digest& d) {
  auto reader = driver.Open(d);
  if (!reader) return std::unexpected(reader.error());
  Hasher h(d.algorithm());
  std::string buf(1 << 20, '\0');
  int64_t off = 0;
  for (;;) {
    ssize_t n = ::pread((*reader)->fd(), buf.data(), buf.size(), off);
    if (n < 0) return Fail(Errc::kInternal, "read error");
    if (n == 0) break;
    h.Update(buf.data(), static_cast<size_t>(n));
    off += n;
  }
  return h.Peek();
}

int64_t Mtime(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : 0;
}

}  // namespace

FsckReport Fsck(store::GcStore& store, blob::BlobDriver& driver, const FsckOptions& opt, std::ostream& out) {
  namespace fs = std::filesystem;
  FsckReport rep;
  auto problem = [&](const std::string& what) {
    rep.problems++;
    out << "PROBLEM " << what << "\n";
  };
  auto repaired = [&](const std::string& what) {
    rep.repaired++;
    out << "REPAIRED " << what << "\n";
  };
  auto fail = [&](const Error& e) {
    problem("store: " + std::string(e.Message()));
    return rep;
  };

  auto mismatches = store.RefCountMismatches();
  if (!mismatches) return fail(mismatches.error());
  for (const auto& m : *mismatches) {
    std::string what = "ref_count of " + m.digest + " is " + std::to_string(m.stored) + ", " +
                       std::to_string(m.actual) + " manifests reference it";
    if (opt.repair) repaired(what);
    else problem(what);
  }
  if (opt.repair && !mismatches->empty())
    if (auto r = store.FixRefCounts(); !r) return fail(r.error());

  auto dangling = store.DanglingReferences();
  if (!dangling) return fail(dangling.error());
  for (const auto& d : *dangling)
    problem("dangling reference: " + d.repository + "@" + d.manifest + " references " + d.blob + ", which has no row");

  std::string after;
  for (;;) {
    auto rows = store.ListBlobRows(after, 1000);
    if (!rows) return fail(rows.error());
    if (rows->empty()) break;
    for (const auto& row : *rows) {
      const auto& b = row.blob;
      after = b.digest.str();
      rep.blobs_checked++;
      auto size = driver.Stat(b.digest);
      std::string bad;
      if (!size) bad = "unreadable: " + std::string(size.error().Message());
      else if (!*size) bad = "missing file";
      else if (**size != b.size) bad = "file has " + std::to_string(**size) + " bytes, the row says " + std::to_string(b.size);
      else {
        auto h = HashOf(driver, b.digest);
        if (!h) bad = "unreadable: " + std::string(h.error().Message());
        else if (*h != b.digest) bad = "content hashes to " + h->str();
      }
      if (bad.empty()) continue;
      std::string what = "blob " + b.digest.str() + ": " + bad;
      if (opt.repair && row.ref_count == 0) {
        std::lock_guard lock(blob::DigestLocks::Process().For(b.digest));
        auto del = store.DeleteUnreferencedBlobRow(b.digest);
        if (del && *del) {
          (void)driver.Delete(b.digest);
          repaired(what + " (unreferenced: row and file deleted)");
          continue;
        }
      }
      problem(what + (row.ref_count > 0 ? " (referenced by " + std::to_string(row.ref_count) + " manifests)" : ""));
    }
  }

  int64_t now = NowUnixSeconds();
  auto known = store.BlobDigests();
  if (!known) return fail(known.error());
  std::error_code ec;
  for (fs::recursive_directory_iterator it(opt.root + "/blobs", ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto& path = it->path();
    auto digest = Digest::Parse(path.parent_path().parent_path().filename().string() + ":" + path.filename().string());
    if (!digest) {
      problem("unexpected file " + path.string());
      continue;
    }
    if (known->contains(digest->str())) continue;
    std::string what = "orphan file " + digest->str() + " (no row)";
    if (Mtime(path.string()) >= now - opt.grace_seconds) {
      out << "NOTE " << what << " is within the grace window (an upload in progress?)\n";
      continue;
    }
    if (opt.repair) {
      std::lock_guard lock(blob::DigestLocks::Process().For(*digest));
      auto exists = store.BlobRowExists(*digest);
      if (exists && !*exists && driver.Delete(*digest)) {
        repaired(what + ": deleted");
        continue;
      }
    }
    problem(what);
  }
  auto ids = store.UploadIds();
  if (!ids) return fail(ids.error());
  for (fs::directory_iterator it(opt.root + "/uploads", ec), end; !ec && it != end; it.increment(ec)) {
    std::string id = it->path().filename().string();
    if (ids->contains(id)) continue;
    if (Mtime(it->path().string()) >= now - opt.upload_expiry_seconds) continue;
    std::string what = "upload file " + id + " without a session";
    if (opt.repair && driver.DeleteUpload(id)) repaired(what + ": deleted");
    else problem(what);
  }
  if (opt.repair) {  // the files deleted above (and any a crashed GC left) leave the trash
    auto r = driver.Reclaim([] { return false; });
    if (r && r->files) out << "reclaimed " << r->bytes << " bytes of " << r->files << " deleted files\n";
  }
  out << "checked " << rep.blobs_checked << " blobs: " << rep.problems << " problems, " << rep.repaired
      << " repaired\n";
  return rep;
}

}  // namespace berth::gc
