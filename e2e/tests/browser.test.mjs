// authapi checked in a real browser: Debian's Chromium driven by Playwright.
// Run through e2e/run.sh, which starts the servers and sets AUTHAPI_TARGETS.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  allowedOriginPort, api, ensureDir, launchBrowser, newUser, originServer, registerUser, screenshotDir, targets,
} from "./helpers.mjs";

const servers = targets();

const desktop = { viewport: { width: 1280, height: 900 } };
const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

let browser;
let allowed;
let other;

/** watch fails the test on any script error or CSP violation in page. */
function watch(page) {
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

/** view waits for one of the page's views (#view-signed-out, #view-account) to show. */
async function view(page, id) {
  await page.locator(`#${id}`).waitFor({ state: "visible", timeout: 10_000 });
}

/** message returns the text of a form's message box once it has some. */
async function message(page, selector) {
  const box = page.locator(selector);
  await box.locator("p").first().waitFor({ timeout: 10_000 });
  return (await box.innerText()).replace(/\s+/g, " ").trim();
}

async function logInOnPage(page, base, user) {
  await page.goto(`${base}/`);
  await view(page, "view-signed-out");
  await page.locator("#login-email").fill(user.email);
  await page.locator("#login-password").fill(user.password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await view(page, "view-account");
}

/** cookieMap returns the authapi cookies the browser holds, by name (refresh_token has Path=/api/auth). */
async function cookieMap(context, base) {
  const cookies = await context.cookies([`${base}/`, `${base}/api/auth/refresh`]);
  return Object.fromEntries(cookies.map((c) => [c.name, c]));
}

describe("authapi in Chromium", { concurrency: true }, () => {
  before(async () => {
    browser = await launchBrowser();
    allowed = await originServer(allowedOriginPort());
    other = await originServer(0);
  });
  after(async () => {
    await browser?.close();
    await allowed?.close();
    await other?.close();
  });

  for (const { name, base } of servers) {
    describe(name, { concurrency: true }, () => {
      // Started first: it spends a minute waiting for the access token to expire
      // while the other tests run.
      test("the refresh flow keeps a user logged in after the access token expires", async () => {
        const user = newUser("Expiry");
        await registerUser(base, user);
        const context = await browser.newContext(desktop);
        try {
          const page = await context.newPage();
          const problems = watch(page);
          await logInOnPage(page, base, user);
          const before = await cookieMap(context, base);
          const access = before.access_token;
          assert.ok(access, "login set an access_token cookie");
          const ttl = access.expires * 1000 - Date.now();
          assert.ok(ttl > 0 && ttl <= 61_000, `run.sh sets ACCESS_TOKEN_EXPIRES_IN=1 (cookie expires in ${ttl} ms)`);
          await sleep(ttl + 2_000);

          let jar = await cookieMap(context, base);
          assert.equal(jar.access_token, undefined, "the browser dropped the expired access_token cookie");
          assert.equal(jar.logged_in, undefined, "logged_in expires with the access token");
          assert.ok(jar.refresh_token, "the refresh_token cookie outlives the access token");
          const old = await api(base, "GET", "/api/users/me", { token: access.value });
          assert.equal(old.status, 401, "the server refuses the expired access token itself");
          assert.deepEqual(old.json, { detail: "Token is invalid or has expired" });

          // A browser whose clock is slow still sends the expired token: the page
          // gets 401, refreshes once, and retries.
          await context.addCookies([
            { name: "access_token", value: access.value, url: base, httpOnly: true, sameSite: "Lax" },
            { name: "logged_in", value: "True", url: base, sameSite: "Lax" },
          ]);
          const calls = [];
          page.on("response", (r) => {
            const u = new URL(r.url());
            if (u.pathname.startsWith("/api/")) calls.push(`${r.request().method()} ${u.pathname} ${r.status()}`);
          });
          await page.reload();
          await view(page, "view-account");
          await page.locator("#profile-email", { hasText: user.email }).waitFor();
          const meFirst = calls.indexOf("GET /api/users/me 401");
          assert.ok(meFirst >= 0, `the expired token got 401: ${calls}`);
          assert.deepEqual(calls.slice(meFirst, meFirst + 3),
            ["GET /api/users/me 401", "POST /api/auth/refresh 200", "GET /api/users/me 200"]);
          jar = await cookieMap(context, base);
          assert.notEqual(jar.access_token?.value, access.value, "refresh set a new access token");
          assert.notEqual(jar.refresh_token?.value, before.refresh_token.value, "refresh rotated the refresh token");

          // A later visit with no access token at all: the page refreshes first.
          await context.clearCookies({ name: "access_token" });
          await context.clearCookies({ name: "logged_in" });
          calls.length = 0;
          await page.reload();
          await view(page, "view-account");
          await page.locator("#profile-email", { hasText: user.email }).waitFor();
          assert.deepEqual(calls.slice(0, 2), ["POST /api/auth/refresh 200", "GET /api/users/me 200"]);
          assert.deepEqual(problems, []);
        } finally {
          await context.close();
        }
      });

      test("account page: the whole flow", async (t) => {
        const user = newUser("Flow");
        const context = await browser.newContext(desktop);
        const page = await context.newPage();
        const problems = watch(page);
        t.after(() => context.close());
        await page.goto(`${base}/`);
        await view(page, "view-signed-out");

        await t.test("register: errors in plain words, then the account", async () => {
          await page.getByRole("tab", { name: "Create account" }).click();
          await page.locator("#register-name").fill(user.name);
          await page.locator("#register-email").fill("not-an-email");
          await page.locator("#register-password").fill("short");
          await page.locator("#register-password-confirm").fill("short");
          await page.getByRole("button", { name: "Create account", exact: true }).click();
          const text = await message(page, "#register-form .form-msg");
          assert.match(text, /Email is not a valid email address\./);
          assert.match(text, /Password must be at least 8 characters long\./);
          assert.equal(await page.locator("#register-email").getAttribute("aria-invalid"), "true");
          assert.equal(await page.evaluate(() => document.activeElement.id), "register-email", "focus moves to the first bad field");

          await page.locator("#register-email").fill(user.email);
          await page.locator("#register-password").fill(user.password);
          await page.locator("#register-password-confirm").fill(`${user.password}-typo`);
          await page.getByRole("button", { name: "Create account", exact: true }).click();
          await page.locator("#register-form .form-msg", { hasText: "Passwords do not match." }).waitFor();

          await page.locator("#register-password-confirm").fill(user.password);
          await page.getByRole("button", { name: "Create account", exact: true }).click();
          await view(page, "view-account");
          assert.match(await page.locator("#notice").innerText(), /Your account was created\. Welcome/);
          assert.equal(await page.locator("#profile-email").innerText(), user.email);
          assert.equal(await page.locator("#profile-name").innerText(), user.name);
        });

        await t.test("sessions: list, and revoke another device", async () => {
          await page.locator("#sessions li.session.current", { hasText: "This device" }).waitFor();
          const phoneContext = await browser.newContext(phone);
          try {
            const other = await phoneContext.newPage();
            await logInOnPage(other, base, user);
            await page.getByRole("button", { name: "Reload the list" }).click();
            await page.locator("#sessions li.session").nth(1).waitFor();
            assert.equal(await page.locator("#sessions li.session").count(), 2);
            await page.locator("#sessions li.session:not(.current) button").click();
            await page.locator("#sessions-msg", { hasText: "That session is logged out." }).waitFor();
            assert.equal(await page.locator("#sessions li.session").count(), 1);
            // The revoked device finds out on its next call and shows the login form.
            await other.getByRole("button", { name: "Reload the list" }).click();
            await view(other, "view-signed-out");
            assert.match(await other.locator("#notice").innerText(), /Your session has ended/);
          } finally {
            await phoneContext.close();
          }
        });

        await t.test("screenshots of the account page", async () => {
          ensureDir(screenshotDir);
          await page.screenshot({ path: path.join(screenshotDir, `account-desktop-${name}.png`), fullPage: true });
          const phoneContext = await browser.newContext(phone);
          try {
            const small = await phoneContext.newPage();
            await small.goto(`${base}/`);
            await view(small, "view-signed-out");
            await small.locator("#login-email").fill(user.email);
            await small.locator("#login-password").fill("wrong password");
            await small.getByRole("button", { name: "Log in", exact: true }).click();
            await small.locator("#login-form .form-msg", { hasText: "Incorrect Email or Password." }).waitFor();
            await small.screenshot({ path: path.join(screenshotDir, `login-error-phone-${name}.png`), fullPage: true });
            await small.locator("#login-password").fill(user.password);
            await small.getByRole("button", { name: "Log in", exact: true }).click();
            await view(small, "view-account");
            await small.locator("#sessions li.session").nth(1).waitFor();
            await small.screenshot({ path: path.join(screenshotDir, `account-phone-${name}.png`), fullPage: true });
            const width = await small.evaluate(() => document.documentElement.scrollWidth);
            assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width}px wide)`);
          } finally {
            await phoneContext.close();
          }
        });

        await t.test("profile: edit the name", async () => {
          await page.locator("#profile-name-input").fill(`${user.name} Renamed`);
          await page.getByRole("button", { name: "Save profile" }).click();
          await page.locator("#profile-form .form-msg", { hasText: "Your profile is saved." }).waitFor();
          assert.equal(await page.locator("#profile-name").innerText(), `${user.name} Renamed`);
        });

        await t.test("change password: errors, then success", async () => {
          const form = page.locator("#password-form");
          const submit = form.getByRole("button", { name: "Change password" });
          await page.locator("#current-password").fill("wrong password");
          await page.locator("#new-password").fill(`${user.password}-2`);
          await page.locator("#new-password-confirm").fill(`${user.password}-2`);
          await submit.click();
          await form.locator(".form-msg", { hasText: "Incorrect password." }).waitFor();

          await page.locator("#current-password").fill(user.password);
          await page.locator("#new-password").fill("short");
          await page.locator("#new-password-confirm").fill("short");
          await submit.click();
          await form.locator(".form-msg", { hasText: "New password must be at least 8 characters long." }).waitFor();

          await page.locator("#new-password").fill(`${user.password}-2`);
          await page.locator("#new-password-confirm").fill(`${user.password}-3`);
          await submit.click();
          await form.locator(".form-msg", { hasText: "The two new passwords are not the same." }).waitFor();

          await page.locator("#new-password-confirm").fill(`${user.password}-2`);
          await submit.click();
          await form.locator(".form-msg", { hasText: "Your password is changed." }).waitFor();
          user.password = `${user.password}-2`;
        });

        await t.test("log out the other devices", async () => {
          const phoneContext = await browser.newContext(phone);
          try {
            const other = await phoneContext.newPage();
            await logInOnPage(other, base, user);
            await page.getByRole("button", { name: "Log out other devices" }).click();
            await page.locator("#logout-msg", { hasText: "Your other sessions are logged out." }).waitFor();
            await page.getByRole("button", { name: "Reload the list" }).click();
            await page.locator("#sessions li.session.current").waitFor();
            assert.equal(await page.locator("#sessions li.session").count(), 1);
            await other.getByRole("button", { name: "Reload the list" }).click();
            await view(other, "view-signed-out");
          } finally {
            await phoneContext.close();
          }
        });

        await t.test("log out, and the session is gone", async () => {
          await page.getByRole("button", { name: "Log out", exact: true }).click();
          await view(page, "view-signed-out");
          assert.match(await page.locator("#notice").innerText(), /You are logged out\./);
          const jar = await cookieMap(context, base);
          assert.deepEqual(Object.keys(jar), [], "logout deleted every cookie");
          await page.reload();
          await view(page, "view-signed-out");
        });

        await t.test("login and duplicate register errors", async () => {
          await page.getByRole("button", { name: "Log in", exact: true }).click();
          let text = await message(page, "#login-form .form-msg");
          assert.match(text, /Email is not a valid email address\./);
          assert.match(text, /Password must be at least 8 characters long\./);

          await page.locator("#login-email").fill(user.email);
          await page.locator("#login-password").fill("not the password");
          await page.getByRole("button", { name: "Log in", exact: true }).click();
          await page.locator("#login-form .form-msg", { hasText: "Incorrect Email or Password." }).waitFor();

          await page.getByRole("tab", { name: "Create account" }).click();
          await page.locator("#register-name").fill(user.name);
          await page.locator("#register-email").fill(user.email.toUpperCase());
          await page.locator("#register-password").fill(user.password);
          await page.locator("#register-password-confirm").fill(user.password);
          await page.getByRole("button", { name: "Create account", exact: true }).click();
          text = await message(page, "#register-form .form-msg");
          assert.equal(text, "Account already exist.");
        });

        await t.test("log in again with the current password", async () => {
          await logInOnPage(page, base, user);
          assert.match(await page.locator("#notice").innerText(), /Welcome back/);
          assert.deepEqual(problems, [], "no script errors and no CSP violations");
        });
      });

      test("too many failed logins: the page says when to try again", async () => {
        const user = newUser("Lockout");
        await registerUser(base, user);
        const context = await browser.newContext(desktop);
        try {
          const page = await context.newPage();
          await page.goto(`${base}/`);
          await view(page, "view-signed-out");
          await page.locator("#login-email").fill(user.email);
          await page.locator("#login-password").fill("not the password");
          let status = 0;
          for (let i = 0; i < 10 && status !== 429; i++) {
            const [res] = await Promise.all([
              page.waitForResponse((r) => r.url().endsWith("/api/auth/login")),
              page.getByRole("button", { name: "Log in", exact: true }).click(),
            ]);
            status = res.status();
          }
          assert.equal(status, 429, "the account locks after repeated failures");
          const box = page.locator("#login-form .form-msg", { hasText: "Too many" });
          await box.waitFor();
          const text = (await box.innerText()).trim();
          assert.match(text, /^Too many failed attempts, try again in \d+ seconds?\.$/);
        } finally {
          await context.close();
        }
      });

      test("JavaScript can read logged_in but not the token cookies", async () => {
        const user = newUser("Cookies");
        await registerUser(base, user);
        const context = await browser.newContext(desktop);
        try {
          const page = await context.newPage();
          await logInOnPage(page, base, user);
          const visible = await page.evaluate(() => document.cookie);
          assert.match(visible, /(^|; )logged_in=True(;|$)/);
          assert.doesNotMatch(visible, /access_token|refresh_token/);

          const jar = await cookieMap(context, base);
          assert.equal(jar.access_token.httpOnly, true);
          assert.equal(jar.access_token.path, "/");
          assert.equal(jar.refresh_token.httpOnly, true);
          assert.equal(jar.refresh_token.path, "/api/auth");
          assert.equal(jar.logged_in.httpOnly, false);
          for (const c of Object.values(jar)) assert.equal(c.sameSite, "Lax", `${c.name} is SameSite=Lax`);

          // Nor can a script overwrite them.
          await page.evaluate(() => { document.cookie = "access_token=forged; path=/"; });
          assert.equal((await cookieMap(context, base)).access_token.value, jar.access_token.value);
        } finally {
          await context.close();
        }
      });

      test("only origins in CLIENT_ORIGIN can read API responses with credentials", async () => {
        const user = newUser("Cors");
        await registerUser(base, user);
        const context = await browser.newContext(desktop);
        try {
          const page = await context.newPage();
          await logInOnPage(page, base, user);
          const readMe = (apiBase) => page.evaluate(async (b) => {
            try {
              const r = await fetch(`${b}/api/users/me`, { credentials: "include" });
              return { read: true, status: r.status, body: await r.json() };
            } catch (err) {
              return { read: false, error: err.name };
            }
          }, apiBase);

          // 127.0.0.1 on another port: another origin, the same site, so the
          // browser does send the SameSite=Lax cookies; only CORS stands between.
          await page.goto(`${other.origin}/`);
          assert.deepEqual(await readMe(base), { read: false, error: "TypeError" });

          // Nor can it log the user out: the simple POST needs no preflight but
          // meets the CSRF check, and a link to GET logout is refused cross-origin.
          const post = await page.evaluate(async (b) => {
            try { await fetch(`${b}/api/auth/logout`, { method: "POST", credentials: "include" }); return "read"; } catch { return "blocked"; }
          }, base);
          assert.equal(post, "blocked");
          await page.evaluate((href) => { document.getElementById("logout-link").href = href; }, `${base}/api/auth/logout`);
          const [nav] = await Promise.all([page.waitForNavigation(), page.click("#logout-link")]);
          assert.equal(nav.status(), 403, "GET logout from another origin is refused");
          assert.ok((await cookieMap(context, base)).access_token, "the session survived");

          // The origin listed in CLIENT_ORIGIN can.
          await page.goto(`${allowed.origin}/`);
          const ok = await readMe(base);
          assert.equal(ok.read, true, `allowed origin could not read: ${JSON.stringify(ok)}`);
          assert.equal(ok.status, 200);
          assert.equal(ok.body.email, user.email);
        } finally {
          await context.close();
        }
      });

      test("/docs renders the operations list with no network beyond authapi", async () => {
        const context = await browser.newContext(desktop);
        try {
          const foreign = [];
          const origin = new URL(base).origin;
          await context.route("**/*", (route) => {
            const url = route.request().url();
            if (new URL(url).origin === origin) return route.continue();
            foreign.push(url);
            return route.abort();
          });
          const page = await context.newPage();
          const problems = watch(page);
          await page.goto(`${base}/docs`);
          // Swagger UI parses a megabyte of JavaScript in the browser. With the
          // other eleven tests running beside it, this test took 8.6 s here on a
          // quiet machine; a 15 s wait was too tight for a busy one.
          await page.locator(".opblock").first().waitFor({ timeout: 60_000 });
          const ops = await page.locator(".opblock-summary-path").allInnerTexts();
          const paths = ops.map((s) => s.replace(/\u200b/g, "").trim());
          for (const p of ["/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/api/auth/logout", "/api/users/me"]) {
            assert.ok(paths.includes(p), `docs list ${p} (got ${paths.join(", ")})`);
          }
          assert.deepEqual(foreign, [], "the docs page fetched nothing from elsewhere");
          assert.deepEqual(problems, []);
        } finally {
          await context.close();
        }
      });
    });
  }
});
