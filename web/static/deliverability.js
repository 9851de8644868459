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

// Sending domains: add one, verify one (the page then shows each record's result).
(function () {
  "use strict";
  if (!window.gclap) return;
  const { call, toast } = window.gclap;
  const form = document.querySelector("[data-domain-form]");
  if (form) {
    const errorEl = form.querySelector("[data-domain-errors]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await call("POST", "/ui/api/deliverability/domains", { domain: form.elements.domain.value.trim() });
        window.location.reload();
      } catch (err) {
        const fields = err.problem && err.problem.errors ? Object.values(err.problem.errors).flat() : [];
        errorEl.textContent = fields.length ? fields.join(" ") : err.message;
        errorEl.hidden = false;
      }
    });
  }
  document.querySelectorAll("[data-domain-verify]").forEach((button) => {
    button.addEventListener("click", async () => {
      const card = button.closest("[data-domain-id]");
      button.disabled = true;
      try { await call("POST", `/ui/api/deliverability/domains/${card.dataset.domainId}/verify`, {}); window.location.reload(); }
      catch (err) { toast(err.message); button.disabled = false; }
    });
  });
})();
