// webhook::ChartEvent: Harbor ≤ 2.7's chart payload (resources [{tag, resource_url}] without a
// digest, repository without date_created), byte-exact in the Default format.
#include <gtest/gtest.h>

#include "webhook/event.h"
#include "webhook/payloads.h"

namespace berth::webhook {
namespace {

TEST(ChartEvent, DefaultPayloadIsHarborsChartShape) {
  Event e = ChartEvent("UPLOAD_CHART", 1700000000, "admin", "http://10.0.0.5:8080/", "lc_chart", false, "demo",
                       "0.1.0+build.1");
  EXPECT_EQ(DefaultBody(e),
            R"({"type":"UPLOAD_CHART","occur_at":1700000000,"operator":"admin","event_data":{"resources":[)"
            R"({"tag":"0.1.0+build.1","resource_url":"http://10.0.0.5:8080/chartrepo/lc_chart/charts/demo-0.1.0+build.1.tgz"}],)"
            R"("repository":{"name":"demo","namespace":"lc_chart","repo_full_name":"lc_chart/demo","repo_type":"private"}}})");
  EXPECT_TRUE(IsChartEventType("DOWNLOAD_CHART"));
  EXPECT_TRUE(IsChartEventType("DELETE_CHART"));
  EXPECT_FALSE(IsChartEventType("PUSH_ARTIFACT"));
  EXPECT_EQ(CloudEventType("DELETE_CHART"), "harbor.chart.deleted");
}

}  // namespace
}  // namespace berth::webhook
