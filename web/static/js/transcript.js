// One dialog's history as the client has seen it: entries keyed by their seq,
// so a replayed entry (resume after a reconnect) is recognised and dropped.
// A resume cursor is (epoch, seq) of the latest entry (every entry frame carries
// its epoch); a dialog.discontinuity (a failover discarded entries this page holds,
// and their seqs may be reused) drops the entries after its after_seq, so the
// replay that follows is shown, not taken for duplicates.

/** Frame types that are entries of a dialog's history (replayed on resume). */
export const HISTORY_TYPES = new Set([
  "dialog.opened",
  "dialog.assigned",
  "dialog.message",
  "dialog.transferred",
  "dialog.looking_for_info",
  "dialog.important",
  "dialog.help_requested",
  "dialog.help_acked",
  "dialog.help_resolved",
  "dialog.internal",
  "dialog.mail",
  "dialog.file",
  "dialog.survey",
  "dialog.survey_answered",
  "dialog.requeued",
  "dialog.closed",
]);

export function isHistoryEntry(frame) {
  return HISTORY_TYPES.has(frame.type) && typeof frame.seq === "number";
}

export class Transcript {
  constructor(dialog, entries = []) {
    this.dialog = dialog;
    this.bySeq = new Map();
    for (const entry of entries) this.bySeq.set(entry.seq, entry);
  }

  /** The highest seq seen (0 for none): what a resume asks to continue after. */
  get lastSeq() {
    let last = 0;
    for (const seq of this.bySeq.keys()) if (seq > last) last = seq;
    return last;
  }

  /** The resume fields: after_seq and, when the latest entry carries it, after_epoch. */
  cursor() {
    const seq = this.lastSeq;
    const latest = this.bySeq.get(seq);
    const fields = { after_seq: seq };
    if (seq > 0 && latest && typeof latest.epoch === "number") fields.after_epoch = latest.epoch;
    return fields;
  }

  /** dialog.discontinuity: forget the entries after afterSeq (they were discarded). */
  discard(afterSeq) {
    for (const seq of [...this.bySeq.keys()]) if (seq > afterSeq) this.bySeq.delete(seq);
  }

  /** Entries in seq order. */
  get entries() {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Record an entry; false when that seq was already seen (a duplicate). */
  add(frame) {
    if (this.bySeq.has(frame.seq)) return false;
    this.bySeq.set(frame.seq, frame);
    return true;
  }

  /** The history was lost on the server (history_gone): start afresh. */
  clear() {
    this.bySeq.clear();
  }

  find(type) {
    return this.entries.filter((e) => e.type === type);
  }

  /**
   * When the visitor's oldest unanswered message was sent (seconds), or null
   * when the operator has answered everything (or the dialog is closed).
   */
  waitingSince() {
    let since = null;
    for (const entry of this.entries) {
      if (entry.type === "dialog.closed") return null;
      if (entry.type !== "dialog.message") continue;
      if (entry.author === "visitor") {
        if (since === null) since = entry.at;
      } else if (entry.author === "operator" || entry.author === "manager") {
        since = null; // answered (a manager may answer the visitor too)
      }
    }
    return since;
  }

  toJSON() {
    return { dialog: this.dialog, entries: this.entries };
  }

  static fromJSON(data) {
    return new Transcript(data.dialog, Array.isArray(data.entries) ? data.entries : []);
  }
}

/** sessionStorage, JSON-encoded, tolerant of a full or missing storage. */
export class SessionState {
  constructor(key) {
    this.key = key;
  }

  load() {
    try {
      const raw = window.sessionStorage.getItem(this.key);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  }

  save(value) {
    try {
      window.sessionStorage.setItem(this.key, JSON.stringify(value));
    } catch {
      // Full or unavailable storage: a reload then replays from the server.
    }
  }

  clear() {
    try {
      window.sessionStorage.removeItem(this.key);
    } catch {
      // nothing to clear
    }
  }
}

/** Refusals after which the same frame may succeed later: keep it and send it again. */
export const TRANSIENT_CODES = new Set(["unavailable", "rate_limited", "internal"]);
export const RETRY_DELAY_MS = 2000;

let refCounter = 0;

/** A client correlation id, unique enough per tab: "w-lx2k9-3". */
export function newRef(prefix) {
  refCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}-${refCounter}`;
}
