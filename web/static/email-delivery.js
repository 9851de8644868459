// Email page: trigger events, the live timeline and recipients, relay upstream.
(function () {
  "use strict";
  const email = document.querySelector("article.email");
  if (!email || !window.gclap) return;
  const { call, toast, localizeTimes, stream, confirmDialog } = window.gclap;
  const id = email.dataset.id;

  function showStatus(status) {
    const chip = email.querySelector("[data-email-status]");
    if (!chip || !status) return;
    chip.textContent = status;
    chip.className = "status status-" + status;
  }

  // The relay panel is re-rendered on every event of this email: what was typed into its
  // recipients field and the last release's outcome survive that.
  let releaseMessage = null;
  function showReleaseResult() {
    const result = email.querySelector("[data-release-result]");
    if (result && releaseMessage !== null) { result.textContent = releaseMessage; result.hidden = false; }
  }

  async function refreshPanels() {
    const data = await call("GET", "/ui/api/emails/" + id + "/panels");
    const typed = email.querySelector("#release-to");
    const typedValue = typed ? typed.value : "";
    Object.entries(data.panels).forEach(([name, html]) => {
      const slot = email.querySelector('.panel-slot[data-panel="' + CSS.escape(name) + '"]');
      if (!slot) return;
      slot.innerHTML = html;
      localizeTimes(slot);
    });
    const field = email.querySelector("#release-to");
    if (field && typedValue) field.value = typedValue;
    showReleaseResult();
    showStatus(data.status);
  }

  // Events of this email (from the simulate buttons, the jobs worker or real tracking): one
  // refresh per burst.
  let pending = null;
  if (stream) {
    stream.addEventListener("event", (message) => {
      const data = JSON.parse(message.data);
      if (data.email_id !== id || pending) return;
      pending = setTimeout(() => { pending = null; refreshPanels().catch(() => {}); }, 120);
    });
  }

  email.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-trigger]");
    if (!button) return;
    const panel = button.closest("[data-simulate]");
    const body = { event: button.dataset.trigger };
    const recipient = panel.querySelector('select[name="recipient"]');
    if (recipient && recipient.value) body.recipient = recipient.value;
    if (body.event === "clicked") body.url = panel.querySelector('select[name="url"]').value;
    button.disabled = true;
    try {
      const data = await call("POST", "/ui/api/emails/" + id + "/simulate", body);
      showStatus(data.status);
      toast(data.events.length + " " + body.event + " event" + (data.events.length === 1 ? "" : "s") + " recorded");
      await refreshPanels();
    } catch (err) {
      toast(err.message);
    } finally {
      button.disabled = false;
    }
  });

  // Release sends to the real upstream server: first ask the server where it would go, name
  // that server and the recipients in a confirmation, and send only when confirmed (the send
  // carries the upstream shown, and the server refuses it if that is not where it would go).
  function releaseQuestion(plan) {
    const list = (addresses) => addresses.slice(0, 10).join(", ") + (addresses.length > 10 ? " and " + (addresses.length - 10) + " more" : "");
    const lines = [["Upstream server: ", { code: plan.upstream }],
                   ["Recipients (" + plan.recipients.length + "): " + list(plan.recipients)]];
    if (plan.skipped.length) lines.push(["Not relayed (--relay-deny): " + list(plan.skipped)]);
    lines.push("This delivers real mail; it cannot be called back.");
    return { title: "Send this email to " + plan.host + "?", lines, confirm: "Send to " + plan.host };
  }

  email.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-release]");
    if (!form) return;
    event.preventDefault();
    const to = form.elements.to.value.split(",").map((s) => s.trim()).filter(Boolean);
    const body = to.length ? { to } : {};
    const button = form.querySelector("button");
    button.disabled = true;
    let message = null;
    try {
      const plan = await call("POST", "/ui/api/emails/" + id + "/release/plan", body);
      if (await confirmDialog(releaseQuestion(plan))) {
        const job = await call("POST", "/ui/api/emails/" + id + "/release", { ...body, confirm_upstream: plan.upstream });
        const reply = job.last_reply || {};
        message = "Relayed: " + (reply.code || "") + " " + (reply.message || "");
      }
    } catch (err) {
      message = err.message;
    }
    button.disabled = false;
    if (message === null) return;  // cancelled: nothing was sent
    releaseMessage = message;
    await refreshPanels().catch(() => {});
    showReleaseResult();
    toast(message);
  });
})();
