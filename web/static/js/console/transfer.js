// The transfer list: who can take the open dialog now, and why the others cannot.

import { labelFor } from "../api.js";
import { h, replaceChildren } from "../dom.js";

/** Sort the other operators: free and Connected first, then other statuses, then full. */
export function transferChoices(others, statuses) {
  const takes = new Map(statuses.map((s) => [s.value, Boolean(s.takes_new_dialogs)]));
  return others.map((op) => {
    const name = op.name || op.id;
    const load = op.load || 0;
    const full = op.capacity ? load >= op.capacity : false;
    const status = labelFor(op.status);
    if (full) {
      return { op, group: "full", enabled: false,
        text: `${name} — cannot take it: already has ${load} of ${op.capacity} dialogs` };
    }
    const count = op.capacity ? `, ${load} of ${op.capacity} dialogs` : "";
    if (takes.get(op.status)) {
      return { op, group: "now", enabled: true, text: `${name} — ${status}${count}` };
    }
    return { op, group: "later", enabled: true,
      text: `${name} — ${status}${count} (not taking new dialogs, sees it when back)` };
  });
}

const GROUPS = [
  ["now", "Can take it now"],
  ["later", "Not taking new dialogs"],
  ["full", "Cannot take it (at capacity)"],
];

/** Fill the <select>; ``keep`` (or else the first enabled choice) is selected. Returns how many are enabled. */
export function renderTransferList(select, others, statuses, keep = "") {
  const choices = transferChoices(others, statuses);
  const groups = GROUPS.map(([key, label]) => {
    const options = choices
      .filter((c) => c.group === key)
      .map((c) =>
        h(
          "option",
          { value: c.op.id, "data-testid": "transfer-option", "data-group": key, disabled: !c.enabled },
          c.text,
        ),
      );
    return options.length ? h("optgroup", { label }, ...options) : null;
  }).filter(Boolean);
  replaceChildren(select, groups);
  const kept = choices.find((c) => c.enabled && c.op.id === keep);
  const first = kept || choices.find((c) => c.enabled);
  select.value = first ? first.op.id : "";
  return choices.filter((c) => c.enabled).length;
}
