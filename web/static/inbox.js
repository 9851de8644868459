// The inbox list: live rows, selection and bulk actions, tags, searching and paging without
// reloading the page, the page size, and coming back to the row you opened. Uses app.js's
// window.gclap. No framework, no build.
(function () {
  "use strict";
  const { call, toast, localizeTimes, confirmDialog, showUnread } = window.gclap;
  const RETURN_KEY = "gclap-inbox-return";  // app.js reads it for `u` and "‹ Inbox"
  const SIZE_COOKIE = "gclap_inbox_size";  // ui/inbox.py reads it
  const MAX_RELEASE = 100;  // inbox/bulk_release.py

  let inbox = document.querySelector(".inbox");
  if (!inbox) return;
  let rowsEl = document.getElementById("inbox-rows");
  // The selection: ids of ticked rows, or every result of the search (every page).
  const selection = { ids: new Set(), allResults: false, anchor: null };

  const searching = () => inbox.dataset.searching === "true";
  const query = () => inbox.dataset.q || "";
  const total = () => Number(inbox.dataset.totalCount);
  const rows = () => Array.from(rowsEl.querySelectorAll(".row"));
  const here = () => location.pathname + location.search;
  function emails(n) { return n.toLocaleString("en") + " email" + (n === 1 ? "" : "s"); }

  // --- selection -----------------------------------------------------------------------------
  function renderSelection() {
    const all = rows();
    all.forEach((row) => {
      const on = selection.allResults || selection.ids.has(row.dataset.id);
      row.classList.toggle("selected", on);
      const box = row.querySelector("[data-select]");
      if (box) box.checked = on;
    });
    const bar = inbox.querySelector(".selection-bar");
    if (!bar) return;
    const count = selection.allResults ? total() : selection.ids.size;
    const onPage = all.filter((row) => row.classList.contains("selected")).length;
    const pageBox = bar.querySelector("#select-page");
    pageBox.checked = all.length > 0 && onPage === all.length;
    pageBox.indeterminate = onPage > 0 && onPage < all.length;
    bar.classList.toggle("active", count > 0);
    const label = bar.querySelector("[data-selection-count]");
    label.textContent = selection.allResults
      ? "All " + emails(count) + (searching() ? " matching this search" : " in the inbox") + " are selected"
      : count ? count.toLocaleString("en") + " selected" : "Select emails to act on them";
    bar.querySelector("[data-select-all-results]").hidden =
      selection.allResults || !(all.length && onPage === all.length && total() > all.length);
    bar.querySelector("[data-selection-actions]").hidden = count === 0;
    const release = bar.querySelector('[data-bulk="release"]');
    if (release) {
      release.disabled = selection.allResults || count > MAX_RELEASE;
      release.title = release.disabled ? "Release sends up to " + MAX_RELEASE + " selected emails at a time" : "";
    }
  }

  function clearSelection() {
    selection.ids.clear();
    selection.allResults = false;
    selection.anchor = null;
    renderSelection();
  }

  function setRow(row, on) {
    if (on) selection.ids.add(row.dataset.id); else selection.ids.delete(row.dataset.id);
  }

  // A click on a row's box or, with Ctrl/Cmd or Shift, on the row itself. Shift selects the
  // run of rows from the last one clicked, all on or all off like the clicked one.
  function toggleRow(row, { range = false, on = null } = {}) {
    if (selection.allResults) {  // leaving "every result": the rows shown stay selected
      selection.allResults = false;
      rows().forEach((r) => selection.ids.add(r.dataset.id));
    }
    const state = on === null ? !selection.ids.has(row.dataset.id) : on;
    const all = rows();
    const from = all.indexOf(selection.anchor);
    if (range && from !== -1) {
      const to = all.indexOf(row);
      all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach((r) => setRow(r, state));
    } else {
      setRow(row, state);
    }
    selection.anchor = row;
    renderSelection();
  }

  document.addEventListener("click", (event) => {
    const box = event.target.closest(".inbox [data-select]");
    if (box) {
      toggleRow(box.closest(".row"), { range: event.shiftKey, on: box.checked });
      return;
    }
    if (event.target.closest(".inbox #select-page")) {
      const on = event.target.checked;
      selection.allResults = false;
      rows().forEach((row) => setRow(row, on));
      renderSelection();
      return;
    }
    const link = event.target.closest(".inbox .row-link");
    if (link && (event.ctrlKey || event.metaKey || event.shiftKey)) {
      event.preventDefault();  // select instead of opening in a new tab or window
      toggleRow(link.closest(".row"), { range: event.shiftKey });
      return;
    }
    if (link && event.button === 0 && !event.altKey) rememberPlace(link.closest(".row"));
    if (event.target.closest(".inbox [data-select-all-results]")) {
      selection.allResults = true;
      renderSelection();
    }
  });

  // --- coming back from an email -------------------------------------------------------------
  function rememberPlace(row) {
    try {
      sessionStorage.setItem(RETURN_KEY, JSON.stringify({ url: here(), id: row.dataset.id, scroll: window.scrollY }));
    } catch (err) { /* private mode: returning starts at the top */ }
  }

  function restorePlace() {
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(RETURN_KEY) || "null"); } catch (err) { return; }
    if (!saved || saved.url !== here() || saved.restored) return;
    // Once: a later visit to the same address (the Inbox link) starts at the top. The address
    // stays, for `u` on the next email.
    try { sessionStorage.setItem(RETURN_KEY, JSON.stringify({ ...saved, restored: true })); } catch (err) { /* as above */ }
    if (typeof saved.scroll === "number") window.scrollTo(0, saved.scroll);
    const row = Array.from(rowsEl.querySelectorAll(".row")).find((r) => r.dataset.id === saved.id);
    if (row) row.querySelector(".row-link").focus({ preventScroll: true });
  }

  // --- the page: fetched and swapped in, no reload ---------------------------------------------
  // `typed`: the search field started it, so what is typed there stays as it is.
  async function navigate(url, { push = true, keep = null, typed = false } = {}) {
    inbox.setAttribute("aria-busy", "true");
    let doc = null;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      doc = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch (err) { /* offline or the server went away: a plain load says so */ }
    const fresh = doc && doc.querySelector(".inbox");
    if (!fresh) { location.assign(url); return; }  // an error page (a stale cursor): show it as it is
    if (push) history.pushState({ inbox: true }, "", url);
    shown = here();
    inbox.replaceWith(document.adoptNode(fresh));
    inbox = fresh;
    rowsEl = document.getElementById("inbox-rows");
    selection.allResults = false;
    selection.anchor = null;
    const present = new Set(rows().map((r) => r.dataset.id));
    selection.ids = new Set(Array.from(keep || []).filter((id) => present.has(id)));
    const field = document.getElementById("q");
    if (field && !typed) field.value = query();
    localizeTimes(inbox);
    showUnread(Number(inbox.dataset.unread));
    renderSelection();
  }

  function refresh(keep) { return navigate(here(), { push: false, keep }); }

  const searchForm = document.querySelector("form.search");
  if (searchForm) {
    searchForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = searchForm.querySelector("#q").value;
      navigate(text.trim() ? "/?q=" + encodeURIComponent(text) : "/", { typed: true });
    });
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest(".inbox a[href]");
    if (!link || link.classList.contains("row-link") || event.defaultPrevented) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const target = new URL(link.href, location.href);
    if (target.origin !== location.origin || target.pathname !== "/") return;
    event.preventDefault();
    navigate(target.pathname + target.search);
  });

  history.replaceState({ inbox: true }, "");
  let shown = here();  // the address of the list on screen; a fragment link (#main) changes nothing
  window.addEventListener("popstate", () => { if (here() !== shown) navigate(here(), { push: false }); });

  document.addEventListener("change", (event) => {
    const select = event.target.closest(".inbox [data-page-size]");
    if (!select) return;
    document.cookie = SIZE_COOKIE + "=" + encodeURIComponent(select.value) + "; path=/; max-age=31536000; SameSite=Lax";
    const url = new URL(location.href);
    url.searchParams.delete("size");
    navigate(url.pathname + url.search, { push: false }).then(() => {
      const again = inbox.querySelector("[data-page-size]");
      if (again) again.focus();
    });
  });

  // --- acting on the selection ---------------------------------------------------------------
  function selectionBody(expected) {
    if (selection.allResults) return { ...(searching() ? { q: query() } : { all: true }), expected };
    return { ids: Array.from(selection.ids) };
  }

  function whatIsSelected(count) {
    if (!selection.allResults) return count === 1 ? "the selected email" : "the " + count.toLocaleString("en") + " selected emails";
    return searching() ? ["all " + emails(count) + " matching ", { code: query() }] : "all " + emails(count) + " in the inbox";
  }
  function pieces(...parts) { return parts.flat(); }

  function knownTags() {
    return Array.from(inbox.querySelectorAll(".tag-list [data-tag]")).map((a) => a.dataset.tag);
  }

  async function runBulk(kind) {
    const count = selection.allResults ? total() : selection.ids.size;
    if (!count) return;
    const unreadMatches = Number(inbox.dataset.unreadMatches);
    const kept = selection.allResults ? null : new Set(selection.ids);
    try {
      if (kind === "read" || kind === "unread") {
        const read = kind === "read";
        const expected = read ? unreadMatches : total() - unreadMatches;
        if (selection.allResults && !(await confirmDialog({
          title: pieces("Mark ", whatIsSelected(count), read ? " as read?" : " as unread?"),
          lines: ["Every page, not only the rows shown."], confirm: read ? "Mark read" : "Mark unread" }))) return;
        const data = await call("POST", "/ui/api/emails/read", { ...selectionBody(expected), read });
        toast(emails(data.changed) + " marked " + kind);
      } else if (kind === "tag" || kind === "untag") {
        const adding = kind === "tag";
        const tag = await tagDialog({
          title: pieces(adding ? "Add a tag to " : "Remove a tag from ", whatIsSelected(count)),
          confirm: adding ? "Add tag" : "Remove tag", suggestions: adding ? knownTags() : selectedTags() });
        if (tag === null) return;
        const data = await call("POST", "/ui/api/emails/tags", { ...selectionBody(total()), [adding ? "add" : "remove"]: [tag] });
        toast(emails(data.changed) + (adding ? " tagged " : " untagged ") + tag);
      } else if (kind === "delete") {
        if (!(await confirmDialog({ title: pieces("Delete ", whatIsSelected(count), "?"),
          lines: ["This cannot be undone."], confirm: "Delete " + emails(count), danger: true }))) return;
        const data = await call("DELETE", "/ui/api/emails", selectionBody(total()));
        toast(emails(data.deleted) + " deleted");
        await refresh(null);
        return;
      } else if (kind === "release") {
        const upstream = inbox.dataset.relayUpstream;
        if (!(await confirmDialog({ title: pieces("Release ", whatIsSelected(count), "?"),
          lines: [["Each is sent to its own recipients through ", { code: upstream }, "."], "Real mailboxes receive them."],
          confirm: "Release " + emails(count), danger: true }))) return;
        const data = await call("POST", "/ui/api/emails/release", { ids: Array.from(selection.ids), confirm_upstream: upstream });
        toast(emails(data.released) + " released" + (data.failed ? ", " + data.failed.toLocaleString("en") + " not (open each for why)" : ""));
      }
      await refresh(kept);
    } catch (err) {
      toast(err.message);
      if (err.problem && typeof err.problem.count === "number") await refresh(kept);  // the results changed meanwhile
    }
  }

  function selectedTags() {
    const found = new Set();
    rows().filter((r) => r.classList.contains("selected"))
      .forEach((r) => r.querySelectorAll(".meta .tag").forEach((t) => found.add(t.textContent)));
    return found.size && !selection.allResults ? Array.from(found) : knownTags();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".inbox [data-bulk]");
    if (!button) return;
    if (button.dataset.bulk === "clear") clearSelection();
    else runBulk(button.dataset.bulk);
  });

  // --- dialogs with a field: a tag to add or remove; renaming a tag ------------------------------
  // Built like app.js's confirmDialog (text set as text); resolves with the values, or null.
  function formDialog({ title, fields, confirm, validate }) {
    const dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "form-dialog-title");
    const form = document.createElement("form");
    form.method = "dialog";
    form.className = "dialog-form";
    form.noValidate = true;
    const heading = document.createElement("h2");
    heading.id = "form-dialog-title";
    window.gclap.fillText(heading, title);
    form.append(heading);
    const inputs = {};
    fields.forEach((spec, index) => {
      const wrap = document.createElement("div");
      wrap.className = "field";
      const label = document.createElement("label");
      label.textContent = spec.label;
      label.htmlFor = "form-dialog-field-" + index;
      let input;
      if (spec.options) {
        input = document.createElement("select");
        spec.options.forEach((value) => input.append(new Option(value, value)));
      } else {
        input = document.createElement("input");
        input.type = "text";
        input.autocomplete = "off";
        input.maxLength = 200;
        if (spec.suggestions && spec.suggestions.length) {
          const list = document.createElement("datalist");
          list.id = "form-dialog-list-" + index;
          spec.suggestions.forEach((value) => list.append(new Option(value)));
          input.setAttribute("list", list.id);
          wrap.append(list);
        }
      }
      input.id = label.htmlFor;
      input.name = spec.name;
      if (spec.value) input.value = spec.value;
      const error = document.createElement("p");
      error.className = "field-error";
      error.id = input.id + "-error";
      error.hidden = true;
      input.setAttribute("aria-describedby", error.id);
      wrap.prepend(label);
      wrap.append(input, error);
      form.append(wrap);
      inputs[spec.name] = { input, error };
    });
    const { actions, ok } = window.gclap.dialogActions(confirm);
    form.append(actions);
    dialog.append(form);
    document.body.append(dialog);
    form.addEventListener("submit", (event) => {
      if (event.submitter !== ok) return;
      const values = Object.fromEntries(Object.entries(inputs).map(([name, f]) => [name, f.input.value.trim()]));
      const problems = validate(values);
      Object.entries(inputs).forEach(([name, f]) => {
        f.error.textContent = problems[name] || "";
        f.error.hidden = !problems[name];
        f.input.setAttribute("aria-invalid", String(Boolean(problems[name])));
      });
      const first = Object.keys(problems)[0];
      if (first) { event.preventDefault(); inputs[first].input.focus(); }
    });
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        const values = Object.fromEntries(Object.entries(inputs).map(([name, f]) => [name, f.input.value.trim()]));
        resolve(dialog.returnValue === "confirm" ? values : null);
        dialog.remove();
      });
      dialog.showModal();
      Object.values(inputs)[0].input.focus();
    });
  }

  function tagProblem(tag) {  // as inbox/tags.py says it
    if (!tag) return "Type a tag.";
    if (/[,\u0000-\u001f\u007f]/.test(tag)) return "A tag may not contain commas or control characters.";
    return "";
  }

  async function tagDialog({ title, confirm, suggestions }) {
    const values = await formDialog({ title, confirm, fields: [{ name: "tag", label: "Tag", suggestions }],
      validate: (v) => (tagProblem(v.tag) ? { tag: tagProblem(v.tag) } : {}) });
    return values && values.tag;
  }

  async function renameTag() {
    const tags = knownTags();
    if (!tags.length) return;
    const values = await formDialog({
      title: "Rename a tag on every email", confirm: "Rename",
      fields: [{ name: "from", label: "Tag", options: tags }, { name: "to", label: "New name" }],
      validate: (v) => {
        const problem = tagProblem(v.to) || (v.to === v.from ? "That is its name already." : "");
        return problem ? { to: problem } : {};
      },
    });
    if (!values) return;
    try {
      const data = await call("POST", "/ui/api/tags/rename", { from: values.from, to: values.to });
      toast(values.from + " is now " + values.to + " on " + emails(data.changed));
      // A search for the old tag would now find nothing: follow the rename.
      const old = "tag:" + (values.from.includes(" ") ? '"' + values.from + '"' : values.from);
      const renamed = "tag:" + (values.to.includes(" ") ? '"' + values.to + '"' : values.to);
      if (query().trim().toLowerCase() === old.toLowerCase()) await navigate("/?q=" + encodeURIComponent(renamed), { push: false });
      else await refresh(new Set(selection.ids));
    } catch (err) { toast(err.message); }
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest(".inbox [data-rename-tag]")) renameTag();
  });

  // --- live rows (server-sent events from app.js's stream) ------------------------------------
  function showCounts(count, unreadMatches) {
    inbox.dataset.totalCount = count;
    inbox.dataset.unreadMatches = unreadMatches;
    const totalEl = inbox.querySelector("[data-total]");
    if (totalEl) totalEl.textContent = count.toLocaleString("en");
    const noun = inbox.querySelector("[data-total-noun]");
    if (noun) noun.textContent = searching() ? (count === 1 ? "email matches" : "emails match") : (count === 1 ? "email" : "emails");
    if (inbox.querySelector(".actions[data-blocked]")) return;  // a search with mistakes: both stay off
    inbox.querySelector('[data-action="mark-read"]').disabled = !(unreadMatches > 0);
    inbox.querySelector('[data-action="delete"]').disabled = !(count > 0);
  }

  async function fetchNewRows() {
    const params = new URLSearchParams({ q: query() });
    if (inbox.dataset.top) params.set("above", inbox.dataset.top);
    const data = await call("GET", "/ui/api/emails/rows?" + params);
    if (data.count > 0) {
      if (!inbox.querySelector(".selection-bar")) { await refresh(null); return; }  // the first mail: the whole list
      const holder = document.createElement("template");
      holder.innerHTML = data.html;
      holder.content.querySelectorAll(".row").forEach((row) => row.classList.add("fresh"));
      localizeTimes(holder.content);
      rowsEl.prepend(holder.content);
      inbox.dataset.top = data.top;
      renderSelection();
    }
    showCounts(data.total, data.unread_matches);
    showUnread(data.unread);
  }

  let pending = null;
  const stream = window.gclap.stream;
  if (stream) {
    stream.addEventListener("email", () => {
      if (inbox.dataset.live !== "on") {
        const notice = inbox.querySelector("[data-new-mail]");
        if (notice) notice.hidden = false;
        return;
      }
      if (pending) return;  // bursts of mail: one fetch for all of them
      pending = setTimeout(() => { pending = null; fetchNewRows().catch(() => {}); }, 150);
    });
    stream.addEventListener("reload", () => { if (inbox.dataset.live === "on") refresh(null); });
  }

  // --- Mark all read / Delete all: the whole inbox, or every page of a search's results --------
  // The request carries the search and the server runs it again. `expected` is the number the
  // confirmation named; if the results changed meanwhile the server refuses (409 + count).
  function bulkQuestion(action, count) {
    const q = query().trim();
    if (action === "delete") {
      return {
        title: searching() ? ["Delete " + emails(count) + " matching ", { code: q }, "?"]
                           : "Delete all " + emails(count) + " in the inbox?",
        lines: [searching() ? "Every page of the results is deleted, not only the rows shown. This cannot be undone."
                            : "The inbox will be empty. This cannot be undone."],
        confirm: "Delete " + emails(count), danger: true,
      };
    }
    const unread = count.toLocaleString("en") + " unread email" + (count === 1 ? "" : "s");
    return {
      title: searching() ? ["Mark " + unread + " matching ", { code: q }, " as read?"]
                         : "Mark all " + unread + " in the inbox as read?",
      lines: searching() ? ["Every page of the results, not only the rows shown."] : [],
      confirm: "Mark " + count.toLocaleString("en") + " read",
    };
  }

  async function wholeBulk(action) {
    const count = Number(action === "delete" ? inbox.dataset.totalCount : inbox.dataset.unreadMatches);
    if (!(await confirmDialog(bulkQuestion(action, count)))) return;
    const body = { ...(searching() ? { q: query() } : { all: true }), expected: count };
    try {
      if (action === "delete") {
        const data = await call("DELETE", "/ui/api/emails", body);
        toast(emails(data.deleted) + " deleted");
        await refresh(null);
      } else {
        const data = await call("POST", "/ui/api/emails/read", { ...body, read: true });
        rowsEl.querySelectorAll(".row.unread").forEach((row) => row.classList.remove("unread"));
        showUnread(data.unread);
        showCounts(total(), 0);
        toast(emails(data.changed) + " marked read");
      }
    } catch (err) {
      if (err.problem && typeof err.problem.count === "number") {
        // The results changed since the question: show the new number; the next click asks again.
        if (action === "delete") showCounts(err.problem.count, Number(inbox.dataset.unreadMatches));
        else showCounts(total(), err.problem.count);
      }
      toast(err.message);
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".inbox .actions button[data-action]");
    if (button) wholeBulk(button.dataset.action);
  });

  // --- keyboard (listed in _shortcuts.html) ---------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) return;
    const typing = event.target.closest("input:not([type=checkbox]), textarea, select, [contenteditable]");
    if (event.key === "/" && !typing) {
      event.preventDefault();
      const field = document.getElementById("q");
      if (field) field.focus();
      return;
    }
    if (typing) return;
    const focusedRow = document.activeElement && document.activeElement.closest(".inbox .row");
    if (event.key === "j" || event.key === "k") {
      const links = Array.from(rowsEl.querySelectorAll(".row-link"));
      if (!links.length) return;
      const at = focusedRow ? links.indexOf(focusedRow.querySelector(".row-link")) : -1;
      const next = event.key === "j" ? Math.min(at + 1, links.length - 1) : Math.max(at - 1, 0);
      links[at === -1 ? 0 : next].focus();
    } else if (event.key === "x" && focusedRow) {
      event.preventDefault();
      toggleRow(focusedRow);
    } else if (event.key === "I" && event.shiftKey) {
      runBulk("read");
    } else if (event.key === "U" && event.shiftKey) {
      runBulk("unread");
    } else if (event.key === "#" || event.key === "Delete") {
      if (selection.ids.size || selection.allResults) { event.preventDefault(); runBulk("delete"); }
    } else if (event.key === "Escape" && (selection.ids.size || selection.allResults)) {
      clearSelection();
    }
  });

  showUnread(Number(inbox.dataset.unread));
  renderSelection();
  restorePlace();
  window.addEventListener("pageshow", (event) => { if (event.persisted) restorePlace(); });
})();
