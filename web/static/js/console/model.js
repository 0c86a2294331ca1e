// The console's state: the operator, the node, the queue length, the other
// operators, and one entry per dialog held (with its transcript). Frames come
// in through apply(); the views read the model. No DOM here.

import { Outbox } from "../outbox.js";
import { SessionState, Transcript, isHistoryEntry } from "../transcript.js";

/** The visitor's presence as the server tells it (dialog.presence). */
export const PRESENCES = new Set(["here", "away", "left"]);

/** The entries of the Internal tab (all staff only: engine/audience.py). */
const INTERNAL_TYPES = new Set(["dialog.internal", "dialog.help_requested", "dialog.help_acked", "dialog.help_resolved"]);

function fromManager(e) {
  if (e.type === "dialog.help_acked") return true;
  return (e.type === "dialog.internal" || e.type === "dialog.help_resolved") && e.author === "manager";
}

export class DialogState {
  constructor(id, saved = {}) {
    this.id = id;
    this.visitorName = saved.visitorName || "";
    this.transcript = new Transcript(id, saved.entries || []);
    this.flashing = saved.flashing !== undefined ? saved.flashing : true;
    this.transferredFrom = saved.transferredFrom || null;
    this.transferredFromName = saved.transferredFromName || null;
    this.note = saved.note || "";
    this.gone = saved.gone || null; // null while held; else why it left ("closed", "transferred", ...)
    this.legacyPending = Array.isArray(saved.pending) ? saved.pending : []; // older storage
    this.visitorTyping = false;
    this.visitorPresence = ""; // "here" / "away" / "left" ("": not told yet)
    this.monitored = false; // a manager monitors it (dialog.monitoring)
    this.historyGone = false;
    this.internalRead = saved.internalRead || 0; // the seq up to which the Internal tab was read
    this.unread = Number.isInteger(saved.unread) ? saved.unread : 0; // visitor messages not seen yet
  }

  /** Counted in the page title: new (flashing) or with unread visitor messages. */
  get needsAttention() {
    return !this.gone && (this.flashing || this.unread > 0);
  }

  /** The internal conversation with the managers: its messages and the help request's lines. */
  get internal() {
    return this.transcript.entries.filter((e) => INTERNAL_TYPES.has(e.type));
  }

  /** What the managers wrote or did that was not read yet (the Internal tab's count). */
  get internalUnread() {
    return this.internal.filter((e) => e.seq > this.internalRead && fromManager(e)).length;
  }

  /**
   * The help request: null (none open), {state: "waiting"} or {state: "acked", name} (a
   * manager is on it), from the latest of its entries.
   */
  get help() {
    let help = null;
    for (const e of this.internal) {
      if (e.type === "dialog.help_requested") help = { state: "waiting" };
      else if (e.type === "dialog.help_acked") help = { state: "acked", name: e.name || e.manager };
      else if (e.type === "dialog.help_resolved") help = null;
    }
    return help;
  }

  /** The Internal tab was shown: everything in it is read. */
  readInternal() {
    const last = this.internal.reduce((max, e) => Math.max(max, e.seq), 0);
    if (last <= this.internalRead) return false;
    this.internalRead = last;
    return true;
  }

  get info() {
    const opened = this.transcript.find("dialog.opened")[0];
    return opened && opened.info ? opened.info : {};
  }

  get closed() {
    return this.transcript.find("dialog.closed").length > 0;
  }

  get important() {
    const marks = this.transcript.find("dialog.important");
    return marks.length ? Boolean(marks[marks.length - 1].important) : false;
  }

  get openedAt() {
    const opened = this.transcript.find("dialog.opened")[0];
    return opened ? opened.at : null;
  }

  toJSON() {
    return {
      id: this.id,
      visitorName: this.visitorName,
      entries: this.transcript.entries,
      flashing: this.flashing,
      transferredFrom: this.transferredFrom,
      transferredFromName: this.transferredFromName,
      note: this.note,
      gone: this.gone,
      internalRead: this.internalRead,
      unread: this.unread,
    };
  }
}

export class ConsoleModel {
  /**
   * @param {object} me          the logged-in user
   * @param {object} [wire]
   * @param {(frame: object) => boolean} [wire.send]  send on the socket (false: not open)
   * @param {() => void} [wire.onMove]  a refusal said this node takes no writes: go elsewhere
   */
  constructor(me, { send = () => false, onMove = () => {}, onChange = () => {}, onNotice = () => {} } = {}) {
    this.me = me;
    this.store = new SessionState(`frontdesk.console:${me.id}`);
    this.node = null;
    this.role = null;
    this.epoch = null;
    this.status = null;
    this.queueLength = 0;
    this.operators = [];
    this.dialogs = new Map();
    this.openId = null;
    this.errors = [];
    this.onMove = onMove;
    this.onNotice = onNotice; // ({kind: "dialog" | "message", dialog, text?}): notifications.js
    this.pageVisible = true; // false while the console's browser tab is hidden
    this.readded = null; // ids re-announced since the last hello; null outside that window
    const saved = this.store.load();
    const stored = saved && Array.isArray(saved.outbox) ? [...saved.outbox] : [];
    if (saved && Array.isArray(saved.dialogs)) {
      for (const d of saved.dialogs) {
        const dialog = new DialogState(d.id, d);
        stored.push(...dialog.legacyPending);
        this.dialogs.set(d.id, dialog);
      }
      this.openId = saved.openId && this.dialogs.has(saved.openId) ? saved.openId : null;
    }
    // What the operator typed and the server has not taken yet (web/static/js/outbox.js).
    this.outbox = new Outbox({ stored, send, save: () => this.persist(), onChange });
  }

  persist() {
    if (!this.outbox) return; // still loading
    this.store.save({
      dialogs: [...this.dialogs.values()].map((d) => d.toJSON()),
      openId: this.openId,
      outbox: this.outbox.toJSON(),
    });
  }

  /** The items of the outbox of one dialog: [{frame, failed}]. */
  pendingOf(dialog) {
    return this.outbox.forDialog(dialog.id);
  }

  /** What the resume frame carries: the last seq seen per held dialog. */
  resumeSeqs() {
    const seqs = {};
    for (const d of this.dialogs.values()) if (!d.gone) seqs[d.id] = d.transcript.lastSeq;
    return seqs;
  }

  /** ... and the epoch of that entry, where known: the cursor is (epoch, seq). */
  resumeEpochs() {
    const epochs = {};
    for (const d of this.dialogs.values()) {
      const at = d.gone ? {} : d.transcript.cursor();
      if (typeof at.after_epoch === "number") epochs[d.id] = at.after_epoch;
    }
    return epochs;
  }

  get openDialog() {
    return this.openId ? this.dialogs.get(this.openId) || null : null;
  }

  select(id) {
    const dialog = this.dialogs.get(id);
    if (!dialog) return;
    this.openId = id;
    dialog.flashing = false;
    dialog.unread = 0;
    this.persist();
  }

  /** The console's page became visible or hidden: the open dialog is read once seen. */
  setPageVisible(visible) {
    this.pageVisible = Boolean(visible);
    const dialog = this.openDialog;
    if (!this.pageVisible || !dialog || dialog.unread === 0) return false;
    dialog.unread = 0;
    this.persist();
    return true;
  }

  /** Dialogs counted in the page title. */
  get attentionCount() {
    return [...this.dialogs.values()].filter((d) => d.needsAttention).length;
  }

  /** The tabs, newest first: a new dialog appears at the top. */
  get tabOrder() {
    return [...this.dialogs.values()].reverse();
  }

  dismiss(id) {
    this.dialogs.delete(id);
    this.outbox.dropDialog(id);
    if (this.openId === id) this.openId = null;
    this.persist();
  }

  otherOperators() {
    return this.operators.filter((op) => op.id !== this.me.id);
  }

  pushError(message) {
    this.errors.push({ message, at: Date.now() });
    if (this.errors.length > 5) this.errors.shift();
  }

  /** Drop errors shown for long enough; true when some were dropped. */
  expireErrors(now = Date.now(), keepMs = 10_000) {
    const before = this.errors.length;
    this.errors = this.errors.filter((e) => now - e.at < keepMs);
    return this.errors.length !== before;
  }

  /** Apply one frame from the server; returns true when something visible changed. */
  apply(frame) {
    switch (frame.type) {
      case "hello":
        this.node = frame.node || null;
        this.role = frame.role || null;
        this.epoch = frame.epoch === undefined ? null : frame.epoch;
        this.readded = new Set();
        return true;
      case "operator.status":
        if (frame.operator === this.me.id || !frame.operator) this.status = frame.status;
        return true;
      case "operator.dialog_added":
        this.onAdded(frame);
        return true;
      case "operator.dialog_removed":
        this.onRemoved(frame);
        return true;
      case "queue.length":
        this.queueLength = frame.length;
        this.endReannounce();
        return true;
      case "operators":
        this.operators = Array.isArray(frame.operators) ? frame.operators : [];
        this.endReannounce();
        return true;
      case "ack":
        return this.onAck(frame);
      case "error":
        this.onError(frame);
        return true;
      default:
        if (typeof frame.type === "string" && frame.type.startsWith("dialog.")) {
          return this.onDialogFrame(frame);
        }
        return false;
    }
  }

  onAdded(frame) {
    let dialog = this.dialogs.get(frame.dialog);
    const fresh = !dialog || Boolean(dialog.gone);
    if (fresh) {
      // New to this console (or back to it after a transfer out): flash until opened,
      // at the top of the list (the tabs are shown newest first).
      dialog = new DialogState(frame.dialog, { entries: dialog ? dialog.transcript.entries : [] });
      this.dialogs.delete(frame.dialog);
      this.dialogs.set(frame.dialog, dialog);
    }
    if (this.readded) this.readded.add(frame.dialog);
    dialog.visitorName = frame.visitor_name || dialog.visitorName;
    if (frame.transferred_from) {
      dialog.transferredFrom = frame.transferred_from;
      dialog.transferredFromName = frame.transferred_from_name || frame.transferred_from;
      dialog.note = frame.note || "";
    }
    this.persist();
    // Held already when this console (re)connected (a fresh login, another browser): it
    // flashes, but no chime nor desktop notification for each of them.
    if (fresh && !this.readded) this.onNotice({ kind: "dialog", dialog });
  }

  /** After the state burst that follows hello: dialogs not re-announced are no longer ours. */
  endReannounce() {
    if (!this.readded) return;
    for (const dialog of this.dialogs.values()) {
      if (!dialog.gone && !this.readded.has(dialog.id)) dialog.gone = dialog.closed ? "closed" : "gone";
    }
    this.readded = null;
    this.persist();
  }

  onRemoved(frame) {
    const dialog = this.dialogs.get(frame.dialog);
    if (!dialog) return;
    dialog.gone = frame.reason || "removed";
    dialog.visitorTyping = false;
    this.persist();
  }

  onAck(frame) {
    return typeof frame.ref === "string" && this.outbox.settle(frame.ref);
  }

  onError(frame) {
    const mine = typeof frame.ref === "string" ? this.outbox.refuse(frame.ref, frame.code, frame.message) : null;
    if (mine === "move" || frame.code === "not_primary") {
      // This node takes no writes: kept, sent again on the primary. The refusal's text
      // (it may name this very node as the primary) is not shown; the pill says
      // "Reconnecting…" instead.
      this.onMove();
      return;
    }
    if (mine !== null && mine !== "dropped") return; // kept for a retry, shown as failed, or done
    if (frame.code === "rate_limited" && !frame.ref) return; // a typing frame: no matter
    // The refusal is a sentence naming the dialog; with the visitor's name it reads better.
    const known = frame.dialog ? this.dialogs.get(frame.dialog) : null;
    let text = frame.message || frame.code || "error";
    if (known && known.visitorName) text = text.replace(`Dialog ${frame.dialog} `, `The dialog with ${known.visitorName} `);
    this.pushError(text);
    this.persist();
  }

  /**
   * A visitor message new to this console: unread unless its dialog is the one in view. A
   * new (flashing) dialog is unread as a whole already: its messages are not counted.
   */
  onVisitorMessage(dialog, frame) {
    if (dialog.gone || dialog.flashing) return;
    if (dialog.id === this.openId && this.pageVisible) return;
    dialog.unread += 1;
    this.onNotice({ kind: "message", dialog, text: typeof frame.text === "string" ? frame.text : "" });
  }

  onDialogFrame(frame) {
    let dialog = this.dialogs.get(frame.dialog);
    if (!dialog) {
      if (!isHistoryEntry(frame)) return false;
      dialog = new DialogState(frame.dialog);
      this.dialogs.set(frame.dialog, dialog);
    }
    if (isHistoryEntry(frame)) {
      if (!dialog.transcript.add(frame)) return false;
      if (frame.type === "dialog.opened" && frame.visitor_name) dialog.visitorName = frame.visitor_name;
      if (frame.type === "dialog.message") {
        if (frame.author === "visitor") {
          dialog.visitorTyping = false;
          this.onVisitorMessage(dialog, frame);
        }
        if (frame.ref) this.outbox.settle(frame.ref);
      }
      if (frame.type === "dialog.transferred" && frame.to_operator === this.me.id) {
        dialog.transferredFrom = frame.from_operator;
        dialog.transferredFromName = frame.from_name;
        dialog.note = frame.note || "";
      }
      if (frame.type === "dialog.closed") dialog.visitorTyping = false;
      this.persist();
      return true;
    }
    if (frame.type === "dialog.typing") {
      if (frame.who === "visitor") dialog.visitorTyping = Boolean(frame.on);
      return true;
    }
    if (frame.type === "dialog.presence") {
      // here / away / left, from the visitor's sockets (not kept: a resume tells it again)
      if (PRESENCES.has(frame.presence)) dialog.visitorPresence = frame.presence;
      if (frame.presence === "left") dialog.visitorTyping = false;
      return true;
    }
    if (frame.type === "dialog.monitoring") {
      // a manager monitors it (sent only with [supervision] show_monitoring; a resume tells it again)
      dialog.monitored = Boolean(frame.watched);
      return true;
    }
    if (frame.type === "dialog.history_gone") {
      dialog.transcript.clear();
      dialog.historyGone = true;
      this.persist();
      return true;
    }
    if (frame.type === "dialog.discontinuity") {
      dialog.transcript.discard(frame.after_seq);
      this.persist();
      return true;
    }
    return false;
  }
}
