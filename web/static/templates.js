// Template editor: live preview (debounced) through the sandboxed renderer; save, delete.
(function () {
  "use strict";
  const root = document.querySelector("[data-template-editor]");
  if (!root || !window.gclap) return;
  const { call, toast } = window.gclap;
  const form = root.querySelector("[data-template-form]");
  const state = root.querySelector("[data-preview-state]");
  const errorsEl = root.querySelector("[data-preview-errors]");
  const frame = root.querySelector("[data-preview-frame]");
  const textEl = root.querySelector("[data-preview-text]");
  const subjectEl = root.querySelector("[data-preview-subject]");
  let id = root.dataset.id;
  let timer = null;
  let generation = 0;

  function part(name) {
    const value = form.elements[name].value;
    return value.trim() === "" ? null : value;
  }

  function list(el, items) {
    el.innerHTML = "";
    items.forEach((text) => { const li = document.createElement("li"); li.textContent = text; el.appendChild(li); });
    el.hidden = items.length === 0;
  }

  async function preview() {
    const mine = ++generation;
    let variables;
    try { variables = JSON.parse(form.elements.variables.value || "{}"); }
    catch (err) { list(errorsEl, ["Sample variables: not valid JSON (" + err.message + ")"]); state.textContent = "Error"; return; }
    if (variables === null || typeof variables !== "object" || Array.isArray(variables)) {
      list(errorsEl, ["Sample variables: must be a JSON object"]); state.textContent = "Error"; return;
    }
    state.textContent = "Rendering…";
    try {
      const data = await call("POST", "/ui/api/templates/preview",
        { subject: form.elements.subject.value, html: part("html"), text: part("text"), variables });
      if (mine !== generation) return;  // a newer edit is already on its way
      list(errorsEl, data.errors);
      state.textContent = data.ok ? "Up to date" : "Error";
      if (!data.ok) return;
      subjectEl.textContent = data.subject;
      frame.hidden = !data.html_url;
      if (data.html_url) frame.src = data.html_url;
      textEl.hidden = data.text === null;
      textEl.textContent = data.text || "";
    } catch (err) {
      if (mine === generation) { list(errorsEl, [err.message]); state.textContent = "Error"; }
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    state.textContent = "Editing…";
    timer = setTimeout(preview, 250);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    root.querySelectorAll("[data-errors-for]").forEach((el) => list(el, []));
    const formError = root.querySelector("[data-form-error]");
    formError.hidden = true;
    const body = { name: form.elements.name.value.trim(), subject: form.elements.subject.value };
    ["html", "text"].forEach((name) => {
      const value = part(name);
      if (value !== null || id) body[name] = value;
    });
    try {
      const saved = await call(id ? "PATCH" : "POST", id ? "/ui/api/templates/" + id : "/ui/api/templates", body);
      if (!id) { location.assign("/templates/" + saved.id); return; }
      document.getElementById("template-title").textContent = saved.name;
      toast("Saved");
    } catch (err) {
      const fields = (err.problem && err.problem.errors) || {};
      let shown = false;
      Object.entries(fields).forEach(([name, messages]) => {
        const el = root.querySelector('[data-errors-for="' + name + '"]');
        if (el) { list(el, messages); shown = true; }
      });
      if (!shown) { formError.textContent = err.message; formError.hidden = false; }
      toast("Not saved: " + err.message);
    }
  });

  root.addEventListener("click", async (event) => {
    const button = event.target.closest('[data-template-action="delete"]');
    if (!button || !confirm("Delete this template?")) return;
    await call("DELETE", "/ui/api/templates/" + id);
    location.assign("/templates");
  });

  preview();
})();
