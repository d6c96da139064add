// The repository, artifact, tag, label, search and statistics handlers of /api/v2.0 (each area in
// its own *_handlers.cc; RegisterArtifactRoutes in artifact_handlers.cc holds their route table).
// parse → authorize → store/service → render; each runs on the connection's coroutine.
#pragma once
#include "api/v2_0/context.h"
#include "http/exchange.h"

namespace berth::api::v2_0 {

// repository_handlers.cc
http::Task<void> ListAllRepositories(RestContext& ctx, http::Exchange& ex);
http::Task<void> ListProjectRepositories(RestContext& ctx, http::Exchange& ex);
http::Task<void> GetRepository(RestContext& ctx, http::Exchange& ex);
http::Task<void> UpdateRepository(RestContext& ctx, http::Exchange& ex);
http::Task<void> DeleteRepository(RestContext& ctx, http::Exchange& ex);

// artifact_handlers.cc
http::Task<void> ListArtifacts(RestContext& ctx, http::Exchange& ex);
http::Task<void> GetArtifact(RestContext& ctx, http::Exchange& ex);
http::Task<void> DeleteArtifact(RestContext& ctx, http::Exchange& ex);
http::Task<void> CopyArtifact(RestContext& ctx, http::Exchange& ex);
http::Task<void> BuildHistory(RestContext& ctx, http::Exchange& ex);

// tag_handlers.cc
http::Task<void> ListTags(RestContext& ctx, http::Exchange& ex);
http::Task<void> CreateTag(RestContext& ctx, http::Exchange& ex);
http::Task<void> DeleteTag(RestContext& ctx, http::Exchange& ex);

// label_handlers.cc
http::Task<void> ListLabels(RestContext& ctx, http::Exchange& ex);
http::Task<void> CreateLabel(RestContext& ctx, http::Exchange& ex);
http::Task<void> GetLabel(RestContext& ctx, http::Exchange& ex);
http::Task<void> UpdateLabel(RestContext& ctx, http::Exchange& ex);
http::Task<void> DeleteLabel(RestContext& ctx, http::Exchange& ex);
http::Task<void> AttachLabel(RestContext& ctx, http::Exchange& ex);
http::Task<void> DetachLabel(RestContext& ctx, http::Exchange& ex);

// search_handlers.cc
http::Task<void> Search(RestContext& ctx, http::Exchange& ex);
http::Task<void> Statistics(RestContext& ctx, http::Exchange& ex);

}  // namespace berth::api::v2_0
