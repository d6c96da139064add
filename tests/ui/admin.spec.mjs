// Administration pages, the dashboard and the account page, as a system admin and as a user the admin
// creates: statistics and charts (one storage bar per project, one project with a hard limit), user
// creation (the API's password-rule message), granting admin, the new user's password change through
// the Account page, a GC dry run through to Success with its log, a persisted Daily GC schedule, the
// LDAP test against a closed port (the API's failure message), a setting that survives a reload, a
// system robot with its one-time secret, and the user creation in the audit log.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBerth, openBrowser, login, shot, unique, pushImage, freePort } from "./harness.mjs";

const SPEC = "admin";
let srv, b;
const projects = [unique("dash-a"), unique("dash-b"), unique("dash-c")].sort();
const newUser = { username: unique("ops"), password: "Start1234", email: "" };
newUser.email = `${newUser.username}@example.test`;
const changedPassword = "Changed5678";
const LIMIT = 8 * 1024;

before(async () => {
  srv = await startBerth();
  for (const name of projects) {
    const r = await srv.api("POST", "projects", { project_name: name, metadata: { public: "false" } });
    assert.equal(r.status, 201, r.text);
  }
  // A hard limit on the first project, a webhook policy there aimed at a closed port, and an image
  // pushed into it (a used part under the limit, and a delivery that fails).
  const q = await srv.api("GET", `quotas?reference=project&reference_id=${(await srv.api("GET", `projects/${projects[0]}`)).json.project_id}`);
  assert.equal((await srv.api("PUT", `quotas/${q.json[0].id}`, { hard: { storage: LIMIT } })).status, 200);
  const hook = await srv.api("POST", `projects/${projects[0]}/webhook/policies`, {
    name: "ci",
    targets: [{ type: "http", address: `http://127.0.0.1:${await freePort()}/hook` }],
    event_types: ["PUSH_ARTIFACT"],
    enabled: true,
  });
  assert.equal(hook.status, 201, hook.text);
  pushImage(srv, `${projects[0]}/app`, "v1");
  b = await openBrowser();
  await login(b.page, srv);
  b.consoleErrors.length = 0; // the login page's own session probe (401) is not under test here
});
after(async () => {
  await b?.close();
  await srv?.stop();
});

test("dashboard: statistics, a storage bar per project with the limit, webhook chart; narrow layout", async () => {
  const { page } = b;
  await page.goto(srv.url + "/dashboard");
  const stats = page.getByLabel("Statistics");
  await stats.waitFor();
  assert.match(await stats.innerText(), /Projects\s*3\b/);
  assert.match(await stats.innerText(), /Repositories\s*1\b/);
  assert.match(await stats.innerText(), /Storage used/);

  const chart = page.getByTestId("storage-chart");
  await chart.locator("svg.recharts-surface").first().waitFor();
  // The "Used" series (the first bar layer) has one rectangle per project.
  const usedBars = chart.locator(".recharts-bar").first().locator(".recharts-bar-rectangle");
  assert.equal(await usedBars.count(), projects.length);
  const ticks = await chart.locator(".recharts-xAxis-tick-labels text").allTextContents();
  assert.deepEqual(ticks, projects.map((p) => (p.length > 16 ? `${p.slice(0, 15)}…` : p)));
  // The text alternative names the limit of the limited project.
  const label = await chart.getAttribute("aria-label");
  assert.match(label, new RegExp(`${projects[0]} [0-9.]+ KiB of 8.00 KiB`));
  const table = page.getByRole("table").first();
  await page.getByText("Storage as a table").click();
  assert.match(await table.innerText(), /8\.00 KiB/);
  assert.match(await table.innerText(), /Unlimited/);

  await page.getByTestId("webhook-chart").locator("svg.recharts-surface").first().waitFor();
  // The push into the first project made one delivery to the closed port (failed, or still retrying).
  const hooks = await page.getByTestId("webhook-chart").getAttribute("aria-label");
  const m = hooks.match(new RegExp(`${projects[0]} (\\d+) succeeded, (\\d+) failed, (\\d+) other`));
  assert.ok(m, hooks);
  assert.equal(Number(m[1]), 0);
  assert.equal(Number(m[2]) + Number(m[3]), 1);
  assert.match(await page.getByText(/Deliveries in the first 10 projects by name/).innerText(), /newest 50 deliveries/);
  await shot(page, SPEC, "dashboard");
  await page.setViewportSize({ width: 420, height: 800 });
  await page.getByTestId("storage-chart").locator("svg.recharts-surface").first().waitFor();
  await shot(page, SPEC, "dashboard-420");
  await page.setViewportSize({ width: 1280, height: 800 });
});

test("users: the API's password rule message, create, make admin", async () => {
  const { page } = b;
  await page.goto(srv.url + "/admin/users");
  await page.getByRole("button", { name: "New user" }).click();
  const dialog = page.getByRole("dialog", { name: "New user" });
  await dialog.getByLabel("Username").fill(newUser.username);
  await dialog.getByLabel("Email").fill(newUser.email);
  await dialog.getByLabel("Real name").fill("Ops Person");
  await dialog.getByLabel("Password").fill("alllowercase");
  await dialog.getByRole("button", { name: "Create" }).click();
  const alert = dialog.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /8 to 128 characters.*upper-case.*lower-case.*digit/);
  await dialog.getByLabel("Password").fill(newUser.password);
  await dialog.getByRole("button", { name: "Create" }).click();
  await dialog.waitFor({ state: "hidden" });

  await page.getByLabel("Search users").fill(newUser.username);
  const row = page.getByRole("row", { name: new RegExp(newUser.username) });
  await row.waitFor();
  assert.match(await row.innerText(), /No/);
  await row.getByRole("button", { name: `Set as admin ${newUser.username}` }).click();
  await page.getByRole("status").filter({ hasText: `${newUser.username} is now a system admin` }).waitFor();
  assert.match(await row.getByRole("cell").nth(1).innerText(), /Yes/);
  const u = await srv.api("GET", `users?username=${newUser.username}`);
  assert.equal(u.json[0].sysadmin_flag, true);
  await shot(page, SPEC, "users");
});

test("account: the new user changes their password and signs in with it", async () => {
  const context = await b.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  let errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await login(page, srv, newUser);
    errors = []; // the login page's session probe
    await page.getByTestId("current-user").click();
    await page.getByRole("heading", { name: "Account" }).waitFor();
    assert.equal(await page.getByLabel("Email").inputValue(), newUser.email);
    await page.getByLabel("Real name").fill("Ops Person Renamed");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.getByRole("status").filter({ hasText: "Profile saved." }).waitFor();
    // A wrong current password: the API refuses and says why.
    await page.getByLabel("Current password").fill("Wrong0000x");
    await page.getByLabel("New password", { exact: true }).fill(changedPassword);
    await page.getByLabel("Confirm new password").fill(changedPassword);
    await page.getByRole("button", { name: "Change password" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.ok((await alert.innerText()).length > 3);
    await page.getByLabel("Current password").fill(newUser.password);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("status").filter({ hasText: "Password changed." }).waitFor();
    await shot(page, SPEC, "account");
    const left = errors.filter((t) => !/status of 403/.test(t)); // the wrong current password
    assert.deepEqual(left, []);
    // The server ended the session with the password change.
    await page.getByRole("button", { name: "Sign in again" }).click();
    await page.waitForURL(/\/login$/);
    await login(page, srv, { username: newUser.username, password: changedPassword });
    assert.equal(await page.getByTestId("current-user").innerText(), newUser.username);
    const old = await srv.api("GET", "users/current", undefined, { auth: newUser });
    assert.equal(old.status, 401);
    const renamed = await srv.api("GET", "users/current", undefined, { auth: { username: newUser.username, password: changedPassword } });
    assert.equal(renamed.json.realname, "Ops Person Renamed");
  } finally {
    await context.close();
  }
});

test("GC: a dry run ends in Success with its log; a Daily schedule is kept", async () => {
  const { page } = b;
  await page.goto(srv.url + "/admin/gc");
  await page.getByRole("heading", { name: "History" }).waitFor();
  await page.getByLabel("Delete untagged artifacts").check();
  await page.getByRole("button", { name: "Dry run" }).click();
  const started = await page.getByRole("status").filter({ hasText: /Dry run #\d+ started/ }).innerText();
  const id = started.match(/#(\d+)/)[1];
  const row = page.getByTestId(`gc-run-${id}`);
  await row.getByText("Success").waitFor({ timeout: 20000 });
  const text = await row.innerText();
  assert.match(text, /Dry run/);
  assert.match(text, /Untagged/);
  assert.match(text, /would free/);
  await row.getByRole("button", { name: `Log of run ${id}` }).click();
  const log = page.getByLabel(`Log of run ${id}`, { exact: true }).and(page.locator("pre"));
  await log.waitFor();
  assert.match(await log.innerText(), /dry run/i);

  await page.getByRole("combobox", { name: /^Schedule/ }).selectOption("Daily");
  await page.getByRole("button", { name: "Save schedule" }).click();
  await page.getByRole("status").filter({ hasText: "Schedule saved: Daily." }).waitFor();
  const s = await srv.api("GET", "system/gc/schedule");
  assert.equal(s.json.schedule.type, "Daily");
  assert.equal(s.json.parameters.delete_untagged, true);
  await page.reload();
  await page.getByText(/Next run:/).waitFor();
  assert.equal(await page.getByRole("combobox", { name: /^Schedule/ }).inputValue(), "Daily");
  await shot(page, SPEC, "gc");
});

test("LDAP: testing a closed port shows the API's failure message", async () => {
  const { page } = b;
  const port = await freePort();
  await page.goto(srv.url + "/admin/ldap");
  await page.getByLabel("LDAP URL").fill(`ldap://127.0.0.1:${port}`);
  await page.getByLabel("Base DN", { exact: true }).fill("dc=example,dc=test");
  await page.getByRole("button", { name: "Test LDAP server" }).click();
  const result = page.getByTestId("ldap-ping");
  await result.waitFor();
  const msg = await result.innerText();
  assert.match(msg, /LDAP test failed/);
  assert.match(msg, new RegExp(`127\\.0\\.0\\.1:${port}`));
  // Testing did not save anything.
  assert.equal((await srv.api("GET", "configurations")).json.ldap_url.value, "");
  await shot(page, SPEC, "ldap");
});

test("Settings: a changed setting is kept after a reload", async () => {
  const { page } = b;
  await page.goto(srv.url + "/admin/settings");
  const field = page.getByLabel("Token expiration (minutes)");
  await field.waitFor();
  assert.equal(await field.inputValue(), "30");
  await field.fill("45");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Settings saved." }).waitFor();
  await page.reload();
  await page.getByLabel("Token expiration (minutes)").waitFor();
  assert.equal(await page.getByLabel("Token expiration (minutes)").inputValue(), "45");
  assert.equal((await srv.api("GET", "configurations")).json.token_expiration.value, 45);
  await shot(page, SPEC, "settings");
});

test("Robots: a system robot for chosen projects, its secret shown once", async () => {
  const { page } = b;
  await page.goto(srv.url + "/admin/robots");
  await page.getByRole("button", { name: "New robot account" }).click();
  const dialog = page.getByRole("dialog", { name: "New robot account" });
  await dialog.getByLabel("Name").fill("deployer");
  await dialog.getByLabel("Selected projects").check();
  await dialog.getByLabel(projects[2], { exact: true }).check();
  await dialog.getByLabel("repository push", { exact: true }).check();
  await dialog.getByRole("button", { name: "Create" }).click();
  const secret = page.getByTestId("robot-secret");
  await secret.waitFor();
  const value = await secret.innerText();
  assert.ok(value.length >= 8);
  await page.getByRole("note").filter({ hasText: "you will not see it again" }).waitFor();
  await page.getByRole("button", { name: "Close" }).click();
  const row = page.getByRole("row", { name: /robot\$deployer/ });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(projects[2]));
  const r = await srv.api("GET", "users/current", undefined, { auth: { username: "robot$deployer", password: value } });
  assert.notEqual(r.status, 401);
  await shot(page, SPEC, "robots");
});

test("audit log: the user creation is listed, filtered by type and operation", async () => {
  const { page } = b;
  await page.goto(srv.url + "/admin/audit");
  await page.getByLabel("Operation").selectOption("create");
  await page.getByLabel("Resource type").fill("user");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByText("matching operation=create,resource_type=user").waitFor();
  const row = page.getByRole("row").filter({ hasText: newUser.username });
  await row.waitFor();
  assert.match(await row.innerText(), /admin\s+create\s+user/);
  assert.equal(await page.getByRole("table", { name: "Audit log" }).getByRole("row").count(), 2);
  await shot(page, SPEC, "audit-log");
  b.expectNoConsoleErrors(["status of 400"]);
});
