// Stepping in on the monitored dialog: an internal message to its operator (`internal`,
// which the visitor never receives) or a message to the visitor under the manager's name
// (`say`). A refusal (a closed dialog, no operator yet) comes back as an error frame,
// which the page shows in its banner.

import { newRef } from "../transcript.js";

const $ = (id) => document.getElementById(id);

/**
 * @param {() => string | null} shown  the monitored dialog shown, or null
 * @param {(frame: object) => void} send
 */
export function wireStepIn(shown, send) {
  const form = $("step-in");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const dialog = shown();
    const text = $("step-in-text").value.trim();
    if (!dialog || !text) return;
    const type = event.submitter && event.submitter.value === "say" ? "say" : "internal";
    send({ type, dialog, text, ref: newRef(type === "say" ? "msay" : "internal") });
    $("step-in-text").value = "";
  });
}

/** The box shows while a monitored dialog is shown and still open. */
export function renderStepIn(dialog, closed) {
  $("step-in").hidden = !dialog || closed;
}
