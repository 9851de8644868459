// Automation: activate or pause a workflow from its row or its page.
(function () {
  "use strict";
  if (!window.gclap) return;
  const { call, toast } = window.gclap;
  const root = document.querySelector("[data-automation]");
  if (!root) return;

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-workflow-action]");
    if (!button) return;
    const status = button.dataset.workflowAction;
    button.disabled = true;
    try {
      const data = await call("POST", "/ui/api/automation/" + button.dataset.workflow + "/status", { status });
      const holder = document.createElement("template");
      holder.innerHTML = data.html.trim();
      const control = holder.content.firstElementChild;
      button.closest("[data-workflow-status]").replaceWith(control);
      toast("“" + data.workflow.name + "” " + (status === "active" ? "is active: its trigger enrols contacts" : "is paused: no new enrolments, runs under way go on"));
      const focusable = control.querySelector("button");
      if (focusable) focusable.focus();
    } catch (err) {
      const fields = err.problem && err.problem.errors ? Object.entries(err.problem.errors).map(([f, m]) => f + ": " + m.join(" ")) : [];
      toast(fields.length ? err.message + " " + fields.join(" · ") : err.message);
      button.disabled = false;
    }
  });
})();
