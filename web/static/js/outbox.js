// What a person typed and the server has not yet taken: the outbox shared by
// the widget and the console (issue 13, finding 7).
//
// Theory of operation. Every item is a frame with a `ref` (a `say`), kept in
// the page's storage by the owner (`save`) before it is sent, so a reload keeps
// it. Items go out in order, one at a time per dialog (a "lane"): the next one
// of a dialog is sent only when the one before it is answered. That is what
// keeps the order through a failover: a message refused on a node that stopped
// accepting writes is re-sent on the next node *before* anything typed after
// it. The server keeps one message per (dialog, ref), so a re-send of a message
// it already took is answered without posting it twice (docs/protocol.md,
// Correlation).
//
// Answers:
//   settle(ref)                 the message itself (its `dialog.message`) or an ack: done;
//   refuse(ref, code, message)  an error frame; by the protocol's rules either
//     - "move":   not_primary — this node takes no writes: keep the item, the owner
//                 reconnects to another node (never to the refusing one), the item
//                 goes again there;
//     - "retry":  unavailable, rate_limited, internal — keep it, same ref, later;
//     - "failed": anything else is permanent: the item stays, shown as failed with
//                 the server's reason, and its lane goes on without it.
// A socket that opens (again) re-sends the head of every lane (`restart`); an
// item in flight for longer than `resendAfterMs` on a live socket goes again too.
//
// Commands other than `say` (issue 13, "Pages keep what people type": the operator's
// `status`, `close`, `transfer` with its note, the visitor's `close`) go through the same
// lanes (so a close goes after the messages typed before it) and the same rules, with
// two differences: the views show only says (`says`, `forDialog`, `pending`), and a
// command refused for good is not kept as failed but dropped (`refuse` answers
// "dropped": the owner shows the refusal as for any command). The engine keeps no ref of
// those commands, so a command sent again after its answer was lost (a failover) may be
// refused because it was done the first time: a `close` answered `closed`, a `transfer`
// answered `forbidden` (no longer ours), after more than one try, counts as done
// (`refuse` answers "done", nothing to show). `status` is idempotent anyway.

import { RETRY_DELAY_MS, TRANSIENT_CODES } from "./transcript.js";

/** The refusal after which the owner must go to another node. */
export const MOVE_CODES = new Set(["not_primary"]);
export const RESEND_AFTER_MS = 8000;

/** Per command: the refusals of a re-sent command that say its first try was done. */
export const DONE_CODES = { close: new Set(["closed"]), transfer: new Set(["forbidden"]) };

/** A `say` (the one kind the views show and the engine dedupes by ref). */
export const isSay = (frame) => frame.type === undefined || frame.type === "say";

/** What an error code means for an item of the outbox: "move", "retry" or "failed". */
export function verdict(code) {
  if (MOVE_CODES.has(code)) return "move";
  if (TRANSIENT_CODES.has(code)) return "retry";
  return "failed";
}

/** An item as stored: {frame, failed: null | reason}. Anything else is dropped on load. */
function fromStored(raw) {
  if (raw && typeof raw === "object" && raw.frame && typeof raw.frame.ref === "string") {
    const tries = Number.isInteger(raw.tries) && raw.tries > 0 ? raw.tries : 0;
    return { frame: raw.frame, failed: typeof raw.failed === "string" ? raw.failed : null, sentAt: null, tries };
  }
  if (raw && typeof raw === "object" && typeof raw.ref === "string") {
    return { frame: raw, failed: null, sentAt: null, tries: 0 }; // a bare frame (the storage of earlier versions)
  }
  return null;
}

export class Outbox {
  /**
   * @param {object} options
   * @param {object[]} [options.stored]     items as saved by `toJSON()` (or bare frames)
   * @param {(frame: object) => boolean} options.send  false when the socket is not open
   * @param {() => void} [options.save]     persist `toJSON()` (called after every change)
   * @param {() => void} [options.onChange] something visible changed
   * @param {number} [options.retryDelayMs]
   * @param {number} [options.resendAfterMs]
   */
  constructor({ stored = [], send, save, onChange, retryDelayMs = RETRY_DELAY_MS, resendAfterMs = RESEND_AFTER_MS }) {
    this.items = (Array.isArray(stored) ? stored : []).map(fromStored).filter((i) => i !== null);
    this.send = send;
    this.save = save || (() => {});
    this.onChange = onChange || (() => {});
    this.retryDelayMs = retryDelayMs;
    this.resendAfterMs = resendAfterMs;
    this.retryTimer = null;
    this.watchdog = null;
  }

  toJSON() {
    return this.items.map((i) => ({ frame: i.frame, failed: i.failed, tries: i.tries }));
  }

  /** Messages not yet taken (and not failed), in the order they were typed. */
  get pending() {
    return this.items.filter((i) => i.failed === null && isSay(i.frame)).map((i) => i.frame);
  }

  /** Commands other than says not yet answered, in order. */
  get commands() {
    return this.items.filter((i) => !isSay(i.frame)).map((i) => i.frame);
  }

  /** The messages, for the view: [{frame, failed}]. */
  says() {
    return this.items.filter((i) => isSay(i.frame)).map((i) => ({ frame: i.frame, failed: i.failed }));
  }

  /** The messages of one dialog, for the view: [{frame, failed}]. */
  forDialog(dialog) {
    return this.says().filter((i) => i.frame.dialog === dialog);
  }

  has(ref) {
    return this.items.some((i) => i.frame.ref === ref);
  }

  /** Keep `frame` (stored first), then send it when its lane is free. */
  add(frame) {
    this.items.push({ frame, failed: null, sentAt: null, tries: 0 });
    this.save();
    this.pump();
  }

  /** The server took the message `ref`: forget it, send the next one of its lane. */
  settle(ref) {
    const before = this.items.length;
    this.items = this.items.filter((i) => i.frame.ref !== ref);
    if (this.items.length === before) return false;
    this.save();
    this.pump();
    this.onChange();
    return true;
  }

  /**
   * An error frame for `ref`: "move", "retry", "failed" (a say), "dropped" / "done" (another
   * command: refused for good / done by an earlier try), or null when `ref` is not ours.
   */
  refuse(ref, code, message) {
    const item = this.items.find((i) => i.frame.ref === ref && i.failed === null);
    if (!item) return null;
    const what = verdict(code);
    item.sentAt = null;
    if (what === "failed" && !isSay(item.frame)) {
      this.items = this.items.filter((i) => i !== item);
      this.save();
      this.pump();
      this.onChange();
      const done = Object.hasOwn(DONE_CODES, item.frame.type) && DONE_CODES[item.frame.type].has(code);
      return done && item.tries > 1 ? "done" : "dropped";
    }
    if (what === "retry") {
      this.retryLater();
    } else if (what === "failed") {
      item.failed = message || code || "refused";
      this.save();
      this.pump();
      this.onChange();
    }
    return what;
  }

  /** Forget a failed item (the person dismissed it). */
  dismiss(ref) {
    const before = this.items.length;
    this.items = this.items.filter((i) => !(i.frame.ref === ref && i.failed !== null));
    if (this.items.length !== before) {
      this.save();
      this.onChange();
    }
  }

  /** Forget everything (a new chat after the end). */
  clear() {
    this.items = [];
    this.save();
  }

  /** Forget the items of one dialog (its tab was dismissed). */
  dropDialog(dialog) {
    const before = this.items.length;
    this.items = this.items.filter((i) => i.frame.dialog !== dialog);
    if (this.items.length !== before) this.save();
  }

  /** A socket opened (again): nothing is in flight on it, send every lane's head. */
  restart() {
    for (const item of this.items) item.sentAt = null;
    this.pump();
    this.startWatchdog();
  }

  /** The socket is gone: whatever was in flight is sent again on the next one. */
  lost() {
    for (const item of this.items) item.sentAt = null;
  }

  retryLater() {
    if (this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, this.retryDelayMs);
  }

  startWatchdog() {
    if (this.watchdog !== null) return;
    this.watchdog = setInterval(() => this.resendStale(), Math.max(250, this.resendAfterMs / 4));
  }

  /** In flight for too long without an answer on a live socket: same ref again. */
  resendStale(now = Date.now()) {
    let stale = false;
    for (const item of this.items) {
      if (item.sentAt !== null && now - item.sentAt >= this.resendAfterMs) {
        item.sentAt = null;
        stale = true;
      }
    }
    if (stale) this.pump();
  }

  /** Send the head of each lane that has nothing in flight. */
  pump() {
    const busy = new Set();
    for (const item of this.items) {
      if (item.failed !== null) continue;
      const lane = item.frame.dialog || "";
      if (busy.has(lane)) continue;
      busy.add(lane);
      if (item.sentAt !== null) continue;
      if (!this.send(item.frame)) return; // no socket: all goes at the next restart()
      item.sentAt = Date.now();
      item.tries += 1;
      if (!isSay(item.frame)) this.save(); // its tries decide what a later refusal means
    }
  }
}
