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

test("keyboard only: sign in, open a dialog, close it with Escape", async () => {
  const kb = await openBrowser();
  try {
    const { page } = kb;
    await page.goto(srv.url + "/login");
    await page.getByLabel("Username").waitFor();
    // The username field has focus on arrival; Tab moves to the password; Enter submits.
    await page.keyboard.type(ADMIN.username);
    await page.keyboard.press("Tab");
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press("Enter");
    await page.getByTestId("current-user").waitFor();
    await page.goto(srv.url + "/projects");
    const create = page.getByRole("button", { name: "New project" });
    await create.waitFor();
    let reached = false;
    for (let i = 0; i < 30 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await create.evaluate((el) => el === document.activeElement);
    }
    assert.ok(reached, "Tab never reached the New project button");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "New project" });
    await dialog.waitFor();
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), "focus did not move into the dialog");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await shot(page, "login", "keyboard");
    kb.consoleErrors.length = 0;
  } finally {
    await kb.close();
  }
});

test("logout ends the session", async () => {
  const { page } = b;
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login$/);
  await page.goto(srv.url + "/projects");
  await page.waitForURL(/\/login$/);
  b.expectNoConsoleErrors(["401", "Unauthorized", "status of 401"]);
});
