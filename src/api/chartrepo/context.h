// ChartRepoContext: what the chart repository handlers (/chartrepo, /api/chartrepo) need — the
// REST context (authentication, projects, labels, audit, webhook subscriptions), the chart service
// and the directory request bodies are staged in. Borrowed references; the composition root owns
// everything. Thread-safe as its parts are.
#pragma once
#include <string>

#include "api/v2_0/context.h"
#include "chart/chart_service.h"
#include "http/router.h"

namespace berth::webhook {
class PullEvents;
}

namespace berth::api::chartrepo {

struct ChartRepoContext {
  v2_0::RestContext& rest;
  chart::ChartService& charts;
  std::string staging_dir;  // request bodies are streamed to temporary files here
  // DOWNLOAD_CHART events go out through the pull-event writer (off the request path); null = none.
  webhook::PullEvents* pull_events = nullptr;
};

// Adds every chart repository route (see routes.cc for the list).
void RegisterRoutes(http::Router& router, ChartRepoContext& ctx);

}  // namespace berth::api::chartrepo
