// Settings > Chaos rules: add, edit and delete one rule at a time. The server validates each
// rule as the API does; its errors appear beside the fields. After a change the page reloads,
// so what it shows is always the rule set in force.
(function () {
  "use strict";
  const root = document.querySelector("[data-chaos]");
  if (!root) return;
  const { call, toast, confirmDialog } = window.gclap;
  const forms = window.gclapForms;
  let editing = null;  // {kind, index, seen} while a dialog edits a rule; null when adding

  // Text fields become numbers when they read as numbers; anything else goes as typed, so
  // the server names the mistake. Empty fields are left out (the rule's default applies).
  function value(form, name) {
    const raw = form.elements[name].value.trim();
    if (raw === "") return undefined;
    const number = Number(raw);
    return ["code", "probability", "delay", "retry_after", "status"].includes(name) && !Number.isNaN(number) ? number : raw;
  }
  function ruleFrom(form, kind) {
    const rule = {};
    const names = kind === "smtp" ? ["stage", "code", "message", "probability", "delay"]
                                  : ["path", "status", "retry_after", "message", "probability", "delay"];
    names.forEach((name) => { const v = value(form, name); if (v !== undefined) rule[name] = v; });
    if (kind === "smtp") {
      const match = form.elements.match.value.split("\n").map((line) => line.trim()).filter(Boolean);
      if (match.length) rule.match = match;
    } else {
      const methods = Array.from(form.querySelectorAll('input[name="methods"]:checked')).map((box) => box.value);
      if (methods.length) rule.methods = methods;
    }
    return rule;
  }
  function fill(form, kind, rule) {
    form.reset();
    Object.entries(rule).forEach(([name, v]) => {
      if (name === "match") form.elements.match.value = v.join("\n");
      else if (name === "methods") form.querySelectorAll('input[name="methods"]').forEach((box) => { box.checked = v.includes(box.value); });
      else if (form.elements[name] && v !== null) form.elements[name].value = String(v);
    });
  }

  function open(kind, rule, where) {
    const dialog = root.querySelector(`[data-chaos-dialog="${kind}"]`);
    const form = dialog.querySelector("form");
    editing = where;
    fill(form, kind, rule || {});
    forms.clear(form);
    dialog.querySelector("[data-dialog-title]").textContent = (where ? "Edit" : "Add") + (kind === "smtp" ? " an SMTP rule" : " an HTTP rule");
    dialog.showModal();
  }

  root.querySelectorAll("[data-chaos-add]").forEach((button) => {
    button.addEventListener("click", () => open(button.dataset.chaosAdd, null, null));
  });
  root.querySelectorAll(".chaos-rule").forEach((item) => {
    const where = { kind: item.dataset.kind, index: Number(item.dataset.index), seen: JSON.parse(item.dataset.rule) };
    item.querySelector("[data-chaos-edit]").addEventListener("click", () => open(where.kind, where.seen, where));
    item.querySelector("[data-chaos-delete]").addEventListener("click", async () => {
      const ok = await confirmDialog({ title: "Delete this rule?", lines: [item.querySelector(".chaos-words").textContent.trim()],
                                       confirm: "Delete rule", danger: true });
      if (!ok) return;
      try {
        await call("DELETE", `/ui/api/chaos/${where.kind}/${where.index}`, { seen: where.seen });
        location.reload();
      } catch (err) { toast(err.message); }
    });
  });
  root.querySelectorAll("[data-chaos-dialog]").forEach((dialog) => {
    const kind = dialog.dataset.chaosDialog;
    const form = dialog.querySelector("form");
    dialog.querySelector("[data-dialog-close]").addEventListener("click", () => dialog.close());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const rule = ruleFrom(form, kind);
      try {
        if (editing) await call("PUT", `/ui/api/chaos/${kind}/${editing.index}`, { rule, seen: editing.seen });
        else await call("POST", `/ui/api/chaos/${kind}`, { rule });
        location.reload();
      } catch (err) { forms.show(form, err); }
    });
  });

  const seedForm = root.querySelector("[data-seed-form]");
  seedForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const raw = seedForm.elements.seed.value.trim();
    const seed = raw === "" ? null : /^-?\d+$/.test(raw) ? Number(raw) : raw;
    try {
      const data = await call("PUT", "/ui/api/chaos/seed", { seed });
      forms.clear(seedForm);
      seedForm.elements.seed.value = data.seed;
      toast("Seed saved: " + data.seed);
    } catch (err) { forms.show(seedForm, err); }
  });
})();
