// The chart repository handlers: parse → authorize → ChartService → render. Each runs on the
// connection's coroutine and keeps no state between requests.
#pragma once
#include "api/chartrepo/context.h"
#include "http/exchange.h"

namespace berth::api::chartrepo {

// repo_handlers.cc: what helm talks to.
http::Task<void> GetIndex(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> GetMergedIndex(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> DownloadChart(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> UploadChart(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> UploadProvenance(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> Health(ChartRepoContext& ctx, http::Exchange& ex);

// api_handlers.cc: chart management.
http::Task<void> ListCharts(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> ListVersions(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> GetVersion(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> DeleteChart(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> DeleteVersion(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> ListVersionLabels(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> AddVersionLabel(ChartRepoContext& ctx, http::Exchange& ex);
http::Task<void> RemoveVersionLabel(ChartRepoContext& ctx, http::Exchange& ex);

}  // namespace berth::api::chartrepo
