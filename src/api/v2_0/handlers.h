// The /api/v2.0 handlers: parse → authorize → call a store or service → render.
// Each runs on the connection's coroutine; none keeps state between requests.
#pragma once
#include "api/v2_0/context.h"
#include "http/exchange.h"

namespace berth::api::v2_0 {

http::Task<void> Health(RestContext& ctx, http::Exchange& ex);
http::Task<void> Ping(RestContext& ctx, http::Exchange& ex);
http::Task<void> SystemInfo(RestContext& ctx, http::Exchange& ex);
http::Task<void> CurrentUser(RestContext& ctx, http::Exchange& ex);

http::Task<void> ListUsers(RestContext& ctx, http::Exchange& ex);
http::Task<void> SearchUsers(RestContext& ctx, http::Exchange& ex);
http::Task<void> CreateUser(RestContext& ctx, http::Exchange& ex);
http::Task<void> GetUser(RestContext& ctx, http::Exchange& ex);
http::Task<void> UpdateUser(RestContext& ctx, http::Exchange& ex);
http::Task<void> DeleteUser(RestContext& ctx, http::Exchange& ex);
http::Task<void> ChangePassword(RestContext& ctx, http::Exchange& ex);
http::Task<void> SetSysadmin(RestContext& ctx, http::Exchange& ex);

http::Task<void> ListProjects(RestContext& ctx, http::Exchange& ex);
http::Task<void> HeadProject(RestContext& ctx, http::Exchange& ex);
http::Task<void> CreateProject(RestContext& ctx, http::Exchange& ex);
http::Task<void> GetProject(RestContext& ctx, http::Exchange& ex);
http::Task<void> UpdateProject(RestContext& ctx, http::Exchange& ex);
http::Task<void> DeleteProject(RestContext& ctx, http::Exchange& ex);
http::Task<void> ProjectDeletable(RestContext& ctx, http::Exchange& ex);
http::Task<void> ProjectSummary(RestContext& ctx, http::Exchange& ex);

}  // namespace berth::api::v2_0
