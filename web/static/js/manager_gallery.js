// The manager view's Gallery section (web/static/manager.html): add an item (a file and its
// name), rename one, delete one. Operators send the items from the console's picker.

import { h, replaceChildren, setText } from "./dom.js";
import { addToGallery, deleteItem, itemTile, listGallery, renameItem } from "./gallery.js";

const $ = (id) => document.getElementById(id);

let asked = 0; // the latest listing asked for: an older answer arriving late is dropped

async function refresh() {
  const status = $("gallery-status");
  const mine = ++asked;
  try {
    const items = await listGallery();
    if (mine !== asked) return;
    replaceChildren($("gallery-items"), items.map((item) => {
      const name = h("input", { value: item.name, "aria-label": `Name of ${item.name}`, "data-testid": "gallery-rename-input", maxlength: 120 });
      const rename = h("button", { type: "button", "data-testid": "gallery-rename", onclick: () => act(() => renameItem(item.item, name.value)) }, "Rename");
      const remove = h("button", { type: "button", class: "danger", "data-testid": "gallery-delete", onclick: () => act(() => deleteItem(item.item)) }, "Delete");
      return itemTile(h, item, name, rename, remove);
    }));
  } catch (error) {
    setText(status, error.message);
  }
}

async function act(work) {
  try {
    await work();
    setText($("gallery-status"), "");
  } catch (error) {
    setText($("gallery-status"), error.message);
  }
  await refresh();
}

function start() {
  const form = $("gallery-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = $("gallery-file").files[0];
    if (!file) return;
    act(async () => {
      await addToGallery(file, $("gallery-name").value.trim());
      form.reset();
    });
  });
  // shipped disabled (manager.html): a click before this module ran would submit natively
  form.querySelector("button[type=submit]").disabled = false;
  refresh();
}

start();
