// berth: the command line. Subcommands: serve, fsck, quota verify, version.
#include <CLI/CLI.hpp>
#include <csignal>
#include <chrono>
#include <iostream>
#include <thread>

#include "app/app.h"
#include "blob/filesystem/fs_driver.h"
#include "gc/fsck.h"
#include "store/sqlite/gc_store.h"
#include "app/quota_command.h"
#include "base/log.h"

namespace {

int Serve(const std::optional<std::string>& config_file, const std::map<std::string, std::string>& overrides) {
  auto t0 = std::chrono::steady_clock::now();
  auto config = berth::app::LoadConfig(config_file, overrides);
  if (!config) {
    std::cerr << "berth: " << config.error().Message() << "\n";
    return 2;
  }
  berth::log::Init(config->log_level);
  // Signals are blocked before any thread starts (App::Create starts background writers; threads
  // inherit the mask), then waited for on a dedicated thread, and the server stops gracefully.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  auto app = berth::app::App::Create(*config);
  if (!app) {
    spdlog::critical("start failed error={}", app.error().Message());
    return 1;
  }
  if (auto r = (*app)->Listen(); !r) {
    spdlog::critical("start failed error={}", r.error().Message());
    return 1;
  }
  berth::app::App* raw = app->get();
  std::thread waiter([set, raw]() mutable {
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("stopping signal={}", sig);
    raw->Stop();
  });
  waiter.detach();
  auto ms = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count() / 1000.0;
  spdlog::info("listening address={}:{} data_dir={} startup_ms={:.1f}", config->ListenHost(), (*app)->port(),
               config->data_dir, ms);
  (*app)->Run();
  spdlog::info("stopped");
  return 0;
}

// Checks (and with repair fixes what is safe) the metadata store against the blob files.
// Exit 0: consistent; 1: problems remain; 2: the data could not be opened.
int Fsck(const std::optional<std::string>& config_file, const std::map<std::string, std::string>& overrides,
         bool repair) {
  auto config = berth::app::LoadConfig(config_file, overrides);
  if (!config) {
    std::cerr << "berth: " << config.error().Message() << "\n";
    return 2;
  }
  auto db = berth::store::sqlite::Db::Open(config->data_dir + "/berth.db", config->storage_fsync);
  if (!db) {
    std::cerr << "berth fsck: " << db.error().Message() << "\n";
    return 2;
  }
  auto driver = berth::blob::FsDriver::Open(config->data_dir, config->storage_fsync);
  if (!driver) {
    std::cerr << "berth fsck: " << driver.error().Message() << "\n";
    return 2;
  }
  berth::store::sqlite::SqliteGcStore store(**db);
  berth::gc::FsckOptions opt;
  opt.root = config->data_dir;
  opt.repair = repair;
  opt.grace_seconds = config->gc_grace_seconds;
  opt.upload_expiry_seconds = config->gc_upload_expiry_seconds;
  auto rep = berth::gc::Fsck(store, **driver, opt, std::cout);
  return rep.problems == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Berth: an OCI container registry"};
  cli.require_subcommand(1);

  auto* serve = cli.add_subcommand("serve", "run the registry");
  std::string config_file, listen, data_dir;
  serve->add_option("--config", config_file, "YAML config file");
  serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:5000)");
  serve->add_option("--data-dir", data_dir, "directory for metadata and blobs (default ./data)");

  auto* fsck = cli.add_subcommand("fsck", "check that blob rows and blob files agree (--repair fixes what is safe)");
  std::string fsck_config, fsck_data_dir;
  bool fsck_repair = false;
  fsck->add_option("--config", fsck_config, "YAML config file");
  fsck->add_option("--data-dir", fsck_data_dir, "directory for metadata and blobs (default ./data)");
  fsck->add_flag("--repair", fsck_repair, "delete orphans and unreferenced broken rows, recompute reference counts");

  cli.add_subcommand("version", "print the version");

  auto* quota = cli.add_subcommand("quota", "project storage quotas");
  quota->require_subcommand(1);
  auto* verify = quota->add_subcommand("verify", "recompute every project's usage and report drift");
  verify->add_option("--config", config_file, "YAML config file");
  verify->add_option("--data-dir", data_dir, "directory for metadata and blobs (default ./data)");
  CLI11_PARSE(cli, argc, argv);

  if (cli.got_subcommand("version")) {
    std::cout << "berth 0.1.0\n";
    return 0;
  }
  if (cli.got_subcommand("fsck")) {
    std::map<std::string, std::string> o;
    if (!fsck_data_dir.empty()) o["data_dir"] = fsck_data_dir;
    return Fsck(fsck_config.empty() ? std::nullopt : std::optional<std::string>(fsck_config), o, fsck_repair);
  }
  std::map<std::string, std::string> overrides;
  if (!listen.empty()) overrides["listen"] = listen;
  if (!data_dir.empty()) overrides["data_dir"] = data_dir;
  if (verify->parsed())
    return berth::app::QuotaVerify(config_file.empty() ? std::nullopt : std::optional<std::string>(config_file),
                                   overrides);
  return Serve(config_file.empty() ? std::nullopt : std::optional<std::string>(config_file), overrides);
}
