// Shared pieces of the browser tests: the authapi servers under test, Debian's
// Chromium, the pages of other origins, and API calls from Node.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";

export const outputDir = path.resolve(import.meta.dirname, "..", "output");
export const screenshotDir = path.join(outputDir, "screenshots");

/**
 * targets lists the running authapi servers from AUTHAPI_TARGETS, which run.sh
 * sets: "sqlite=http://127.0.0.1:1234 postgres=http://127.0.0.1:5678".
 */
export function targets() {
  const raw = process.env.AUTHAPI_TARGETS || "";
  const list = raw.split(/\s+/).filter(Boolean).map((entry) => {
    const [name, base] = entry.split("=");
    return { name, base };
  });
  if (!list.length) throw new Error("AUTHAPI_TARGETS is not set: run the tests with e2e/run.sh");
  return list;
}

/** The origin run.sh listed in CLIENT_ORIGIN (ALLOWED_ORIGIN_PORT). */
export function allowedOriginPort() {
  const port = Number(process.env.ALLOWED_ORIGIN_PORT);
  if (!port) throw new Error("ALLOWED_ORIGIN_PORT is not set: run the tests with e2e/run.sh");
  return port;
}

// The flags the brief of this machine asks for: no sandbox as root, and no
// background traffic to Google, which this closed network refuses.
const chromiumArgs = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: chromiumArgs,
    headless: true,
  });
}

/**
 * originServer serves a blank page on 127.0.0.1:port (0 for any free port), to
 * run a frontend's JavaScript from an origin other than authapi's.
 */
export async function originServer(port) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><title>another origin</title><p>Frontend on ${req.headers.host}</p>` +
      `<a id="logout-link" href="">log out link</a>`);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

let counter = 0;
/** newUser returns unique credentials for one test. */
export function newUser(label) {
  counter += 1;
  const id = `${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
  return { name: `${label} ${counter}`, email: `${label.toLowerCase()}-${id}@example.com`, password: `pw-${id}-long` };
}

/** api calls authapi from Node, outside any browser (no cookies unless given). */
export async function api(base, method, pathname, { body, token, cookie } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  if (cookie) headers.Cookie = cookie;
  const res = await fetch(base + pathname, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, json, headers: res.headers };
}

/** registerUser creates an account through the API. */
export async function registerUser(base, user) {
  const r = await api(base, "POST", "/api/auth/register", {
    body: { name: user.name, email: user.email, password: user.password, passwordConfirm: user.password },
  });
  if (r.status !== 201) throw new Error(`register ${user.email}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

export function ensureDir(dir) {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
