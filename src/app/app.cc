#include "app/app.h"

#include "api/oci/routes.h"
#include "base/fileio.h"
#include "blob/filesystem/fs_driver.h"
#include "http/server.h"
#include "store/sqlite/sqlite_stores.h"

namespace berth::app {

// Members are declared in start order, so they are destroyed in reverse.
struct App::Parts {
  Config config;
  std::unique_ptr<store::sqlite::Db> db;
  std::unique_ptr<blob::FsDriver> driver;
  std::unique_ptr<store::sqlite::SqliteBlobIndex> blob_index;
  std::unique_ptr<store::sqlite::SqliteUploadStore> upload_store;
  std::unique_ptr<store::sqlite::SqliteManifestStore> manifest_store;
  std::unique_ptr<registry::UploadService> uploads;
  std::unique_ptr<registry::BlobService> blobs;
  std::unique_ptr<registry::ManifestService> manifests;
  std::unique_ptr<registry::ListingService> listing;
  std::unique_ptr<api::oci::OciContext> oci;
  http::Router router;
  std::unique_ptr<http::Server> server;
};

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
App::~App() = default;

Result<std::unique_ptr<App>> App::Create(const Config& config) {
  auto p = std::make_unique<Parts>();
  p->config = config;
  if (auto r = fileio::MakeDirs(config.data_dir); !r) return std::unexpected(r.error());
  auto db = store::sqlite::Db::Open(config.data_dir + "/berth.db", config.storage_fsync);
  if (!db) return std::unexpected(db.error());
  p->db = std::move(*db);
  auto driver = blob::FsDriver::Open(config.data_dir, config.storage_fsync);
  if (!driver) return std::unexpected(driver.error());
  p->driver = std::move(*driver);

  p->blob_index = std::make_unique<store::sqlite::SqliteBlobIndex>(*p->db);
  p->upload_store = std::make_unique<store::sqlite::SqliteUploadStore>(*p->db);
  p->manifest_store = std::make_unique<store::sqlite::SqliteManifestStore>(*p->db);

  registry::UploadService::Options upload_opt;
  upload_opt.max_concurrent = static_cast<int>(config.http_max_concurrent_uploads);
  p->uploads = std::make_unique<registry::UploadService>(*p->driver, *p->upload_store, *p->blob_index, upload_opt);
  p->blobs = std::make_unique<registry::BlobService>(*p->driver, *p->blob_index);
  p->manifests = std::make_unique<registry::ManifestService>(*p->manifest_store);
  p->listing = std::make_unique<registry::ListingService>(*p->manifest_store);

  api::oci::OciLimits limits;
  limits.max_manifest_bytes = static_cast<size_t>(config.http_max_manifest_bytes);
  p->oci = std::make_unique<api::oci::OciContext>(
      api::oci::OciContext{*p->uploads, *p->blobs, *p->manifests, *p->listing, limits});
  api::oci::RegisterRoutes(p->router, *p->oci);

  http::ServerOptions so;
  so.host = config.ListenHost();
  so.port = config.ListenPort();
  so.threads = static_cast<int>(config.http_threads);
  so.idle_timeout = std::chrono::seconds(config.http_idle_timeout_seconds);
  so.body_timeout = std::chrono::seconds(config.http_body_timeout_seconds);
  p->server = std::make_unique<http::Server>(so, p->router);
  return std::unique_ptr<App>(new App(std::move(p)));
}

Result<void> App::Listen() { return parts_->server->Listen(); }
uint16_t App::port() const { return parts_->server->port(); }
void App::Run() { parts_->server->Run(); }
void App::Stop() { parts_->server->Stop(); }

}  // namespace berth::app
