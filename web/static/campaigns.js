// Campaigns: the new-campaign form (live audience count, create and schedule), cancel, and the
// progress panel refreshed while a campaign is scheduled or sending.
(function () {
  "use strict";
  if (!window.gclap) return;
  const { call, toast } = window.gclap;

  const form = document.querySelector("[data-campaign-form]");
  if (form) {
    const countEl = form.querySelector("[data-audience-count]");
    const errorsEl = form.querySelector("[data-campaign-errors]");
    const checked = (name) => Array.from(form.querySelectorAll(`input[name="${name}"]:checked`)).map((i) => i.value);
    let generation = 0;

    async function count() {
      const mine = ++generation;
      const audience = { lists: checked("lists"), segments: checked("segments") };
      if (!audience.lists.length && !audience.segments.length) { countEl.textContent = "Pick lists or segments to see who it reaches."; return; }
      countEl.textContent = "Counting…";
      try {
        const data = await call("POST", "/ui/api/campaigns/audience", audience);
        if (mine !== generation) return;
        const skipped = Object.entries(data.skipped_reasons).filter(([, n]) => n).map(([r, n]) => `${n} ${r}`).join(", ");
        countEl.textContent = `${data.recipients.toLocaleString()} recipient${data.recipients === 1 ? "" : "s"}` +
          (data.skipped ? ` · ${data.skipped} skipped (${skipped})` : "");
      } catch (err) { countEl.textContent = err.message; }
    }
    form.addEventListener("change", (event) => { if (event.target.type === "checkbox") count(); });

    function showErrors(items) {
      errorsEl.innerHTML = "";
      items.forEach((text) => { const li = document.createElement("li"); li.textContent = text; errorsEl.appendChild(li); });
      errorsEl.hidden = items.length === 0;
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const send = event.submitter && event.submitter.dataset.send === "1";
      let variables;
      try { variables = JSON.parse(form.elements.variables.value || "{}"); }
      catch (err) { showErrors(["Variables: not valid JSON (" + err.message + ")"]); return; }
      const body = { name: form.elements.name.value, template_id: form.elements.template_id.value, variables,
                     audience: { lists: checked("lists"), segments: checked("segments") }, send };
      if (form.elements.from_email.value.trim()) body.from_email = form.elements.from_email.value.trim();
      if (form.elements.rate_per_minute.value) body.rate_per_minute = Number(form.elements.rate_per_minute.value);
      if (form.elements.send_at.value) body.send_at = form.elements.send_at.value + ":00Z";
      try {
        const created = await call("POST", "/ui/api/campaigns", body);
        window.location.href = "/campaigns/" + created.id;
      } catch (err) {
        const fields = err.problem && err.problem.errors ? Object.entries(err.problem.errors).map(([f, m]) => `${f}: ${m.join(" ")}`) : [];
        showErrors(fields.length ? fields : [err.message]);
      }
    });
  }

  const root = document.querySelector("[data-campaign]");
  if (!root) return;
  const panel = root.querySelector("[data-campaign-progress]");
  const cancel = root.querySelector("[data-campaign-cancel]");
  if (cancel) {
    cancel.addEventListener("click", async () => {
      try { await call("POST", `/ui/api/campaigns/${root.dataset.campaign}/cancel`, {}); window.location.reload(); }
      catch (err) { toast(err.message, "error"); }
    });
  }
  async function refresh() {
    const response = await fetch(`/campaigns/${root.dataset.campaign}/progress`, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    panel.innerHTML = await response.text();
    const status = panel.querySelector("[data-status]").dataset.status;
    if (status === "scheduled" || status === "sending") { setTimeout(refresh, 1000); }
    else if (cancel) { cancel.hidden = true; }
  }
  if (panel.dataset.live === "1") setTimeout(refresh, 1000);
})();
