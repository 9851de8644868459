// Reports: the schedule-or-change form (fields shown for the chosen frequency), run now, delete.
(function () {
  "use strict";
  if (!window.gclap) return;
  const { call, toast, confirmDialog } = window.gclap;

  const form = document.querySelector("[data-report-form]");
  if (form) {
    const errorsEl = form.querySelector("[data-report-errors]");
    const frequency = form.querySelector("[data-frequency]");
    const checked = (name) => Array.from(form.querySelectorAll(`input[name="${name}"]:checked`)).map((i) => i.value);

    function showFields() {
      form.querySelectorAll("[data-for]").forEach((el) => {
        el.hidden = !el.dataset.for.split(" ").includes(frequency.value);
      });
    }
    frequency.addEventListener("change", showFields);
    showFields();

    function showErrors(items) {
      errorsEl.innerHTML = "";
      items.forEach((text) => { const li = document.createElement("li"); li.textContent = text; errorsEl.appendChild(li); });
      errorsEl.hidden = items.length === 0;
    }

    function schedule() {
      const f = form.elements;
      const value = { frequency: frequency.value, timezone: f.timezone.value.trim() };
      if (frequency.value === "cron") { value.cron = f.cron.value.trim(); return value; }
      value.time = f.time.value;
      if (frequency.value === "weekly") value.weekday = f.weekday.value;
      if (frequency.value === "monthly") value.day = Number(f.day.value);
      return value;
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const f = form.elements;
      const body = {
        name: f.name.value, schedule: schedule(),
        recipients: f.recipients.value.split(/[\n,]+/).map((s) => s.trim()).filter(Boolean),
        sections: checked("sections"), formats: checked("formats"), enabled: f.enabled.checked,
        period: f.period.value || null,
      };
      const id = form.dataset.reportId;
      try {
        const saved = await call(id ? "PATCH" : "POST", id ? `/ui/api/reports/${id}` : "/ui/api/reports", body);
        window.location.href = "/reports/" + saved.id;
      } catch (err) {
        const fields = err.problem && err.problem.errors ? Object.entries(err.problem.errors).map(([k, m]) => `${k}: ${m.join(" ")}`) : [];
        showErrors(fields.length ? fields : [err.message]);
      }
    });
  }

  const root = document.querySelector("[data-report]");
  if (!root) return;
  const id = root.dataset.report;
  root.querySelector("[data-report-run-now]").addEventListener("click", async (event) => {
    event.target.disabled = true;
    try { await call("POST", `/ui/api/reports/${id}/run-now`, {}); window.location.reload(); }
    catch (err) { toast(err.message, "error"); event.target.disabled = false; }
  });
  root.querySelector("[data-report-delete]").addEventListener("click", async () => {
    const sure = await confirmDialog({ title: "Delete this report?", lines: ["Its runs go with it; the emails it sent stay in the inbox."],
                                       confirm: "Delete", danger: true });
    if (!sure) return;
    try { await call("DELETE", `/ui/api/reports/${id}`); window.location.href = "/reports"; }
    catch (err) { toast(err.message, "error"); }
  });
})();
