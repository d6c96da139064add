// Signing in and out: a wrong password shows the server's message, the right one lands in the
// console with the user's name, a deep link survives a reload (served by the binary for any
// console path), logout returns to the login page and the session is gone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBerth, openBrowser, login, shot, ADMIN } from "./harness.mjs";

let srv, b;
before(async () => {
  srv = await startBerth();
  b = await openBrowser();
});
after(async () => {
  await b?.close();
  await srv?.stop();
});

test("wrong password shows the API's message, right one signs in", async () => {
  const { page } = b;
  await page.goto(srv.url + "/");
  await page.waitForURL(/\/login$/);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("wrong-Passw0rd");
  await page.getByRole("button", { name: "Log in" }).click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /invalid|password|unauthorized/i);
  await shot(page, "login", "refused");
  await login(page, srv, ADMIN);
  assert.equal(await page.getByTestId("current-user").innerText(), "admin");
  await shot(page, "login", "signed-in");
});

test("a deep link reloads into the same page", async () => {
  const { page } = b;
  await page.goto(srv.url + "/projects");
  await page.getByRole("heading", { name: "Projects" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "Projects" }).waitFor();
});

test("logout ends the session", async () => {
  const { page } = b;
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login$/);
  await page.goto(srv.url + "/projects");
  await page.waitForURL(/\/login$/);
  b.expectNoConsoleErrors(["401", "Unauthorized", "status of 401"]);
});
