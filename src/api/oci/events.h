// Which /v2 requests leave webhook events, and with what context. A push or delete passes the
// returned EventContext to its store write (the event commits with the change); a pull hands its
// event to the asynchronous PullEvents writer. Nothing is recorded for a project without an
// enabled policy for the type. Stateless; thread-safe as OciContext's parts are.
#pragma once
#include <string>
#include <string_view>

#include "api/oci/context.h"
#include "http/exchange.h"
#include "store/outbox.h"

namespace berth::api::oci {

// &storage filled with the caller and request id when `repository`'s project subscribes to
// `event_type` (empty: none), or always with `quota` (a write that checks or charges storage: its
// rare QUOTA_WARNING / QUOTA_EXCEED are recorded whatever the subscriptions, and the dispatcher
// drops those no policy wants); nullptr otherwise. storage's flags say which to record.
const store::EventContext* EventsFor(OciContext& ctx, const http::Exchange& ex, std::string_view repository,
                                     std::string_view event_type, store::EventContext& storage, bool quota = false);

// Records a PULL_ARTIFACT for a successful manifest GET (the caller has ruled out HEAD and 304).
// Harbor's own registry client (replication) does not count as a pull.
void PublishPull(OciContext& ctx, const http::Exchange& ex, const std::string& repository, const Digest& digest,
                 std::string_view tag);

}  // namespace berth::api::oci
