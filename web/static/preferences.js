// Settings > Preferences: each choice is stored at once (prefs.js reads them on every page).
(function () {
  "use strict";
  const root = document.querySelector("[data-preferences]");
  const prefs = window.gclapPrefs;
  if (!root || !prefs) return;

  // Theme: applied on this page at once, and on every page from now on.
  const theme = prefs.read("theme") || "system";
  root.querySelectorAll('input[name="theme"]').forEach((input) => {
    input.checked = input.value === theme;
    input.addEventListener("change", () => {
      prefs.write("theme", input.value === "system" ? "" : input.value);
      prefs.applyTheme();
    });
  });

  // Time zone: every zone the browser knows; empty means the browser's own.
  const select = root.querySelector("[data-time-zone]");
  const nowEl = root.querySelector("[data-zone-now]");
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  select.options[0].textContent = "This browser's zone (" + own + ")";
  const zones = Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : [];
  const saved = prefs.timeZone() || "";
  if (saved && !zones.includes(saved)) zones.unshift(saved);  // e.g. "UTC", valid but not listed
  if (!zones.includes("UTC")) zones.unshift("UTC");
  zones.forEach((zone) => select.add(new Option(zone.replaceAll("_", " "), zone)));
  select.value = saved;
  function showNow() {
    const zone = select.value || undefined;
    nowEl.dateTime = new Date().toISOString();
    nowEl.textContent = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long", timeZone: zone }).format(new Date());
  }
  select.addEventListener("change", () => {
    prefs.write("timeZone", select.value);
    showNow();
    window.gclap.toast(select.value ? "Times now shown in " + select.value : "Times now shown in this browser's zone");
  });
  showNow();

  // Notifications: asked for only after a click, as browsers require.
  const state = root.querySelector("[data-notify-state]");
  const toggle = root.querySelector("[data-notify-toggle]");
  function showNotify() {
    if (!("Notification" in window)) {
      state.textContent = "This browser has no notifications.";
      toggle.hidden = true;
      return;
    }
    const on = prefs.read("notify") === "on" && Notification.permission === "granted";
    if (Notification.permission === "denied") {
      state.textContent = "Blocked in this browser's site settings: allow notifications for this site there first.";
      toggle.hidden = true;
      return;
    }
    state.textContent = on ? "On: new mail raises a notification." : "Off.";
    toggle.textContent = on ? "Turn off notifications" : "Turn on notifications";
    toggle.classList.toggle("btn-primary", !on);
    toggle.hidden = false;
  }
  toggle.addEventListener("click", async () => {
    if (prefs.read("notify") === "on" && Notification.permission === "granted") {
      prefs.write("notify", "");
    } else {
      const answer = await Notification.requestPermission();
      prefs.write("notify", answer === "granted" ? "on" : "");
    }
    showNotify();
  });
  showNotify();
})();
