// Problem+json validation errors shown beside the fields they name: `errors` maps a field path
// ("code", "match[0]", "attributes.plan") to messages; the first segment picks the field's
// `[data-error-for]` slot, and anything without one goes to the form's `data-error-for="body"`.
(function () {
  "use strict";
  function clear(form) {
    form.querySelectorAll("[data-error-for]").forEach((slot) => { slot.textContent = ""; slot.hidden = true; });
    form.querySelectorAll("[aria-invalid]").forEach((field) => field.removeAttribute("aria-invalid"));
  }
  function add(slot, text) {
    slot.textContent = slot.textContent ? slot.textContent + " " + text : text;
    slot.hidden = false;
  }
  function show(form, error) {
    clear(form);
    const problem = error.problem || {};
    const errors = problem.errors || {};
    const general = form.querySelector('[data-error-for="body"]');
    let placed = false;
    Object.entries(errors).forEach(([path, messages]) => {
      const name = path.split(/[.[]/)[0] || "body";
      const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`) || general;
      const where = slot === general && name !== "body" ? path + ": " : (path.includes("[") || path.includes(".")) ? path + ": " : "";
      add(slot, where + messages.join(" "));
      form.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((field) => field.setAttribute("aria-invalid", "true"));
      placed = true;
    });
    if (!placed && general) add(general, error.message || "Something went wrong.");
    const first = form.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
  }
  window.gclapForms = { clear, show };
})();
