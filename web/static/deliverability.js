// Deliverability: run an inbox placement test from the form, then show the page again with it.
(function () {
  "use strict";
  if (!window.gclap) return;
  const { call } = window.gclap;
  const form = document.querySelector("[data-placement-form]");
  if (!form) return;
  const errorsEl = form.querySelector("[data-placement-errors]");
  const button = form.querySelector("[data-placement-run]");

  function showErrors(items) {
    errorsEl.innerHTML = "";
    items.forEach((text) => { const li = document.createElement("li"); li.textContent = text; errorsEl.appendChild(li); });
    errorsEl.hidden = items.length === 0;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { from_email: form.elements.from_email.value.trim(), subject: form.elements.subject.value,
                   html: form.elements.html.value, category: form.elements.marketing.checked ? "marketing" : "transactional" };
    button.disabled = true;
    try {
      await call("POST", "/ui/api/deliverability/placement-tests", body);
      window.location.reload();
    } catch (err) {
      const fields = err.problem && err.problem.errors ? Object.entries(err.problem.errors).map(([f, m]) => `${f}: ${m.join(" ")}`) : [];
      showErrors(fields.length ? fields : [err.message]);
      button.disabled = false;
    }
  });
})();
