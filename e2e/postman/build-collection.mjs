// Writes docs/postman/authapi.postman_collection.json and its environment file
// from the requests and test scripts below, which are easier to read and review
// here than as lines of JSON. Run `node e2e/postman/build-collection.mjs` after
// changing this file; with --check it fails if the committed files differ
// (e2e/run.sh checks that), so the two cannot drift apart.
import fs from "node:fs";
import path from "node:path";

const docs = path.resolve(import.meta.dirname, "..", "..", "docs", "postman");

// ---- Building blocks ---------------------------------------------------------

/** src turns a function into the lines of a Postman script (its body only). */
function src(fn) {
  const text = fn.toString();
  const body = text.slice(text.indexOf("{") + 1, text.lastIndexOf("}"));
  const lines = body.split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
  return lines.map((l) => l.slice(indent)).join("\n").trim().split("\n");
}

/** Lines shared by test scripts that read Set-Cookie headers. */
const cookieHelpers = [
  "const setCookies = pm.response.headers.all().filter((h) => h.key.toLowerCase() === 'set-cookie').map((h) => h.value);",
  "const setCookie = (name) => setCookies.find((c) => c.startsWith(name + '='));",
  "const cookieValue = (name) => { const c = setCookie(name); return c ? c.split(';')[0].slice(name.length + 1) : undefined; };",
];


/**
 * request builds one Postman item. opts: body (object, sent as JSON), raw and
 * contentType (a body sent as is), bearer (a variable name), noCookies (the
 * cookie jar is neither sent nor filled), header (extra headers), pre and test
 * (functions or arrays of lines), description.
 */
function request(name, method, url, opts = {}) {
  const header = [];
  let body;
  if (opts.body !== undefined) {
    header.push({ key: "Content-Type", value: "application/json" });
    body = { mode: "raw", raw: JSON.stringify(opts.body, null, 2), options: { raw: { language: "json" } } };
  }
  if (opts.raw !== undefined) {
    header.push({ key: "Content-Type", value: opts.contentType });
    body = { mode: "raw", raw: opts.raw };
  }
  if (opts.bearer) header.push({ key: "Authorization", value: `Bearer {{${opts.bearer}}}` });
  for (const [key, value] of Object.entries(opts.header || {})) header.push({ key, value });
  const event = [];
  const lines = (x) => (typeof x === "function" ? src(x) : x);
  if (opts.pre) event.push({ listen: "prerequest", script: { type: "text/javascript", exec: lines(opts.pre) } });
  if (opts.test) {
    const exec = [...(opts.cookies ? cookieHelpers : []), ...lines(opts.test)];
    event.push({ listen: "test", script: { type: "text/javascript", exec } });
  }
  const [pathPart, query] = url.split("?");
  const item = {
    name,
    event,
    request: {
      method,
      header,
      url: {
        raw: `{{baseUrl}}${url}`,
        host: ["{{baseUrl}}"],
        path: pathPart.split("/").filter(Boolean),
        ...(query ? { query: query.split("&").map((kv) => { const [key, value] = kv.split("="); return { key, value }; }) } : {}),
      },
      ...(body ? { body } : {}),
      ...(opts.description ? { description: opts.description } : {}),
    },
  };
  if (opts.noCookies) item.protocolProfileBehavior = { disableCookies: true };
  return item;
}

const folder = (name, description, item) => ({ name, description, item });

// ---- The collection ------------------------------------------------------------

/* eslint-disable no-undef -- the functions below run in Postman's sandbox */

const setup = folder("0 Setup", "A fresh user for this run.", [
  request("Health check", "GET", "/api/healthchecker", {
    pre() {
      const id = Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);
      pm.collectionVariables.set("email", `postman-${id}@example.com`);
      pm.collectionVariables.set("emailMixedCase", `Postman-${id}@Example.COM`);
      pm.collectionVariables.set("password", `postman-pass-${id}`);
      pm.collectionVariables.set("newPassword", `postman-new-pass-${id}`);
    },
    test() {
      pm.test("200 Hello World", () => {
        pm.response.to.have.status(200);
        pm.expect(pm.response.json()).to.eql({ message: "Hello World" });
      });
    },
  }),
  request("OpenAPI document", "GET", "/openapi.json", {
    test() {
      const doc = pm.response.json();
      pm.test("200 OpenAPI 3.1 with every path of this collection", () => {
        pm.response.to.have.status(200);
        pm.expect(doc.openapi).to.match(/^3\.1\./);
        for (const p of ["/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/logout",
          "/api/auth/sessions", "/api/auth/sessions/{id}", "/api/users/me", "/api/users/me/password", "/.well-known/jwks.json"]) {
          pm.expect(doc.paths, p).to.have.property(p);
        }
      });
    },
  }),
]);

const register = folder("1 Register", "Account creation and its errors.", [
  request("Register", "POST", "/api/auth/register", {
    body: { name: "Postman User", email: "{{emailMixedCase}}", password: "{{password}}", passwordConfirm: "{{password}}", role: "admin" },
    test() {
      const u = pm.response.json();
      pm.test("201 with the user object", () => {
        pm.response.to.have.status(201);
        pm.expect(u).to.include.keys("id", "name", "email", "photo", "created_at", "updated_at");
        pm.expect(u.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      });
      pm.test("email trimmed and lower-cased", () => pm.expect(u.email).to.eql(pm.collectionVariables.get("email")));
      pm.test("a client cannot make itself admin", () => pm.expect(u.role).to.eql("user"));
      pm.test("no password or hash in the body", () => pm.expect(JSON.stringify(u)).not.to.match(/password|\$argon2/i));
      pm.collectionVariables.set("userId", u.id);
    },
  }),
  request("Register again with the same email", "POST", "/api/auth/register", {
    body: { name: "Postman User", email: "{{email}}", password: "{{password}}", passwordConfirm: "{{password}}" },
    test() {
      pm.test("409 Account already exist", () => {
        pm.response.to.have.status(409);
        pm.expect(pm.response.json()).to.eql({ detail: "Account already exist" });
      });
    },
  }),
  request("Register with passwords that differ", "POST", "/api/auth/register", {
    body: { name: "Other", email: "other-{{email}}", password: "{{password}}", passwordConfirm: "{{password}}-typo" },
    test() {
      pm.test("400 Passwords do not match", () => {
        pm.response.to.have.status(400);
        pm.expect(pm.response.json()).to.eql({ detail: "Passwords do not match" });
      });
    },
  }),
  request("Register with invalid fields", "POST", "/api/auth/register", {
    body: { name: "Other", email: "not-an-email", password: "short", passwordConfirm: "short" },
    test() {
      pm.test("422 listing every bad field", () => {
        pm.response.to.have.status(422);
        const detail = pm.response.json().detail;
        pm.expect(detail).to.be.an("array");
        const fields = detail.map((d) => d.loc.join("."));
        pm.expect(fields).to.include.members(["body.email", "body.password"]);
        detail.forEach((d) => pm.expect(d).to.include.keys("loc", "msg", "type"));
      });
    },
  }),
  request("Register with a form body", "POST", "/api/auth/register", {
    raw: "name=Form&email=form%40example.com&password=password123&passwordConfirm=password123",
    contentType: "application/x-www-form-urlencoded",
    test() {
      pm.test("415: only JSON bodies are read", () => {
        pm.response.to.have.status(415);
        pm.expect(pm.response.json().detail).to.be.a("string");
      });
    },
  }),
]);

const login = folder("2 Login", "Logging in sets the three cookies; wrong credentials cannot be told apart.", [
  request("Login with a wrong password", "POST", "/api/auth/login", {
    body: { email: "{{email}}", password: "{{password}}-wrong" },
    noCookies: true,
    test() {
      pm.test("400 Incorrect Email or Password", () => {
        pm.response.to.have.status(400);
        pm.expect(pm.response.json()).to.eql({ detail: "Incorrect Email or Password" });
      });
    },
  }),
  request("Login with an unknown email", "POST", "/api/auth/login", {
    body: { email: "nobody-{{email}}", password: "{{password}}" },
    noCookies: true,
    test() {
      pm.test("400, the same answer as a wrong password", () => {
        pm.response.to.have.status(400);
        pm.expect(pm.response.json()).to.eql({ detail: "Incorrect Email or Password" });
      });
    },
  }),
  request("Login", "POST", "/api/auth/login", {
    body: { email: "{{email}}", password: "{{password}}" },
    cookies: true,
    test() {
      const body = pm.response.json();
      pm.test("200 status success with an access token", () => {
        pm.response.to.have.status(200);
        pm.expect(body.status).to.eql("success");
        pm.expect(body.access_token.split(".")).to.have.lengthOf(3);
      });
      pm.test("access_token cookie: HttpOnly, Path=/, SameSite=Lax", () => {
        const c = setCookie("access_token");
        pm.expect(c).to.match(/HttpOnly/i).and.match(/Path=\/(;|$)/).and.match(/SameSite=Lax/i).and.match(/Max-Age=\d+/);
        pm.expect(cookieValue("access_token")).to.eql(body.access_token);
      });
      pm.test("refresh_token cookie: HttpOnly, Path=/api/auth", () => {
        pm.expect(setCookie("refresh_token")).to.match(/HttpOnly/i).and.match(/Path=\/api\/auth(;|$)/);
      });
      pm.test("logged_in cookie: True, readable by JavaScript", () => {
        const c = setCookie("logged_in");
        pm.expect(cookieValue("logged_in")).to.eql("True");
        pm.expect(c).not.to.match(/HttpOnly/i);
      });
      pm.test("tokens are never cached", () => pm.expect(pm.response.headers.get("Cache-Control")).to.eql("no-store"));
      pm.test("the cookie jar holds the session", () => pm.expect(pm.cookies.has("access_token")).to.be.true);
      pm.collectionVariables.set("accessToken", body.access_token);
      pm.collectionVariables.set("refreshToken", cookieValue("refresh_token"));
    },
  }),
]);

const me = folder("3 Current user", "GET /api/users/me by cookie and by Bearer header.", [
  request("Me via cookie", "GET", "/api/users/me", {
    test() {
      pm.test("200 the logged-in user", () => {
        pm.response.to.have.status(200);
        pm.expect(pm.response.json().email).to.eql(pm.collectionVariables.get("email"));
        pm.expect(pm.response.json().id).to.eql(pm.collectionVariables.get("userId"));
      });
    },
  }),
  request("Me via Bearer", "GET", "/api/users/me", {
    bearer: "accessToken",
    noCookies: true,
    test() {
      pm.test("200 the logged-in user, no cookie needed", () => {
        pm.response.to.have.status(200);
        pm.expect(pm.response.json().email).to.eql(pm.collectionVariables.get("email"));
      });
    },
  }),
  request("JWKS names the access token's key", "GET", "/.well-known/jwks.json", {
    noCookies: true,
    test() {
      const header = JSON.parse(atob(pm.collectionVariables.get("accessToken").split(".")[0].replace(/-/g, "+").replace(/_/g, "/")));
      const keys = pm.response.json().keys;
      pm.test("200 with the key the access token names, for its algorithm", () => {
        pm.response.to.have.status(200);
        const key = keys.find((k) => k.kid === header.kid);
        pm.expect(key, `kid ${header.kid}`).to.be.an("object");
        pm.expect(key.alg).to.eql(header.alg);
        pm.expect(key).not.to.have.any.keys("d", "p", "q", "dp", "dq", "qi");
      });
    },
  }),
  request("Me with no token", "GET", "/api/users/me", {
    noCookies: true,
    test() {
      pm.test("401 You are not logged in", () => {
        pm.response.to.have.status(401);
        pm.expect(pm.response.json()).to.eql({ detail: "You are not logged in" });
      });
    },
  }),
  request("Me with a malformed Authorization header", "GET", "/api/users/me", {
    header: { Authorization: "Basic dXNlcjpwYXNz" },
    test() {
      pm.test("401 even with a valid cookie: the header wins", () => {
        pm.response.to.have.status(401);
        pm.expect(pm.response.json()).to.eql({ detail: "Token is invalid or has expired" });
      });
    },
  }),
  request("Me with the refresh token as Bearer", "GET", "/api/users/me", {
    bearer: "refreshToken",
    noCookies: true,
    test() {
      pm.test("401: a refresh token is not an access token", () => {
        pm.response.to.have.status(401);
        pm.expect(pm.response.json()).to.eql({ detail: "Token is invalid or has expired" });
      });
    },
  }),
]);

const refresh = folder("4 Refresh", "Refresh rotates the refresh token; a rotated one replayed after REFRESH_REUSE_GRACE (reuseGraceMs in the environment) signs the session out.", [
  request("Refresh without a token", "POST", "/api/auth/refresh", {
    noCookies: true,
    test() {
      pm.test("400 Please provide refresh token", () => {
        pm.response.to.have.status(400);
        pm.expect(pm.response.json()).to.eql({ detail: "Please provide refresh token" });
      });
    },
  }),
  request("Refresh via cookie (rotates)", "POST", "/api/auth/refresh", {
    cookies: true,
    test() {
      const body = pm.response.json();
      pm.test("200 with a new access token", () => {
        pm.response.to.have.status(200);
        pm.expect(body.access_token.split(".")).to.have.lengthOf(3);
      });
      pm.test("a new refresh_token cookie", () => {
        pm.expect(cookieValue("refresh_token")).to.be.a("string").and.not.eql(pm.collectionVariables.get("refreshToken"));
      });
      pm.test("a cookie client does not get the refresh token in the body", () => pm.expect(body).not.to.have.property("refresh_token"));
      pm.collectionVariables.set("accessToken", body.access_token);
      pm.collectionVariables.set("refreshToken", cookieValue("refresh_token"));
    },
  }),
  request("Refresh with GET (the reference's method)", "GET", "/api/auth/refresh", {
    cookies: true,
    test() {
      pm.test("200 and rotated again", () => {
        pm.response.to.have.status(200);
        pm.expect(cookieValue("refresh_token")).to.not.eql(pm.collectionVariables.get("refreshToken"));
      });
      pm.collectionVariables.set("accessToken", pm.response.json().access_token);
      pm.collectionVariables.set("refreshToken", cookieValue("refresh_token"));
    },
  }),
  request("Me with the refreshed access token", "GET", "/api/users/me", {
    bearer: "accessToken",
    noCookies: true,
    test() {
      pm.test("200", () => pm.response.to.have.status(200));
    },
  }),
  request("Login on a second device", "POST", "/api/auth/login", {
    body: { email: "{{email}}", password: "{{password}}" },
    noCookies: true,
    cookies: true,
    test() {
      pm.test("200", () => pm.response.to.have.status(200));
      pm.collectionVariables.set("device2Access", pm.response.json().access_token);
      pm.collectionVariables.set("device2Refresh", cookieValue("refresh_token"));
    },
  }),
  request("Second device refreshes with a Bearer refresh token", "POST", "/api/auth/refresh", {
    bearer: "device2Refresh",
    noCookies: true,
    test() {
      const body = pm.response.json();
      pm.test("200, and a header client gets the new refresh token in the body", () => {
        pm.response.to.have.status(200);
        pm.expect(body.refresh_token).to.be.a("string").and.not.eql(pm.collectionVariables.get("device2Refresh"));
      });
      pm.collectionVariables.set("device2OldRefresh", pm.collectionVariables.get("device2Refresh"));
      pm.collectionVariables.set("device2Refresh", body.refresh_token);
      pm.collectionVariables.set("device2Access", body.access_token);
    },
  }),
  request("Replay the rotated refresh token after the grace window", "POST", "/api/auth/refresh", {
    bearer: "device2OldRefresh",
    noCookies: true,
    pre() {
      // Wait out REFRESH_REUSE_GRACE of the server under test.
      const wait = Number(pm.environment.get("reuseGraceMs") || 10000) + 500;
      setTimeout(() => {}, wait);
    },
    test() {
      pm.test("400: the old token is refused", () => {
        pm.response.to.have.status(400);
        pm.expect(pm.response.json().detail).to.be.a("string").and.match(/already used/);
      });
    },
  }),
  request("The replay signed the second device out", "POST", "/api/auth/refresh", {
    bearer: "device2Refresh",
    noCookies: true,
    test() {
      pm.test("400: even the newest refresh token of that session is dead", () => pm.response.to.have.status(400));
    },
  }),
  request("Second device's access token after the replay", "GET", "/api/users/me", {
    bearer: "device2Access",
    noCookies: true,
    test() {
      pm.test("401 Token is invalid or has expired", () => {
        pm.response.to.have.status(401);
        pm.expect(pm.response.json()).to.eql({ detail: "Token is invalid or has expired" });
      });
    },
  }),
  request("The first device is untouched", "GET", "/api/users/me", {
    test() {
      pm.test("200 via cookie", () => pm.response.to.have.status(200));
    },
  }),
]);

const sessions = folder("5 Sessions", "Listing and revoking sessions.", [
  request("Login on a third device", "POST", "/api/auth/login", {
    body: { email: "{{email}}", password: "{{password}}" },
    noCookies: true,
    test() {
      pm.test("200", () => pm.response.to.have.status(200));
      pm.collectionVariables.set("device3Access", pm.response.json().access_token);
    },
  }),
  request("List sessions", "GET", "/api/auth/sessions", {
    test() {
      const list = pm.response.json().sessions;
      pm.test("200 with the active sessions", () => {
        pm.response.to.have.status(200);
        pm.expect(list).to.be.an("array").with.lengthOf(2);
        list.forEach((s) => pm.expect(s).to.include.keys("id", "created_at", "last_used_at", "expires_at", "user_agent", "ip", "current"));
      });
      pm.test("exactly one is the current one", () => pm.expect(list.filter((s) => s.current)).to.have.lengthOf(1));
      const other = list.find((s) => !s.current);
      pm.collectionVariables.set("otherSessionId", other ? other.id : "");
    },
  }),
  request("Revoke the third device's session", "DELETE", "/api/auth/sessions/{{otherSessionId}}", {
    test() {
      pm.test("200 status success", () => {
        pm.response.to.have.status(200);
        pm.expect(pm.response.json()).to.eql({ status: "success" });
      });
    },
  }),
  request("The third device is signed out", "GET", "/api/users/me", {
    bearer: "device3Access",
    noCookies: true,
    test() {
      pm.test("401", () => pm.response.to.have.status(401));
    },
  }),
  request("Revoke it again", "DELETE", "/api/auth/sessions/{{otherSessionId}}", {
    test() {
      pm.test("404 Session not found", () => {
        pm.response.to.have.status(404);
        pm.expect(pm.response.json()).to.eql({ detail: "Session not found" });
      });
    },
  }),
  request("Revoke a session that is not yours", "DELETE", "/api/auth/sessions/00000000-0000-7000-8000-000000000000", {
    test() {
      pm.test("404 Session not found", () => {
        pm.response.to.have.status(404);
        pm.expect(pm.response.json()).to.eql({ detail: "Session not found" });
      });
    },
  }),
]);

const account = folder("6 Account", "Profile, password change (which ends the other sessions), and logging out the other devices.", [
  request("Update the profile", "PATCH", "/api/users/me", {
    body: { name: "Postman Renamed" },
    test() {
      pm.test("200 with the new name, same email", () => {
        pm.response.to.have.status(200);
        pm.expect(pm.response.json().name).to.eql("Postman Renamed");
        pm.expect(pm.response.json().email).to.eql(pm.collectionVariables.get("email"));
      });
    },
  }),
  request("Login on a fourth device", "POST", "/api/auth/login", {
    body: { email: "{{email}}", password: "{{password}}" },
    noCookies: true,
    test() {
      pm.test("200", () => pm.response.to.have.status(200));
      pm.collectionVariables.set("device4Access", pm.response.json().access_token);
    },
  }),
  request("Change the password with a wrong current password", "POST", "/api/users/me/password", {
    body: { current_password: "{{password}}-wrong", new_password: "{{newPassword}}" },
    test() {
      pm.test("400 Incorrect password", () => {
        pm.response.to.have.status(400);
        pm.expect(pm.response.json()).to.eql({ detail: "Incorrect password" });
      });
    },
  }),
  request("Change the password to one too short", "POST", "/api/users/me/password", {
    body: { current_password: "{{password}}", new_password: "short" },
    test() {
      pm.test("422 on new_password", () => {
        pm.response.to.have.status(422);
        pm.expect(pm.response.json().detail.map((d) => d.loc.join("."))).to.include("body.new_password");
      });
    },
  }),
  request("Change the password", "POST", "/api/users/me/password", {
    body: { current_password: "{{password}}", new_password: "{{newPassword}}" },
    test() {
      pm.test("200 status success", () => {
        pm.response.to.have.status(200);
        pm.expect(pm.response.json()).to.eql({ status: "success" });
      });
    },
  }),
  request("Other sessions ended with the password change", "GET", "/api/users/me", {
    bearer: "device4Access",
    noCookies: true,
    test() {
      pm.test("401 for the fourth device", () => pm.response.to.have.status(401));
    },
  }),
  request("This session goes on", "GET", "/api/users/me", {
    test() {
      pm.test("200 via cookie", () => pm.response.to.have.status(200));
    },
  }),
  request("Login with the old password", "POST", "/api/auth/login", {
    body: { email: "{{email}}", password: "{{password}}" },
    noCookies: true,
    test() {
      pm.test("400 Incorrect Email or Password", () => pm.response.to.have.status(400));
    },
  }),
  request("Login with the new password", "POST", "/api/auth/login", {
    body: { email: "{{email}}", password: "{{newPassword}}" },
    noCookies: true,
    test() {
      pm.test("200", () => pm.response.to.have.status(200));
      pm.collectionVariables.set("device5Access", pm.response.json().access_token);
    },
  }),
  request("Log out the other devices", "POST", "/api/auth/logout?scope=others", {
    cookies: true,
    test() {
      pm.test("200 and the cookies of this session are kept", () => {
        pm.response.to.have.status(200);
        pm.expect(setCookie("access_token")).to.be.undefined;
      });
    },
  }),
  request("The other device is signed out", "GET", "/api/users/me", {
    bearer: "device5Access",
    noCookies: true,
    test() {
      pm.test("401", () => pm.response.to.have.status(401));
    },
  }),
]);

const logout = folder("7 Logout", "Logout revokes the session at once and deletes the cookies.", [
  request("Logout", "POST", "/api/auth/logout", {
    cookies: true,
    test() {
      pm.test("200 status success", () => {
        pm.response.to.have.status(200);
        pm.expect(pm.response.json()).to.eql({ status: "success" });
      });
      pm.test("the three cookies are deleted", () => {
        for (const name of ["access_token", "refresh_token", "logged_in"]) {
          pm.expect(setCookie(name), name).to.match(/Max-Age=0/);
        }
      });
    },
  }),
  request("Me after logout", "GET", "/api/users/me", {
    test() {
      pm.test("401 You are not logged in", () => {
        pm.response.to.have.status(401);
        pm.expect(pm.response.json()).to.eql({ detail: "You are not logged in" });
      });
    },
  }),
  request("Me after logout with the old access token", "GET", "/api/users/me", {
    bearer: "accessToken",
    noCookies: true,
    test() {
      pm.test("401: logout revoked it", () => {
        pm.response.to.have.status(401);
        pm.expect(pm.response.json()).to.eql({ detail: "Token is invalid or has expired" });
      });
    },
  }),
  request("Refresh after logout with the old refresh token", "POST", "/api/auth/refresh", {
    bearer: "refreshToken",
    noCookies: true,
    test() {
      pm.test("400", () => {
        pm.response.to.have.status(400);
        pm.expect(pm.response.json().detail).to.be.a("string");
      });
    },
  }),
  request("Logout without a token", "POST", "/api/auth/logout", {
    noCookies: true,
    test() {
      pm.test("401 You are not logged in", () => {
        pm.response.to.have.status(401);
        pm.expect(pm.response.json()).to.eql({ detail: "You are not logged in" });
      });
    },
  }),
]);

const errors = folder("8 Errors", "The router's answers and malformed bodies, in the contract's shape.", [
  request("Unknown route", "GET", "/api/nothing-here", {
    test() {
      pm.test("404 Not Found", () => {
        pm.response.to.have.status(404);
        pm.expect(pm.response.json()).to.eql({ detail: "Not Found" });
      });
    },
  }),
  request("Wrong method", "DELETE", "/api/auth/login", {
    test() {
      pm.test("405 Method Not Allowed with Allow", () => {
        pm.response.to.have.status(405);
        pm.expect(pm.response.json()).to.eql({ detail: "Method Not Allowed" });
        pm.expect(pm.response.headers.get("Allow")).to.include("POST");
      });
    },
  }),
  request("Login with invalid JSON", "POST", "/api/auth/login", {
    raw: "{\"email\": ",
    contentType: "application/json",
    noCookies: true,
    test() {
      pm.test("422 with a JSON decoding error", () => {
        pm.response.to.have.status(422);
        pm.expect(pm.response.json().detail[0].type).to.eql("value_error.jsondecode");
      });
    },
  }),
  request("Login with a missing field", "POST", "/api/auth/login", {
    body: { email: "{{email}}" },
    noCookies: true,
    test() {
      pm.test("422 naming password", () => {
        pm.response.to.have.status(422);
        const item = pm.response.json().detail.find((d) => d.loc.join(".") === "body.password");
        pm.expect(item.type).to.eql("value_error.missing");
      });
    },
  }),
]);

const lockout = folder("9 Lockout", "Repeated wrong passwords lock the account for a while: 429 with Retry-After.", [
  request("Wrong password until the account is locked", "POST", "/api/auth/login", {
    body: { email: "{{email}}", password: "{{password}}-wrong" },
    noCookies: true,
    test() {
      const tries = Number(pm.collectionVariables.get("lockoutTries") || 0) + 1;
      pm.collectionVariables.set("lockoutTries", String(tries));
      if (pm.response.code === 400 && tries < 10) {
        pm.execution.setNextRequest(pm.info.requestName); // again, until locked
        return;
      }
      pm.test("429 with Retry-After within 10 tries", () => {
        pm.response.to.have.status(429);
        pm.expect(pm.response.json().detail).to.be.a("string");
        pm.expect(Number(pm.response.headers.get("Retry-After"))).to.be.above(0);
      });
    },
  }),
  request("The right password is refused while locked", "POST", "/api/auth/login", {
    body: { email: "{{email}}", password: "{{newPassword}}" },
    noCookies: true,
    test() {
      pm.test("429", () => pm.response.to.have.status(429));
    },
  }),
]);

const collection = {
  info: {
    name: "authapi",
    description: "The whole authapi flow with assertions: register, login, current user by cookie and Bearer, refresh rotation and reuse detection, sessions, profile and password, logout, and the main errors.\n\nSet baseUrl in the environment. reuseGraceMs must be at least the server's REFRESH_REUSE_GRACE (e2e/run.sh starts authapi with 1s; the default is 10s).\n\nGenerated by e2e/postman/build-collection.mjs: edit that file, not this one.",
    schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
  },
  item: [setup, register, login, me, refresh, sessions, account, logout, errors, lockout],
  variable: [],
};

const environment = {
  name: "authapi local",
  values: [
    { key: "baseUrl", value: "http://localhost:8000", type: "default", enabled: true },
    { key: "reuseGraceMs", value: "10000", type: "default", enabled: true },
  ],
  _postman_variable_scope: "environment",
};

const outputs = {
  "authapi.postman_collection.json": `${JSON.stringify(collection, null, 2)}\n`,
  "authapi.postman_environment.json": `${JSON.stringify(environment, null, 2)}\n`,
};

const check = process.argv.includes("--check");
let stale = false;
for (const [file, text] of Object.entries(outputs)) {
  const target = path.join(docs, file);
  if (check) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
    if (current !== text) {
      console.error(`${path.relative(process.cwd(), target)} is not what e2e/postman/build-collection.mjs makes: run node e2e/postman/build-collection.mjs`);
      stale = true;
    }
  } else {
    fs.mkdirSync(docs, { recursive: true });
    fs.writeFileSync(target, text);
  }
}
if (stale) process.exit(1);
