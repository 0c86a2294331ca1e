// The console's general Internal tab: the conversation with the managers tied to no dialog
// (operator.internal frames, staff only), its unread count, and the box to write to the
// managers (operator_internal). The server sends the conversation so far on each connect,
// so a frame already seen (same n) is dropped; what was read is kept in sessionStorage.

import { h, replaceChildren, setText } from "../dom.js";
import { formatClock } from "../time.js";
import { SessionState, newRef } from "../transcript.js";

const $ = (id) => document.getElementById(id);

export class GeneralInternal {
  /** @param {(frame: object) => void} send  send a command (kept until answered) */
  constructor(send) {
    this.send = send;
    this.byN = new Map(); // n -> operator.internal frame
    this.store = new SessionState("frontdesk.console.general-internal");
    const saved = this.store.load();
    this.read = saved && typeof saved.read === "number" ? saved.read : 0;
  }

  wire() {
    const toggle = $("general-toggle");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      $("general-body").hidden = !open;
      if (open) $("general-text").focus();
      this.render();
    });
    const submit = () => {
      const text = $("general-text").value.trim();
      if (!text) return;
      this.send({ type: "operator_internal", text, ref: newRef("oint") });
      $("general-text").value = "";
    };
    $("general-form").addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    $("general-text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
  }

  /** Take an operator.internal frame; false for any other frame or one already seen. */
  add(frame) {
    if (frame.type !== "operator.internal" || typeof frame.n !== "number" || this.byN.has(frame.n)) return false;
    this.byN.set(frame.n, frame);
    this.render();
    return true;
  }

  get messages() {
    return [...this.byN.values()].sort((a, b) => a.n - b.n);
  }

  get unread() {
    return this.messages.filter((m) => m.author === "manager" && m.n > this.read).length;
  }

  render() {
    const open = $("general-toggle").getAttribute("aria-expanded") === "true";
    const last = this.messages.reduce((max, m) => Math.max(max, m.n), 0);
    if (open && last > this.read) {
      this.read = last;
      this.store.save({ read: this.read });
    }
    const unread = this.unread;
    const badge = $("general-unread");
    badge.hidden = unread === 0;
    setText(badge, String(unread));
    $("general-toggle").setAttribute("aria-label", unread ? `Internal messages with the managers, ${unread} unread` : "Internal messages with the managers");
    const list = $("general-history");
    replaceChildren(
      list,
      this.messages.map((m) =>
        h(
          "li",
          { class: `msg internal ${m.author}`, "data-testid": "general-msg", "data-author": m.author },
          h("span", { class: "who" }, m.author === "operator" ? "You" : `${m.name || m.author_id} (manager)`, h("time", {}, formatClock(m.at))),
          h("span", { class: "text" }, m.text),
        ),
      ),
    );
    list.scrollTop = list.scrollHeight;
    setText($("general-empty"), this.byN.size ? "" : "No internal messages with the managers yet.");
  }
}
