// Files in a dialog, for the widget and the console (docs/protocol.md, "Files"):
// the upload (XMLHttpRequest, for its upload progress), the Attach button with its hidden
// file input, drag-and-drop onto a panel, and the view of a `dialog.file` entry (its
// thumbnail and a download link). Names are set as text, never as markup.

/** A file's URL on `server`: `thumbnail` for an image's thumbnail, `download` to save it. */
export function fileUrl(server, file, { token = null, thumbnail = false, download = false } = {}) {
  const url = new URL(`/api/files/${encodeURIComponent(file)}`, server);
  if (token) url.searchParams.set("token", token);
  if (thumbnail) url.searchParams.set("thumbnail", "1");
  if (download) url.searchParams.set("download", "1");
  return url.toString();
}

/**
 * POST one File into `dialog`; `onProgress(fraction)` while it goes. Resolves with the
 * server's JSON ({file, name, size, mime, thumbnail, seq}); rejects with an Error whose
 * message is the server's (e.g. "expected a file of at most 10485760 bytes, got ...").
 */
export function uploadFile({ server, dialog, file, token = null, onProgress = () => {} }) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    if (token) form.append("token", token);
    form.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", new URL(`/api/dialogs/${encodeURIComponent(dialog)}/files`, server));
    xhr.withCredentials = !token; // staff by session cookie, the visitor by its token
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON
      }
      if (xhr.status === 201 && body) resolve(body);
      else reject(new Error((body && body.error && body.error.message) || `The server answered ${xhr.status}.`));
    });
    xhr.addEventListener("error", () => reject(new Error("The server is unreachable; try again.")));
    xhr.send(form);
  });
}

/** "48 kB", "1.2 MB". */
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The Attach control: a button opening a hidden file input, and a progress line.
 * `send(file, onProgress)` returns a promise; its rejection's message is shown.
 */
export function attachControl(h, { send, prefix = "" }) {
  const input = h("input", { type: "file", hidden: true, "data-testid": `${prefix}file-input` });
  const button = h("button", {
    type: "button", class: `${prefix}attach`, "aria-label": "Attach a file", title: "Attach a file",
    "data-testid": `${prefix}attach`, onclick: () => input.click(),
  }, "Attach");
  const progress = h("progress", { class: `${prefix}upload-progress`, max: 1, value: 0, hidden: true, "data-testid": `${prefix}upload-progress` });
  const status = h("span", { class: `${prefix}upload-status`, role: "status", "data-testid": `${prefix}upload-status` });
  async function upload(files) {
    for (const file of files) {
      progress.hidden = false;
      progress.value = 0;
      status.textContent = `Sending ${file.name}…`;
      try {
        await send(file, (fraction) => { progress.value = fraction; });
        status.textContent = "";
      } catch (error) {
        status.textContent = `${file.name}: ${error.message}`;
      }
      progress.hidden = true;
    }
  }
  input.addEventListener("change", () => {
    const files = [...input.files];
    input.value = "";
    upload(files);
  });
  return { elements: [input, button, progress, status], upload };
}

/** Files dropped on `zone` go to `upload(files)`. */
export function dropFiles(zone, upload, activeClass = "drop-target") {
  zone.addEventListener("dragover", (event) => {
    if (!event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
    event.preventDefault();
    zone.classList.add(activeClass);
  });
  zone.addEventListener("dragleave", () => zone.classList.remove(activeClass));
  zone.addEventListener("drop", (event) => {
    zone.classList.remove(activeClass);
    if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    upload([...event.dataTransfer.files]);
  });
}

/** The body of a `dialog.file` entry: a thumbnail (images) and a download link. */
export function fileNodes(h, entry, { server, token = null, prefix = "" }) {
  const link = h("a", {
    class: `${prefix}file-link`, href: fileUrl(server, entry.file, { token, download: true }),
    download: entry.name, rel: "noopener", "data-testid": `${prefix}file-link`,
  }, entry.name);
  const size = h("span", { class: `${prefix}file-size` }, ` (${formatSize(entry.size)})`);
  const thumb = entry.thumbnail
    ? h("img", {
      class: `${prefix}file-thumb`, alt: entry.name, loading: "lazy", "data-testid": `${prefix}file-thumb`,
      src: fileUrl(server, entry.file, { token, thumbnail: true }),
    })
    : null;
  return [thumb, h("span", { class: `${prefix}file` }, link, size)];
}
