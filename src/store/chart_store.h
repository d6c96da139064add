// ChartStore: the chart repository's reads and deletes over the registry core. A chart version is
// an OCI artifact <project>/<name>:<version> whose config media type is Helm's; nothing here
// stores charts separately. Thread-safe and atomic per method, like the other stores.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "store/outbox.h"

namespace berth::store {

inline constexpr std::string_view kHelmConfigType = "application/vnd.cncf.helm.config.v1+json";

// One tag on a chart artifact of a project's first-level repository.
struct ChartArtifactRow {
  std::string repository;  // <project>/<name>
  std::string tag;
  int64_t manifest_id = 0;
  std::string digest;      // the manifest's
  std::string content;     // the manifest JSON
  int64_t pushed_at = 0;   // the tag's push time (unix seconds)
};

class ChartStore {
 public:
  virtual ~ChartStore() = default;
  // Every tag of a Helm-config artifact in <project>/<one component>, by repository then tag.
  virtual Result<std::vector<ChartArtifactRow>> ListChartArtifacts(std::string_view project) = 0;
  // A counter that moves whenever a tag or repository of the project changes (0 = never did):
  // the invalidation signal of index.yaml caches. Maintained by triggers (migration 0009), so
  // every write path (/v2, REST, chartrepo) moves it.
  virtual Result<int64_t> ChangeSeq(std::string_view project) = 0;
  // Deletes artifacts (digest, event tag) of `repository` in one transaction; with `events`, one
  // event of events->type per deleted artifact naming its tag commits with the delete. Returns
  // how many existed.
  virtual Result<int> DeleteArtifacts(std::string_view repository,
                                      const std::vector<std::pair<std::string, std::string>>& digests_and_tags,
                                      const EventContext* events) = 0;
};

}  // namespace berth::store
