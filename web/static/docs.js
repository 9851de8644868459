// The API reference's "Try it": send the request from the page and show the answer.
(function () {
  "use strict";
  const keyInput = document.getElementById("try-key");

  function requestUrl(details, form) {
    let path = details.dataset.path;
    for (const input of form.querySelectorAll("input[name^='path:']")) {
      path = path.replace("{" + input.name.slice(5) + "}", encodeURIComponent(input.value.trim()));
    }
    const query = form.querySelector("input[name='query']");
    const search = query && query.value.trim().replace(/^\?/, "");
    return path + (search ? "?" + search : "");
  }

  async function show(result, response) {
    const type = response.headers.get("content-type") || "";
    let body = await response.text();
    if (type.includes("json")) {
      try { body = JSON.stringify(JSON.parse(body), null, 2); } catch (err) { /* shown as sent */ }
    }
    result.textContent = `${response.status} ${response.statusText}\ncontent-type: ${type}\n\n${body}`;
  }

  document.querySelectorAll("details.try form").forEach((form) => {
    const details = form.closest("details");
    const result = details.querySelector(".try-result");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const method = details.dataset.method;
      const url = requestUrl(details, form);
      if ("destructive" in details.dataset &&
          !window.confirm(`${method} ${url}\n\nThis changes or deletes data in this sandbox. Send it?`)) {
        return;
      }
      const headers = {};
      if (!("anonymous" in details.dataset) && keyInput.value.trim()) {
        headers.Authorization = "Bearer " + keyInput.value.trim();
      }
      const bodyField = form.querySelector("textarea[name='body']");
      const options = { method, headers };
      if (bodyField && bodyField.value.trim()) {
        headers["Content-Type"] = "application/json";
        options.body = bodyField.value;
      }
      result.hidden = false;
      result.textContent = "Sending…";
      try {
        await show(result, await fetch(url, options));
      } catch (err) {
        result.textContent = "The request did not get an answer: " + err;
      }
    });
  });
})();
