// The console's gallery picker: a "Gallery" button by the answer box opens a dialog with
// the gallery's thumbnail grid and a search by name; choosing an item sends it into the
// open dialog (POST /api/dialogs/<dialog>/gallery), where it shows as a file entry.

import { h, replaceChildren, setText } from "../dom.js";
import { itemTile, listGallery, sendItem } from "../gallery.js";

export function wireGalleryPicker(compose, openDialog) {
  const search = h("input", { type: "search", placeholder: "Search by name", "aria-label": "Search the gallery", "data-testid": "gallery-search" });
  const grid = h("ul", { class: "gallery-grid", "data-testid": "gallery-grid" });
  const status = h("p", { class: "gallery-status", role: "status", "data-testid": "gallery-status" });
  const close = h("button", { type: "button", "data-testid": "gallery-close" }, "Close");
  const dialog = h("dialog", { class: "gallery-picker", "data-testid": "gallery-picker", "aria-label": "Gallery" },
    h("h2", {}, "Gallery"), search, grid, status, close);
  document.body.append(dialog);
  close.addEventListener("click", () => dialog.close());

  async function show() {
    try {
      const items = await listGallery(search.value.trim());
      replaceChildren(grid, items.map((item) => itemTile(h, item,
        h("button", { type: "button", "data-testid": "gallery-send", onclick: () => pick(item) }, "Send"))));
      setText(status, items.length ? "" : "Nothing in the gallery matches.");
    } catch (error) {
      setText(status, error.message);
    }
  }

  async function pick(item) {
    const open = openDialog();
    if (!open || open.gone) return;
    try {
      await sendItem(open.id, item.item);
      dialog.close();
    } catch (error) {
      setText(status, error.message);
    }
  }

  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(show, 200);
  });
  const button = h("button", {
    type: "button", class: "gallery-open", "data-testid": "gallery-open", title: "Send from the gallery",
    onclick: () => { dialog.showModal(); show(); },
  }, "Gallery");
  compose.append(button);
}
