// Attachment previews on the email page. The server decides what is previewable and serves it
// with a strict CSP: text (HTML and SVG included) as text/plain in a frame sandboxed with
// nothing allowed, images as images, PDFs in the browser's own viewer when it has one.
(function () {
  "use strict";
  const panel = document.querySelector("[data-preview-panel]");
  if (!panel) return;
  const stage = panel.querySelector("[data-preview-stage]");
  const title = panel.querySelector("[data-preview-title]");
  const emailId = document.querySelector("article.email").dataset.id;

  function open(item) {
    const kind = item.dataset.preview;
    const name = item.querySelector(".name").textContent;
    const url = "/ui/emails/" + emailId + "/attachments/" + item.dataset.attachment + "/preview";
    stage.replaceChildren();
    title.textContent = "Preview of " + name;
    if (kind === "image") {
      const img = document.createElement("img");
      img.src = url;
      img.alt = name;
      stage.append(img);
    } else if (kind === "pdf" && !navigator.pdfViewerEnabled) {
      const p = document.createElement("p");
      p.textContent = "This browser cannot show PDFs inline: download the file to read it.";
      stage.append(p);
    } else {
      const frame = document.createElement("iframe");
      frame.title = name;
      // A PDF needs the browser's viewer, which a sandboxed frame refuses; text gets a frame
      // with every sandbox restriction on.
      if (kind !== "pdf") frame.setAttribute("sandbox", "");
      frame.setAttribute("referrerpolicy", "no-referrer");
      frame.src = url;
      stage.append(frame);
    }
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
  }

  document.querySelectorAll("[data-preview-open]").forEach((button) => {
    button.addEventListener("click", () => open(button.closest("[data-attachment]")));
  });
  panel.querySelector("[data-preview-close]").addEventListener("click", () => {
    panel.hidden = true;
    stage.replaceChildren();
  });
})();
