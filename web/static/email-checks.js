// The Checks tab: its content is fetched the first time the tab is shown (network checks,
// when the sandbox has them on, can take a few seconds).
(function () {
  const panel = document.getElementById("view-checks");
  if (!panel) return;
  let loaded = false;
  function load() {
    if (loaded || panel.hidden) return;
    loaded = true;
    fetch(panel.dataset.checksUrl, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.text();
      })
      .then((html) => {
        panel.innerHTML = html;  // rendered by the server with autoescaping
        panel.setAttribute("aria-busy", "false");
      })
      .catch((error) => {
        loaded = false;
        panel.setAttribute("aria-busy", "false");
        panel.querySelector("[data-checks-status]").textContent = `Could not load the checks (${error.message}).`;
      });
  }
  new MutationObserver(load).observe(panel, { attributes: true, attributeFilter: ["hidden"] });
  load();
})();
