// Preferences kept in this browser (Settings > Preferences): the theme, applied here, in the
// head, before the first paint (so a dark choice never flashes light); the time zone shown
// times use; whether new mail raises a browser notification. Loaded without `defer` on purpose.
(function () {
  "use strict";
  const KEYS = { theme: "gclap.theme", timeZone: "gclap.timeZone", notify: "gclap.notify" };
  const THEMES = ["light", "dark"];  // anything else follows the system
  function read(name) {
    try { return localStorage.getItem(KEYS[name]) || ""; } catch (err) { return ""; }
  }
  function write(name, value) {
    try {
      if (value) localStorage.setItem(KEYS[name], value);
      else localStorage.removeItem(KEYS[name]);
    } catch (err) { /* storage off: the choice lasts for this page only */ }
  }
  function applyTheme() {
    const theme = read("theme");
    if (THEMES.includes(theme)) document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
    window.dispatchEvent(new Event("gclap:theme"));
  }
  function validZone(zone) {
    try { new Intl.DateTimeFormat("en", { timeZone: zone }); return true; } catch (err) { return false; }
  }
  function timeZone() {
    const zone = read("timeZone");
    return zone && validZone(zone) ? zone : undefined;
  }
  applyTheme();
  // Another tab changed the theme: follow it.
  window.addEventListener("storage", (event) => { if (event.key === KEYS.theme) applyTheme(); });
  window.gclapPrefs = { read, write, applyTheme, timeZone, validZone };
})();
