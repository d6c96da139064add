// The system-wide webhook switch (Harbor's notification_enable in /configurations) as the webhook
// handlers that send something right away (test, redeliver) check it. Pure; thread-safe.
#pragma once
#include "api/v2_0/context.h"
#include "base/error.h"

namespace berth::api::v2_0 {

// kPreconditionFailed (412), naming the setting, while notifications are off.
inline Result<void> NotificationsEnabled(const RestContext& ctx) {
  if (ctx.settings != nullptr && !ctx.settings->Bool("notification_enable"))
    return Fail(Errc::kPreconditionFailed,
                "webhook notifications are disabled (notification_enable is false in /configurations)");
  return {};
}

}  // namespace berth::api::v2_0
