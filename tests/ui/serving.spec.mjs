// The berth binary serves the web console: index.html for / and any console route (with the
// security headers), hashed assets cached for good, gzip when asked, 304 on If-None-Match, 404 for
// unknown assets, and the protocol prefixes (/api, /v2, /service, /c) answering as before.
// Raw HTTP (node:http: no automatic Accept-Encoding, no decompression) against the real binary.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import zlib from "node:zlib";
import { startBerth, ADMIN } from "./harness.mjs";

let srv;
before(async () => {
  srv = await startBerth();
});
after(async () => {
  await srv?.stop();
});

function request(path, { method = "GET", headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(srv.apiUrl + path, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function assertDocumentHeaders(r, what) {
  assert.equal(r.status, 200, what);
  assert.match(r.headers["content-type"], /^text\/html/, what);
  const csp = r.headers["content-security-policy"] ?? "";
  for (const d of ["default-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "frame-ancestors 'none'"])
    assert.ok(csp.includes(d), `${what}: CSP ${csp} lacks ${d}`);
  assert.ok(!/script-src[^;]*unsafe-inline/.test(csp), `${what}: scripts must not be inline-allowed`);
  assert.equal(r.headers["x-frame-options"], "DENY", what);
  assert.equal(r.headers["x-content-type-options"], "nosniff", what);
  assert.equal(r.headers["referrer-policy"], "same-origin", what);
  assert.equal(r.headers["cache-control"], "no-cache", what);
  assert.match(r.headers["etag"] ?? "", /^"[0-9a-f]{16,}"$/, what);
}

let index;
test("/ and console routes are index.html with the security headers", async () => {
  index = await request("/");
  assertDocumentHeaders(index, "/");
  assert.equal(index.headers["content-encoding"], undefined);
  const html = index.body.toString();
  assert.match(html, /<div id="root"><\/div>/);
  assert.match(html, /<script type="module"[^>]* src="\/assets\/[^"]+\.js"/);
  for (const p of ["/projects/1/members", "/login", "/projects/a.b/repositories/x%2Fy", "/index.html"]) {
    const r = await request(p);
    assertDocumentHeaders(r, p);
    assert.ok(r.body.equals(index.body), `${p} is not index.html`);
  }
});

test("assets: immutable, gzip when accepted, 304 on If-None-Match", async () => {
  const src = index.body.toString().match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const plain = await request(src);
  assert.equal(plain.status, 200);
  assert.match(plain.headers["content-type"], /^text\/javascript/);
  assert.equal(plain.headers["cache-control"], "public, max-age=31536000, immutable");
  assert.equal(plain.headers["x-content-type-options"], "nosniff");
  assert.equal(plain.headers["vary"], "Accept-Encoding");
  assert.equal(plain.headers["content-encoding"], undefined);
  assert.equal(Number(plain.headers["content-length"]), plain.body.length);
  assert.ok(plain.body.length > 1000);

  const gz = await request(src, { headers: { "Accept-Encoding": "gzip, deflate, br" } });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers["content-encoding"], "gzip");
  assert.equal(gz.headers["vary"], "Accept-Encoding");
  assert.ok(gz.body.length < plain.body.length, "gzip body is smaller");
  assert.ok(zlib.gunzipSync(gz.body).equals(plain.body), "gzip body unpacks to the asset");
  assert.notEqual(gz.headers["etag"], plain.headers["etag"], "each representation has its own tag");

  const refused = await request(src, { headers: { "Accept-Encoding": "gzip;q=0, identity" } });
  assert.equal(refused.headers["content-encoding"], undefined);
  assert.ok(refused.body.equals(plain.body));

  for (const [etag, enc] of [[plain.headers["etag"], ""], [gz.headers["etag"], "gzip"], [`W/${plain.headers["etag"]}`, ""]]) {
    const r = await request(src, { headers: { "If-None-Match": etag, "Accept-Encoding": enc } });
    assert.equal(r.status, 304, `If-None-Match ${etag}`);
    assert.equal(r.body.length, 0);
    assert.equal(r.headers["cache-control"], "public, max-age=31536000, immutable");
  }
  const stale = await request(src, { headers: { "If-None-Match": '"0000"' } });
  assert.equal(stale.status, 200);

  const idx304 = await request("/projects", { headers: { "If-None-Match": index.headers["etag"] } });
  assert.equal(idx304.status, 304);
  assert.equal(idx304.headers["x-frame-options"], "DENY");

  const css = index.body.toString().match(/href="(\/assets\/[^"]+\.css)"/)[1];
  const c = await request(css);
  assert.equal(c.status, 200);
  assert.match(c.headers["content-type"], /^text\/css/);
  const icon = await request("/favicon.svg");
  assert.equal(icon.status, 200);
  assert.equal(icon.headers["content-type"], "image/svg+xml");
  assert.equal(icon.headers["cache-control"], "no-cache");
});

test("HEAD answers the headers and the length without a body", async () => {
  const h = await request("/", { method: "HEAD" });
  assert.equal(h.status, 200);
  assert.equal(h.body.length, 0);
  assert.equal(Number(h.headers["content-length"]), index.body.length);
  assert.equal(h.headers["x-frame-options"], "DENY");
  const src = index.body.toString().match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const gz = await request(src, { headers: { "Accept-Encoding": "gzip" } });
  const hg = await request(src, { method: "HEAD", headers: { "Accept-Encoding": "gzip" } });
  assert.equal(hg.status, 200);
  assert.equal(hg.headers["content-encoding"], "gzip");
  assert.equal(Number(hg.headers["content-length"]), gz.body.length);
  assert.equal(hg.body.length, 0);
});

test("unknown assets are 404, never index.html", async () => {
  for (const p of ["/assets/nope", "/assets/nope.js", "/assets/"]) {
    const r = await request(p);
    assert.equal(r.status, 404, p);
    assert.ok(!r.body.toString().includes("<div id=\"root\">"), `${p} must not be the console`);
  }
});

test("the protocol prefixes answer as before", async () => {
  const api = await request("/api/v2.0/nope");
  assert.equal(api.status, 404);
  assert.match(api.headers["content-type"], /^application\/json/);
  assert.equal(JSON.parse(api.body).errors[0].code, "NOT_FOUND");
  for (const p of ["/api/nope", "/service/nope", "/c/nope", "/chartrepo/nope/x/y/z"]) {
    const r = await request(p);
    assert.equal(r.status, 404, p);
    assert.ok(!r.body.toString().includes("<div id=\"root\">"), `${p} must not be the console`);
  }
  const anon = await request("/v2/");
  assert.equal(anon.status, 401);
  assert.match(anon.headers["www-authenticate"], /^Bearer realm=/);
  const basic = "Basic " + Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64");
  const v2 = await request("/v2/", { headers: { Authorization: basic } });
  assert.equal(v2.status, 200);
  assert.equal(v2.headers["docker-distribution-api-version"], "registry/2.0");
  const ping = await request("/api/v2.0/ping");
  assert.equal(ping.status, 200);
  assert.equal(ping.body.toString(), "Pong");
});

test("only GET and HEAD reach the console", async () => {
  for (const method of ["POST", "PUT", "DELETE"]) {
    const r = await request("/projects", { method });
    assert.equal(r.status, 404, method);
    assert.ok(!r.body.toString().includes("<div id=\"root\">"), method);
  }
});
