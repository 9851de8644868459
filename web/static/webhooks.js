// Webhooks: endpoints (add, edit, re-enable, replay missed, rotate, test, delete), the live delivery log,
// and one delivery's attempts with Redeliver.
(function () {
  "use strict";
  if (!window.gclap) return;
  const { call, toast, localizeTimes, stream } = window.gclap;

  function formError(form, err) {
    const box = form.querySelector("[data-form-error]");
    const fields = err.problem && err.problem.errors ? Object.entries(err.problem.errors).map(([f, m]) => f + ": " + m.join(" ")) : [];
    box.textContent = fields.length ? fields.join(" · ") : err.message;
    box.hidden = false;
  }

  // Many updates in a burst: one fetch for all of them.
  function debounced(fn, ms) {
    let timer = null;
    return () => { if (!timer) timer = setTimeout(() => { timer = null; fn().catch(() => {}); }, ms); };
  }

  const root = document.querySelector("[data-webhooks]");
  if (root) listPage(root);
  const detail = document.querySelector("[data-delivery-page]");
  if (detail) deliveryPage(detail);

  function listPage(root) {
    const dialog = document.getElementById("endpoint-dialog");
    const form = dialog.querySelector("form");
    const rotateDialog = document.getElementById("rotate-dialog");
    const allEvents = form.querySelector("[data-all-events]");
    const log = root.querySelector("[data-log]");
    let editing = null;
    let rotating = null;

    function showRows(data) {
      const body = document.getElementById("endpoint-rows");
      body.innerHTML = data.rows;
      localizeTimes(body);
    }

    function showSecret(secret, title, note) {
      const box = root.querySelector("[data-secret-box]");
      root.querySelector("[data-secret]").textContent = secret;
      root.querySelector("[data-secret-title]").textContent = title;
      root.querySelector("[data-secret-note]").textContent = note;
      box.hidden = false;
      box.querySelector("[data-copy]").focus();
    }

    allEvents.addEventListener("change", () => {
      form.querySelector("[data-event-choices]").hidden = allEvents.checked;
    });

    function openForm(row) {
      editing = row ? row.dataset.endpoint : null;
      form.reset();
      form.querySelector("[data-form-error]").hidden = true;
      form.querySelector("[data-dialog-title]").textContent = row ? "Edit endpoint" : "Add a webhook endpoint";
      form.querySelector("[data-submit-label]").textContent = row ? "Save" : "Add endpoint";
      form.querySelector("[data-active-field]").hidden = !row;
      if (row) {
        const events = row.dataset.events.split(" ");
        form.elements.url.value = row.dataset.url;
        form.elements.description.value = row.dataset.description;
        form.elements.active.checked = row.dataset.active === "true";
        allEvents.checked = events.includes("*");
        form.querySelectorAll('input[name="event"]').forEach((box) => { box.checked = events.includes(box.value); });
      }
      form.querySelector("[data-event-choices]").hidden = allEvents.checked;
      dialog.showModal();
      form.elements.url.focus();
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = {
        url: form.elements.url.value.trim(),
        events: allEvents.checked ? ["*"] : Array.from(form.querySelectorAll('input[name="event"]:checked')).map((box) => box.value),
        description: form.elements.description.value.trim(),
      };
      if (editing) body.active = form.elements.active.checked;
      try {
        const data = editing
          ? await call("PATCH", "/ui/api/webhooks/endpoints/" + editing, body)
          : await call("POST", "/ui/api/webhooks/endpoints", body);
        dialog.close();
        showRows(data);
        refreshLog();
        if (editing) toast("Endpoint saved");
        else showSecret(data.endpoint.secret, "The signing secret of " + data.endpoint.url,
          "Verify each delivery's webhook-signature with it. You can show it again with Secret.");
      } catch (err) { formError(form, err); }
    });

    rotateDialog.querySelector("form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const rotateForm = event.target;
      try {
        const data = await call("POST", "/ui/api/webhooks/endpoints/" + rotating + "/rotate-secret",
          { grace_period_seconds: Number(rotateForm.elements.grace_period_seconds.value) });
        rotateDialog.close();
        showRows(data);
        const until = data.endpoint.previous_secret_expires_at;
        showSecret(data.endpoint.secret, "The new signing secret of " + data.endpoint.url,
          until ? "The old secret also signs until " + new Date(until).toLocaleString() + "." : "The old secret no longer signs.");
      } catch (err) { formError(rotateForm, err); }
    });

    root.addEventListener("click", async (event) => {
      const button = event.target.closest("[data-hook-action]");
      if (!button) return;
      const action = button.dataset.hookAction;
      const row = button.closest("tr[data-endpoint]");
      const id = row && row.dataset.endpoint;
      try {
        if (action === "open-create") openForm(null);
        else if (action === "edit") openForm(row);
        else if (action === "close") button.closest("dialog").close();
        else if (action === "hide-secret") root.querySelector("[data-secret-box]").hidden = true;
        else if (action === "rotate") {
          rotating = id;
          rotateDialog.querySelector("[data-form-error]").hidden = true;
          rotateDialog.showModal();
        } else if (action === "secret") {
          const data = await call("GET", "/ui/api/webhooks/endpoints/" + id);
          showSecret(data.endpoint.secret, "The signing secret of " + data.endpoint.url,
            "Verify each delivery's webhook-signature with it.");
        } else if (action === "enable") {
          const data = await call("PATCH", "/ui/api/webhooks/endpoints/" + id, { active: true });
          showRows(data);
          const missed = data.endpoint.missed_deliveries;
          toast(missed ? "Endpoint re-enabled. " + missed.toLocaleString("en") + " missed event" + (missed === 1 ? "" : "s") + " can be replayed"
            : "Endpoint re-enabled: waiting deliveries resume");
        } else if (action === "enable-replay" || action === "replay") {
          button.disabled = true;
          if (action === "enable-replay") await call("PATCH", "/ui/api/webhooks/endpoints/" + id, { active: true });
          const data = await call("POST", "/ui/api/webhooks/endpoints/" + id + "/replay");
          showRows(data);
          refreshLog();
          toast("Replaying " + data.replayed.toLocaleString("en") + " missed event" + (data.replayed === 1 ? "" : "s"));
        } else if (action === "delete") {
          if (!confirm("Delete the endpoint " + row.dataset.url + "? Its deliveries and their log go with it.")) return;
          showRows(await call("DELETE", "/ui/api/webhooks/endpoints/" + id));
          refreshLog();
          toast("Endpoint deleted");
        } else if (action === "test") {
          button.disabled = true;
          const data = await call("POST", "/ui/api/webhooks/endpoints/" + id + "/test");
          showRows(data);
          refreshLog();
          const attempt = data.delivery.attempts[data.delivery.attempts.length - 1];
          toast(attempt && attempt.response ? "Test event: HTTP " + attempt.response.status
            : "Test event failed: " + (attempt ? attempt.error : "not sent"));
        }
      } catch (err) { toast(err.message); }
      finally { if (button.isConnected) button.disabled = false; }
    });

    async function fetchLog() {
      const data = await call("GET", "/ui/api/webhooks/deliveries" + location.search);
      const body = document.getElementById("delivery-rows");
      body.innerHTML = data.html;
      localizeTimes(body);
      root.querySelector("[data-log-total]").textContent = data.total.toLocaleString("en");
      if (!document.querySelector("dialog[open]")) showRows({ rows: data.endpoints });
    }
    const refreshLog = debounced(fetchLog, 150);

    if (stream && log.dataset.live === "on") {
      stream.addEventListener("webhook", refreshLog);
      stream.addEventListener("event", refreshLog);  // a lifecycle event writes its deliveries
    }
  }

  function deliveryPage(page) {
    const id = page.dataset.deliveryPage;
    function show(data) {
      const attempts = page.querySelector("[data-attempts]");
      attempts.innerHTML = data.attempts;
      page.querySelector("[data-delivery-facts]").innerHTML = data.facts;
      page.querySelector("[data-attempt-count]").textContent = data.delivery.attempts.length;
      localizeTimes(page);
    }
    const refresh = debounced(async () => show(await call("GET", "/ui/api/webhooks/deliveries/" + id)), 100);
    page.querySelector("[data-redeliver]").addEventListener("click", async () => {
      try {
        show(await call("POST", "/ui/api/webhooks/deliveries/" + id + "/redeliver"));
        toast("Queued for redelivery");
      } catch (err) { toast(err.message); }
    });
    if (stream) {
      stream.addEventListener("webhook", (event) => {
        if (JSON.parse(event.data).id === id) refresh();
      });
    }
  }
})();
