// New-mail notifications, when turned on in Settings > Preferences (after the browser's own
// permission prompt): each email the live stream announces raises one, which opens the email.
(function () {
  "use strict";
  const gclap = window.gclap;
  const prefs = window.gclapPrefs;
  if (!gclap || !gclap.stream || !prefs || !("Notification" in window)) return;
  gclap.stream.addEventListener("email", (event) => {
    if (prefs.read("notify") !== "on" || Notification.permission !== "granted") return;
    const data = JSON.parse(event.data);
    if (!data.id) return;
    // One tag per email: several open tabs raise it once.
    const note = new Notification("New email in the sandbox", { body: data.subject || "(no subject)", tag: "gclap-" + data.id });
    note.addEventListener("click", () => { window.focus(); location.assign("/emails/" + data.id); });
  });
})();
