// Create or edit a contact. Custom fields are typed in the form (text, number, yes/no, JSON)
// and sent as JSON values; on edit a removed field is sent as null, which deletes it. The
// server validates as the API does and its errors appear beside the fields.
(function () {
  "use strict";
  const form = document.querySelector("[data-contact-form]");
  if (!form) return;
  const { call } = window.gclap;
  const forms = window.gclapForms;
  const rows = form.querySelector("[data-attribute-rows]");
  const template = form.querySelector("[data-attribute-template]");
  const contactId = form.dataset.contactId;
  const original = JSON.parse(form.dataset.originalAttributes || "[]");

  form.querySelector("[data-add-attribute]").addEventListener("click", () => {
    rows.append(template.content.cloneNode(true));
    rows.lastElementChild.querySelector('[name="attribute_name"]').focus();
  });
  rows.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove-attribute]");
    if (button) button.closest("[data-attribute-row]").remove();
  });

  // A typed value, or throws an Error naming what is wrong with it.
  function typed(kind, text, name) {
    if (kind === "text") return text;
    if (kind === "number") {
      const number = Number(text);
      if (text.trim() === "" || !Number.isFinite(number)) throw new Error(`${name}: not a number.`);
      return number;
    }
    if (kind === "boolean") {
      if (!["true", "false"].includes(text.trim().toLowerCase())) throw new Error(`${name}: type true or false.`);
      return text.trim().toLowerCase() === "true";
    }
    try { return JSON.parse(text); } catch (err) { throw new Error(`${name}: not valid JSON.`); }
  }

  function body() {
    const data = {
      email: form.elements.email.value.trim(),
      first_name: form.elements.first_name.value,
      last_name: form.elements.last_name.value,
      lists: Array.from(form.querySelectorAll('input[name="lists"]:checked')).map((box) => box.value),
      attributes: {},
    };
    if (form.elements.status.value) data.status = form.elements.status.value;
    const problems = [];
    rows.querySelectorAll("[data-attribute-row]").forEach((row) => {
      const name = row.querySelector('[name="attribute_name"]').value.trim();
      const kind = row.querySelector('[name="attribute_kind"]').value;
      const text = row.querySelector('[name="attribute_value"]').value;
      if (!name && !text) return;  // an empty row added and left
      try { data.attributes[name] = typed(kind, text, name || "(no name)"); } catch (err) { problems.push(err.message); }
    });
    if (contactId) original.forEach((name) => { if (!(name in data.attributes)) data.attributes[name] = null; });
    if (problems.length) {
      const error = new Error("Check the custom fields.");
      error.problem = { errors: { attributes: problems } };
      throw error;
    }
    return data;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const data = body();
      const answer = contactId ? await call("PATCH", "/ui/api/contacts/" + contactId, data)
                               : await call("POST", "/ui/api/contacts", data);
      location.assign(answer.url);
    } catch (err) {
      if (err.problem && err.problem.existing_id) {
        // A duplicate address: say so at the email field, with the way to the contact that has it.
        forms.show(form, { problem: { errors: { email: [err.message] } } });
        const slot = form.querySelector('[data-error-for="email"]');
        const link = document.createElement("a");
        link.href = "/contacts/" + err.problem.existing_id;
        link.textContent = "Open that contact";
        slot.append(" ", link);
        return;
      }
      forms.show(form, err);
    }
  });
})();
