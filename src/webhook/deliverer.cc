#include "webhook/deliverer.h"

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "webhook/http_poster.h"
#include "webhook/targets.h"

namespace berth::webhook {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "abnormal response code: 500, body: …" as Harbor logs it; the transport error otherwise.
std::string FailureMessage(const PostResult& r) {
  if (r.status == 0) return r.error.empty() ? std::string("no response") : r.error;
  return "abnormal response code: " + std::to_string(r.status) + ", body: " + r.response_snippet.substr(0, 200);
}

}  // namespace

Deliverer::Slot::Slot(Deliverer& d, std::string address) : d_(d), address_(std::move(address)) {
  std::unique_lock lock(d_.mu_);
  d_.freed_.wait(lock, [&] { return d_.running_[address_] < d_.opt_.per_target; });
  ++d_.running_[address_];
}

Deliverer::Slot::~Slot() {
  {
    std::lock_guard lock(d_.mu_);
    if (--d_.running_[address_] <= 0) d_.running_.erase(address_);
  }
  d_.freed_.notify_all();
}

jobs::Outcome Deliverer::Handle(const store::JobRecord& job, const jobs::JobContext& ctx) {
  auto payload = nlohmann::json::parse(job.payload, nullptr, false);
  if (!payload.is_object() || !payload.contains("execution_id") || !payload["execution_id"].is_number_integer())
    return jobs::Outcome::Fail("malformed delivery job");
  int64_t id = payload["execution_id"].get<int64_t>();
  auto exec = webhooks_.FindExecution(id);
  if (!exec) return jobs::Outcome::Retry(std::string(exec.error().Message()));
  if (!*exec) return jobs::Outcome::Done();  // its policy was deleted
  auto stored = nlohmann::json::parse((*exec)->target_json, nullptr, false);
  if (!stored.is_object()) return jobs::Outcome::Fail("malformed target");
  auto target = secrets_.Open(stored);

  store::AttemptRecord a;
  a.execution_id = id;
  a.attempt = job.attempts;  // the lease counts attempts, a crashed one included
  a.at = NowMs();
  bool ok = false;
  if (target) {
    PostRequest req = RequestFor(*target, (*exec)->payload, (*exec)->delivery_id, (*exec)->event_type, opt_.timeout);
    PostResult res;
    {
      Slot slot(*this, req.url);
      res = Post(req);
    }
    a.status_code = res.status;
    a.duration_ms = res.duration.count();
    a.response = res.response_snippet;
    ok = IsSuccess(res.status);
    if (!ok) a.error = FailureMessage(res);
  } else {
    a.error = std::string(target.error().Message());  // names the field, never its value
  }
  // The attempt, the execution's status and the job's end commit in one transaction. Secrets that
  // do not open will not open on a retry either: the job ends at once.
  store::JobFinish finish = ctx.FinishFor(job, ok       ? jobs::Outcome::Done()
                                               : target ? jobs::Outcome::Retry(a.error)
                                                        : jobs::Outcome::Fail(a.error));
  std::string_view status = ok                                          ? "Success"
                            : finish.state == store::JobState::kDead    ? "Error"
                                                                        : "Pending";
  auto recorded = webhooks_.RecordAttempt(a, status, a.error, &finish);
  if (!recorded) {
    if (recorded.error().code == Errc::kNotFound) return jobs::Outcome::Done();  // its policy was deleted
    return jobs::Outcome::Retry(std::string(recorded.error().Message()));
  }
  if (!*recorded) return jobs::Outcome::Lost();
  return jobs::Outcome::Recorded(std::move(finish));
}

}  // namespace berth::webhook
