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
    const markAll = document.querySelector('[data-action="mark-all-read"]');
    if (markAll) markAll.disabled = !(count > 0);
  }

  // Local times: today shows the time, this year the day, older the date.
  const timeFormats = {
    time: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }),
    day: new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" }),
    date: new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" }),
    long: new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" }),
    precise: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }),
  };
  function localizeTimes(root) {
    const now = new Date();
    root.querySelectorAll("time[datetime]").forEach((el) => {
      const when = new Date(el.getAttribute("datetime"));
      if (isNaN(when)) return;
      el.title = when.toLocaleString();
      if (el.hasAttribute("data-long")) { el.textContent = timeFormats.long.format(when); return; }
      if (el.hasAttribute("data-precise")) {
        const day = when.toDateString() === now.toDateString() ? "" : timeFormats.day.format(when) + " ";
        el.textContent = day + timeFormats.precise.format(when);
        return;
      }
      const sameDay = when.toDateString() === now.toDateString();
      const format = sameDay ? "time" : when.getFullYear() === now.getFullYear() ? "day" : "date";
      el.textContent = timeFormats[format].format(when);
    });
  }

  // --- inbox -------------------------------------------------------------------------------
  const inbox = document.querySelector(".inbox");
  const rowsEl = document.getElementById("inbox-rows");

  async function fetchNewRows() {
    const params = new URLSearchParams({ q: inbox.dataset.q || "" });
    if (inbox.dataset.top) params.set("above", inbox.dataset.top);
    const data = await call("GET", "/ui/api/emails/rows?" + params);
    if (data.count > 0) {
      const holder = document.createElement("template");
      holder.innerHTML = data.html;
      const fresh = Array.from(holder.content.querySelectorAll(".row"));
      fresh.forEach((row) => row.classList.add("fresh"));
      localizeTimes(holder.content);
      rowsEl.prepend(holder.content);
      inbox.dataset.top = data.top;
      const empty = document.querySelector("[data-empty]");
      if (empty) empty.remove();
    }
    const total = document.querySelector("[data-total]");
    if (total) total.textContent = data.total.toLocaleString("en");
    const deleteAll = document.querySelector('[data-action="delete-all"]');
    if (deleteAll) deleteAll.disabled = data.total === 0;
    showUnread(data.unread);
  }

  let pending = null;
  function onNewMail(event) {
    const data = JSON.parse(event.data);
    if (typeof data.unread === "number") showUnread(data.unread);
    if (!inbox) return;
    if (inbox.dataset.live !== "on") {
      document.querySelector("[data-new-mail]").hidden = false;
      return;
    }
    // Bursts of mail: one fetch for all of them.
    if (pending) return;
    pending = setTimeout(() => { pending = null; fetchNewRows().catch(() => {}); }, 150);
  }

  let stream = null;
  if (window.EventSource) {
    stream = new EventSource("/ui/events");
    stream.addEventListener("email", onNewMail);
    stream.addEventListener("reload", () => { if (inbox && inbox.dataset.live === "on") location.reload(); });
    window.addEventListener("pagehide", () => stream.close());
  }

  if (inbox) {
    inbox.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      if (button.dataset.action === "delete-all") {
        if (!confirm("Delete every captured email? This cannot be undone.")) return;
        const data = await call("DELETE", "/ui/api/emails");
        rowsEl.innerHTML = "";
        toast(data.deleted.toLocaleString("en") + " emails deleted");
        setTimeout(() => location.assign("/"), 400);
      } else if (button.dataset.action === "mark-all-read") {
        const data = await call("POST", "/ui/api/emails/read", { all: true });
        rowsEl.querySelectorAll(".row.unread").forEach((row) => row.classList.remove("unread"));
        showUnread(data.unread);
        toast("All mail marked read");
      }
    });
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
      email.querySelector("[data-widths]").hidden = tab.id !== "tab-html";
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
    const selected = tabs.find((t) => t.getAttribute("aria-selected") === "true");
    email.querySelector("[data-widths]").hidden = !selected || selected.id !== "tab-html";

    email.querySelectorAll(".width-btn").forEach((button) => {
      button.addEventListener("click", () => {
        email.querySelectorAll(".width-btn").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
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
      else if (event.key === "u") location.assign("/");
    });
    showUnread(Number(email.dataset.unread));
  }

  // Inbox keyboard: j/k move between rows, / focuses search.
  document.addEventListener("keydown", (event) => {
    if (!rowsEl || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/" && !event.target.closest("input, textarea")) {
      event.preventDefault();
      document.getElementById("q").focus();
      return;
    }
    if (event.target.closest("input, textarea, select")) return;
    if (event.key !== "j" && event.key !== "k") return;
    const links = Array.from(rowsEl.querySelectorAll(".row-link"));
    if (!links.length) return;
    const at = links.indexOf(document.activeElement);
    const next = event.key === "j" ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
    links[at === -1 ? 0 : next].focus();
  });

  // Docs: copy buttons.
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copy).textContent;
      try { await navigator.clipboard.writeText(text); toast("Copied"); }
      catch (err) { toast("Select the text and copy it"); }
    });
  });

  if (inbox) showUnread(Number(inbox.dataset.unread));
  localizeTimes(document);
  // For the page scripts of other areas (email delivery, keys, contacts, templates).
  window.gclap = { call, toast, localizeTimes, stream, csrf };
})();
