-- wrk script for bench/api_bench.py: one endpoint per wrk run, requests spread at random over the
-- seeded projects, repositories, artifacts and tags. Configured through the environment:
--   API_BENCH_ENDPOINT  v2 | artifact | artifacts | projects | token
--   API_BENCH_AUTH      the Authorization header value (Basic ... or Bearer ...)
--   API_BENCH_PREFIX    project name prefix (projects are PREFIX000, PREFIX001, ...)
--   API_BENCH_P, _R, _A, _T   projects, repositories per project, artifacts per repository, tags per artifact
--   API_BENCH_PAGE_SIZE page size of the project list (Harbor's suite lists random pages of 15)
-- Names follow bench/tools/push_client.cc (seed mode): PREFIXppp/repoRRR, tags vA.T.
-- done() prints one line "API_BENCH {json}" with the latency percentiles wrk's --latency lacks (p95).

local endpoint = os.getenv("API_BENCH_ENDPOINT") or "v2"
local auth = os.getenv("API_BENCH_AUTH") or ""
local prefix = os.getenv("API_BENCH_PREFIX") or "perf"
local P = tonumber(os.getenv("API_BENCH_P") or "1")
local R = tonumber(os.getenv("API_BENCH_R") or "1")
local A = tonumber(os.getenv("API_BENCH_A") or "1")
local T = tonumber(os.getenv("API_BENCH_T") or "1")
local page_size = tonumber(os.getenv("API_BENCH_PAGE_SIZE") or "15")
local pages = math.max(1, math.ceil(P / page_size))

local headers = { ["Authorization"] = auth, ["Accept"] = "application/json" }
local fmt = string.format
local random = math.random

local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

function init(args)
  -- Different streams per thread (wrk gives each thread its own Lua state).
  math.randomseed(os.time() * 1000 + (thread_index or 0) * 7919)
  random(); random()
end

local function project() return fmt("%s%03d", prefix, random(0, P - 1)) end

function request()
  local path
  if endpoint == "v2" then
    path = "/v2/"
  elseif endpoint == "artifact" then
    path = fmt("/api/v2.0/projects/%s/repositories/repo%03d/artifacts/v%d.%d", project(), random(0, R - 1),
               random(0, A - 1), random(0, T - 1))
  elseif endpoint == "artifacts" then
    path = fmt("/api/v2.0/projects/%s/repositories/repo%03d/artifacts", project(), random(0, R - 1))
  elseif endpoint == "projects" then
    path = fmt("/api/v2.0/projects?page=%d&page_size=%d", random(1, pages), page_size)
  elseif endpoint == "token" then
    path = fmt("/service/token?service=harbor-registry&scope=repository:%s/repo%03d:pull", project(),
               random(0, R - 1))
  else
    error("unknown API_BENCH_ENDPOINT " .. endpoint)
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(fmt('API_BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p95_us":%d,' ..
               '"p99_us":%d,"max_us":%d,"mean_us":%.1f,"status_errors":%d,"connect_errors":%d,' ..
               '"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
               summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
               latency:percentile(95), latency:percentile(99), latency.max, latency.mean, e.status, e.connect,
               e.read, e.write, e.timeout))
end
