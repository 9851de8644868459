// The Source tab: highlight the HTML (the body, and HTML parts of the decoded view) with the
// vendored highlight.js, once the browser is idle. highlightElement reads the text the server
// escaped and writes escaped spans back: the email's markup is never parsed as HTML here.
(function () {
  "use strict";
  const LIMIT = 200 * 1024;  // characters; bigger sources stay plain rather than stall the page
  const blocks = Array.from(document.querySelectorAll("#view-source code[data-highlight]"));
  if (!blocks.length || !window.hljs) return;
  function highlight() {
    blocks.forEach((block) => {
      if (block.dataset.highlighted || block.textContent.length > LIMIT) return;
      window.hljs.highlightElement(block);
    });
  }
  (window.requestIdleCallback || ((fn) => setTimeout(fn, 50)))(highlight);
})();
