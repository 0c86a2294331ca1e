// The visitor's side of one dialog: the socket, the dialog id and token, the
// transcript, and the messages not yet acknowledged. Kept in localStorage per
// site (WidgetStore) so a reload, a closed tab or a browser restart resumes the
// same dialog, after its last seq, with nothing missed (the server replays) and
// nothing doubled (dedupe by seq). Every tab of the site shares the one dialog:
// a tab sees another open, adopt or forget it through the storage event, and
// resumes it on its own socket. "End chat" forgets it once the dialog is closed.
//
// The dialog's token is made here, before `open` is sent, and kept with the
// pending `open`: if the socket drops before the ack, the same `open` (same
// token) goes again on the next socket, and the server answers it with the
// same dialog instead of opening a second one.

import { Link } from "../link.js";
import { Outbox, verdict } from "../outbox.js";
import { RETRY_DELAY_MS, Transcript, isHistoryEntry, newRef } from "../transcript.js";
import { DEFAULT_KEEP_MS, WidgetStore } from "./store.js";
import { pendingSurvey } from "./survey.js";

const TYPING_IDLE_MS = 3000;
// A survey answer refused for good: what the visitor is told (the sidebar closes).
const SURVEY_OVER = {
  survey_expired: "This survey can no longer be answered.",
  already_answered: "This survey was answered already. Thank you!",
  closed: "This survey can no longer be answered: the chat has ended.",
};
const TOKEN_BYTES = 32; // base64url: 43 characters (the server wants at least 32)

/** A new dialog token: random bytes from crypto.getRandomValues, base64url. */
export function newToken() {
  const bytes = new Uint8Array(TOKEN_BYTES);
  crypto.getRandomValues(bytes);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export class WidgetSession {
  /**
   * @param {object} options
   * @param {string[]} options.urls       node base URLs, preferred first
   * @param {string} options.storageKey   localStorage key for this server
   * @param {number} [options.keepMs]     how long an unused dialog is kept in the browser
   * @param {() => void} options.onChange called after every change of state
   */
  constructor({ urls, storageKey, keepMs = DEFAULT_KEEP_MS, onChange }) {
    this.store = new WidgetStore(storageKey, keepMs);
    this.forgetOnClose = false; // "End chat" was pressed: forget the dialog once it is closed
    this.forgotten = false; // ...and it was: nothing more is stored for it
    this.surveyRefs = new Map(); // ref of a survey_answer -> the survey's seq
    this.doneSurveys = new Set(); // surveys the server refused for good (expired, answered)
    this.onChange = onChange;
    this.connection = "connecting";
    this.node = null;
    this.error = null;
    this.position = null;
    this.estimatedWait = null;
    this.operatorTyping = false;
    this.historyGone = false;
    this.typingTimer = null;
    this.typingOn = false;
    this.resumeRef = null;
    this.lost = false; // the connection was lost and is not back yet ("reconnecting")
    this.link = new Link({
      urls,
      path: "/ws/visitor",
      onOpen: () => this.onOpen(),
      onFrame: (frame) => this.onFrame(frame),
      onClose: () => this.outbox.lost(),
      onState: (state, detail) => {
        this.connection = state;
        this.lost = state !== "open" && Boolean(detail && detail.lost);
        this.onChange();
      },
    });
    this.restore(this.store.load());
    this.unwatch = this.store.watch((record) => this.onStored(record));
    this.awaySent = false; // what this socket last told the server of the page's visibility
    document.addEventListener("visibilitychange", () => this.reportPresence());
  }

  /** Tell the server whether this page is out of view (staff see the visitor as away). */
  reportPresence() {
    const away = document.visibilityState === "hidden";
    if (this.dialog === null || this.closed || away === this.awaySent) return;
    if (this.link.send({ type: "presence", dialog: this.dialog, away })) this.awaySent = away;
  }

  restore(record) {
    const saved = record || {};
    this.dialog = saved.dialog || null;
    this.token = saved.token || null;
    this.visitorName = saved.visitorName || "";
    this.transcript = new Transcript(this.dialog, saved.entries || []);
    this.outbox = new Outbox({
      stored: saved.pending,
      send: (frame) => this.link.send(frame),
      save: () => this.persist(),
      onChange: () => this.onChange(),
    });
    this.openRequest = saved.openRequest || null;
    // What the visitor typed while the chat was opening (no dialog id yet): said once the
    // open is acknowledged, in order, before anything typed after (kept across a reload).
    this.early = Array.isArray(saved.early) ? saved.early : [];
  }

  /** The frames typed and not yet taken by the server (shown as "sending…"). */
  get pending() {
    return [...this.outbox.pending, ...this.early.map((e) => ({ type: "say", dialog: null, ...e }))];
  }

  /** The outbox's says ({frame, failed}), then those typed while the chat was opening. */
  says() {
    const early = this.early.map((e) => ({ frame: { type: "say", dialog: null, ...e }, failed: null }));
    return [...this.outbox.says(), ...early];
  }

  persist() {
    if (this.forgotten) return;
    this.store.save({
      dialog: this.dialog,
      token: this.token,
      visitorName: this.visitorName,
      entries: this.transcript.entries,
      pending: this.outbox.toJSON(),
      openRequest: this.openRequest,
      early: this.early,
    });
  }

  start() {
    this.link.start();
  }

  stop() {
    this.link.stop();
  }

  /** Another tab of the site wrote the stored dialog (null: it forgot it). */
  onStored(record) {
    if (record === null) {
      if (this.dialog !== null || this.openRequest) this.forgetHere();
      return;
    }
    const theirs = record.dialog || null;
    if (theirs !== null && theirs !== this.dialog) {
      // Another tab opened (or resumed) a dialog: this tab shows and resumes the same.
      this.adopt(record);
    } else if (theirs === null && this.dialog === null && record.openRequest && !this.openRequest) {
      // Another tab is starting the chat: the same open (same token) gives the same dialog.
      this.adopt(record);
    }
  }

  adopt(record) {
    this.forgetOnClose = false;
    this.forgotten = false;
    this.position = null;
    this.estimatedWait = null;
    this.operatorTyping = false;
    this.historyGone = false;
    this.error = null;
    this.restore(record);
    if (this.connection === "open") this.onOpen();
    this.onChange();
  }

  /** Show the start form again in this tab, the store left as another tab made it. */
  forgetHere() {
    this.dialog = null;
    this.token = null;
    this.transcript = new Transcript(null);
    this.forgotten = true; // the store is the other tab's: emptying the outbox writes nothing
    this.outbox.clear();
    this.openRequest = null;
    this.early = [];
    this.position = null;
    this.estimatedWait = null;
    this.operatorTyping = false;
    this.historyGone = false;
    this.error = null;
    this.forgetOnClose = false;
    this.forgotten = false;
    this.onChange();
  }

  // --- what the page shows ------------------------------------------------------

  get phase() {
    if (this.dialog === null) return this.openRequest ? "opening" : "start";
    if (this.closed) return "closed";
    if (this.operatorName) return "assigned";
    return "waiting";
  }

  get closed() {
    return this.transcript.find("dialog.closed").length > 0;
  }

  /** The operator now holding the dialog (after assignment or a transfer). */
  get operatorName() {
    let name = null;
    for (const entry of this.transcript.entries) {
      if (entry.type === "dialog.assigned") name = entry.operator_name;
      if (entry.type === "dialog.transferred") name = entry.to_name;
      if (entry.type === "dialog.requeued") name = null;
    }
    return name;
  }

  // --- what the visitor does ----------------------------------------------------

  open(name, info) {
    if (this.dialog !== null || this.openRequest) return;
    this.forgetOnClose = false;
    this.forgotten = false;
    this.visitorName = name;
    this.error = null;
    // Kept (with its token) before it is sent: re-sent as is until acknowledged.
    this.openRequest = { type: "open", name, info, ref: newRef("open"), token: newToken() };
    this.persist();
    this.link.send(this.openRequest);
    this.onChange();
  }

  /** Say `text`; false when there is no chat to say it in (the text stays where it is). */
  say(text) {
    const trimmed = text.trim();
    if (!trimmed || this.closed) return false;
    if (this.dialog === null) {
      if (!this.openRequest) return false;
      this.early.push({ text: trimmed, ref: newRef("v") }); // said once the open is answered
      this.persist();
      this.onChange();
      return true;
    }
    const frame = { type: "say", dialog: this.dialog, text: trimmed, ref: newRef("v") };
    this.setTyping(false);
    this.outbox.add(frame); // stored before it is sent; sent in order, once the one before is taken
    this.onChange();
    return true;
  }

  /** Answer survey `survey` (the seq of its dialog.survey) once; true if sent. */
  answerSurvey(survey, answers) {
    if (this.dialog === null) return false;
    this.error = "";
    const ref = newRef("sa");
    this.surveyRefs.set(ref, survey);
    return this.link.send({ type: "survey_answer", dialog: this.dialog, survey, answers, ref });
  }

  /** Called on each keystroke: typing on, and off after a pause or a send. */
  typed() {
    if (this.dialog === null || this.closed) return;
    if (!this.typingOn) this.setTyping(true);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.setTyping(false), TYPING_IDLE_MS);
  }

  setTyping(on) {
    clearTimeout(this.typingTimer);
    if (this.typingOn === on) return;
    this.typingOn = on;
    if (this.dialog !== null) this.link.send({ type: "typing", dialog: this.dialog, on });
  }

  close() {
    if (this.dialog === null || this.closed) return;
    this.forgetOnClose = true; // once closed, a new tab or a return starts afresh
    this.outbox.add({ type: "close", dialog: this.dialog, ref: newRef("close") }); // kept until answered
  }

  /** Forget the closed dialog and show the start form again. */
  reset() {
    this.dialog = null;
    this.token = null;
    this.transcript = new Transcript(null);
    this.outbox.clear();
    this.openRequest = null;
    this.early = [];
    this.position = null;
    this.estimatedWait = null;
    this.operatorTyping = false;
    this.historyGone = false;
    this.error = null;
    this.forgetOnClose = false;
    this.forgotten = false;
    this.store.clear();
    this.onChange();
  }

  // --- the socket ------------------------------------------------------------------

  onOpen() {
    this.awaySent = false; // a new socket is taken as in view until told otherwise
    if (this.dialog !== null && this.token) {
      this.resumeRef = newRef("resume");
      this.link.send({
        type: "resume",
        dialog: this.dialog,
        token: this.token,
        ...this.transcript.cursor(),
        ref: this.resumeRef,
      });
      // Unacknowledged messages go again with their original ref: the server
      // keeps one message per (dialog, ref), so a resend never doubles.
      this.outbox.restart();
      this.reportPresence();
    } else if (this.openRequest) {
      // Not acknowledged on the last socket: the same frame, same token, so the
      // server gives back the dialog it may already have opened.
      this.link.send(this.openRequest);
    }
  }

  onFrame(frame) {
    switch (frame.type) {
      case "hello":
        this.node = frame.node || null;
        break;
      case "ack":
        this.onAck(frame);
        break;
      case "error":
        this.onError(frame);
        break;
      default:
        if (typeof frame.type === "string" && frame.type.startsWith("dialog.")) {
          this.onDialogFrame(frame);
        }
    }
    this.onChange();
  }

  onAck(frame) {
    this.error = null;
    if (this.openRequest && frame.ref === this.openRequest.ref) {
      this.dialog = frame.dialog;
      this.token = (frame.data && frame.data.token) || this.openRequest.token || null;
      this.transcript = new Transcript(this.dialog, this.transcript.entries);
      this.openRequest = null;
      for (const { text, ref } of this.early.splice(0)) {
        this.outbox.add({ type: "say", dialog: this.dialog, text, ref });
      }
      this.persist();
      this.reportPresence();
      return;
    }
    if (typeof frame.ref === "string") this.outbox.settle(frame.ref);
  }

  onError(frame) {
    if (this.openRequest && frame.ref === this.openRequest.ref) {
      const request = this.openRequest;
      const what = verdict(frame.code);
      if (what === "move") {
        this.link.moveOn(); // re-sent from onOpen on the next node
        return;
      }
      if (what === "retry") {
        // Not taken this time: the same open (same token) later, never a second dialog.
        setTimeout(() => this.openRequest === request && this.link.send(request), RETRY_DELAY_MS);
        return;
      }
      this.openRequest = null;
      this.error = frame.message || "The chat could not be started.";
      this.persist();
      return;
    }
    if (this.surveyRefs.has(frame.ref) && SURVEY_OVER[frame.code]) {
      // This survey can no longer be answered: the sidebar closes, the reason is said.
      this.doneSurveys.add(this.surveyRefs.get(frame.ref));
      this.error = SURVEY_OVER[frame.code];
      this.forgetIfDone();
      return;
    }
    const mine = typeof frame.ref === "string" ? this.outbox.refuse(frame.ref, frame.code, frame.message) : null;
    if (mine === "move" || (mine === null && frame.code === "not_primary")) {
      // This node takes no writes any more: the message stays, goes again on the primary.
      // The refusal's text (which may name this very node as primary) is not shown.
      this.link.moveOn();
      return;
    }
    if (mine !== null && mine !== "dropped") return; // kept for a retry, shown as failed, or done
    const gone = frame.code === "forbidden" || frame.code === "unknown_dialog";
    if (gone && frame.ref && frame.ref === this.resumeRef) {
      // The stored dialog cannot be resumed (forbidden, unknown_dialog): start over.
      this.reset();
      this.error = "Your previous chat could not be resumed.";
      return;
    }
    // A typing frame over the rate limit is of no consequence: not worth an error line.
    if (frame.code === "rate_limited" && !frame.ref) return;
    if (frame.message) this.error = frame.message;
  }

  /**
   * "End chat" and the dialog is closed: this page still shows the ended chat; the browser
   * forgets it — once the survey its close sent is answered (or over), so a reload before
   * that still finds it. True if forgotten.
   */
  forgetIfDone() {
    if (!this.forgetOnClose || !this.closed) return false;
    if (pendingSurvey(this.transcript.entries, { done: this.doneSurveys }) !== null) return false;
    this.forgotten = true;
    this.store.clear();
    return true;
  }

  onDialogFrame(frame) {
    if (this.dialog === null && this.openRequest === null) return;
    if (this.dialog !== null && frame.dialog !== this.dialog) return;
    if (isHistoryEntry(frame)) {
      if (!this.transcript.add(frame)) return;
      if (frame.type === "dialog.message" && frame.author === "visitor" && frame.ref) {
        this.outbox.settle(frame.ref);
      }
      if (frame.type === "dialog.message" && frame.author === "operator") {
        this.operatorTyping = false;
      }
      if (frame.type === "dialog.assigned" || frame.type === "dialog.closed") {
        this.position = null;
        this.estimatedWait = null;
      }
      if ((frame.type === "dialog.closed" || frame.type === "dialog.survey_answered") && this.forgetIfDone()) {
        return;
      }
      this.persist();
    } else if (frame.type === "dialog.position") {
      this.position = frame.position;
      // seconds, whole minutes (0: less than a minute); null: no assignment to go by yet
      this.estimatedWait = typeof frame.estimated_wait_s === "number" ? frame.estimated_wait_s : null;
    } else if (frame.type === "dialog.typing") {
      if (frame.who === "operator") this.operatorTyping = Boolean(frame.on);
    } else if (frame.type === "dialog.history_gone") {
      this.transcript.clear();
      this.historyGone = true;
      this.persist();
    } else if (frame.type === "dialog.discontinuity") {
      this.transcript.discard(frame.after_seq);
      this.persist();
    }
  }
}
