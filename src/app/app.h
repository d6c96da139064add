// App: the composition root. Owns every component, builds them in dependency order
// (database → blob driver → stores → services → routes → HTTP server) and tears them down in
// reverse. The only place that knows the concrete backends. Run() blocks; Stop() is thread-safe.
#pragma once
#include <memory>

#include "app/config.h"
#include "base/error.h"

namespace berth::app {

class App {
 public:
  static Result<std::unique_ptr<App>> Create(const Config& config);
  ~App();
  // Binds the listen address; the port is known afterwards.
  Result<void> Listen();
  uint16_t port() const;
  void Run();
  void Stop();

 private:
  struct Parts;
  explicit App(std::unique_ptr<Parts> parts);
  static void WireWebhooks(Parts& p, const Config& config);
  static Result<void> WireCharts(Parts& p, const Config& config);
  std::unique_ptr<Parts> parts_;
};

}  // namespace berth::app
