// gclap-sandbox inbox UI: live updates, actions and keyboard shortcuts. No framework, no build.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const baseTitle = document.title;
  const toastEl = document.querySelector(".toast");

  function toast(text) {
    toastEl.textContent = text;
    toastEl.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { toastEl.hidden = true; }, 2500);
  }

  async function call(method, url, body) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.detail || response.statusText);
      error.problem = data;  // problem+json: `errors` names each bad field
      throw error;
    }
    return data;
  }

  function showUnread(count) {
    document.title = (count > 0 ? "(" + count + ") " : "") + baseTitle;
    document.querySelectorAll("[data-unread-badge]").forEach((badge) => {
      badge.textContent = count;
      badge.hidden = !(count > 0);
    });
    document.querySelectorAll("[data-unread]").forEach((el) => {
      if (el.tagName === "SPAN") el.textContent = count.toLocaleString("en");
    });
  }

  // A modal confirmation (a real <dialog>, so it can name counts and hosts and be styled):
  // resolves true only when the confirm button is pressed. Cancel has the focus, so Enter
  // or Escape never does the dangerous thing by accident. `title` and `lines` are lists of
  // strings and {code: "..."} pieces, always set as text.
  function confirmDialog({ title, lines = [], confirm, danger = false }) {
    const dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.id = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    const form = document.createElement("form");
    form.method = "dialog";
    form.className = "dialog-form";
    const heading = document.createElement("h2");
    heading.id = "confirm-dialog-title";
    fillText(heading, title);
    form.append(heading);
    lines.forEach((line) => {
      const p = document.createElement("p");
      fillText(p, line);
      form.append(p);
    });
    const { actions, cancel } = dialogActions(confirm, danger);
    form.append(actions);
    dialog.append(form);
    document.body.append(dialog);
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => { resolve(dialog.returnValue === "confirm"); dialog.remove(); });
      dialog.showModal();
      cancel.focus();
    });
  }
  // A dialog form's Cancel and confirm buttons (submitting `cancel` or `confirm` as its returnValue).
  function dialogActions(confirm, danger = false) {
    const actions = document.createElement("div");
    actions.className = "dialog-actions";
    const cancel = document.createElement("button");
    cancel.type = "submit";
    cancel.value = "cancel";
    cancel.className = "btn";
    cancel.textContent = "Cancel";
    const ok = document.createElement("button");
    ok.type = "submit";
    ok.value = "confirm";
    ok.className = "btn " + (danger ? "btn-danger" : "btn-primary");
    ok.textContent = confirm;
    actions.append(cancel, ok);
    return { actions, cancel, ok };
  }
  function fillText(element, pieces) {
    (Array.isArray(pieces) ? pieces : [pieces]).forEach((piece) => {
      if (typeof piece === "string") { element.append(piece); return; }
      const code = document.createElement("code");
      code.textContent = piece.code;
      element.append(code);
    });
  }

  // Times in the zone chosen in Settings (else the browser's): today shows the time, this year
  // the day, older the date.
  const timeZone = window.gclapPrefs ? window.gclapPrefs.timeZone() : undefined;
  const zoned = (options) => new Intl.DateTimeFormat(undefined, { ...options, timeZone });
  const timeFormats = {
    time: zoned({ hour: "2-digit", minute: "2-digit" }),
    day: zoned({ month: "short", day: "numeric" }),
    date: zoned({ year: "numeric", month: "short", day: "numeric" }),
    long: zoned({ dateStyle: "full", timeStyle: "long" }),  // "long" names the zone
    precise: zoned({ hour: "2-digit", minute: "2-digit", second: "2-digit" }),
    full: zoned({ dateStyle: "medium", timeStyle: "long" }),
  };
  const dayKey = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  function localizeTimes(root) {
    const now = new Date();
    const today = dayKey.format(now);
    root.querySelectorAll("time[datetime]").forEach((el) => {
      const when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      el.title = timeFormats.full.format(when);
      if (el.hasAttribute("data-long")) { el.textContent = timeFormats.long.format(when); return; }
      const sameDay = dayKey.format(when) === today;
      if (el.hasAttribute("data-precise")) {
        el.textContent = (sameDay ? "" : timeFormats.day.format(when) + " ") + timeFormats.precise.format(when);
        return;
      }
      const sameYear = dayKey.format(when).slice(0, 4) === today.slice(0, 4);
      el.textContent = timeFormats[sameDay ? "time" : sameYear ? "day" : "date"].format(when);
    });
  }

  // --- live updates: the unread count everywhere; inbox.js adds the rows -------------------
  let stream = null;
  if (window.EventSource) {
    stream = new EventSource("/ui/events");
    stream.addEventListener("email", (event) => {
      const data = JSON.parse(event.data);
      if (typeof data.unread === "number") showUnread(data.unread);
    });
    window.addEventListener("pagehide", () => stream.close());
  }

  // --- keyboard shortcuts help (_shortcuts.html): `?` or a Shortcuts button ------------------
  const shortcuts = document.getElementById("shortcuts-dialog");
  function showShortcuts() { if (shortcuts && !shortcuts.open) shortcuts.showModal(); }
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-shortcuts-open]")) showShortcuts();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "?" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]") || document.querySelector("dialog[open]")) return;
    event.preventDefault();
    showShortcuts();
  });

  // Where `u` and "‹ Inbox" lead: the inbox page the email was opened from (inbox.js notes it),
  // so returning keeps its search, page, scroll position and focus.
  function inboxReturnUrl() {
    try {
      const saved = JSON.parse(sessionStorage.getItem("gclap-inbox-return") || "null");
      return saved && typeof saved.url === "string" && saved.url.startsWith("/") && !saved.url.startsWith("//") ? saved.url : "/";
    } catch (err) { return "/"; }
  }

  // --- email page --------------------------------------------------------------------------
  const email = document.querySelector("article.email");
  if (email) {
    const tabs = Array.from(email.querySelectorAll('[role="tab"]'));
    function select(tab) {
      tabs.forEach((t) => {
        const on = t === tab;
        t.setAttribute("aria-selected", String(on));
        t.tabIndex = on ? 0 : -1;
        document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      });
      setWidthsShown(tab);
      tab.focus();
    }
    tabs.forEach((tab, index) => {
      tab.addEventListener("click", () => select(tab));
      tab.addEventListener("keydown", (event) => {
        const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        let next = index;
        do { next = (next + step + tabs.length) % tabs.length; } while (tabs[next].disabled);
        select(tabs[next]);
      });
    });
    // The preview widths only mean something on the HTML tab (text-only mail has none).
    function setWidthsShown(tab) {
      const widths = email.querySelector("[data-widths]");
      if (widths) widths.hidden = !tab || tab.id !== "tab-html";
    }
    setWidthsShown(tabs.find((t) => t.getAttribute("aria-selected") === "true"));

    email.querySelectorAll("[data-width]").forEach((button) => {
      button.addEventListener("click", () => {
        email.querySelectorAll("[data-width]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
        const stage = email.querySelector(".frame-stage");
        if (!stage) return;
        stage.querySelector("iframe").style.width = button.dataset.width;
        stage.classList.toggle("narrow", button.dataset.width !== "100%");
      });
    });

    // Source tab: the bytes as received, or as delivered.
    email.querySelectorAll("[data-source-version]").forEach((button) => {
      button.addEventListener("click", () => {
        const version = button.dataset.sourceVersion;
        email.querySelectorAll("[data-source-version]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
        email.querySelectorAll("[data-source], [data-source-note]").forEach((el) => {
          el.hidden = (el.dataset.source || el.dataset.sourceNote) !== version;
        });
      });
    });

    async function remove() {
      await call("DELETE", "/ui/api/emails/" + email.dataset.id);
      const next = email.dataset.older || email.dataset.newer;
      location.assign(next ? "/emails/" + next : "/");
    }
    email.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      if (button.dataset.action === "delete") await remove();
      if (button.dataset.action === "mark-unread") {
        const data = await call("POST", "/ui/api/emails/read", { ids: [email.dataset.id], read: false });
        showUnread(data.unread);
        toast("Marked unread");
      }
    });
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.target.closest("input, textarea, select, [contenteditable]")) return;
      if (event.key === "j" && email.dataset.older) location.assign("/emails/" + email.dataset.older);
      else if (event.key === "k" && email.dataset.newer) location.assign("/emails/" + email.dataset.newer);
      else if (event.key === "Delete" || event.key === "#") { event.preventDefault(); remove(); }
      else if (event.key === "u") location.assign(inboxReturnUrl());
    });
    showUnread(Number(email.dataset.unread));
    const back = document.querySelector('.email-toolbar a[href="/"]');
    if (back) back.setAttribute("href", inboxReturnUrl());
  }

  // Docs: copy buttons.
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copy).textContent;
      try { await navigator.clipboard.writeText(text); toast("Copied"); }
      catch (err) { toast("Select the text and copy it"); }
    });
  });

  localizeTimes(document);
  // For the page scripts of other areas (email delivery, keys, contacts, templates).
  window.gclap = { call, toast, localizeTimes, stream, csrf, confirmDialog, dialogActions, fillText, showUnread };
})();
