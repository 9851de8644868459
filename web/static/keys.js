// Settings -> API keys: create (secret shown once), rotate, revoke.
(function () {
  "use strict";
  const root = document.querySelector("[data-keys]");
  if (!root || !window.gclap) return;
  const { call, toast, localizeTimes } = window.gclap;
  const createDialog = document.getElementById("create-key");
  const rotateDialog = document.getElementById("rotate-key");
  let rotating = null;

  function showRows(data) {
    const body = document.getElementById("key-rows");
    body.innerHTML = data.rows;
    localizeTimes(body);
    root.querySelector("[data-key-total]").textContent = data.total;
  }

  function showSecret(key, title, note) {
    const box = root.querySelector("[data-secret-box]");
    root.querySelector("[data-secret]").textContent = key.key;
    root.querySelector("[data-secret-title]").textContent = title;
    root.querySelector("[data-secret-note]").textContent = note;
    box.hidden = false;
    box.querySelector("[data-copy]").focus();
  }

  function formError(form, err) {
    const box = form.querySelector("[data-form-error]");
    const fields = err.problem && err.problem.errors ? Object.entries(err.problem.errors).map(([f, m]) => f + ": " + m.join(" ")) : [];
    box.textContent = fields.length ? fields.join(" · ") : err.message;
    box.hidden = false;
  }

  const allScopes = root.querySelector("[data-all-scopes]");
  allScopes.addEventListener("change", () => {
    root.querySelector("[data-scope-choices]").hidden = allScopes.checked;
  });

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-key-action]");
    if (!button) return;
    const action = button.dataset.keyAction;
    if (action === "open-create") {
      createDialog.querySelector("[data-form-error]").hidden = true;
      createDialog.showModal();
      createDialog.querySelector("#key-name").focus();
    } else if (action === "close") {
      button.closest("dialog").close();
    } else if (action === "revoke") {
      const id = button.closest("tr").dataset.key;
      if (!confirm("Revoke the key “" + button.dataset.name + "”? Requests using it will get 401 at once.")) return;
      try {
        showRows(await call("DELETE", "/ui/api/keys/" + id));
        toast("Key revoked");
      } catch (err) { toast(err.message); }
    } else if (action === "rotate") {
      rotating = button.closest("tr").dataset.key;
      rotateDialog.querySelector("[data-rotate-name]").textContent = "“" + button.dataset.name + "”";
      rotateDialog.querySelector("[data-form-error]").hidden = true;
      rotateDialog.showModal();
    }
  });

  createDialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const body = { name: form.elements.name.value.trim() };
    const days = form.elements.expires_in_days.value;
    if (days) body.expires_in_days = Number(days);
    if (!allScopes.checked) {
      body.scopes = Array.from(form.querySelectorAll('input[name="scope"]:checked')).map((box) => box.value);
    }
    try {
      const data = await call("POST", "/ui/api/keys", body);
      createDialog.close();
      form.reset();
      root.querySelector("[data-scope-choices]").hidden = true;
      showRows(data);
      showSecret(data.key, "Your new key “" + data.key.name + "”", "Copy it now: it will not be shown again.");
    } catch (err) { formError(form, err); }
  });

  rotateDialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    try {
      const data = await call("POST", "/ui/api/keys/" + rotating + "/rotate",
        { grace_period_seconds: Number(form.elements.grace_period_seconds.value) });
      rotateDialog.close();
      showRows(data);
      const ends = new Date(data.key.previous_key_ends_at);
      showSecret(data.key, "The new secret for “" + data.key.name + "”",
        "Copy it now: it will not be shown again. The old secret stops working " +
        (ends <= new Date() ? "now." : "at " + ends.toLocaleString() + "."));
    } catch (err) { formError(form, err); }
  });
})();
