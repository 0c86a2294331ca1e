// The manager view's general internal messages: to an operator, tied to no dialog
// (operator_internal), and every operator.internal frame seen since the page opened (both
// directions, every operator), newest last. A refusal (the operator logged out) comes back
// as an error frame, shown in the page's banner.

import { h, replaceChildren, setText } from "../dom.js";
import { formatClock } from "../time.js";
import { newRef } from "../transcript.js";

const $ = (id) => document.getElementById(id);
const KEPT = 200;

export class GeneralInternal {
  /** @param {(frame: object) => void} send */
  constructor(send) {
    this.send = send;
    this.seen = new Map(); // `${operator}:${n}` -> frame
  }

  wire() {
    $("general-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const to = $("general-to").value;
      const text = $("general-text").value.trim();
      if (!to || !text) return;
      this.send({ type: "operator_internal", to, text, ref: newRef("oint") });
      $("general-text").value = "";
    });
  }

  /** Take an operator.internal frame; false for any other. */
  add(frame) {
    if (frame.type !== "operator.internal") return false;
    const key = `${frame.operator}:${frame.n}`;
    if (this.seen.has(key)) return true;
    this.seen.set(key, frame);
    while (this.seen.size > KEPT) this.seen.delete(this.seen.keys().next().value);
    return true;
  }

  /** The conversation list and the choice of operators (those logged in). */
  render(operators) {
    const names = new Map(operators.map((op) => [op.id, op.name || op.id]));
    const select = $("general-to");
    const chosen = select.value;
    replaceChildren(select, operators.map((op) => h("option", { value: op.id }, op.name || op.id)));
    if (names.has(chosen)) select.value = chosen;
    $("general-form").querySelector("button").disabled = operators.length === 0;
    const list = [...this.seen.values()].sort((a, b) => a.at - b.at);
    replaceChildren(
      $("general-history"),
      list.map((m) => {
        const op = names.get(m.operator) || m.operator;
        const who = m.author === "manager" ? `${m.name || m.author_id} to ${op}` : `${m.name || op} to the managers`;
        return h(
          "li",
          { class: "msg internal", "data-testid": "general-msg", "data-operator": m.operator },
          h("span", { class: "who" }, who, " ", h("time", {}, formatClock(m.at))),
          h("span", {}, m.text),
        );
      }),
    );
    setText($("general-empty"), list.length ? "" : "No internal messages with operators since this page opened.");
  }
}
