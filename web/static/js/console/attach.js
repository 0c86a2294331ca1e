// The console's Attach button and drag-and-drop (onto the open dialog's panel): the file
// goes into the open dialog with the operator's session (docs/protocol.md, "Files").

import { h } from "../dom.js";
import { attachControl, dropFiles, uploadFile } from "../files.js";

/** `openDialog()` gives the dialog shown (or null); the control goes at the end of `compose`. */
export function wireAttach(compose, zone, openDialog) {
  const control = attachControl(h, {
    send: (file, onProgress) => {
      const dialog = openDialog();
      if (!dialog || dialog.gone) return Promise.reject(new Error("no dialog is open"));
      return uploadFile({ server: window.location.origin, dialog: dialog.id, file, onProgress });
    },
  });
  compose.append(...control.elements);
  dropFiles(zone, control.upload);
  return control;
}
