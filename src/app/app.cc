#include "app/app.h"

#include <iostream>

#include <filesystem>

#include "api/chartrepo/context.h"
#include "api/oci/routes.h"
#include "api/token/token_routes.h"
#include "api/ui/console_routes.h"
#include "api/v2_0/gc_routes.h"
#include "api/v2_0/routes.h"
#include "audit/audit_writer.h"
#include "auth/bootstrap.h"
#include "auth/ldap_identity.h"
#include "auth/project_lookup.h"
#include "auth/system_config.h"
#include "registry/manifest_cache.h"
#include "registry/pull_recorder.h"
#include "store/sqlite/artifact_stores.h"
#include "store/sqlite/chart_store.h"
#include "store/sqlite/quota_store.h"
#include "store/sqlite/identity_stores.h"
#include "base/fileio.h"
#include "blob/filesystem/fs_driver.h"
#include "http/server.h"
#include "jobs/job_runner.h"
#include "gc/collector.h"
#include "gc/gc_service.h"
#include "store/sqlite/gc_store.h"
#include "store/sqlite/job_queue.h"
#include "store/sqlite/session_store.h"
#include "store/sqlite/settings_stores.h"
#include "store/sqlite/sqlite_stores.h"
#include "store/sqlite/webhook_stores.h"
#include "webhook/deliverer.h"
#include "webhook/dispatcher.h"
#include "webhook/pull_events.h"
#include "webhook/subscriptions.h"

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
  std::unique_ptr<registry::ManifestCache> manifest_cache;
  std::unique_ptr<registry::ManifestService> manifests;
  std::unique_ptr<registry::ListingService> listing;
  std::unique_ptr<store::sqlite::SqliteUserStore> user_store;
  std::unique_ptr<store::sqlite::SqliteGroupStore> group_store;
  std::unique_ptr<store::sqlite::SqliteRobotStore> robot_store;
  std::unique_ptr<store::sqlite::SqliteMemberStore> member_store;
  std::unique_ptr<store::sqlite::SqliteProjectStore> project_store;
  std::unique_ptr<auth::ProjectLookup> project_lookup;  // cached reads for authorization
  std::unique_ptr<store::sqlite::SqliteAuditStore> audit_store;
  std::unique_ptr<store::sqlite::SqliteSessionStore> session_store;
  std::unique_ptr<auth::SessionService> sessions;
  std::unique_ptr<audit::AuditWriter> audit_writer;  // after the stores: drained before they go
  std::unique_ptr<store::sqlite::SqliteSettingsStore> settings_store;
  std::unique_ptr<auth::SecretBox> secret_box;  // seals secret settings; outlives settings
  std::unique_ptr<auth::SystemConfig> settings;
  std::unique_ptr<auth::LdapIdentity> ldap;
  std::unique_ptr<store::sqlite::SqliteArtifactStore> artifact_store;
  std::unique_ptr<store::sqlite::SqliteLabelStore> label_store;
  std::unique_ptr<store::sqlite::SqliteWebhookStore> webhook_store;
  std::unique_ptr<store::sqlite::SqliteQuotaStore> quota_store;
  std::unique_ptr<registry::PullRecorder> pulls;
  std::unique_ptr<auth::Authenticator> authn;
  std::unique_ptr<auth::TokenSigner> signer;
  std::unique_ptr<auth::TokenService> tokens;
  std::unique_ptr<api::oci::OciContext> oci;
  std::unique_ptr<api::token::TokenContext> token_ctx;
  std::unique_ptr<api::v2_0::RestContext> rest;
  std::unique_ptr<store::sqlite::SqliteChartStore> chart_store;
  std::unique_ptr<chart::ChartService> charts;
  std::unique_ptr<api::chartrepo::ChartRepoContext> chartrepo;
  std::unique_ptr<api::ui::ConsoleSite> console;  // the embedded web console (router fallback)
  http::Router router;
  std::unique_ptr<http::Server> server;
  // Background jobs (built right after the registry stores): declared last, so the runner stops
  // (running handlers finish) before anything a handler may use goes, and before the Db closes.
  // Features register their handlers on it; Run() starts and stops it.
  std::unique_ptr<store::sqlite::SqliteJobQueue> job_queue;
  // Webhooks: the job handlers outlive the runner; pull events go first (they wake the runner).
  std::unique_ptr<webhook::Subscriptions> subscriptions;
  std::unique_ptr<webhook::TargetSecrets> target_secrets;  // targets' secrets sealed by secret_box
  std::unique_ptr<webhook::Dispatcher> dispatcher;
  std::unique_ptr<webhook::Deliverer> deliverer;
  // Garbage collection: the collector is the "gc" job handler; the service starts runs (API,
  // schedule). Stopped in Run() before the runner.
  std::unique_ptr<store::sqlite::SqliteGcStore> gc_store;
  std::unique_ptr<gc::Collector> gc_collector;
  std::unique_ptr<gc::GcService> gc;
  std::unique_ptr<jobs::JobRunner> jobs;
  std::unique_ptr<webhook::PullEvents> pull_events;
};

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
App::~App() = default;

// Webhooks: events become "event" jobs (outbox), the dispatcher turns them into deliveries, the
// deliverer sends them; /v2 and REST handlers learn which projects subscribe (see docs/webhooks.md).
void App::WireWebhooks(Parts& p, const Config& config) {
  auto* db = p.db.get();
  auto* runner = p.jobs.get();
  auto wake = [runner] { runner->Notify(); };
  p.subscriptions = std::make_unique<webhook::Subscriptions>(*p.webhook_store, [db] { return db->generation(); });
  webhook::DispatchOptions dispatch;
  dispatch.external_url = config.external_url;
  dispatch.max_attempts = static_cast<int>(config.webhook_max_attempts);
  dispatch.enabled = [settings = p.settings.get()] { return settings->Bool("notification_enable"); };
  p.dispatcher = std::make_unique<webhook::Dispatcher>(*p.webhook_store, *p.project_store, *p.artifact_store, wake,
                                                       dispatch);
  webhook::DeliveryOptions delivery;
  delivery.timeout = std::chrono::milliseconds(config.webhook_timeout_ms);
  delivery.per_target = static_cast<int>(config.webhook_per_target);
  auto* box = p.secret_box.get();
  p.target_secrets = std::make_unique<webhook::TargetSecrets>(webhook::Cipher{
      [box](std::string_view plain) { return box->Seal(plain); },
      [box](std::string_view sealed) { return box->Open(sealed); }, std::string(auth::SecretBox::kPrefix)});
  p.deliverer = std::make_unique<webhook::Deliverer>(*p.webhook_store, *p.target_secrets, delivery);
  p.pull_events = std::make_unique<webhook::PullEvents>(*p.job_queue, wake);

  auto* dispatcher = p.dispatcher.get();
  auto* deliverer = p.deliverer.get();
  runner->Register(std::string(store::kEventJobKind),
                   [dispatcher](const store::JobRecord& job, const jobs::JobContext& ctx) { return dispatcher->Handle(job, ctx); });
  jobs::KindOptions deliver_opt;
  deliver_opt.backoff.steps.clear();
  for (int64_t ms : config.webhook_backoff_ms) deliver_opt.backoff.steps.emplace_back(ms);
  runner->Register(std::string(webhook::kDeliverJobKind),
                   [deliverer](const store::JobRecord& job, const jobs::JobContext& ctx) {
                     return deliverer->Handle(job, ctx);
                   },
                   deliver_opt);

  p.oci->subscriptions = p.subscriptions.get();
  p.oci->pull_events = p.pull_events.get();
  p.oci->wake_jobs = wake;
  p.rest->subscriptions = p.subscriptions.get();
  p.rest->target_secrets = p.target_secrets.get();
  p.rest->wake_jobs = wake;
}

// Helm chart repository (issue 5): charts are OCI artifacts written through the registry
// services; request bodies are staged in <data dir>/chart-staging (emptied at start).
Result<void> App::WireCharts(Parts& p, const Config& config) {
  std::string staging = config.data_dir + "/chart-staging";
  std::error_code ec;
  std::filesystem::remove_all(staging, ec);
  if (auto r = fileio::MakeDirs(staging); !r) return r;
  p.chart_store = std::make_unique<store::sqlite::SqliteChartStore>(*p.db);
  chart::ChartOptions opt;
  opt.max_upload_bytes = config.chart_max_upload_bytes;
  opt.archive.max_unpacked_bytes = config.chart_max_unpacked_bytes;
  opt.allow_overwrite = config.chart_allow_overwrite;
  auto* db = p.db.get();
  p.charts = std::make_unique<chart::ChartService>(*p.uploads, *p.blobs, *p.manifests, *p.chart_store,
                                                   [db] { return db->generation(); }, opt);
  p.chartrepo = std::make_unique<api::chartrepo::ChartRepoContext>(
      api::chartrepo::ChartRepoContext{*p.rest, *p.charts, staging, p.pull_events.get()});
  api::chartrepo::RegisterRoutes(p.router, *p.chartrepo);
  return {};
}

namespace {

auth::Authenticator::Options AuthOptions(const Config& config, const store::sqlite::Db& db) {
  auth::Authenticator::Options o;
  o.throttle.max_failures_per_account = static_cast<int>(config.auth_max_failed_logins);
  o.throttle.max_failures_per_source = static_cast<int>(config.auth_max_failed_logins_per_source);
  o.throttle.lockout = std::chrono::seconds(config.auth_lockout_seconds);
  o.cache_ttl = std::chrono::seconds(config.auth_cache_ttl_seconds);
  o.generation = [&db] { return db.generation(); };
  return o;
}

}  // namespace

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
  // Built early so features can be handed the queue and the runner; started by Run().
  p->job_queue = std::make_unique<store::sqlite::SqliteJobQueue>(*p->db);
  jobs::RunnerOptions job_opt;
  job_opt.workers = static_cast<int>(config.jobs_workers);
  job_opt.lease = std::chrono::seconds(config.jobs_lease_seconds);
  job_opt.nice = static_cast<int>(std::min<int64_t>(config.jobs_nice, 19));
  p->jobs = std::make_unique<jobs::JobRunner>(*p->job_queue, job_opt);

  registry::UploadService::Options upload_opt;
  upload_opt.max_concurrent = static_cast<int>(config.http_max_concurrent_uploads);
  p->uploads = std::make_unique<registry::UploadService>(*p->driver, *p->upload_store, *p->blob_index, upload_opt);
  p->blobs = std::make_unique<registry::BlobService>(*p->driver, *p->blob_index);
  p->manifest_cache = std::make_unique<registry::ManifestCache>([db = p->db.get()] { return db->generation(); },
                                                                 registry::ManifestCache::Options{});
  p->manifests = std::make_unique<registry::ManifestService>(*p->manifest_store, p->driver.get(), p->manifest_cache.get());
  p->listing = std::make_unique<registry::ListingService>(*p->manifest_store);


  p->user_store = std::make_unique<store::sqlite::SqliteUserStore>(*p->db);
  p->group_store = std::make_unique<store::sqlite::SqliteGroupStore>(*p->db);
  p->robot_store = std::make_unique<store::sqlite::SqliteRobotStore>(*p->db);
  p->member_store = std::make_unique<store::sqlite::SqliteMemberStore>(*p->db);
  p->project_store = std::make_unique<store::sqlite::SqliteProjectStore>(*p->db);
  p->audit_store = std::make_unique<store::sqlite::SqliteAuditStore>(*p->db);
  p->session_store = std::make_unique<store::sqlite::SqliteSessionStore>(*p->db);
  p->sessions = std::make_unique<auth::SessionService>(*p->session_store, *p->user_store, auth::SessionService::Options{});
  p->audit_writer = std::make_unique<audit::AuditWriter>(*p->audit_store, *p->project_store, audit::Options{});
  p->artifact_store = std::make_unique<store::sqlite::SqliteArtifactStore>(*p->db);
  p->label_store = std::make_unique<store::sqlite::SqliteLabelStore>(*p->db);
  p->webhook_store = std::make_unique<store::sqlite::SqliteWebhookStore>(*p->db);
  p->quota_store = std::make_unique<store::sqlite::SqliteQuotaStore>(*p->db);
  p->pulls = std::make_unique<registry::PullRecorder>(*p->artifact_store, registry::PullRecorder::Options{});
  auto admin = auth::EnsureAdmin(*p->user_store, config.data_dir, config.admin_password);
  if (!admin) return std::unexpected(admin.error());
  if (admin->generated)  // shown once, on the console only; the file keeps it (mode 0600)
    std::cout << "berth: created user admin; its generated password is in " << admin->password_file << std::endl;
  p->settings_store = std::make_unique<store::sqlite::SqliteSettingsStore>(*p->db);
  auto secret_box = auth::SecretBox::LoadOrCreate(config.data_dir + "/secret.key");
  if (!secret_box) return std::unexpected(secret_box.error());
  p->secret_box = std::move(*secret_box);
  auto settings = auth::SystemConfig::Load(*p->settings_store, *p->secret_box);
  if (!settings) return std::unexpected(settings.error());
  p->settings = std::move(*settings);
  p->ldap = std::make_unique<auth::LdapIdentity>(*p->settings, *p->user_store, *p->group_store);
  p->authn = std::make_unique<auth::Authenticator>(*p->user_store, *p->robot_store, *p->member_store,
                                                   *p->project_store, AuthOptions(config, *p->db));
  p->authn->SetExternal(p->ldap.get());
  auto signer = auth::TokenSigner::LoadOrCreate(config.data_dir + "/token.key");
  if (!signer) return std::unexpected(signer.error());
  p->signer = std::move(*signer);
  p->project_lookup = std::make_unique<auth::ProjectLookup>(*p->project_store, [db = p->db.get()] { return db->generation(); });
  p->tokens = std::make_unique<auth::TokenService>(*p->signer, *p->project_lookup, auth::TokenService::Options{});

  api::oci::OciLimits limits;
  limits.max_manifest_bytes = static_cast<size_t>(config.http_max_manifest_bytes);
  p->oci = std::make_unique<api::oci::OciContext>(api::oci::OciContext{
      *p->uploads, *p->blobs, *p->manifests, *p->listing, *p->authn, *p->tokens, *p->project_lookup, *p->audit_writer,
      limits});
  p->oci->pulls = p->pulls.get();
  api::oci::RegisterRoutes(p->router, *p->oci);
  p->token_ctx = std::make_unique<api::token::TokenContext>(api::token::TokenContext{*p->authn, *p->tokens});
  api::token::RegisterRoutes(p->router, *p->token_ctx);
  p->rest = std::make_unique<api::v2_0::RestContext>(api::v2_0::RestContext{
      *p->authn,          *p->sessions,       *p->user_store,   *p->group_store, *p->project_store,
      *p->member_store,   *p->robot_store,  *p->audit_store, config.external_url,
      *p->artifact_store, *p->label_store,  *p->blobs});
  p->rest->settings = p->settings.get();
  p->rest->ldap = p->ldap.get();
  p->rest->webhooks = p->webhook_store.get();
  p->rest->quotas = p->quota_store.get();
  p->rest->project_lookup = p->project_lookup.get();
  WireWebhooks(*p, config);
  api::v2_0::RegisterRoutes(p->router, *p->rest);
  {
    gc::CollectorOptions gc_opt;
    gc_opt.root = config.data_dir;
    gc_opt.grace_seconds = config.gc_grace_seconds;
    gc_opt.upload_expiry_seconds = config.gc_upload_expiry_seconds;
    gc_opt.batch_size = static_cast<int>(config.gc_batch_size);
    p->gc_store = std::make_unique<store::sqlite::SqliteGcStore>(*p->db);
    p->gc_collector = std::make_unique<gc::Collector>(*p->gc_store, *p->driver, blob::DigestLocks::Process(), gc_opt);
    gc::GcService::Options svc_opt;
    svc_opt.default_cron = config.gc_schedule;
    svc_opt.default_delete_untagged = config.gc_delete_untagged;
    auto* runner = p->jobs.get();
    p->gc = std::make_unique<gc::GcService>(*p->gc_store, [runner] { runner->Notify(); }, svc_opt);
    auto* collector = p->gc_collector.get();
    p->jobs->Register(std::string(store::kGcJobKind), [collector](const store::JobRecord& job, const jobs::JobContext& ctx) {
      return collector->Handle(job, ctx);
    });
    api::v2_0::RegisterGcRoutes(p->router, *p->rest, *p->gc);
  }
  if (auto r = WireCharts(*p, config); !r) return std::unexpected(r.error());
  p->console = std::make_unique<api::ui::ConsoleSite>(api::ui::EmbeddedConsoleFiles());
  api::ui::RegisterConsole(p->router, *p->console);

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
void App::Run() {
  parts_->jobs->Start();
  parts_->gc->Start();
  parts_->server->Run();
  parts_->gc->Stop();  // no scheduled run starts after this
  parts_->pull_events->Drain();  // pulls served before the stop are in the queue for the next start
  parts_->jobs->Stop();  // after the server has drained; queued jobs wait for the next start
}
void App::Stop() { parts_->server->Stop(); }

}  // namespace berth::app
