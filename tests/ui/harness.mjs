// Browser-test harness for the console (tests/ui/*.spec.mjs, run with `node --test`).
//
// Each spec starts its own berth (the real binary, BERTH_BIN or build/berth, on a free loopback
// port, fresh data dir, admin password Harbor12345) and Debian's chromium through playwright-core
// (from web/node_modules), headless. The page's console errors and uncaught exceptions are collected:
// `expectNoConsoleErrors()` fails the test if there were any. Screenshots go to
// $BERTH_UI_OUT (default build/ui-screenshots)/<spec>/<name>.png.
//
// With BERTH_UI_VIA_VITE=1 the console is served by `vite preview` (web/dist, API proxied to the
// berth) instead of the binary: for working on pages without rebuilding the binary.
import { spawn, execFileSync } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(path.join(ROOT, "web", "package.json"));
const { chromium } = require("playwright-core");

export const ADMIN = { username: "admin", password: "Harbor12345" };
const BIN = process.env.BERTH_BIN ?? path.join(ROOT, "build", "berth");
const OUT = process.env.BERTH_UI_OUT ?? path.join(ROOT, "build", "ui-screenshots");

export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address();
  srv.close();
  await once(srv, "close");
  return port;
}

async function waitFor(url, proc, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode} during startup`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
      last = String(r.status);
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms (${last})`);
}

// A running berth. `config` is written as the YAML config file (JSON is YAML).
export async function startBerth({ config = {}, env = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-ui-"));
  const port = await freePort();
  const cfg = path.join(dir, "berth.yaml");
  fs.writeFileSync(cfg, JSON.stringify(config));
  const log = fs.openSync(path.join(dir, "berth.log"), "a");
  const proc = spawn(BIN, ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", path.join(dir, "data"), "--config", cfg], {
    env: { ...process.env, BERTH_ADMIN_PASSWORD: ADMIN.password, BERTH_LOG_LEVEL: "warn", BERTH_STORAGE_FSYNC: "false", ...env },
    stdio: ["ignore", log, log],
  });
  const apiUrl = `http://127.0.0.1:${port}`;
  await waitFor(`${apiUrl}/api/v2.0/ping`, proc, "berth");
  let url = apiUrl;
  let vite = null;
  if (process.env.BERTH_UI_VIA_VITE === "1") {
    const vport = await freePort();
    vite = spawn(path.join(ROOT, "web", "node_modules", ".bin", "vite"), ["preview", "--port", String(vport), "--strictPort", "--host", "127.0.0.1"], {
      cwd: path.join(ROOT, "web"),
      env: { ...process.env, BERTH_URL: apiUrl },
      stdio: ["ignore", log, log],
    });
    url = `http://127.0.0.1:${vport}`;
    await waitFor(url + "/", vite, "vite preview");
  }
  const srv = {
    url, // where the browser goes
    apiUrl, // the berth itself (registry clients, setup calls)
    hostport: `127.0.0.1:${port}`,
    dir,
    log: path.join(dir, "berth.log"),
    async stop() {
      if (vite && vite.exitCode === null) {
        vite.kill("SIGTERM");
        await once(vite, "exit");
      }
      if (proc.exitCode === null) {
        proc.kill("SIGTERM");
        await once(proc, "exit");
      }
      fs.closeSync(log);
      if (!process.env.BERTH_UI_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
    // Setup and checks through the REST API as admin (not through the page under test).
    async api(method, p, body, { auth = ADMIN, headers = {} } = {}) {
      const h = { Authorization: "Basic " + Buffer.from(`${auth.username}:${auth.password}`).toString("base64"), ...headers };
      let payload;
      if (body !== undefined) {
        h["Content-Type"] = "application/json";
        payload = JSON.stringify(body);
      }
      const r = await fetch(apiUrl + (p.startsWith("/") ? p : `/api/v2.0/${p}`), { method, headers: h, body: payload });
      const text = await r.text();
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: r.status, headers: r.headers, json, text };
    },
  };
  return srv;
}

// Pushes a small generated image (real tar+gzip layers) with skopeo from an OCI layout written by
// the end-to-end suite's e2e_lib. Returns the manifest digest.
export function pushImage(srv, repo, tag, { auth = ADMIN, layers = 2 } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "berth-ui-img-"));
  try {
    const script = [
      "import sys; sys.path.insert(0, sys.argv[1])",
      "from e2e_lib import make_image, write_oci_layout",
      "img = make_image(n_layers=int(sys.argv[3]))",
      "write_oci_layout(sys.argv[2], {'v': img})",
      "print(img.digest)",
    ].join("\n");
    const digest = execFileSync("/usr/bin/python3", ["-c", script, path.join(ROOT, "tests", "e2e"), path.join(work, "layout"), String(layers)]).toString().trim();
    fs.writeFileSync(path.join(work, "policy.json"), JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }));
    execFileSync("skopeo", ["--policy", path.join(work, "policy.json"), "--tmpdir", work, "copy", "--quiet", "--dest-tls-verify=false", `--dest-creds=${auth.username}:${auth.password}`, `oci:${path.join(work, "layout")}:v`, `docker://${srv.hostport}/${repo}:${tag}`], { stdio: ["ignore", "pipe", "pipe"] });
    return digest;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// Chromium with a fresh profile; collects console errors and page exceptions.
export async function openBrowser({ width = 1280, height = 800 } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.setDefaultTimeout(10000);
  return {
    browser,
    context,
    page,
    consoleErrors,
    // Console errors the test expects (e.g. the browser's own log line for a 4xx it provoked)
    // are filtered with `allow` (substrings).
    expectNoConsoleErrors(allow = []) {
      const left = consoleErrors.filter((t) => !allow.some((a) => t.includes(a)));
      if (left.length) throw new Error("console errors:\n" + left.join("\n"));
    },
    async close() {
      await browser.close();
    },
  };
}

export async function login(page, srv, { username, password } = ADMIN) {
  await page.goto(srv.url + "/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByTestId("current-user").waitFor();
}

export async function shot(page, spec, name) {
  const dir = path.join(OUT, spec);
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

// A unique lower-case name for projects, users, repositories.
export function unique(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
