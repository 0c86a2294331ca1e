// The gallery's HTTP calls and its thumbnail grid, shared by the manager's section and the
// console's picker (docs/protocol.md, "Gallery"). Names are set as text, never as markup.

async function errorOf(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch {
    // not JSON
  }
  return `The server answered ${response.status}.`;
}

async function checked(response, status = 200) {
  if (response.status !== status) throw new Error(await errorOf(response));
  return response.json();
}

export async function listGallery(query = "") {
  const url = new URL("/api/gallery", window.location.origin);
  if (query) url.searchParams.set("q", query);
  return (await checked(await fetch(url, { credentials: "same-origin" }))).items;
}

export async function addToGallery(file, name) {
  const form = new FormData();
  form.append("name", name);
  form.append("file", file, file.name);
  return checked(await fetch("/api/gallery", { method: "POST", body: form, credentials: "same-origin" }), 201);
}

export async function renameItem(item, name) {
  return checked(await fetch(`/api/gallery/${encodeURIComponent(item)}`, {
    method: "PATCH", credentials: "same-origin", headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  }));
}

export async function deleteItem(item) {
  return checked(await fetch(`/api/gallery/${encodeURIComponent(item)}`, { method: "DELETE", credentials: "same-origin" }));
}

export async function sendItem(dialog, item) {
  return checked(await fetch(`/api/dialogs/${encodeURIComponent(dialog)}/gallery`, {
    method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" },
    body: JSON.stringify({ item }),
  }), 201);
}

/** One tile of the grid: the thumbnail (or the type) and the name; `actions` after it. */
export function itemTile(h, item, ...actions) {
  const picture = item.thumbnail
    ? h("img", { class: "gallery-thumb", alt: "", src: `/api/gallery/${encodeURIComponent(item.item)}/content?thumbnail=1` })
    : h("span", { class: "gallery-type" }, item.mime);
  return h("li", { class: "gallery-item", "data-testid": "gallery-item", "data-item": item.item },
    picture, h("span", { class: "gallery-name", "data-testid": "gallery-name" }, item.name), ...actions);
}
