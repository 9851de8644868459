// On every page: the navigation menu of narrow screens, and keyboard access to areas that scroll.
(function () {
  "use strict";

  // Phones: the main navigation folds into a menu behind its button (a disclosure: the button says
  // whether the list is open; Escape, a click elsewhere or moving focus out of it closes it).
  const nav = document.querySelector("nav.mainnav");
  const toggle = nav && nav.querySelector("[data-nav-toggle]");
  if (toggle) {
    const setOpen = (open) => {
      nav.classList.toggle("is-open", open);
      toggle.setAttribute("aria-expanded", String(open));
    };
    toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
    nav.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && nav.classList.contains("is-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
    nav.addEventListener("focusout", (event) => {
      if (event.relatedTarget && !nav.contains(event.relatedTarget)) setOpen(false);
    });
    document.addEventListener("click", (event) => {
      if (nav.classList.contains("is-open") && !nav.contains(event.target)) setOpen(false);
    });
  }

  // A box that scrolls (a wide table on a phone, a long payload, a code sample) must be reachable
  // by keyboard to be scrolled: one without anything focusable inside takes a tab stop while, and
  // only while, it overflows.
  const FOCUSABLE = "a[href], button, input, select, textarea, summary, iframe, [tabindex]";
  const scrolls = (el, style) =>
    (/(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
    (/(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1);

  function reachScrollAreas() {
    document.querySelectorAll("body *").forEach((el) => {
      const added = el.hasAttribute("data-scroll-stop");
      if (!added && (el.matches(FOCUSABLE) || el.closest("[hidden]"))) return;
      const style = getComputedStyle(el);
      if (style.display === "none" || style.display === "inline") return;
      const needed = scrolls(el, style) && (added || !el.querySelector(FOCUSABLE));
      if (needed && !added) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-scroll-stop", "");
      } else if (!needed && added) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-scroll-stop");
      }
    });
  }

  let queued = false;
  function later() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; reachScrollAreas(); });
  }
  reachScrollAreas();
  window.addEventListener("resize", later);
  new MutationObserver(later).observe(document.body, { childList: true, subtree: true });
})();
