// Stepping in on the monitored dialog: an internal message to its operator (`internal`,
// which the visitor never receives) or a message to the visitor under the manager's name
// (`say`); resolving its help request (`help_resolve`, a trace in its internal history). A refusal (a closed dialog, no operator yet) comes back as an error frame,
// which the page shows in its banner.

import { h, replaceChildren, setText } from "../dom.js";
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
  $("step-in-resolve").addEventListener("click", () => {
    const dialog = shown();
    if (!dialog) return;
    const text = $("step-in-text").value.trim();
    send({ type: "help_resolve", dialog, text, ref: newRef("hres") });
    $("step-in-text").value = "";
  });
  $("take-over").addEventListener("submit", (event) => {
    event.preventDefault();
    const dialog = shown();
    const to = $("take-over-to").value;
    if (dialog && to) send({ type: "take_over", dialog, to, ref: newRef("take") });
  });
}

/**
 * The boxes show while a monitored dialog is shown and still open; the take-over list holds
 * the logged-in operators but the holder (the manager first, when also an operator); for a
 * queued dialog (no holder), those with room (load under capacity), whatever their status.
 */
export function renderStepIn(dialog, closed, operators = [], holder = null, meId = null, help = null) {
  $("step-in").hidden = !dialog || closed;
  // the shown dialog's open help request (waiting or acknowledged) can be resolved here
  $("step-in-resolve").hidden = !help;
  setText($("step-in-help"), help ? helpLine(help) : "");
  $("step-in-help").hidden = !help;
  const roomy = (op) => (op.dialogs || []).length < (op.capacity ?? Infinity);
  const others = operators.filter((op) => (holder ? op.id !== holder : roomy(op)));
  $("take-over").hidden = !dialog || closed || others.length === 0;
  const select = $("take-over-to");
  const chosen = select.value;
  const sorted = [...others].sort((a, b) => (a.id === meId ? -1 : b.id === meId ? 1 : 0));
  replaceChildren(
    select,
    sorted.map((op) => h("option", { value: op.id }, op.id === meId ? `Myself (${op.name || op.id})` : op.name || op.id)),
  );
  if (others.some((op) => op.id === chosen)) select.value = chosen;
}

function helpLine(help) {
  const asked = `Help requested${help.text ? `: ${help.text}` : "."}`;
  return help.acked_by ? `${asked} ${help.acked_name || help.acked_by} is on it.` : asked;
}
