// Projects, repositories and artifacts through the console: create a project in the dialog (its
// quota bar shows), push images with skopeo, see the repository and artifacts (tags, paging from
// the server with page_size ≤ 100, tag filter, an index expanding into its platforms), add a tag
// (and the API's 409 for the same name again), delete it, read the pull command, be refused the
// project deletion with the API's reason while repositories exist, delete the repository and the
// project; the project's audit log shows the push. Screenshots of every page, one at 420×800.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBerth, openBrowser, login, shot, unique, pushImage, ROOT, ADMIN } from "./harness.mjs";

const SPEC = "repositories";
let srv, b, page, host;
const proj = unique("ui");
const listRequests = []; // every artifact list request's path and page_size
const failed = []; // every 4xx/5xx answer the page got, for the console-error check's message

// A two-platform OCI index (amd64 + arm64) pushed with skopeo --all.
function pushIndex(srv, repo, tag) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "berth-ui-idx-"));
  try {
    const script = [
      "import sys; sys.path.insert(0, sys.argv[1])",
      "from e2e_lib import make_image, make_index, write_oci_layout",
      "idx = make_index([make_image(arch='amd64', n_layers=1), make_image(arch='arm64', n_layers=1)])",
      "write_oci_layout(sys.argv[2], {'v': idx})",
      "print(idx.digest)",
    ].join("\n");
    const digest = execFileSync("/usr/bin/python3", ["-c", script, path.join(ROOT, "tests", "e2e"), path.join(work, "layout")]).toString().trim();
    fs.writeFileSync(path.join(work, "policy.json"), JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }));
    execFileSync("skopeo", ["--policy", path.join(work, "policy.json"), "--tmpdir", work, "copy", "--all", "--quiet", "--dest-tls-verify=false", `--dest-creds=${ADMIN.username}:${ADMIN.password}`, `oci:${path.join(work, "layout")}:v`, `docker://${srv.hostport}/${repo}:${tag}`], { stdio: ["ignore", "pipe", "pipe"] });
    return digest;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const row = (scope, text) => scope.getByRole("row").filter({ hasText: text });
const pagerText = async () => (await page.getByLabel("Pages").innerText()).replace(/\s+/g, " ").trim();

before(async () => {
  srv = await startBerth();
  b = await openBrowser();
  page = b.page;
  await b.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: srv.url });
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (/^\/api\/v2\.0\/.*\/repositories\/[^/]+\/artifacts$/.test(u.pathname) && r.method() === "GET") listRequests.push({ path: u.pathname, size: Number(u.searchParams.get("page_size")) });
  });
  page.on("response", (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.request().method()} ${r.url()}`));
  await login(page, srv);
  failed.length = 0; // the session probe before login (401) is the login page's business
  host = new URL(srv.url).host;
});
after(async () => {
  await b?.close();
  await srv?.stop();
});

test("create a project in the dialog; it is listed with its quota bar", async () => {
  await page.getByRole("link", { name: "Projects", exact: true }).click();
  await page.getByRole("heading", { name: "Projects" }).waitFor();
  await page.getByRole("button", { name: "New project" }).click();
  const dlg = page.getByRole("dialog", { name: "New project" });
  await dlg.getByLabel("Project name").fill("Bad Name");
  await dlg.getByRole("button", { name: "Create" }).click();
  await dlg.getByRole("alert").waitFor(); // the API's 400 for an invalid name
  await dlg.getByLabel("Project name").fill(proj);
  await dlg.getByLabel("Storage limit").fill("10");
  await dlg.getByLabel("Unit").selectOption("MiB");
  await shot(page, SPEC, "create-project-dialog");
  await dlg.getByRole("button", { name: "Create" }).click();
  await dlg.waitFor({ state: "hidden" });
  await page.getByLabel("Search projects").fill(proj);
  const r = row(page, proj);
  await r.getByRole("link", { name: proj }).waitFor();
  assert.equal(await page.getByRole("table", { name: "Projects" }).locator("tbody tr").count(), 1);
  assert.match(await r.innerText(), /Private/);
  const bar = r.getByRole("progressbar", { name: `Quota of ${proj}` });
  assert.equal(await bar.getAttribute("aria-valuetext"), "0 B of 10.0 MiB");
  const q = await srv.api("GET", `projects/${proj}/summary`);
  assert.equal(q.json.quota.hard.storage, 10 * 1024 * 1024);
  await shot(page, SPEC, "projects");
});

test("pushed images show as repository and artifacts, paged by the server", async () => {
  for (const t of ["v1", "v2", "v3"]) pushImage(srv, `${proj}/team/app`, t, { layers: 1 });
  pushIndex(srv, `${proj}/multi`, "latest");
  await row(page, proj).getByRole("link", { name: proj }).click();
  const repoLink = page.getByRole("link", { name: `${proj}/team/app` });
  await repoLink.waitFor();
  const r = row(page, `${proj}/team/app`);
  assert.match(await r.innerText(), new RegExp(`${proj}/team/app\\s+3\\s+0`));
  assert.equal(await r.getByRole("button", { name: `Copy pull command for ${proj}/team/app` }).getAttribute("data-command"), `docker pull ${host}/${proj}/team/app`);
  await page.getByLabel("Search repositories").fill("mul");
  await row(page, `${proj}/multi`).waitFor();
  await repoLink.waitFor({ state: "detached" });
  await page.getByLabel("Search repositories").fill("");
  await repoLink.waitFor();
  await shot(page, SPEC, "repositories");

  await repoLink.click();
  await page.getByRole("heading", { name: `${proj}/team/app` }).waitFor();
  const table = page.getByRole("table", { name: "Artifacts" });
  await row(table, "v1").waitFor();
  assert.equal(await table.locator("tbody tr").count(), 3);
  assert.equal(await pagerText(), "‹ 1–3 of 3 ›");
  assert.match(await row(table, "v1").innerText(), /IMAGE/);
  assert.match(await row(table, "v1").innerText(), /linux\/amd64/);
  await shot(page, SPEC, "artifacts");

  // Tag filter through q.
  await page.getByLabel("Filter by tag").fill("v2");
  await page.waitForFunction(() => document.querySelectorAll("table[aria-label=Artifacts] tbody tr").length === 1);
  assert.match(await table.locator("tbody tr").innerText(), /v2/);
  assert.equal(await pagerText(), "‹ 1–1 of 1 ›");
  await page.getByLabel("Filter by tag").fill("");
  await page.waitForFunction(() => document.querySelectorAll("table[aria-label=Artifacts] tbody tr").length === 3);

  // Two per page: the pager walks the server's pages.
  await page.getByLabel("Page size").selectOption("10");
  await page.goto(page.url().split("?")[0] + "?page_size=2");
  await page.waitForFunction(() => document.querySelectorAll("table[aria-label=Artifacts] tbody tr").length === 2);
  assert.equal(await pagerText(), "‹ 1–2 of 3 ›");
  await page.getByRole("button", { name: "Next page" }).click();
  await page.waitForFunction(() => document.querySelectorAll("table[aria-label=Artifacts] tbody tr").length === 1);
  assert.equal(await pagerText(), "‹ 3–3 of 3 ›");
  assert.ok(listRequests.length >= 4 && listRequests.every((r) => r.size >= 1 && r.size <= 100), `page sizes ${listRequests.map((r) => r.size)}`);
  // Harbor's double encoding of a `/` in the repository name.
  assert.ok(listRequests.every((r) => r.path === `/api/v2.0/projects/${listRequests[0].path.split("/")[4]}/repositories/team%252Fapp/artifacts`), JSON.stringify(listRequests));
  await page.getByRole("button", { name: "Previous page" }).click();
  await page.waitForFunction(() => document.querySelectorAll("table[aria-label=Artifacts] tbody tr").length === 2);

  // The list at 420×800.
  await page.goto(page.url().split("?")[0]);
  await row(table, "v1").waitFor();
  await page.setViewportSize({ width: 420, height: 800 });
  await shot(page, SPEC, "artifacts-narrow");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px at 420 px`);
  await page.setViewportSize({ width: 1280, height: 800 });
});

test("an index expands into its platforms", async () => {
  await page.getByRole("link", { name: "Repositories", exact: true }).first().click();
  await page.getByRole("link", { name: `${proj}/multi` }).click();
  const table = page.getByRole("table", { name: "Artifacts" });
  const r = row(table, "latest");
  await r.waitFor();
  assert.match(await r.innerText(), /IMAGE \(index\)/);
  assert.match(await r.innerText(), /2 platforms/);
  const toggle = r.getByRole("button", { name: /Show the 2 platforms/ });
  await toggle.click();
  await table.getByRole("row", { name: "Child linux/amd64" }).waitFor();
  await table.getByRole("row", { name: "Child linux/arm64" }).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll("tr.child")].every((tr) => /IMAGE/.test(tr.textContent ?? "")));
  assert.equal(await r.getByRole("button", { name: /Hide the 2 platforms/ }).getAttribute("aria-expanded"), "true");
  await shot(page, SPEC, "artifacts-index");
});

test("artifact detail: add a tag, the API's conflict for the same name, delete it, pull commands", async () => {
  await page.getByRole("link", { name: "Repositories", exact: true }).first().click();
  await page.getByRole("link", { name: `${proj}/team/app` }).click();
  const r = row(page.getByRole("table", { name: "Artifacts" }), "v1");
  await r.waitFor();
  await r.getByRole("link").first().click();
  const tags = page.getByRole("table", { name: "Tags" });
  await row(tags, "v1").waitFor();
  assert.equal(await page.getByTestId("platform").innerText(), "linux/amd64");
  assert.match(await page.getByLabel("Manifest").innerText(), /application\/vnd\.oci\.image\.manifest\.v1\+json/);
  await page.getByRole("table", { name: "Build history" }).getByText("berth e2e").first().waitFor();

  await page.getByRole("button", { name: "Add tag" }).click();
  let dlg = page.getByRole("dialog", { name: "Add tag" });
  await dlg.getByLabel("Tag name").fill("release");
  await dlg.getByRole("button", { name: "Add" }).click();
  await dlg.waitFor({ state: "hidden" });
  await row(tags, "release").waitFor();

  await page.getByRole("button", { name: "Add tag" }).click();
  dlg = page.getByRole("dialog", { name: "Add tag" });
  await dlg.getByLabel("Tag name").fill("release");
  await dlg.getByRole("button", { name: "Add" }).click();
  const alert = dlg.getByRole("alert");
  await alert.waitFor();
  assert.equal(await alert.innerText(), "the tag release already exists in the repository");
  await shot(page, SPEC, "add-tag-conflict");
  await dlg.getByRole("button", { name: "Cancel" }).click();

  // Pull commands: shown, and copied as shown.
  const cmd = `docker pull ${host}/${proj}/team/app:release`;
  assert.equal(await row(tags, "release").locator("code").innerText(), cmd);
  await row(tags, "release").getByRole("button", { name: "Copy pull command for tag release" }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), cmd);
  const digest = (await srv.api("GET", `projects/${proj}/repositories/team%252Fapp/artifacts/v1`)).json.digest;
  assert.equal(await page.getByRole("button", { name: "Copy pull command by digest" }).getAttribute("data-command"), `docker pull ${host}/${proj}/team/app@${digest}`);
  await shot(page, SPEC, "artifact-detail");

  await row(tags, "release").getByRole("button", { name: "Delete tag release" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete tag" });
  await confirm.getByRole("button", { name: "Delete" }).click();
  await confirm.waitFor({ state: "hidden" });
  await row(tags, "release").waitFor({ state: "detached" });
  await row(tags, "v1").waitFor();
  const left = (await srv.api("GET", `projects/${proj}/repositories/team%252Fapp/artifacts/${digest}/tags`)).json.map((t) => t.name);
  assert.deepEqual(left, ["v1"]);
});

test("summary and audit log of the project", async () => {
  await page.getByRole("link", { name: "Summary" }).click();
  await page.getByTestId("repo-count").filter({ hasText: "2" }).waitFor();
  assert.match(await page.getByLabel("Members by role").innerText(), /Project admins\s+1/);
  const bar = page.getByRole("progressbar", { name: "Storage quota" });
  assert.match(await bar.getAttribute("aria-valuetext"), /of 10\.0 MiB$/);
  await shot(page, SPEC, "summary");

  // Orange from 85 %, red at 100 % (the hard limit set through the API, then put back).
  const [quota] = (await srv.api("GET", `quotas?reference=project&reference_id=${(await srv.api("GET", `projects/${proj}`)).json.project_id}`)).json;
  const used = quota.used.storage;
  for (const [hard, cls] of [[Math.ceil(used / 0.9), "warn"], [used, "full"], [10 * 1024 * 1024, ""]]) {
    assert.equal((await srv.api("PUT", `quotas/${quota.id}`, { hard: { storage: hard } })).status, 200);
    await page.getByRole("link", { name: "Logs" }).click();
    await page.getByRole("link", { name: "Summary" }).click();
    await bar.waitFor();
    assert.equal(await bar.getAttribute("class"), `bar ${cls}`);
    if (cls === "full") await shot(page, SPEC, "summary-quota-full");
  }

  await page.getByRole("link", { name: "Logs" }).click();
  const logs = page.getByRole("table", { name: "Audit log" });
  await row(logs, `${proj}/team/app:v1`).waitFor();
  assert.match(await row(logs, `${proj}/team/app:v1`).innerText(), /admin\s+create\s+artifact/);
  await page.getByLabel("Operation").selectOption("delete");
  await row(logs, `${proj}/team/app:v1`).waitFor({ state: "detached" });
  await row(logs, "release").waitFor(); // the tag deleted above
  for (const t of await logs.locator("tbody tr").allInnerTexts()) assert.match(t, /\tdelete\t/);
  await page.getByLabel("Operation").selectOption("");
  await page.getByLabel("User name").fill("nobody");
  await page.waitForFunction(() => /No matching records/.test(document.querySelector("table[aria-label='Audit log']")?.textContent ?? ""));
  await page.getByLabel("User name").fill("admin");
  await row(logs, `${proj}/team/app:v1`).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "long resource names widen the page");
  await shot(page, SPEC, "logs");
});

test("the project cannot be deleted while it holds repositories; after deleting them it can", async () => {
  await page.getByRole("link", { name: "Projects", exact: true }).click();
  await page.getByLabel("Search projects").fill(proj);
  await row(page, proj).getByRole("button", { name: `Delete project ${proj}` }).click();
  let dlg = page.getByRole("dialog", { name: "Delete project" });
  const alert = dlg.getByRole("alert");
  await alert.waitFor();
  assert.equal(await alert.innerText(), `${proj} cannot be deleted: the project contains repositories and cannot be deleted`);
  assert.equal(await dlg.getByRole("button", { name: "Delete" }).count(), 0);
  await shot(page, SPEC, "delete-project-refused");
  await dlg.getByRole("button", { name: "Close" }).click();

  await row(page, proj).getByRole("link", { name: proj }).click();
  for (const repo of ["team/app", "multi"]) {
    await page.getByRole("button", { name: `Delete repository ${proj}/${repo}` }).click();
    const c = page.getByRole("dialog", { name: "Delete repository" });
    await c.getByRole("button", { name: "Delete" }).click();
    await c.waitFor({ state: "hidden" });
    await page.getByRole("link", { name: `${proj}/${repo}` }).waitFor({ state: "detached" });
  }
  await page.getByText("No repositories yet").waitFor();
  assert.equal((await srv.api("GET", `projects/${proj}/repositories`)).json.length, 0);

  await page.getByRole("link", { name: "Projects", exact: true }).click();
  await page.getByLabel("Search projects").fill(proj);
  await row(page, proj).getByRole("button", { name: `Delete project ${proj}` }).click();
  dlg = page.getByRole("dialog", { name: "Delete project" });
  await dlg.getByRole("button", { name: "Delete" }).click();
  await dlg.waitFor({ state: "hidden" });
  await page.getByText("No project matches.").waitFor();
  assert.equal((await srv.api("GET", `projects/${proj}`)).status, 404);
  // Allowed: the 401 of the session probe before login, the 400 (bad name) and 409 (tag taken) provoked above.
  assert.deepEqual(failed.filter((f) => !/^(400 POST .*\/projects|409 POST .*\/tags)$/.test(f)), []);
  b.expectNoConsoleErrors(["status of 401", "status of 409", "status of 400"]);
});
