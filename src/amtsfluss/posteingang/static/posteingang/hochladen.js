/* The upload page, progressively enhanced: without this script the form posts as usual.
 *
 * With it: files may be dropped onto the drop zone, the chosen files are listed, and the
 * transfer runs as one XMLHttpRequest (one request, one Sendung, as without JavaScript) whose
 * progress fills the <progress> element; the status line (role="status") announces the start,
 * every quarter and the end. The server's answer decides what follows: the result page after a
 * successful upload, or the page with the messages in place of this one. Texts come
 * translated from the form's data-text-* attributes. No inline script (CSP).
 */
(function () {
  "use strict";

  function say(node, text) {
    node.textContent = text;
  }

  function showChosen(list, files, texts) {
    list.replaceChildren();
    for (const file of files) {
      const item = document.createElement("li");
      item.className = "kern-body kern-body--small";
      item.textContent = file.name;
      list.append(item);
    }
    list.hidden = files.length === 0;
    list.setAttribute("aria-label", texts.textChosen.replace("{count}", String(files.length)));
  }

  function enableDropZone(zone, input, list, texts) {
    zone.querySelector("[data-drop-hint]").hidden = false;
    let depth = 0;
    zone.addEventListener("dragenter", (event) => {
      event.preventDefault();
      depth += 1;
      zone.classList.add("af-dropzone--active");
    });
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    });
    zone.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) zone.classList.remove("af-dropzone--active");
    });
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      depth = 0;
      zone.classList.remove("af-dropzone--active");
      if (event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    input.addEventListener("change", () => showChosen(list, input.files, texts));
  }

  /* Put the page the server answered with in place of this one (messages, a 413). */
  function replacePage(answer) {
    const main = answer && answer.querySelector("main");
    if (!main) return false;
    document.title = answer.title;
    document.querySelector("main").replaceWith(document.adoptNode(main));
    enhance();
    const alert = document.querySelector("main [role=alert]");
    if (alert) alert.tabIndex = -1; // the messages first, as after a page load with errors
    (alert || document.querySelector("main")).focus();
    return true;
  }

  function upload(form, texts) {
    const progressBox = form.querySelector("[data-progress]");
    const bar = progressBox.querySelector("progress");
    const status = form.querySelector("[data-status]");
    const button = form.querySelector("button[type=submit]");
    let announced = -1;
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.responseType = "document";
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.floor((event.loaded / event.total) * 100);
      bar.value = percent;
      const quarter = Math.floor(percent / 25);
      if (quarter > announced && percent < 100) {
        announced = quarter;
        say(status, texts.textProgress.replace("{percent}", String(percent)));
      }
    });
    request.upload.addEventListener("load", () => {
      bar.value = 100;
      say(status, texts.textChecking);
    });
    request.addEventListener("load", () => {
      const target = new URL(request.responseURL || form.action, window.location.href);
      if (request.status < 400 && target.pathname !== new URL(form.action).pathname) {
        window.location.assign(target.href); // the Sendung: what became of each file
        return;
      }
      if (!replacePage(request.response)) say(status, texts.textFailed);
    });
    request.addEventListener("error", () => {
      button.disabled = false;
      progressBox.hidden = true;
      say(status, texts.textFailed);
    });
    button.disabled = true;
    bar.value = 0;
    progressBox.hidden = false;
    say(status, texts.textSending);
    request.send(new FormData(form));
  }

  function enhance() {
    const form = document.querySelector("form[data-upload]");
    if (!form || form.dataset.enhanced) return;
    form.dataset.enhanced = "yes";
    const texts = form.dataset;
    const input = form.querySelector("input[type=file]");
    const zone = form.querySelector("[data-dropzone]");
    const list = form.querySelector("[data-chosen]");
    enableDropZone(zone, input, list, texts);
    form.addEventListener("submit", (event) => {
      if (!input.files.length) return; // the server says what is missing
      event.preventDefault();
      upload(form, texts);
    });
  }

  enhance();
})();
