// The authapi account page: a complete browser client of the API, written to be
// read. A frontend on another origin works the same way, with API set to the
// API's URL and that origin listed in CLIENT_ORIGIN:
//
//  - every call is fetch(API + path, {credentials: "include"}): the browser
//    sends and stores the HttpOnly access_token and refresh_token cookies; this
//    script never sees a token;
//  - a call that gets 401 refreshes the tokens once (POST /api/auth/refresh,
//    which rotates the refresh token) and is retried; if the refresh fails too,
//    the person has to log in again;
//  - the logged_in cookie, the one cookie JavaScript can read, only says that an
//    access token was set recently: it is a hint, never proof of a session.
"use strict";

(() => {
  // API is where the API lives: "" for this page, served by authapi itself.
  const API = "";

  // ---- Talking to the API ------------------------------------------------

  /** ApiError is a failed call: status 0 means the server was not reached. */
  class ApiError extends Error {
    constructor(status, body, retryAfter) {
      super(`API answered ${status}`);
      this.status = status;
      this.detail = body && body.detail !== undefined ? body.detail : null;
      this.retryAfter = retryAfter;
    }
  }

  /** SessionEnded is thrown after the page has already switched to the login form. */
  class SessionEnded extends Error {}

  /** call makes one request and returns the parsed JSON body, or throws ApiError. */
  async function call(method, path, body) {
    const init = { method, credentials: "include", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(API + path, init);
    } catch {
      throw new ApiError(0, null, null);
    }
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) throw new ApiError(res.status, data, res.headers.get("Retry-After"));
    return data;
  }

  let refreshing = null;

  /**
   * refresh asks for new tokens with the refresh_token cookie and resolves to
   * true or false. Calls that get 401 at the same time share one refresh: each
   * refresh rotates the token, so two in a row would burn each other's.
   */
  function refresh() {
    if (!refreshing) {
      refreshing = call("POST", "/api/auth/refresh")
        .then(() => true, () => false)
        .finally(() => { refreshing = null; });
    }
    return refreshing;
  }

  /** request is call for routes that need a login: on 401 it refreshes once and retries. */
  async function request(method, path, body) {
    try {
      return await call(method, path, body);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      if (await refresh()) {
        try {
          return await call(method, path, body);
        } catch (again) {
          if (!(again instanceof ApiError) || again.status !== 401) throw again;
        }
      }
      showSignedOut("Your session has ended. Please log in again.");
      throw new SessionEnded();
    }
  }

  /** hasCookie tells whether a cookie readable by JavaScript is set (with COOKIE_PREFIX=true, logged_in is __Host-logged_in). */
  function hasCookie(name) {
    return document.cookie.split(";").some((c) => {
      const n = c.trim().split("=")[0];
      return n === name || n === `__Host-${name}`;
    });
  }

  // ---- Errors in plain words --------------------------------------------

  const LABELS = {
    name: "Name", email: "Email", photo: "Photo", password: "Password",
    passwordConfirm: "Repeated password", current_password: "Current password",
    new_password: "New password",
  };

  /** plainItem turns one 422 item {loc, msg, type, ctx} into {field, text}. */
  function plainItem(item) {
    const loc = Array.isArray(item.loc) ? item.loc : [];
    const field = loc.length > 1 && typeof loc[loc.length - 1] === "string" ? loc[loc.length - 1] : "";
    const label = LABELS[field] || field || "The request";
    const limit = item.ctx && item.ctx.limit_value;
    const words = {
      "value_error.missing": "is required.",
      "type_error.none.not_allowed": "is required.",
      "value_error.any_str.min_length": `must be at least ${limit} characters long.`,
      "value_error.any_str.max_length": `must be at most ${limit} characters long.`,
      "value_error.email": "is not a valid email address.",
    }[item.type];
    return { field, text: words ? `${label} ${words}` : `${label}: ${item.msg}` };
  }

  /** describe returns {text, items} for any failure, in words a person understands. */
  function describe(err) {
    if (!(err instanceof ApiError)) return { text: "Something went wrong in this page. Please reload it.", items: [] };
    if (err.status === 0) return { text: "Cannot reach the server. Check your connection and try again.", items: [] };
    if (Array.isArray(err.detail)) {
      return { text: "Please correct the following:", items: err.detail.map(plainItem) };
    }
    let text = typeof err.detail === "string" && err.detail ? err.detail : `The server answered with status ${err.status}.`;
    if (err.status >= 500 && err.status !== 503) text = "Something went wrong on the server. Please try again in a moment.";
    if (err.detail === "Not Found") text = "This server does not offer this feature.";
    if (!/[.!?]$/.test(text)) text += ".";
    // 429 (too many attempts) and 503 (server busy) say when to come back.
    const wait = Number.parseInt(err.retryAfter || "", 10);
    if ((err.status === 429 || err.status === 503) && wait > 0) {
      const when = `in ${wait} second${wait === 1 ? "" : "s"}`;
      text = /try again later\.$/i.test(text)
        ? text.replace(/later\.$/i, `${when}.`)
        : `${text} Try again ${when}.`;
    }
    return { text, items: [] };
  }

  // ---- Messages ------------------------------------------------------------

  const $ = (sel, root = document) => root.querySelector(sel);

  /** say writes a message into box (a role=alert element); kind is "error" or "ok". */
  function say(box, text, kind = "ok", items = []) {
    box.replaceChildren();
    box.className = `form-msg ${text ? `msg msg-${kind}` : ""}`;
    if (!text) return;
    const p = document.createElement("p");
    p.textContent = text;
    box.append(p);
    if (items.length) {
      const ul = document.createElement("ul");
      for (const it of items) {
        const li = document.createElement("li");
        li.textContent = it.text;
        ul.append(li);
      }
      box.append(ul);
    }
  }

  /** notice shows a message at the top of the page, for changes of view. */
  function notice(text, kind = "ok") {
    const box = $("#notice");
    box.textContent = text;
    box.className = `msg msg-${kind}`;
    box.hidden = !text;
  }

  /** clearErrors removes the marks showError left on a form. */
  function clearErrors(form) {
    for (const el of form.querySelectorAll("[aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    }
    for (const el of form.querySelectorAll(".field-error")) el.remove();
    say($(".form-msg", form), "");
  }

  /** showError puts err into form's message box and marks the fields it names. */
  function showError(form, err) {
    if (err instanceof SessionEnded) return;
    const { text, items } = describe(err);
    say($(".form-msg", form), text, "error", items);
    let first = null;
    for (const it of items) {
      const input = it.field && form.elements.namedItem(it.field);
      if (!input || input.getAttribute("aria-invalid")) continue;
      const hint = document.createElement("p");
      hint.className = "field-error";
      hint.id = `${input.id}-error`;
      hint.textContent = it.text;
      input.after(hint);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", hint.id);
      first = first || input;
    }
    if (first) first.focus();
  }

  /** onSubmit runs action(values) for a form, with its button disabled meanwhile. */
  function onSubmit(form, action) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const button = $("button[type=submit]", form);
      button.disabled = true;
      try {
        await action(Object.fromEntries(new FormData(form)));
      } catch (err) {
        showError(form, err);
      } finally {
        button.disabled = false;
      }
    });
  }

  // ---- Views ---------------------------------------------------------------

  function show(view) {
    for (const id of ["view-loading", "view-signed-out", "view-account"]) $(`#${id}`).hidden = id !== view;
  }

  function showSignedOut(message, kind = "error") {
    show("view-signed-out");
    notice(message || "", kind);
    selectTab("login");
    $("#signed-out-title").focus();
  }

  function showAccount(user, message) {
    renderUser(user);
    show("view-account");
    notice(message || "");
    $("#account-title").focus();
    loadSessions();
  }

  const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  const date = (s) => (s ? when.format(new Date(s)) : "—");

  function renderUser(user) {
    $("#profile-name").textContent = user.name;
    $("#profile-email").textContent = user.email;
    $("#profile-photo").textContent = user.photo || "—";
    $("#profile-role").textContent = user.role || "user";
    $("#profile-created").textContent = date(user.created_at);
    $("#profile-name-input").value = user.name;
    $("#profile-photo-input").value = user.photo || "";
  }

  function selectTab(which) {
    for (const name of ["login", "register"]) {
      const tab = $(`#tab-${name}`);
      const on = name === which;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      $(`#${name}-form`).hidden = !on;
    }
  }

  /** device makes a short name such as "Firefox on Linux" from a User-Agent. */
  function device(ua) {
    if (!ua) return "Unknown device";
    const browser = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"],
      ["Safari/", "Safari"], ["PostmanRuntime", "Postman"], ["curl/", "curl"]].find(([k]) => ua.includes(k));
    const os = [["Android", "Android"], ["iPhone", "iPhone"], ["iPad", "iPad"], ["Windows", "Windows"],
      ["Mac OS X", "macOS"], ["Linux", "Linux"]].find(([k]) => ua.includes(k));
    if (!browser) return ua.length > 40 ? `${ua.slice(0, 40)}…` : ua;
    return os ? `${browser[1]} on ${os[1]}` : browser[1];
  }

  // ---- Sessions --------------------------------------------------------------

  async function loadSessions() {
    const list = $("#sessions");
    const box = $("#sessions-msg");
    list.setAttribute("aria-busy", "true");
    try {
      const data = await request("GET", "/api/auth/sessions");
      renderSessions(data.sessions || []);
      say(box, "");
    } catch (err) {
      if (err instanceof SessionEnded) return;
      list.replaceChildren();
      const { text } = describe(err);
      say(box, text, "error");
    } finally {
      list.removeAttribute("aria-busy");
    }
  }

  function renderSessions(sessions) {
    const list = $("#sessions");
    list.replaceChildren();
    for (const s of sessions) {
      const li = document.createElement("li");
      li.className = s.current ? "session current" : "session";
      li.dataset.sessionId = s.id;
      const title = document.createElement("p");
      title.className = "session-title";
      title.textContent = device(s.user_agent);
      if (s.current) {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = "This device";
        title.append(" ", badge);
      }
      const meta = document.createElement("p");
      meta.className = "session-meta";
      meta.textContent = `${s.ip || "unknown address"} · signed in ${date(s.created_at)} · last used ${date(s.last_used_at)}`;
      li.append(title, meta);
      if (!s.current) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.className = "small";
        btn.textContent = "Log out this session";
        btn.setAttribute("aria-label", `Log out ${title.textContent}, signed in ${date(s.created_at)}`);
        btn.addEventListener("click", () => revokeSession(s.id, btn));
        li.append(btn);
      }
      list.append(li);
    }
    if (!sessions.length) {
      const li = document.createElement("li");
      li.textContent = "No active sessions.";
      list.append(li);
    }
  }

  async function revokeSession(id, button) {
    button.disabled = true;
    const box = $("#sessions-msg");
    try {
      await request("DELETE", `/api/auth/sessions/${encodeURIComponent(id)}`);
      await loadSessions();
      say(box, "That session is logged out.", "ok");
    } catch (err) {
      if (err instanceof SessionEnded) return;
      button.disabled = false;
      const { text } = describe(err);
      say(box, text, "error");
      if (err.status === 404) await loadSessions().then(() => say(box, text, "error"));
    }
  }

  // ---- Actions ---------------------------------------------------------------

  async function logIn(email, password) {
    await call("POST", "/api/auth/login", { email, password });
    return request("GET", "/api/users/me");
  }

  async function logOut(scope) {
    const box = $("#logout-msg");
    say(box, "");
    try {
      await request("POST", `/api/auth/logout?scope=${scope}`);
    } catch (err) {
      if (!(err instanceof SessionEnded)) say(box, describe(err).text, "error");
      return;
    }
    if (scope === "others") {
      say(box, "Your other sessions are logged out.", "ok");
      loadSessions();
      return;
    }
    showSignedOut(scope === "all" ? "You are logged out everywhere." : "You are logged out.", "ok");
  }

  function wire() {
    for (const tab of document.querySelectorAll("[role=tab]")) {
      tab.addEventListener("click", () => selectTab(tab.id.replace("tab-", "")));
      tab.addEventListener("keydown", (ev) => {
        if (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight") return;
        const next = tab.id === "tab-login" ? "register" : "login";
        selectTab(next);
        $(`#tab-${next}`).focus();
      });
    }

    onSubmit($("#login-form"), async (v) => {
      const user = await logIn(v.email, v.password);
      $("#login-form").reset();
      showAccount(user, `Welcome back, ${user.name}.`);
    });

    onSubmit($("#register-form"), async (v) => {
      const body = { name: v.name, email: v.email, password: v.password, passwordConfirm: v.passwordConfirm };
      if (v.photo) body.photo = v.photo;
      await call("POST", "/api/auth/register", body);
      $("#register-form").reset();
      let user;
      try {
        user = await logIn(v.email, v.password);
      } catch (err) {
        // The account exists; logging in may still need a verified email.
        selectTab("login");
        $("#login-email").value = v.email;
        say($(".form-msg", $("#login-form")), `Your account was created. ${describe(err).text}`, "error");
        return;
      }
      showAccount(user, `Your account was created. Welcome, ${user.name}.`);
    });

    onSubmit($("#profile-form"), async (v) => {
      const body = { name: v.name };
      if (v.photo) body.photo = v.photo;
      const user = await request("PATCH", "/api/users/me", body);
      renderUser(user);
      say($(".form-msg", $("#profile-form")), "Your profile is saved.", "ok");
    });

    onSubmit($("#password-form"), async (v) => {
      const form = $("#password-form");
      if (v.new_password !== v.new_password_confirm) {
        say($(".form-msg", form), "The two new passwords are not the same.", "error");
        $("#new-password-confirm").focus();
        return;
      }
      await request("POST", "/api/users/me/password", { current_password: v.current_password, new_password: v.new_password });
      form.reset();
      say($(".form-msg", form), "Your password is changed. Your other sessions are logged out.", "ok");
      loadSessions();
    });

    $("#sessions-reload").addEventListener("click", loadSessions);
    for (const btn of document.querySelectorAll("[data-logout]")) {
      btn.addEventListener("click", async () => {
        btn.disabled = true;
        await logOut(btn.dataset.logout);
        btn.disabled = false;
      });
    }
  }

  async function start() {
    wire();
    // logged_in expires with the access token, long before the refresh token:
    // without it, a refresh may still bring the session back.
    if (!hasCookie("logged_in") && !(await refresh())) {
      showSignedOut("");
      return;
    }
    try {
      showAccount(await request("GET", "/api/users/me"));
    } catch (err) {
      if (!(err instanceof SessionEnded)) showSignedOut(describe(err).text);
    }
  }

  start();
})();
