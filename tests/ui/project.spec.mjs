// Project tabs: Members, Robot Accounts, Webhooks, Helm Charts.
// Setup (a project, a second user) goes through the REST API; everything under test goes through
// the page, and its effects are checked from outside (the API, /v2 with the robot's secret, a real
// webhook receiver on loopback, the chart download link).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { startBerth, openBrowser, login, shot, pushImage, unique } from "./harness.mjs";

const SPEC = "project";
let srv, b, project, projectId, user, receiver;
const received = []; // {headers, body} of every webhook delivery

async function until(what, fn, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

before(async () => {
  srv = await startBerth({ config: { webhook: { max_attempts: 3, backoff_ms: "500,1000", timeout_ms: 2000 } } });
  b = await openBrowser();
  project = unique("proj");
  let r = await srv.api("POST", "projects", { project_name: project, metadata: { public: "false" } });
  assert.equal(r.status, 201, r.text);
  projectId = Number(r.headers.get("location").split("/").pop());
  user = unique("dev");
  r = await srv.api("POST", "users", { username: user, password: "Passw0rdDev", email: `${user}@example.com`, realname: "Dev User" });
  assert.equal(r.status, 201, r.text);
  receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  if (process.env.BERTH_UI_DEBUG) b.page.on("response", (r) => r.status() >= 400 && console.log("HTTP", r.status(), r.request().method(), r.url()));
  await login(b.page, srv);
  b.consoleErrors.length = 0; // the login page's own session probe (401) is not under test here
});

after(async () => {
  await b?.close();
  receiver?.close();
  await srv?.stop();
});

const tab = (name) => `${srv.url}/projects/${projectId}/${name}`;

test("members: add a user as Developer, a second add is refused, change to Maintainer, remove", async () => {
  const { page } = b;
  await page.goto(tab("members"));
  await page.getByRole("cell", { name: "admin", exact: true }).waitFor();
  await page.getByRole("button", { name: "Add user" }).click();
  let dialog = page.getByRole("dialog", { name: "Add user member" });
  await dialog.getByLabel("Username").fill(user);
  await dialog.getByLabel("Role").selectOption({ label: "Developer" });
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
  const role = page.getByLabel(`Role of ${user}`);
  await role.waitFor();
  assert.equal(await role.inputValue(), "2");
  let members = (await srv.api("GET", `projects/${projectId}/members`)).json;
  assert.equal(members.find((m) => m.entity_name === user)?.role_id, 2);

  // the same user again: the API's 409 message in the dialog
  await page.getByRole("button", { name: "Add user" }).click();
  dialog = page.getByRole("dialog", { name: "Add user member" });
  await dialog.getByLabel("Username").fill(user);
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  const alert = dialog.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /already|member|exist/i);
  await shot(page, SPEC, "members-409");
  await dialog.getByRole("button", { name: "Cancel" }).click();

  await role.selectOption({ label: "Maintainer" });
  await page.getByRole("status").filter({ hasText: `${user} is now Maintainer` }).waitFor();
  members = (await srv.api("GET", `projects/${projectId}/members`)).json;
  assert.equal(members.find((m) => m.entity_name === user)?.role_id, 4);
  await shot(page, SPEC, "members");

  await page.getByRole("button", { name: `Remove ${user}` }).click();
  const confirm = page.getByRole("dialog", { name: "Remove member" });
  assert.match(await confirm.innerText(), new RegExp(`${user}.*Maintainer`));
  await confirm.getByRole("button", { name: "Remove" }).click();
  await page.getByLabel(`Role of ${user}`).waitFor({ state: "detached" });
  members = (await srv.api("GET", `projects/${projectId}/members`)).json;
  assert.equal(members.some((m) => m.entity_name === user), false);
});

test("robots: create with push+pull, the secret is shown once and works on /v2, refresh, disable", async () => {
  const { page } = b;
  await page.goto(tab("robots"));
  await page.getByRole("button", { name: "New robot account" }).click();
  const dialog = page.getByRole("dialog", { name: "New robot account" });
  await dialog.getByLabel("Name", { exact: true }).fill("ci");
  await dialog.getByLabel("Description").fill("CI pushes");
  await dialog.getByLabel("repository push", { exact: true }).check();
  await dialog.getByLabel("repository pull", { exact: true }).check();
  await shot(page, SPEC, "robots-create");
  await dialog.getByRole("button", { name: "Create" }).click();

  const secretDialog = page.getByRole("dialog", { name: "Robot account secret" });
  await secretDialog.waitFor();
  const login_ = `robot$${project}+ci`;
  assert.match(await secretDialog.innerText(), /you will not see it again/i);
  assert.ok((await secretDialog.innerText()).includes(login_));
  const secret = (await secretDialog.getByTestId("robot-secret").innerText()).trim();
  assert.ok(secret.length >= 8, secret);
  await shot(page, SPEC, "robots-secret");
  await secretDialog.getByRole("button", { name: "Close" }).click();
  await secretDialog.waitFor({ state: "hidden" });
  assert.equal((await page.locator("body").innerText()).includes(secret), false, "the secret stays on the page");

  const basic = (s) => ({ Authorization: "Basic " + Buffer.from(`${login_}:${s}`).toString("base64") });
  assert.equal((await fetch(`${srv.apiUrl}/v2/`, { headers: basic(secret) })).status, 200);
  const tok = await fetch(`${srv.apiUrl}/service/token?service=harbor-registry&scope=repository:${project}/x:pull,push`, { headers: basic(secret) });
  assert.equal(tok.status, 200);
  assert.ok((await tok.json()).token);
  assert.equal((await fetch(`${srv.apiUrl}/v2/`, { headers: basic(secret + "x") })).status, 401);
  const row = page.getByRole("row").filter({ hasText: login_ });
  assert.match(await row.innerText(), /repository: (push, pull|pull, push)/);

  // refresh: a new secret, shown once; the old one stops working
  await page.getByRole("button", { name: `Refresh secret of ${login_}` }).click();
  await page.getByRole("dialog", { name: "Refresh secret" }).getByRole("button", { name: "Refresh secret" }).click();
  await secretDialog.waitFor();
  const secret2 = (await secretDialog.getByTestId("robot-secret").innerText()).trim();
  assert.notEqual(secret2, secret);
  await secretDialog.getByRole("button", { name: "Close" }).click();
  assert.equal((await fetch(`${srv.apiUrl}/v2/`, { headers: basic(secret) })).status, 401);
  assert.equal((await fetch(`${srv.apiUrl}/v2/`, { headers: basic(secret2) })).status, 200);

  await page.getByRole("button", { name: `Disable ${login_}` }).click();
  await page.getByRole("button", { name: `Enable ${login_}` }).waitFor();
  assert.match(await row.innerText(), /Disabled/);
  assert.equal((await fetch(`${srv.apiUrl}/v2/`, { headers: basic(secret2) })).status, 401);
  await shot(page, SPEC, "robots");
});

test("webhooks: a policy made in the page delivers a push; payload, task log and redeliver", async () => {
  const { page } = b;
  const name = unique("hook");
  const address = `http://127.0.0.1:${receiver.address().port}/hook`;
  await page.goto(tab("webhooks"));
  await page.getByRole("button", { name: "New webhook" }).click();
  const dialog = page.getByRole("dialog", { name: "New webhook" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByLabel("Description").fill("to the test receiver");
  await dialog.getByLabel("Endpoint URL").fill(address);
  await dialog.getByLabel("Auth header").fill("Bearer t0ken");
  assert.deepEqual(await dialog.getByLabel("Payload format").locator("option").allInnerTexts(), ["Default", "CloudEvents"]);
  await dialog.getByLabel("PUSH_ARTIFACT").check();
  await shot(page, SPEC, "webhooks-create");
  await dialog.getByRole("button", { name: "Create" }).click();
  await dialog.waitFor({ state: "hidden" });
  const row = page.getByRole("row").filter({ hasText: name });
  await row.waitFor();
  assert.match(await row.innerText(), /Enabled/);
  assert.match(await row.innerText(), /PUSH_ARTIFACT/);
  assert.ok((await row.innerText()).includes(address));

  // test endpoint: one sample delivery, nothing recorded
  await page.getByRole("button", { name: `Test endpoint of ${name}` }).click();
  await page.getByRole("status").filter({ hasText: "test event was delivered" }).waitFor();
  await until("the test delivery", () => received.length === 1);
  assert.equal(received[0].headers.authorization, "Bearer t0ken");
  received.length = 0;
  await shot(page, SPEC, "webhooks");

  pushImage(srv, `${project}/web`, "v1");
  await until("the push delivery", () => received.length === 1);
  await page.getByRole("link", { name }).click();
  await page.getByRole("heading", { name: "Executions" }).waitFor();
  const exec = page.getByRole("row").filter({ hasText: "PUSH_ARTIFACT" }).first();
  await until("an execution row with Success", async () => {
    if ((await exec.count()) === 0) await page.getByRole("button", { name: "Refresh" }).click();
    return (await exec.count()) > 0 && /Success/.test(await exec.innerText());
  });
  assert.match(await exec.innerText(), /EVENT/);
  await shot(page, SPEC, "webhook-executions");

  await exec.getByRole("link").click();
  const payload = page.getByLabel("Payload");
  await payload.waitFor();
  const sent = await payload.innerText();
  assert.equal(sent, received[0].body, "the page shows exactly the body the receiver got");
  const doc = JSON.parse(sent);
  assert.equal(doc.type, "PUSH_ARTIFACT");
  assert.equal(doc.event_data.repository.name, "web");
  assert.equal(doc.event_data.repository.namespace, project);
  const log = page.getByLabel(/^Log of task/);
  await log.waitFor();
  assert.match(await log.innerText(), /200/);
  assert.equal((await log.innerText()).includes("t0ken"), false, "the log never shows the auth header");
  await shot(page, SPEC, "webhook-execution");

  await page.getByRole("button", { name: "Redeliver" }).click();
  await page.getByRole("status").filter({ hasText: /Redelivery queued as execution #\d+/ }).waitFor();
  await until("the redelivery", () => received.length === 2);
  assert.equal(received[1].body, received[0].body);
  assert.equal(received[1].headers["x-berth-event-id"], received[0].headers["x-berth-event-id"]);

  // back on the list the redelivery is a MANUAL execution that ends in Success
  await page.getByRole("link", { name }).click();
  const manual = page.getByRole("row").filter({ hasText: "MANUAL" });
  await until("the MANUAL execution with Success", async () => (await manual.count()) > 0 && /Success/.test(await manual.first().innerText()));

  // last trigger, then delete
  await page.getByRole("link", { name: "Webhooks" }).first().click();
  assert.doesNotMatch(await row.locator("td").nth(4).innerText(), /—/);
  await page.getByRole("button", { name: `Delete ${name}` }).click();
  await page.getByRole("dialog", { name: "Delete webhook" }).getByRole("button", { name: "Delete" }).click();
  await row.waitFor({ state: "detached" });
  assert.deepEqual((await srv.api("GET", `projects/${projectId}/webhook/policies`)).json, []);
});

function buildChart(name, version) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-ui-chart-"));
  fs.mkdirSync(path.join(dir, name, "templates"), { recursive: true });
  fs.writeFileSync(path.join(dir, name, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: "1.0"\ndescription: UI test chart\n`);
  fs.writeFileSync(path.join(dir, name, "values.yaml"), "replicaCount: 1\n");
  fs.writeFileSync(path.join(dir, name, "templates", "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\n");
  const out = path.join(dir, `${name}-${version}.tgz`);
  execFileSync("tar", ["-czf", out, "-C", dir, name]);
  return { dir, file: out, bytes: fs.readFileSync(out) };
}

test("charts: upload a .tgz, a bad one shows the API's message, download, delete", async () => {
  const { page } = b;
  const chart = buildChart("uichart", "0.3.1");
  const bad = path.join(chart.dir, "broken-0.1.0.tgz");
  fs.writeFileSync(bad, "not a gzip at all");
  try {
    await page.goto(tab("charts"));
    await page.getByText("No charts yet").waitFor();
    const input = page.getByLabel("Chart package (.tgz)");

    await input.setInputFiles(bad);
    await page.getByRole("button", { name: "Upload" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.innerText(), /gzip|archive/i);

    await input.setInputFiles(chart.file);
    await page.getByRole("button", { name: "Upload" }).click();
    await page.getByRole("status").filter({ hasText: "Uploaded uichart-0.3.1.tgz" }).waitFor();
    const row = page.getByRole("row").filter({ hasText: "uichart" });
    assert.match(await row.innerText(), /0\.3\.1/);
    await shot(page, SPEC, "charts");

    await row.getByRole("link", { name: "uichart" }).click();
    const link = page.getByRole("link", { name: "Download uichart 0.3.1" });
    const href = await link.getAttribute("href");
    assert.equal(href, `/chartrepo/${project}/charts/uichart-0.3.1.tgz`);
    const dl = await page.request.get(srv.url + href); // with the page's session
    assert.equal(dl.status(), 200);
    assert.ok(Buffer.from(await dl.body()).equals(chart.bytes));
    await shot(page, SPEC, "chart-versions");

    await page.getByRole("button", { name: "Delete uichart 0.3.1" }).click();
    await page.getByRole("dialog", { name: "Delete chart version" }).getByRole("button", { name: "Delete" }).click();
    await page.getByText("No charts yet").waitFor();
    assert.equal((await srv.api("GET", `/chartrepo/${project}/charts/uichart-0.3.1.tgz`)).status, 404);
  } finally {
    fs.rmSync(chart.dir, { recursive: true, force: true });
  }
});

test("narrow window: every tab fits without sideways scrolling of the page; no console errors", async () => {
  const { page } = b;
  await page.setViewportSize({ width: 700, height: 900 });
  try {
    for (const name of ["members", "robots", "webhooks", "charts"]) {
      await page.goto(tab(name));
      await page.getByRole("table").waitFor();
      await page.getByText("Loading…").waitFor({ state: "detached" });
      await shot(page, SPEC, `narrow-${name}`);
      const [overflow, culprits] = await page.evaluate(() => {
        const w = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll("main *")].filter((e) => e.getBoundingClientRect().right > w + 1).slice(0, 3);
        return [document.documentElement.scrollWidth - w, wide.map((e) => e.tagName + "." + e.className + ": " + (e.textContent ?? "").slice(0, 40))];
      });
      assert.ok(overflow <= 0, `${name} overflows by ${overflow}px at 700px: ${culprits.join(" | ")}`);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
  b.expectNoConsoleErrors(["status of 409", "status of 400"]); // the refused member add and the bad chart
});
