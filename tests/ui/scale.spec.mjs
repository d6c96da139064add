// A repository with 10,000 artifacts stays fast in the console: the page asks the server for one
// page at a time (page_size ≤ 100), shows the total from X-Total-Count, and the first page, the
// next page and a tag filter each render within a couple of seconds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { startBerth, openBrowser, login, shot, ROOT, ADMIN } from "./harness.mjs";

const N = 10000;
const PROJECT = "scale";
let srv, b;
const listSizes = [];

before(async () => {
  srv = await startBerth();
  const r = await srv.api("POST", "projects", { project_name: PROJECT, metadata: { public: "false" } });
  assert.equal(r.status, 201, r.text);
  execFileSync("/usr/bin/python3", [path.join(ROOT, "tests", "ui", "seed_artifacts.py"), srv.apiUrl, ADMIN.username, ADMIN.password, `${PROJECT}/big`, String(N)], { stdio: ["ignore", "inherit", "inherit"] });
  b = await openBrowser();
  b.page.on("request", (req) => {
    const u = new URL(req.url());
    if (u.pathname.startsWith("/api/") && u.pathname.endsWith("/artifacts") && req.method() === "GET") listSizes.push(Number(u.searchParams.get("page_size")) || u.pathname + u.search);
  });
  await login(b.page, srv);
  b.consoleErrors.length = 0; // the login page's session probe (401) before signing in
});
after(async () => {
  await b?.close();
  await srv?.stop();
});

async function timed(fn) {
  const t0 = Date.now();
  await fn();
  return Date.now() - t0;
}

test("10,000 artifacts: first page, next page and a filter each render fast", async () => {
  const { page } = b;
  const pager = page.getByLabel("Pages");
  const first = await timed(async () => {
    await page.goto(`${srv.url}/projects/${PROJECT}/repositories/big/artifacts`);
    await pager.filter({ hasText: `of ${N}` }).waitFor();
  });
  const table = page.getByRole("table", { name: "Artifacts" });
  const rows = await table.locator("tbody tr").count();
  assert.ok(rows > 0 && rows <= 100, `rows on one page: ${rows}`);
  await shot(page, "scale", "artifacts-10000");
  const next = await timed(async () => {
    await page.getByRole("button", { name: "Next page" }).click();
    await pager.filter({ hasText: `${rows + 1}–${2 * rows} of ${N}` }).waitFor();
  });
  const filter = await timed(async () => {
    await page.getByLabel("Filter by tag").fill("v9990");
    await table.getByText("v9990").first().waitFor();
    await pager.filter({ hasText: /of 1(?!\d)/ }).waitFor();
  });
  assert.equal(await table.locator("tbody tr").count(), 1);
  console.log(`10,000 artifacts: first page ${first} ms, next page ${next} ms, filter ${filter} ms`);
  for (const [what, ms] of [["first page", first], ["next page", next], ["filter", filter]])
    assert.ok(ms < 3000, `${what} took ${ms} ms`);
  assert.ok(listSizes.length >= 2 && listSizes.every((s) => s > 0 && s <= 100), `page sizes asked: ${listSizes}`);
  b.expectNoConsoleErrors();
});
