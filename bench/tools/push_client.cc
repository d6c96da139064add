// berth_bench_push: a libcurl load client for the Berth benchmark harness (bench/run.py).
//
// Modes
//   push  Many small-image pushes at once. Each push uploads a layer and a config blob
//         (monolithic POST /blobs/uploads/?digest=; a 202 answer falls back to the
//         PUT <Location>?digest= that the OCI spec requires clients to support), then PUTs
//         an OCI image manifest by tag. Pushes run concurrently on one curl multi handle per
//         thread; connections are kept alive and reused.
//   tags  Pushes one small image, then PUTs its manifest under --count tags (the timed part).
//   seed  Fills --projects existing projects (PREFIX000, PREFIX001, ...) with --repos repositories
//         each (PREFIXppp/repoRRR), --artifacts distinct image manifests per repository and --tags
//         tags per manifest (vA.T), as Harbor's performance suite does. One tiny layer is pushed
//         once and cross-repository mounted (POST ?mount=&from=) into every other repository; each
//         artifact gets its own config blob (so digests differ), uploaded with POST ?digest=, and
//         its manifest is PUT once per tag. Each repository is one sequential job; --concurrency
//         repositories are in flight at once. Progress goes to stderr every 5 s.
//
// --user USER:PASSWORD sends HTTP Basic credentials on every request (Berth requires them on /v2;
// a registry without auth ignores the header).
//
// All payloads are generated and hashed before the clock starts. Prints one JSON object on
// stdout; exits 1 if any request failed.
#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kConfigType = "application/vnd.oci.image.config.v1+json";
constexpr const char* kLayerType = "application/vnd.oci.image.layer.v1.tar+gzip";

struct Options {
  std::string mode;
  std::string url = "http://127.0.0.1:5000";
  std::string prefix = "bench/push";
  std::string repo = "bench/tags";
  std::string user;  // USER:PASSWORD for HTTP Basic; empty: no credentials
  int count = 200;
  int concurrency = 200;
  int repos = 20;
  int threads = 2;
  int layer_size = 4096;
  long timeout_s = 120;
  unsigned seed = 0;
  // seed mode
  std::string project_prefix = "perf";
  int projects = 100;
  int artifacts = 10;
  int tags = 5;
};

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

std::string Base64(const std::string& in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += i + 1 < in.size() ? tbl[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

struct Blob {
  std::string data;
  std::string digest;
};

struct Image {
  std::string repo;
  std::string tag;
  Blob layer;
  Blob config;
  std::string manifest;
};

Image MakeImage(std::mt19937_64& rng, const std::string& repo, const std::string& tag, int layer_size,
                const std::string& nonce) {
  Image img;
  img.repo = repo;
  img.tag = tag;
  // Layer: random bytes, size varied a little around layer_size ("a few KiB").
  std::uniform_int_distribution<int> jitter(-layer_size / 4, layer_size / 4);
  size_t n = static_cast<size_t>(std::max(64, layer_size + jitter(rng)));
  img.layer.data.resize(n);
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    std::memcpy(&img.layer.data[i], &v, std::min<size_t>(8, n - i));
  }
  img.layer.digest = Sha256Hex(img.layer.data);
  img.config.data = std::string(R"({"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[")") +
                    img.layer.digest + R"("]},"history":[{"created_by":"berth bench )" + nonce + R"("}]})";
  img.config.digest = Sha256Hex(img.config.data);
  img.manifest = std::string(R"({"schemaVersion":2,"mediaType":")") + kManifestType + R"(","config":{"mediaType":")" +
                 kConfigType + R"(","digest":")" + img.config.digest + R"(","size":)" +
                 std::to_string(img.config.data.size()) + R"(},"layers":[{"mediaType":")" + kLayerType +
                 R"(","digest":")" + img.layer.digest + R"(","size":)" + std::to_string(img.layer.data.size()) +
                 "}]}";
  return img;
}

// One HTTP request of a job.
struct Request {
  std::string method;
  std::string url;
  const std::string* body = nullptr;  // not owned
  const char* content_type = nullptr;
};

struct Stats {
  std::mutex mu;
  long requests = 0;
  long post_201 = 0;       // monolithic POST accepted in one request
  long post_202_put = 0;   // POST answered 202, finished with PUT ?digest=
  long failures = 0;
  std::vector<double> job_ms;
  std::vector<std::string> errors;
};

// A job is a small state machine: push (blob, blob, manifest) or one tag PUT.
struct Job {
  const Image* img = nullptr;
  bool tag_only = false;
  std::string tag;  // tag_only: the tag to PUT
  int step = 0;     // push: 0 layer POST, 1 layer PUT, 2 config POST, 3 config PUT, 4 manifest PUT, 5 done
  bool failed = false;
  Clock::time_point start;
  // per-transfer
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string location;
  std::string resp_body;
  Request req;
};

std::string g_base;  // http://host:port
std::string g_auth;  // "Authorization: Basic ..." header line, or empty

std::string Absolute(const std::string& loc) {
  if (loc.rfind("http://", 0) == 0 || loc.rfind("https://", 0) == 0) return loc;
  if (!loc.empty() && loc[0] == '/') return g_base + loc;
  return g_base + "/" + loc;
}

std::string WithDigest(const std::string& url, const std::string& digest) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest;
}

size_t HeaderCb(char* buf, size_t size, size_t n, void* ud) {
  auto* job = static_cast<Job*>(ud);
  size_t len = size * n;
  std::string line(buf, len);
  if (line.size() > 9 && strncasecmp(line.c_str(), "location:", 9) == 0) {
    std::string v = line.substr(9);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(v.begin());
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
    job->location = v;
  }
  return len;
}

size_t WriteCb(char* buf, size_t size, size_t n, void* ud) {
  auto* job = static_cast<Job*>(ud);
  size_t len = size * n;
  if (job->resp_body.size() < 512) job->resp_body.append(buf, std::min<size_t>(len, 512 - job->resp_body.size()));
  return len;
}

// Sets up job->req for job->step. Returns false when the job is complete.
bool PlanStep(Job& job) {
  const Image& img = *job.img;
  const std::string base = g_base + "/v2/" + img.repo;
  if (job.tag_only) {
    if (job.step > 0) return false;
    job.req = {"PUT", base + "/manifests/" + job.tag, &img.manifest, kManifestType};
    return true;
  }
  switch (job.step) {
    case 0:
      job.req = {"POST", WithDigest(base + "/blobs/uploads/", img.layer.digest), &img.layer.data,
                 "application/octet-stream"};
      return true;
    case 1:
      job.req = {"PUT", WithDigest(Absolute(job.location), img.layer.digest), &img.layer.data,
                 "application/octet-stream"};
      return true;
    case 2:
      job.req = {"POST", WithDigest(base + "/blobs/uploads/", img.config.digest), &img.config.data,
                 "application/octet-stream"};
      return true;
    case 3:
      job.req = {"PUT", WithDigest(Absolute(job.location), img.config.digest), &img.config.data,
                 "application/octet-stream"};
      return true;
    case 4:
      job.req = {"PUT", base + "/manifests/" + img.tag, &img.manifest, kManifestType};
      return true;
    default:
      return false;
  }
}

void Arm(Job& job, long timeout_s) {
  CURL* e = job.easy;
  curl_easy_reset(e);
  job.location.clear();
  job.resp_body.clear();
  if (job.headers) curl_slist_free_all(job.headers);
  job.headers = nullptr;
  job.headers = curl_slist_append(job.headers, "Expect:");
  std::string ct = std::string("Content-Type: ") + job.req.content_type;
  job.headers = curl_slist_append(job.headers, ct.c_str());
  if (!g_auth.empty()) job.headers = curl_slist_append(job.headers, g_auth.c_str());
  curl_easy_setopt(e, CURLOPT_URL, job.req.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, job.headers);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, job.req.body->data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(job.req.body->size()));
  if (job.req.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, job.req.method.c_str());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, HeaderCb);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &job);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, WriteCb);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &job);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &job);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout_s);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
}

// Runs jobs [0, jobs.size()) with at most `concurrency` in flight on one multi handle.
void RunJobs(std::vector<Job>& jobs, int concurrency, long timeout_s, Stats& stats) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(concurrency));
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(concurrency));
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
  size_t next = 0;
  int in_flight = 0;
  std::vector<CURL*> idle;
  for (int i = 0; i < concurrency; ++i) idle.push_back(curl_easy_init());
  std::vector<double> local_ms;
  long local_req = 0, p201 = 0, p202 = 0, fails = 0;
  std::vector<std::string> errs;

  auto start_job = [&](Job& job) {
    job.easy = idle.back();
    idle.pop_back();
    job.start = Clock::now();
    job.step = 0;
    PlanStep(job);
    Arm(job, timeout_s);
    curl_multi_add_handle(multi, job.easy);
    ++in_flight;
  };
  auto finish_job = [&](Job& job) {
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - job.start).count();
    if (!job.failed) local_ms.push_back(ms);
    if (job.failed) ++fails;
    idle.push_back(job.easy);
    job.easy = nullptr;
    if (job.headers) curl_slist_free_all(job.headers);
    job.headers = nullptr;
    --in_flight;
  };

  while (next < jobs.size() && in_flight < concurrency) start_job(jobs[next++]);
  while (in_flight > 0) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int msgs = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &msgs)) {
      if (m->msg != CURLMSG_DONE) continue;
      Job* job = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&job));
      curl_multi_remove_handle(multi, m->easy_handle);
      ++local_req;
      long status = 0;
      curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      bool ok = m->data.result == CURLE_OK;
      std::string what;
      if (!ok) what = curl_easy_strerror(m->data.result);
      int next_step = -1;
      if (ok) {
        if (job->tag_only || job->step == 4) {
          ok = status == 201 || status == 200;
          next_step = 5;
        } else if (job->step == 0 || job->step == 2) {
          if (status == 201) {
            ++p201;
            next_step = job->step + 2;
          } else if (status == 202 && !job->location.empty()) {
            ++p202;
            next_step = job->step + 1;
          } else {
            ok = false;
          }
        } else {  // 1, 3: PUT ?digest=
          ok = status == 201;
          next_step = job->step + 1;
        }
      }
      if (!ok) {
        job->failed = true;
        if (errs.size() < 5)
          errs.push_back(job->req.method + " " + job->req.url + " -> " + std::to_string(status) + " " + what + " " +
                         job->resp_body.substr(0, 200));
        finish_job(*job);
      } else {
        job->step = job->tag_only ? 1 : next_step;
        if (PlanStep(*job)) {
          Arm(*job, timeout_s);
          curl_multi_add_handle(multi, job->easy);
        } else {
          finish_job(*job);
        }
      }
      while (next < jobs.size() && in_flight < concurrency) start_job(jobs[next++]);
    }
    if (in_flight > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  for (CURL* e : idle) curl_easy_cleanup(e);
  curl_multi_cleanup(multi);
  std::lock_guard<std::mutex> lock(stats.mu);
  stats.requests += local_req;
  stats.post_201 += p201;
  stats.post_202_put += p202;
  stats.failures += fails;
  stats.job_ms.insert(stats.job_ms.end(), local_ms.begin(), local_ms.end());
  for (auto& e : errs)
    if (stats.errors.size() < 5) stats.errors.push_back(e);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

std::string JsonEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o.push_back('\\');
      o.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      o += ' ';
    } else {
      o.push_back(c);
    }
  }
  return o;
}

// Splits jobs across threads (round robin) and runs them; returns wall seconds.
double RunThreaded(std::vector<Job>& jobs, const Options& opt, Stats& stats) {
  int threads = std::max(1, std::min(opt.threads, static_cast<int>(jobs.size())));
  std::vector<std::vector<Job>> parts(threads);
  for (size_t i = 0; i < jobs.size(); ++i) parts[i % threads].push_back(jobs[i]);
  int per_thread = std::max(1, opt.concurrency / threads);
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&, t] { RunJobs(parts[t], per_thread, opt.timeout_s, stats); });
  for (auto& t : ts) t.join();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// ---------------------------------------------------------------------------------------------
// seed mode

std::string Pad3(int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%03d", n);
  return buf;
}

Blob g_seed_layer;        // the one layer every seeded image shares
std::string g_layer_src;  // the repository it was pushed into first (mount source)

// One repository: mount the layer, then per artifact upload its config and PUT its manifest under
// each of its tags. Derives from Job so that Arm() and the libcurl callbacks serve it unchanged.
struct SeedJob : Job {
  enum Step { kMount, kLayerPut, kConfigPost, kConfigPut, kManifest, kDone };
  std::string repo;
  Step seed_step = kMount;
  int artifact = 0;
  int tag = 0;
  Blob config;
  std::string manifest;
};

void MakeArtifact(SeedJob& job) {
  job.config.data = std::string(R"({"architecture":"amd64","os":"linux","config":{"Labels":{"berth.bench":")") +
                    job.repo + "@" + std::to_string(job.artifact) +
                    R"("}},"rootfs":{"type":"layers","diff_ids":[")" + g_seed_layer.digest +
                    R"("]},"history":[{"created_by":"berth bench seed"}]})";
  job.config.digest = Sha256Hex(job.config.data);
  job.manifest = std::string(R"({"schemaVersion":2,"mediaType":")") + kManifestType + R"(","config":{"mediaType":")" +
                 kConfigType + R"(","digest":")" + job.config.digest + R"(","size":)" +
                 std::to_string(job.config.data.size()) + R"(},"layers":[{"mediaType":")" + kLayerType +
                 R"(","digest":")" + g_seed_layer.digest + R"(","size":)" +
                 std::to_string(g_seed_layer.data.size()) + "}]}";
}

const std::string kEmpty;

// Sets job.req for job.seed_step; false when the repository is done.
bool PlanSeed(SeedJob& job) {
  const std::string base = g_base + "/v2/" + job.repo;
  switch (job.seed_step) {
    case SeedJob::kMount:
      job.req = {"POST", base + "/blobs/uploads/?mount=" + g_seed_layer.digest + "&from=" + g_layer_src, &kEmpty,
                 "application/octet-stream"};
      return true;
    case SeedJob::kLayerPut:
      job.req = {"PUT", WithDigest(Absolute(job.location), g_seed_layer.digest), &g_seed_layer.data,
                 "application/octet-stream"};
      return true;
    case SeedJob::kConfigPost:
      job.req = {"POST", WithDigest(base + "/blobs/uploads/", job.config.digest), &job.config.data,
                 "application/octet-stream"};
      return true;
    case SeedJob::kConfigPut:
      job.req = {"PUT", WithDigest(Absolute(job.location), job.config.digest), &job.config.data,
                 "application/octet-stream"};
      return true;
    case SeedJob::kManifest:
      job.req = {"PUT", base + "/manifests/v" + std::to_string(job.artifact) + "." + std::to_string(job.tag),
                 &job.manifest, kManifestType};
      return true;
    case SeedJob::kDone:
      return false;
  }
  return false;
}

struct SeedStats {
  std::atomic<long> requests{0}, repos_done{0}, manifests{0}, tags{0}, mount_201{0}, post_201{0},
      post_202_put{0}, failures{0};
  std::mutex mu;
  std::vector<std::string> errors;
};

// Advances a job after a response with `status`; false (and an error recorded) on failure.
bool AdvanceSeed(SeedJob& job, long status, const Options& opt, SeedStats& st) {
  using S = SeedJob;
  auto start_artifact = [&] {
    MakeArtifact(job);
    job.tag = 0;
    job.seed_step = S::kConfigPost;
  };
  switch (job.seed_step) {
    case S::kMount:
      if (status == 201) {
        ++st.mount_201;
        start_artifact();
        return true;
      }
      if (status == 202 && !job.location.empty()) {  // mount refused: upload it instead
        job.seed_step = S::kLayerPut;
        return true;
      }
      return false;
    case S::kLayerPut:
      if (status != 201) return false;
      start_artifact();
      return true;
    case S::kConfigPost:
      if (status == 201) {
        ++st.post_201;
        job.seed_step = S::kManifest;
        return true;
      }
      if (status == 202 && !job.location.empty()) {
        ++st.post_202_put;
        job.seed_step = S::kConfigPut;
        return true;
      }
      return false;
    case S::kConfigPut:
      if (status != 201) return false;
      job.seed_step = S::kManifest;
      return true;
    case S::kManifest:
      if (status != 201 && status != 200) return false;
      ++st.tags;
      if (job.tag == 0) ++st.manifests;
      if (++job.tag < opt.tags) return true;
      if (++job.artifact < opt.artifacts) {
        start_artifact();
        return true;
      }
      job.seed_step = S::kDone;
      return true;
    case S::kDone:
      break;
  }
  return false;
}

// Runs the repositories in `jobs` with at most `concurrency` in flight on one multi handle.
void RunSeedJobs(std::vector<SeedJob>& jobs, int concurrency, const Options& opt, SeedStats& st, bool reporter,
                 Clock::time_point t0, size_t total_repos) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(concurrency));
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(concurrency));
  std::vector<CURL*> idle;
  for (int i = 0; i < concurrency; ++i) idle.push_back(curl_easy_init());
  size_t next = 0;
  int in_flight = 0;
  auto last_report = Clock::now();

  auto launch = [&](SeedJob& job) {
    if (PlanSeed(job)) {
      Arm(job, opt.timeout_s);
      curl_multi_add_handle(multi, job.easy);
      return true;
    }
    return false;
  };
  auto release = [&](SeedJob& job) {
    idle.push_back(job.easy);
    job.easy = nullptr;
    if (job.headers) curl_slist_free_all(job.headers);
    job.headers = nullptr;
    job.config = {};
    job.manifest.clear();
    --in_flight;
  };
  auto start_next = [&] {
    while (next < jobs.size() && in_flight < concurrency) {
      SeedJob& job = jobs[next++];
      job.easy = idle.back();
      idle.pop_back();
      ++in_flight;
      launch(job);
    }
  };

  start_next();
  while (in_flight > 0) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int msgs = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &msgs)) {
      if (m->msg != CURLMSG_DONE) continue;
      Job* base = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&base));
      SeedJob& job = *static_cast<SeedJob*>(base);
      curl_multi_remove_handle(multi, m->easy_handle);
      ++st.requests;
      long status = 0;
      curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      bool ok = m->data.result == CURLE_OK && AdvanceSeed(job, status, opt, st);
      if (!ok) {
        ++st.failures;
        std::lock_guard<std::mutex> lock(st.mu);
        if (st.errors.size() < 5)
          st.errors.push_back(job.req.method + " " + job.req.url + " -> " + std::to_string(status) + " " +
                              (m->data.result == CURLE_OK ? "" : curl_easy_strerror(m->data.result)) + " " +
                              job.resp_body.substr(0, 200));
        release(job);
      } else if (!launch(job)) {
        ++st.repos_done;
        release(job);
      }
      start_next();
    }
    if (reporter && Clock::now() - last_report > std::chrono::seconds(5)) {
      last_report = Clock::now();
      double s = std::chrono::duration<double>(last_report - t0).count();
      std::fprintf(stderr, "seed: %.0f s, %ld/%zu repositories, %ld manifests, %ld tags, %.0f req/s\n", s,
                   st.repos_done.load(), total_repos, st.manifests.load(), st.tags.load(), st.requests.load() / s);
    }
    if (in_flight > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  for (CURL* e : idle) curl_easy_cleanup(e);
  curl_multi_cleanup(multi);
}

// Pushes the shared layer into the first repository (one blocking request), then seeds everything.
int RunSeed(const Options& opt) {
  std::mt19937_64 rng(opt.seed ? opt.seed : 42);
  g_seed_layer.data.resize(static_cast<size_t>(std::max(64, opt.layer_size)));
  for (size_t i = 0; i < g_seed_layer.data.size(); i += 8) {
    uint64_t v = rng();
    std::memcpy(&g_seed_layer.data[i], &v, std::min<size_t>(8, g_seed_layer.data.size() - i));
  }
  g_seed_layer.digest = Sha256Hex(g_seed_layer.data);
  g_layer_src = opt.project_prefix + Pad3(0) + "/repo" + Pad3(0);

  std::vector<SeedJob> all;
  all.reserve(static_cast<size_t>(opt.projects) * opt.repos);
  // Repository-major across projects (p0/r0, p1/r0, ...), so concurrent jobs hit different projects.
  for (int r = 0; r < opt.repos; ++r)
    for (int p = 0; p < opt.projects; ++p) {
      SeedJob j;
      j.repo = opt.project_prefix + Pad3(p) + "/repo" + Pad3(r);
      all.push_back(std::move(j));
    }

  SeedStats st;
  auto t0 = Clock::now();
  {  // the layer, uploaded once (monolithic POST; 202 falls back to PUT), before anything mounts it
    CURL* e = curl_easy_init();
    Job j;
    j.easy = e;
    j.req = {"POST", WithDigest(g_base + "/v2/" + g_layer_src + "/blobs/uploads/", g_seed_layer.digest),
             &g_seed_layer.data, "application/octet-stream"};
    for (int attempt = 0; attempt < 2; ++attempt) {
      Arm(j, opt.timeout_s);
      CURLcode rc = curl_easy_perform(e);
      long status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      ++st.requests;
      if (rc == CURLE_OK && status == 201) break;
      if (rc == CURLE_OK && status == 202 && attempt == 0 && !j.location.empty()) {
        j.req = {"PUT", WithDigest(Absolute(j.location), g_seed_layer.digest), &g_seed_layer.data,
                 "application/octet-stream"};
        continue;
      }
      std::string err = j.req.method + " " + j.req.url + " -> " + std::to_string(status) + " " + j.resp_body;
      std::fprintf(stderr, "seed: layer upload failed: %s\n", err.c_str());
      std::printf("{\"mode\":\"seed\",\"ok\":0,\"failures\":1,\"errors\":[\"%s\"]}\n", JsonEscape(err).c_str());
      return 1;
    }
    if (j.headers) curl_slist_free_all(j.headers);
    curl_easy_cleanup(e);
  }

  int threads = std::max(1, std::min(opt.threads, static_cast<int>(all.size())));
  std::vector<std::vector<SeedJob>> parts(threads);
  for (size_t i = 0; i < all.size(); ++i) parts[i % threads].push_back(std::move(all[i]));
  int per_thread = std::max(1, opt.concurrency / threads);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&, t] { RunSeedJobs(parts[t], per_thread, opt, st, t == 0, t0, all.size()); });
  for (auto& t : ts) t.join();
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();

  std::printf(
      "{\"mode\":\"seed\",\"projects\":%d,\"repositories\":%zu,\"repositories_done\":%ld,\"manifests\":%ld,"
      "\"tags\":%ld,\"failures\":%ld,\"requests\":%ld,\"wall_s\":%.3f,\"requests_per_s\":%.1f,\"mount_201\":%ld,"
      "\"post_201\":%ld,\"post_202_put\":%ld,\"threads\":%d,\"concurrency\":%d,\"errors\":[",
      opt.projects, all.size(), st.repos_done.load(), st.manifests.load(), st.tags.load(), st.failures.load(),
      st.requests.load(), wall, st.requests.load() / (wall > 0 ? wall : 1), st.mount_201.load(), st.post_201.load(),
      st.post_202_put.load(), threads, opt.concurrency);
  for (size_t i = 0; i < st.errors.size(); ++i) std::printf("%s\"%s\"", i ? "," : "", JsonEscape(st.errors[i]).c_str());
  std::printf("]}\n");
  for (auto& e : st.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
  return st.failures ? 1 : 0;
}

void Usage() {
  std::fprintf(stderr,
               "usage: berth_bench_push push|tags|seed --url URL [--count N] [--concurrency N] [--threads N]\n"
               "         [--repos N] [--prefix REPO] [--repo REPO] [--layer-size BYTES] [--timeout S] [--seed N]\n"
               "         [--user USER:PASSWORD] [--projects N] [--artifacts N] [--tags N] [--project-prefix P]\n"
               "  push: --count small images (layer + config + manifest), --concurrency in flight, spread over\n"
               "        --repos repositories named PREFIX-K.\n"
               "  tags: one image into --repo, then its manifest PUT under --count tags.\n"
               "  seed: --projects existing projects Pnnn, each with --repos repositories Pnnn/repoRRR holding\n"
               "        --artifacts images with --tags tags vA.T each (P = --project-prefix, default perf).\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (argc < 2) {
    Usage();
    return 2;
  }
  opt.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        Usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--url") opt.url = val();
    else if (a == "--count") opt.count = std::stoi(val());
    else if (a == "--concurrency") opt.concurrency = std::stoi(val());
    else if (a == "--threads") opt.threads = std::stoi(val());
    else if (a == "--repos") opt.repos = std::stoi(val());
    else if (a == "--prefix") opt.prefix = val();
    else if (a == "--repo") opt.repo = val();
    else if (a == "--layer-size") opt.layer_size = std::stoi(val());
    else if (a == "--timeout") opt.timeout_s = std::stol(val());
    else if (a == "--seed") opt.seed = static_cast<unsigned>(std::stoul(val()));
    else if (a == "--user") opt.user = val();
    else if (a == "--projects") opt.projects = std::stoi(val());
    else if (a == "--artifacts") opt.artifacts = std::stoi(val());
    else if (a == "--tags") opt.tags = std::stoi(val());
    else if (a == "--project-prefix") opt.project_prefix = val();
    else {
      Usage();
      return 2;
    }
  }
  if ((opt.mode != "push" && opt.mode != "tags" && opt.mode != "seed") || opt.count < 1 || opt.concurrency < 1 ||
      opt.projects < 1 || opt.projects > 1000 || opt.repos < 1 || opt.repos > 1000 || opt.artifacts < 1 ||
      opt.tags < 1) {
    Usage();
    return 2;
  }
  while (!opt.url.empty() && opt.url.back() == '/') opt.url.pop_back();
  g_base = opt.url;
  if (!opt.user.empty()) {
    if (opt.user.find(':') == std::string::npos) {
      std::fprintf(stderr, "--user wants USER:PASSWORD\n");
      return 2;
    }
    g_auth = "Authorization: Basic " + Base64(opt.user);
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (opt.mode == "seed") {
    int rc = RunSeed(opt);
    curl_global_cleanup();
    return rc;
  }

  unsigned seed = opt.seed ? opt.seed : static_cast<unsigned>(Clock::now().time_since_epoch().count());
  std::mt19937_64 rng(seed);
  std::string nonce = std::to_string(seed);
  Stats stats;
  std::vector<Image> images;
  std::vector<Job> jobs;
  double wall = 0, setup_wall = 0;

  if (opt.mode == "push") {
    images.reserve(opt.count);
    int repos = std::max(1, opt.repos);
    for (int i = 0; i < opt.count; ++i)
      images.push_back(MakeImage(rng, opt.prefix + "-" + std::to_string(i % repos), "v" + std::to_string(i),
                                 opt.layer_size, nonce + "-" + std::to_string(i)));
    for (auto& img : images) {
      Job j;
      j.img = &img;
      jobs.push_back(j);
    }
    wall = RunThreaded(jobs, opt, stats);
  } else {
    images.push_back(MakeImage(rng, opt.repo, "tag-00000", opt.layer_size, nonce));
    // Setup: push the image once (blobs + first tag), untimed.
    {
      std::vector<Job> setup(1);
      setup[0].img = &images[0];
      Options one = opt;
      one.threads = 1;
      one.concurrency = 1;
      Stats s;
      setup_wall = RunThreaded(setup, one, s);
      if (s.failures) {
        std::fprintf(stderr, "setup push failed: %s\n", s.errors.empty() ? "?" : s.errors[0].c_str());
        std::printf("{\"mode\":\"tags\",\"ok\":0,\"failures\":1,\"errors\":[\"%s\"]}\n",
                    JsonEscape(s.errors.empty() ? "" : s.errors[0]).c_str());
        return 1;
      }
    }
    for (int i = 0; i < opt.count; ++i) {
      Job j;
      j.img = &images[0];
      j.tag_only = true;
      char buf[32];
      std::snprintf(buf, sizeof buf, "tag-%05d", i);
      j.tag = buf;
      jobs.push_back(j);
    }
    wall = RunThreaded(jobs, opt, stats);
  }

  long ok = static_cast<long>(stats.job_ms.size());
  std::printf(
      "{\"mode\":\"%s\",\"count\":%d,\"ok\":%ld,\"failures\":%ld,\"requests\":%ld,\"wall_s\":%.6f,"
      "\"per_s\":%.3f,\"post_201\":%ld,\"post_202_put\":%ld,\"job_p50_ms\":%.3f,\"job_p99_ms\":%.3f,"
      "\"job_max_ms\":%.3f,\"threads\":%d,\"concurrency\":%d,\"setup_s\":%.6f,\"errors\":[",
      opt.mode.c_str(), opt.count, ok, stats.failures, stats.requests, wall, ok / (wall > 0 ? wall : 1),
      stats.post_201, stats.post_202_put, Percentile(stats.job_ms, 50), Percentile(stats.job_ms, 99),
      Percentile(stats.job_ms, 100), opt.threads, opt.concurrency, setup_wall);
  for (size_t i = 0; i < stats.errors.size(); ++i)
    std::printf("%s\"%s\"", i ? "," : "", JsonEscape(stats.errors[i]).c_str());
  std::printf("]}\n");
  for (auto& e : stats.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
  curl_global_cleanup();
  return stats.failures ? 1 : 0;
}
