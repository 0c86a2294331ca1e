// How an operator or a manager reads a dialog's non-message history entries, as one line of
// text (the print-out). The wording lives in history/kinds.js, shared by every page.

import { noteText } from "./history/render.js";

/** One line of text for a history entry that is not a message (null: show nothing). */
export function describeEntry(entry, clock = (at) => String(at)) {
  return noteText(entry, { clock });
}
