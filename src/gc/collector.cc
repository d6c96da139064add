#include "gc/collector.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/clock.h"

namespace berth::gc {
namespace {

using Json = nlohmann::json;

std::optional<int64_t> MtimeSeconds(const std::string& path, int64_t* size = nullptr) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if (size) *size = st.st_size;
  return static_cast<int64_t>(st.st_mtime);
}

}  // namespace

Result<GcParams> ParseParams(const std::string& text) {
  GcParams p;
  Json j = Json::parse(text.empty() ? "{}" : text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Fail(Errc::kBadRequest, "parameters must be a JSON object");
  for (auto [key, field] : {std::pair{"delete_untagged", &GcParams::delete_untagged},
                            std::pair{"dry_run", &GcParams::dry_run}}) {
    if (!j.contains(key) || j[key].is_null()) continue;
    if (!j[key].is_boolean()) return Fail(Errc::kBadRequest, std::string("parameters.") + key + " must be a boolean");
    p.*field = j[key].get<bool>();
  }
  if (j.contains("workers") && !j["workers"].is_null()) {
    if (!j["workers"].is_number_integer()) return Fail(Errc::kBadRequest, "parameters.workers must be an integer");
    int64_t w = j["workers"].get<int64_t>();
    if (w < 1 || w > 10) return Fail(Errc::kBadRequest, "parameters.workers must be between 1 and 10");
    p.workers = static_cast<int>(w);
  }
  return p;
}

std::string ParamsJson(const GcParams& p) {
  Json j;
  j["delete_untagged"] = p.delete_untagged;
  j["dry_run"] = p.dry_run;
  j["workers"] = p.workers;
  return j.dump();
}

jobs::Outcome Collector::Handle(const store::JobRecord& job, const jobs::JobContext& ctx) {
  Json payload = Json::parse(job.payload, nullptr, false);
  if (payload.is_discarded() || !payload.contains("run_id") || !payload["run_id"].is_number_integer())
    return jobs::Outcome::Fail("gc job without run_id");
  int64_t run_id = payload["run_id"].get<int64_t>();
  bool shutting_down = false;
  auto stop = [&]() {
    if (ctx.Stopping() || ctx.LeaseLost()) {
      shutting_down = true;
      return true;
    }
    auto run = store_.GetRun(run_id);
    return run && *run && (*run)->stop_requested;
  };
  auto r = Run(run_id, stop);
  if (shutting_down) return jobs::Outcome::RetryAfter(std::chrono::milliseconds(0), "server stopping; run resumes");
  if (!r) return jobs::Outcome::Fail(std::string(r.error().Message()));
  return jobs::Outcome::Done();
}

Result<void> Collector::Run(int64_t run_id, const std::function<bool()>& stop) {
  auto run = store_.GetRun(run_id);
  if (!run) return std::unexpected(run.error());
  if (!*run) return {};  // deleted meanwhile
  const auto& rec = **run;
  if (rec.status == "Success" || rec.status == "Error" || rec.status == "Stopped") return {};
  if (rec.stop_requested) return store_.SetStatus(run_id, "Stopped");
  auto params = ParseParams(rec.parameters);
  if (!params) {
    (void)store_.Record(run_id, {0, 0, 0, 0, 0, 1}, {"error: " + std::string(params.error().Message())});
    (void)store_.SetStatus(run_id, "Error");
    return std::unexpected(params.error());
  }
  bool resumed = rec.status == "Running";
  if (auto r = store_.SetStatus(run_id, "Running"); !r) return r;
  if (!params->dry_run) Reclaim(run_id, stop);  // what a crash or a stop left in the trash
  auto t0 = std::chrono::steady_clock::now();
  int64_t cutoff = NowUnixSeconds() - opt_.grace_seconds;
  (void)store_.Record(run_id, {},
                      {std::string(resumed ? "resume" : "start") + ": parameters " + ParamsJson(*params) +
                       ", grace window " + std::to_string(opt_.grace_seconds) + " s (cutoff " +
                       std::to_string(cutoff) + ")"});
  bool stopped = false;
  // Rows and files on the normal-priority thread (see base/worker_thread.h): its batches hold the
  // store's writer and its renames the filesystem's rename lock, both of which pushes wait for.
  // The reclaims before and after stay on this (niced) job thread: they need neither.
  Result<void> r;
  normal_.Call([&] {
    MarkThisThreadBackground();  // its batches let waiting pushes take the writer first
    r = params->dry_run ? RunDry(run_id, *params, cutoff) : RunReal(run_id, *params, cutoff, stop, stopped);
  });
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  if (!r) {
    (void)store_.Record(run_id, {0, 0, 0, 0, 0, 1}, {"error: " + std::string(r.error().Message())});
    (void)store_.SetStatus(run_id, "Error");
    spdlog::warn("gc run={} failed error={}", run_id, std::string(r.error().Message()));
    return r;
  }
  auto done = store_.GetRun(run_id);
  std::string summary = "end";
  if (done && *done) {
    const auto& c = (*done)->done;
    summary = std::string(params->dry_run ? "dry run: would delete " : "done: deleted ") + std::to_string(c.manifests) +
              " manifests, " + std::to_string(c.blobs) + " blobs, " + std::to_string(c.orphans) + " orphan files, " +
              std::to_string(c.uploads) + " uploads; " + std::to_string(c.bytes) + " bytes " +
              (params->dry_run ? "freeable" : "freed") + "; " + std::to_string(c.errors) + " errors; " +
              std::to_string(ms) + " ms";
    spdlog::info("gc run={} {}", run_id, summary);
  }
  if (stopped) summary = "stopped; " + summary;
  (void)store_.Record(run_id, {}, {summary});
  // A server shutdown leaves the run Running: the job is retried and the run carries on.
  if (stopped) {
    auto now = store_.GetRun(run_id);
    if (now && *now && !(*now)->stop_requested) return {};
    return store_.SetStatus(run_id, "Stopped");
  }
  auto done_status = store_.SetStatus(run_id, "Success");
  // The run is over for the registry (rows gone, files out of the store); giving the disk space
  // back is unlink-bound and happens now, on this job's (niced) thread, before the next run.
  if (!params->dry_run) Reclaim(run_id, stop);
  return done_status;
}

Result<void> Collector::RunReal(int64_t run_id, const GcParams& p, int64_t cutoff,
                                const std::function<bool()>& stop, bool& stopped) {
  if (p.delete_untagged) {
    for (;;) {
      if (stop()) return stopped = true, Result<void>{};
      auto batch = store_.DeleteUntagged(run_id, cutoff, {opt_.batch_size, opt_.batch_hold});
      if (!batch) return std::unexpected(batch.error());
      if (batch->empty()) break;
    }
  }
  std::string after;
  for (;;) {
    if (stop()) return stopped = true, Result<void>{};
    auto batch = store_.SweepBlobs(run_id, cutoff, after, {opt_.batch_size, opt_.batch_hold});
    if (!batch) return std::unexpected(batch.error());
    if (batch->empty()) break;
    after = batch->back().digest.str();
    store::GcCounters d;
    std::vector<std::string> lines;
    DeleteFiles(*batch, p.workers, d, lines);
    if (d.errors || !lines.empty())
      if (auto r = store_.Record(run_id, d, lines); !r) return r;
  }
  if (stop()) return stopped = true, Result<void>{};
  store::GcCounters total;
  return Stray(run_id, cutoff, false, total);
}

Result<void> Collector::RunDry(int64_t run_id, const GcParams& p, int64_t cutoff) {
  auto plan = store_.Plan(cutoff, p.delete_untagged);
  if (!plan) return std::unexpected(plan.error());
  store::GcCounters c;
  std::vector<std::string> lines;
  for (const auto& m : plan->manifests) {
    c.manifests++;
    lines.push_back("would delete artifact " + m.repository + "@" + m.digest + ": untagged");
  }
  for (const auto& b : plan->blobs) {
    c.blobs++;
    c.bytes += b.size;
    lines.push_back("would delete blob " + b.digest.str() + ": " + std::to_string(b.size) + " bytes, unreferenced");
  }
  if (auto r = store_.Record(run_id, {}, lines); !r) return r;
  if (auto r = Stray(run_id, cutoff, true, c); !r) return r;
  return store_.SetCounters(run_id, c);
}

// In chunks: each chunk's digest locks are held while one query re-checks which rows came back
// (an upload of the same bytes meanwhile) and the others' files are deleted, so a file is never
// deleted under a row being created, at one read per chunk instead of one per blob.
void Collector::DeleteFiles(const std::vector<store::BlobRecord>& blobs, int workers, store::GcCounters& d,
                            std::vector<std::string>& lines) {
  constexpr size_t kChunk = 64;
  std::mutex mu;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t at = next.fetch_add(kChunk); at < blobs.size(); at = next.fetch_add(kChunk)) {
      std::vector<Digest> chunk;
      for (size_t i = at; i < std::min(blobs.size(), at + kChunk); ++i) chunk.push_back(blobs[i].digest);
      std::vector<std::string> out;
      int64_t errors = 0;
      {
        blob::DigestLocks::Many hold(locks_, chunk);
        auto back = store_.BlobRowsAmong(chunk);
        if (!back) {
          errors += static_cast<int64_t>(chunk.size());
          out.push_back("error: re-check of " + std::to_string(chunk.size()) + " blobs: " +
                        std::string(back.error().Message()) + "; their files stay for the orphan sweep");
        } else {
          for (const auto& digest : chunk) {
            if (back->contains(digest.str())) {
              out.push_back("keep file of blob " + digest.str() + ": uploaded again during the run");
            } else if (auto r = driver_.Delete(digest); !r) {
              errors++;
              out.push_back("error: delete file of blob " + digest.str() + ": " + std::string(r.error().Message()));
            }
          }
        }
      }
      if (out.empty()) continue;
      std::lock_guard g(mu);
      for (auto& l : out) lines.push_back(std::move(l));
      d.errors += errors;
    }
  };
  int n = std::max(1, std::min<int>(workers, static_cast<int>(blobs.size() / kChunk) + 1));
  if (n == 1) {
    work();
    return;
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(work);
  for (auto& t : threads) t.join();
}

void Collector::Reclaim(int64_t run_id, const std::function<bool()>& stop) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = driver_.Reclaim(stop);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  if (!r) {
    spdlog::warn("gc reclaim failed run={} error={}", run_id, std::string(r.error().Message()));
    (void)store_.Record(run_id, {}, {"reclaim: " + std::string(r.error().Message())});
    return;
  }
  if (r->files == 0) return;
  spdlog::info("gc reclaimed run={} files={} bytes={} ms={}", run_id, r->files, r->bytes, ms);
  (void)store_.Record(run_id, {}, {"reclaim: gave " + std::to_string(r->bytes) + " bytes of " +
                                   std::to_string(r->files) + " deleted files back to the filesystem in " +
                                   std::to_string(ms) + " ms"});
}

Result<void> Collector::Stray(int64_t run_id, int64_t cutoff, bool dry, store::GcCounters& total) {
  namespace fs = std::filesystem;
  int64_t upload_cutoff = NowUnixSeconds() - opt_.upload_expiry_seconds;
  store::GcCounters d;
  std::vector<std::string> lines;
  auto flush = [&]() -> Result<void> {
    if (dry) {
      total += d;
      d = {};
      return store_.Record(run_id, {}, std::exchange(lines, {}));
    }
    auto r = store_.Record(run_id, d, std::exchange(lines, {}));
    total += d;
    d = {};
    return r;
  };
  // Upload sessions left idle.
  {
    std::unordered_set<std::string> seen;
    for (;;) {
      auto expired = store_.ExpiredUploads(upload_cutoff, opt_.batch_size);
      if (!expired) return std::unexpected(expired.error());
      size_t fresh = 0;
      for (const auto& u : *expired) {
        if (!seen.insert(u.id).second) continue;
        ++fresh;
        if (!dry) {
          auto removed = store_.RemoveExpiredUpload(u.id, upload_cutoff);
          if (!removed) return std::unexpected(removed.error());
          if (!*removed) continue;
          (void)driver_.DeleteUpload(u.id);
        }
        d.uploads++;
        lines.push_back(std::string(dry ? "would delete" : "delete") + " upload session " + u.id + " of " +
                        u.repository + ": idle since " + std::to_string(u.updated_at));
      }
      if (auto r = flush(); !r) return r;
      if (fresh == 0 || dry) break;
    }
  }
  std::error_code ec;
  // Upload files no session knows.
  {
    auto ids = store_.UploadIds();
    if (!ids) return std::unexpected(ids.error());
    for (fs::directory_iterator it(opt_.root + "/uploads", ec), end; !ec && it != end; it.increment(ec)) {
      std::string id = it->path().filename().string();
      if (ids->contains(id)) continue;
      auto mtime = MtimeSeconds(it->path().string());
      if (!mtime || *mtime >= upload_cutoff) continue;
      if (!dry) {
        auto again = store_.UploadIds();  // a session created after the first read
        if (!again) return std::unexpected(again.error());
        if (again->contains(id)) continue;
        (void)driver_.DeleteUpload(id);
      }
      d.uploads++;
      lines.push_back(std::string(dry ? "would delete" : "delete") + " upload file " + id + ": no session");
    }
    if (auto r = flush(); !r) return r;
  }
  // Blob files no row knows.
  auto known = store_.BlobDigests();
  if (!known) return std::unexpected(known.error());
  for (fs::recursive_directory_iterator it(opt_.root + "/blobs", ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const auto& path = it->path();
    std::string algorithm = path.parent_path().parent_path().filename().string();
    auto digest = Digest::Parse(algorithm + ":" + path.filename().string());
    if (!digest || known->contains(digest->str())) continue;
    int64_t size = 0;
    auto mtime = MtimeSeconds(path.string(), &size);
    if (!mtime || *mtime >= cutoff) continue;
    if (!dry) {
      std::lock_guard lock(locks_.For(*digest));
      auto exists = store_.BlobRowExists(*digest);
      if (!exists) return std::unexpected(exists.error());
      if (*exists) continue;
      if (auto r = driver_.Delete(*digest); !r) {
        d.errors++;
        lines.push_back("error: delete orphan file " + digest->str() + ": " + std::string(r.error().Message()));
        continue;
      }
    }
    d.orphans++;
    d.bytes += size;
    lines.push_back(std::string(dry ? "would delete" : "delete") + " orphan file " + digest->str() + ": " +
                    std::to_string(size) + " bytes, no row");
    if (static_cast<int>(lines.size()) >= opt_.batch_size)
      if (auto r = flush(); !r) return r;
  }
  return flush();
}

}  // namespace berth::gc
