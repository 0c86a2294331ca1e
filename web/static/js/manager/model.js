// What the manager view knows: the engine snapshot (the `snapshot` frame on connect, or
// GET /api/inspect after a discontinuity), then kept up to date by applying each notice
// to it here, with no request. `apply` answers "changed", "same", or "resync" (this
// notice says the picture may be stale — a history gap: fetch the snapshot again).
// Pure: no DOM, no fetch; times are the page's seconds, passed in.

import { isHistoryEntry } from "../transcript.js";

const REASSIGNED_KEPT = 20; // the manager view's list of reassignments
const EMPTY = { operators: [], dialogs: [], queue: [], help_requests: [] };
const COUNTS = ["operators_online", "dialogs_open", "dialogs_waiting", "queue_length", "dialogs_today",
  "closed_today", "help_requests"];

const SERIES_STEP_S = 15; // the page keeps a reading of the figures frames this often
const SERIES_SPAN_S = 3600;

/** The snapshot's `series` (web/figure_samples.py) as {span_s, samples: [[at, queue, open]]}. */
function seriesOf(raw) {
  const span = raw && Number.isFinite(raw.span_s) && raw.span_s > 0 ? raw.span_s : SERIES_SPAN_S;
  const ok = (s) => Array.isArray(s) && s.length >= 3 && s.slice(0, 3).every((v) => Number.isFinite(v));
  const samples = raw && Array.isArray(raw.samples) ? raw.samples.filter(ok).map((s) => s.slice(0, 3)) : [];
  return { span_s: span, samples };
}

function number(id) {
  const n = Number(String(id).split("-").pop());
  return Number.isFinite(n) ? n : 0;
}

/**
 * A snapshot dialog's waiting clocks in the page's seconds: `unansweredSince` (the visitor's
 * oldest unanswered message) and `queuedSince` (while queued), from the engine's
 * `unanswered_s` / `queued_s`; a snapshot without them gives its `waiting_s` to the one its
 * state stands for.
 */
function waitingClocks(d, now) {
  const ago = (s) => (typeof s === "number" ? now - s : null);
  const queued = d.state === "queued";
  if ("unanswered_s" in d || "queued_s" in d) {
    return { unansweredSince: ago(d.unanswered_s), queuedSince: queued ? ago(d.queued_s) : null };
  }
  const waited = typeof d.waiting_s === "number" ? d.waiting_s : 0;
  return queued
    ? { unansweredSince: null, queuedSince: now - waited }
    : { unansweredSince: waited > 0 ? now - waited : null, queuedSince: null };
}

export class ManagerModel {
  constructor() {
    this.setSnapshot(EMPTY, 0);
  }

  /** The whole picture from the engine's snapshot (`waiting_s` counted from `now`). */
  setSnapshot(snapshot, now) {
    const list = (key) => (Array.isArray(snapshot[key]) ? snapshot[key] : []);
    this.operators = list("operators").map((op) => ({ ...op, dialogs: [...(op.dialogs || [])] }));
    this.dialogs = list("dialogs").map((d) => ({ ...d, ...waitingClocks(d, now) }));
    this.queue = [...list("queue")];
    this.help_requests = [...list("help_requests")];
    this.reassigned = this.reassigned || []; // dialog.requeued seen since the page opened, newest first
    this.setFigures(snapshot.figures && typeof snapshot.figures === "object" ? snapshot.figures : {}, now);
    // the chart's hour: the frame's `series`; GET /api/inspect has none and keeps the one held
    if (snapshot.series || !this.series) this.series = seriesOf(snapshot.series);
    this.closed = new Set(); // dialogs closed since: gone from the picture, as in the engine's
  }

  dialog(id) {
    return this.dialogs.find((d) => d.id === id) || null;
  }

  /** The open help request of dialog `id` (waiting, or acknowledged: `acked_by`), or null. */
  helpRequest(id) {
    return this.help_requests.find((r) => r.dialog === id) || null;
  }

  /** The help requests no manager acknowledged yet: listed, their dialogs flashing orange. */
  get waitingHelp() {
    return this.help_requests.filter((r) => !r.acked_by);
  }

  /**
   * The server's live figures (`figures` frame, engine/day_figures.py), received at `now`:
   * the counts as they are, the times counted on from `now` (`longestWait`, `timeInStatus`).
   */
  setFigures(f, now) {
    const count = (v) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
    this.figures = Object.fromEntries(COUNTS.map((k) => [k, count(f[k])]));
    this.figures.longest_wait_s = count(f.longest_wait_s);
    this.figuresAt = now;
    this.operatorFigures = new Map();
    for (const op of Array.isArray(f.operators) ? f.operators : []) {
      if (!op || typeof op.id !== "string") continue;
      this.operatorFigures.set(op.id, {
        inStatusSince: now - count(op.time_in_status_s),
        dialogsToday: count(op.dialogs_today),
        statusToday: op.status_today_s && typeof op.status_today_s === "object" ? op.status_today_s : {},
      });
    }
  }

  /**
   * Add a `figures` frame's reading to the chart's hour: the last reading moves with each
   * frame and stays once a step (SERIES_STEP_S) past the one before; none older than the
   * span (server seconds: `at`).
   */
  addReading(f) {
    const at = Number(f.at);
    if (!Number.isFinite(at) || at <= 0) return;
    const reading = [at, this.figures.queue_length, this.figures.dialogs_open];
    const samples = this.series.samples;
    const last = samples[samples.length - 1];
    if (last && at < last[0]) samples.length = 0; // a clock set back: a new hour
    // the last reading is the live one: it is kept once it is a step past the one before
    const before = samples[samples.length - 2];
    if (before && at - before[0] < SERIES_STEP_S) samples[samples.length - 1] = reading;
    else samples.push(reading);
    while (samples.length && samples[0][0] < at - this.series.span_s) samples.shift();
  }

  /** Seconds of the longest wait now: the server's, counted on while someone waits. */
  longestWait(now) {
    const { longest_wait_s: longest, dialogs_waiting: waiting } = this.figures;
    return waiting > 0 ? longest + Math.max(0, now - this.figuresAt) : 0;
  }

  /** Seconds the operator has been in its current status, or null if the figures lack it. */
  timeInStatus(operatorId, now) {
    const f = this.operatorFigures.get(operatorId);
    return f ? Math.max(0, now - f.inStatusSince) : null;
  }

  /** Dialogs the operator took today (assigned or transferred to them), or null. */
  dialogsToday(operatorId) {
    const f = this.operatorFigures.get(operatorId);
    return f ? f.dialogsToday : null;
  }

  operator(id) {
    return this.operators.find((op) => op.id === id) || null;
  }

  /**
   * Seconds the dialog's visitor has waited for an answer: since their oldest message no
   * operator answered, or since it was queued if that is older; 0 once answered; null for a
   * closed dialog. As the engine's `waiting_s` (engine/dialog_model.py).
   */
  waiting(dialog, now) {
    if (dialog.state === "closed") return null;
    const since = [dialog.unansweredSince, dialog.state === "queued" ? dialog.queuedSince : null]
      .filter((t) => typeof t === "number");
    return since.length === 0 ? 0 : Math.max(0, now - Math.min(...since));
  }

  enqueue(dialog) {
    this.queue = this.queue.filter((id) => id !== dialog.id);
    // as the engine's queue: the requeued (their operator vanished) at the head, then by
    // priority, then by arrival
    const rank = (d) => [d.requeued ? 0 : 1, -(d.priority || 0), number(d.id)];
    const after = (a, b) => {
      for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i] > b[i];
      return false;
    };
    const mine = rank(dialog);
    let at = this.queue.findIndex((id) => {
      const other = this.dialog(id);
      return Boolean(other) && after(rank(other), mine);
    });
    if (at === -1) at = this.queue.length;
    this.queue.splice(at, 0, dialog.id);
  }

  dequeue(id) {
    this.queue = this.queue.filter((q) => q !== id);
  }

  hold(operatorId, dialogId, holds) {
    const op = this.operator(operatorId);
    if (!op) return;
    op.dialogs = op.dialogs.filter((id) => id !== dialogId);
    if (holds) op.dialogs.push(dialogId);
    op.load = op.dialogs.length;
  }

  /**
   * A history entry against the dialog's last known seq: "old" (a replay — monitoring starts
   * from seq 1 — of what the picture has: not applied again), "gap" (its seq skips: notices
   * were missed, fetch the snapshot) or "new" (anything else). Records the seq.
   */
  seen(frame) {
    if (!isHistoryEntry(frame)) return "new";
    const dialog = this.dialog(frame.dialog);
    if (!dialog || typeof dialog.seq !== "number") return "new";
    if (frame.seq <= dialog.seq) return "old";
    const missed = frame.seq > dialog.seq + 1;
    dialog.seq = frame.seq;
    return missed ? "gap" : "new";
  }

  /** Apply one notice of the manager socket. */
  apply(frame, now) {
    const handler = Object.hasOwn(HANDLERS, frame.type) ? HANDLERS[frame.type] : null;
    if (!handler) return "same";
    if (frame.type.startsWith("dialog.") && this.closed.has(frame.dialog)) return "same"; // e.g. its mail
    if (frame.type.startsWith("dialog.") && frame.type !== "dialog.history_gone" && !this.dialog(frame.dialog)) {
      return frame.type === "dialog.opened" ? handler(this, frame, now) : "resync"; // a dialog we never saw
    }
    return handler(this, frame, now);
  }
}

const HANDLERS = {
  "dialog.opened": (m, f, now) => {
    if (m.dialog(f.dialog)) return "same";
    const d = { id: f.dialog, state: "queued", operator: null, visitor_name: f.visitor_name || "", waiting_s: 0,
      important: false, monitored: false, opened_at: f.at, seq: f.seq ?? null, priority: f.priority || 0,
      queuedSince: now, unansweredSince: null };
    m.dialogs.push(d);
    m.dialogs.sort((a, b) => number(a.id) - number(b.id));
    m.enqueue(d);
    return "changed";
  },
  "dialog.assigned": (m, f) => {
    const d = m.dialog(f.dialog);
    Object.assign(d, { state: "assigned", operator: f.operator, queuedSince: null, requeued: false });
    m.dequeue(d.id);
    return "changed";
  },
  "dialog.transferred": (m, f) => {
    const d = m.dialog(f.dialog);
    if (f.to_operator) d.operator = f.to_operator;
    return "changed";
  },
  "dialog.requeued": (m, f, now) => {
    const d = m.dialog(f.dialog);
    Object.assign(d, { state: "queued", operator: null, queuedSince: now, requeued: true });
    m.enqueue(d);
    m.reassigned = [
      { dialog: d.id, operator: f.operator || "", reason: f.reason || "", at: f.at ?? null },
      ...m.reassigned.filter((r) => r.dialog !== d.id),
    ].slice(0, REASSIGNED_KEPT);
    return "changed";
  },
  "dialog.closed": (m, f) => {
    const d = m.dialog(f.dialog);
    if (d.operator) m.hold(d.operator, d.id, false);
    m.dialogs = m.dialogs.filter((other) => other.id !== d.id); // the snapshot lists open dialogs only
    m.closed.add(d.id);
    m.dequeue(d.id);
    m.help_requests = m.help_requests.filter((r) => r.dialog !== d.id);
    return "changed";
  },
  "dialog.message": (m, f, now) => {
    const d = m.dialog(f.dialog);
    if (f.author === "visitor") d.unansweredSince ??= now; // the oldest unanswered one counts
    else if (f.author === "operator" || f.author === "manager") d.unansweredSince = null; // answered
    else return "same";
    return "changed";
  },
  "dialog.important": (m, f) => {
    m.dialog(f.dialog).important = Boolean(f.important);
    return "changed";
  },
  "dialog.help_requested": (m, f) => {
    m.help_requests = m.help_requests.filter((r) => r.dialog !== f.dialog);
    m.help_requests.push({ dialog: f.dialog, operator: f.operator, text: f.text || "", at: f.at });
    return "changed";
  },
  "dialog.help_acked": (m, f) => {
    const req = m.helpRequest(f.dialog);
    if (!req) return "same";
    Object.assign(req, { acked_by: f.manager, acked_name: f.name || f.manager, acked_at: f.at });
    return "changed";
  },
  "dialog.help_resolved": (m, f) => {
    m.help_requests = m.help_requests.filter((r) => r.dialog !== f.dialog);
    return "changed";
  },
  "dialog.history_gone": () => "resync",
  "operator.status": (m, f, now) => {
    const op = m.operator(f.operator);
    if (!op) return "resync"; // an operator we do not know yet: its name and capacity are in the snapshot
    Object.assign(op, { status: f.status, status_since: f.since ?? op.status_since });
    const figures = m.operatorFigures.get(f.operator);
    if (figures) figures.inStatusSince = now; // a new status: its time starts now
    return "changed";
  },
  "operator.dialog_added": (m, f) => {
    m.hold(f.operator, f.dialog, true);
    return "changed";
  },
  "operator.dialog_removed": (m, f) => {
    m.hold(f.operator, f.dialog, false);
    return "changed";
  },
  figures: (m, f, now) => {
    m.setFigures(f, now);
    m.addReading(f);
    return "figures"; // only the figures change: redrawn in place (view.js tickFigures)
  },
  operators: (m, f) => {
    const seen = new Map(m.operators.map((op) => [op.id, op]));
    const list = Array.isArray(f.operators) ? f.operators : [];
    m.operators = list
      .map((op) => {
        const known = seen.get(op.id);
        const merged = { dialogs: [], status_since: null, ...known, ...op };
        return known ? { ...merged, dialogs: known.dialogs, load: known.dialogs.length } : merged;
      })
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return "changed";
  },
};
