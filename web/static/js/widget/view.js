// The widget's panel, inside a shadow root so the host page's CSS does not
// leak in (and ours does not leak out). Everything from the wire is set with
// textContent (through dom.h): a message "<img src=x>" shows literally.

import { h, replaceChildren, setText } from "../dom.js";
import { SKINS, renderEntry, renderGap } from "../history/render.js";
import { formatClock } from "../time.js";
import { transcriptRequest } from "./transcript_request.js";
import { attachControl, dropFiles, uploadFile } from "../files.js";
import { surveyPanel } from "./survey.js";
import { fetchAvailability, offlineForm } from "./offline_form.js";

const OPEN_KEY = "frontdesk.widget.open";
const SEEN_KEY = "frontdesk.widget.seen";

function loadItem(key) {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function saveItem(key, value) {
  try {
    window.sessionStorage.setItem(key, value);
  } catch {
    // storage unavailable: only the panel state and the unread count are forgotten
  }
}

/** An entry in the visitor's wording (null: not the visitor's business). */
function entryView(entry, visitorName, files) {
  return renderEntry(entry, { visitor: true, skin: SKINS.widget, clock: formatClock, visitorName, files });
}

function pendingView(frame, s) {
  return h(
    "li",
    { class: "fd-msg fd-visitor fd-pending", "data-testid": "fd-msg-pending", "data-ref": frame.ref },
    h("span", { class: "fd-who" }, s.visitorName || "You", h("time", {}, "sending…")),
    h("span", { class: "fd-text" }, frame.text),
  );
}

/** A message the server refused for good: shown with the reason, until dismissed. */
function failedView(frame, reason, s) {
  return h(
    "li",
    { class: "fd-msg fd-visitor fd-failed", "data-testid": "fd-msg-failed", "data-ref": frame.ref },
    h("span", { class: "fd-who" }, s.visitorName || "You", h("time", {}, "not sent")),
    h("span", { class: "fd-text" }, frame.text),
    h("span", { class: "fd-reason", "data-testid": "fd-msg-failed-reason" }, `Not sent: ${reason}`),
    h(
      "button",
      { type: "button", class: "fd-dismiss", "data-testid": "fd-msg-dismiss", onclick: () => s.outbox.dismiss(frame.ref) },
      "Dismiss",
    ),
  );
}

/** "Estimated wait: about 3 minutes" / "...: less than a minute"; "" without an estimate. */
export function waitText(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return "";
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return "Estimated wait: less than a minute";
  return `Estimated wait: about ${minutes} minute${minutes === 1 ? "" : "s"}`;
}

export class WidgetView {
  /**
   * @param {HTMLElement} host   the element the shadow root is attached to
   * @param {object} options     {title, cssUrl, name, info}
   * @param {import("./session.js").WidgetSession} session
   */
  constructor(host, options, session) {
    this.session = session;
    this.options = options;
    this.rendered = "";
    this.root = host.attachShadow({ mode: "open" });
    const css = h("link", { rel: "stylesheet", href: options.cssUrl });
    this.frame = h("div", { class: "fd-root", "data-testid": "fd-widget", hidden: true });
    css.addEventListener("load", () => this.frame.removeAttribute("hidden"));
    css.addEventListener("error", () => this.frame.removeAttribute("hidden"));
    this.root.append(css, this.frame);
    this.build();
  }

  build() {
    const s = this.session;
    this.unread = h("span", { class: "fd-unread", "data-testid": "fd-unread", hidden: true });
    this.seenSeq = Number(loadItem(SEEN_KEY)) || 0;
    this.launcher = h(
      "button",
      { class: "fd-launcher", type: "button", "data-testid": "fd-launcher", onclick: () => this.toggle(undefined, true) },
      this.options.title,
      this.unread,
    );
    this.status = h("div", { class: "fd-status", "data-testid": "fd-status" });
    // while queued: the estimate the server sends with the position (none without history)
    this.wait = h("div", { class: "fd-status fd-wait", "data-testid": "fd-wait", hidden: true });
    this.conn = h("div", { class: "fd-conn", "data-testid": "fd-conn", hidden: true });
    // Always in the page (a live region that is hidden announces nothing): what the
    // connection does and whether messages wait, said to screen readers as it changes.
    this.announce = h("div", {
      class: "fd-sr-only",
      "data-testid": "fd-announce",
      role: "status",
      "aria-live": "polite",
    });
    this.errorBox = h("div", { class: "fd-error", "data-testid": "fd-error", role: "alert", hidden: true });

    this.nameInput = h("input", {
      class: "fd-name",
      "data-testid": "fd-name",
      name: "name",
      autocomplete: "name",
      maxlength: 80,
      placeholder: "Your name",
      value: this.options.name || "",
    });
    this.startForm = h(
      "form",
      { class: "fd-start", "data-testid": "fd-start-form" },
      h("p", {}, "Hello! Tell us your name and we'll connect you with an operator."),
      h("label", {}, "Name", this.nameInput),
      h("button", { type: "submit", "data-testid": "fd-start" }, "Start chat"),
    );
    this.startForm.addEventListener("submit", (event) => {
      event.preventDefault();
      s.open(this.nameInput.value.trim(), this.options.info);
      this.render();
      this.input.focus(); // typing at once goes into the message box, kept until the chat opens
    });

    // Closed, or nobody takes dialogs (GET /api/availability): the offline form instead.
    this.availability = null;
    this.offline = offlineForm(h, {
      server: this.options.server, name: this.options.name, email: (this.options.info || {}).email,
    });

    // focusable: a keyboard scrolls it even when nothing in it takes the focus (an ended chat)
    this.messages = h("ol", { class: "fd-messages", "data-testid": "fd-messages", tabindex: "0", "aria-label": "Messages" });
    // New messages of the operator (and notices) are read out from here, one at a time.
    this.said = h("div", { class: "fd-sr-only", "data-testid": "fd-said", role: "log", "aria-live": "polite" });
    this.saidSeq = null;
    this.typing = h("div", { class: "fd-typing", "data-testid": "fd-typing", hidden: true });
    this.input = h("textarea", {
      class: "fd-input",
      "aria-label": "Your message",
      "data-testid": "fd-input",
      rows: 2,
      maxlength: 4000,
      placeholder: "Type your message…",
    });
    this.input.addEventListener("input", () => s.typed());
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.attach = attachControl(h, {
      prefix: "fd-",
      send: (file, onProgress) => {
        if (!s.dialog || !s.token) return Promise.reject(new Error("the chat has not started yet"));
        return uploadFile({ server: this.options.server, dialog: s.dialog, file, token: s.token, onProgress });
      },
    });
    const compose = h(
      "form",
      { class: "fd-compose" },
      this.input,
      h("button", { type: "submit", "data-testid": "fd-send" }, "Send"),
      this.attach.elements,
    );
    compose.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.chat = h(
      "div",
      { class: "fd-chat", "data-testid": "fd-chat" },
      this.messages,
      this.typing,
      compose,
    );
    dropFiles(this.chat, this.attach.upload, "fd-drop-target");
    this.endButton = h(
      "button",
      { type: "button", class: "fd-end", "data-testid": "fd-close", onclick: () => s.close() },
      "End chat",
    );
    this.transcriptRequest = transcriptRequest(
      h,
      this.options.server,
      () => ({ dialog: s.dialog, token: s.token }),
      () => [this.options.server, ...s.link.urls.filter((url) => url !== this.options.server)],
    );
    this.ended = h(
      "div",
      { class: "fd-ended", "data-testid": "fd-ended", hidden: true },
      h("p", {}, "This chat has ended. Thank you!"),
      this.transcriptRequest.element,
      h(
        "button",
        { type: "button", "data-testid": "fd-new-chat", onclick: () => s.reset() },
        "Start a new chat",
      ),
    );
    const header = h(
      "header",
      { class: "fd-header" },
      h("div", { class: "fd-heading" }, h("strong", {}, this.options.title), this.status, this.wait),
      this.endButton,
      h(
        "button",
        { type: "button", class: "fd-minimize", "data-testid": "fd-minimize", "aria-label": "Minimize", onclick: () => this.toggle(false, true) },
        "–",
      ),
    );
    this.survey = surveyPanel(h, (survey, answers) => s.answerSurvey(survey, answers));
    this.panel = h(
      "section",
      { class: "fd-panel", "data-testid": "fd-panel", "aria-label": this.options.title, hidden: true },
      header,
      this.conn,
      this.announce,
      this.said,
      this.errorBox,
      this.survey.element,
      this.startForm,
      this.offline.element,
      this.chat,
      this.ended,
    );
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.isComposing) {
        event.preventDefault();
        this.toggle(false, true);
      }
    });
    replaceChildren(this.frame, this.panel, this.launcher);
    this.toggle(loadItem(OPEN_KEY) === "1" || this.options.open);
  }

  /** Open or close the panel; ``focus``: move the keyboard focus with it (a person's action). */
  toggle(open = this.panel.hidden, focus = false) {
    this.panel.hidden = !open;
    this.launcher.hidden = open;
    saveItem(OPEN_KEY, open ? "1" : "0");
    this.render();
    if (open && focus) this.checkAvailability(); // opened by a person: is anyone there now?
    if (!focus) return;
    if (!open) this.launcher.focus();
    else if (!this.offline.element.hidden) this.offline.focus();
    else if (!this.startForm.hidden) this.nameInput.focus();
    else if (!this.chat.hidden && !this.chat.classList.contains("fd-readonly")) this.input.focus();
  }

  /** Ask the server whether a chat can start now; the start form or the offline form follows. */
  async checkAvailability() {
    const answer = await fetchAvailability(this.options.server);
    this.setAvailability(answer);
  }

  setAvailability(answer) {
    this.availability = answer;
    if (answer) this.offline.show(answer);
    this.render();
  }

  /** The offline form replaces the start form: known closed, and no chat of this visitor. */
  get offlineShown() {
    return this.session.phase === "start" && this.availability !== null && !this.availability.open;
  }

  /** Operator messages that arrived while the panel was closed: a badge on the button. */
  renderUnread() {
    const entries = this.session.transcript.entries;
    const last = entries.length ? entries[entries.length - 1].seq : 0;
    if ((!this.panel.hidden || last < this.seenSeq) && this.seenSeq !== last) {
      this.seenSeq = last;
      saveItem(SEEN_KEY, String(last));
    }
    const unread = entries.filter(
      (e) => e.seq > this.seenSeq && e.type === "dialog.message" && e.author !== "visitor",
    ).length;
    this.unread.hidden = unread === 0;
    setText(this.unread, unread);
  }

  send() {
    const text = this.input.value;
    // while the chat opens the text is kept by the session and said once it is open
    if (!this.session.say(text)) return;
    this.input.value = "";
    this.input.focus();
  }

  render() {
    const s = this.session;
    const phase = s.phase;
    this.renderUnread();
    this.frame.dataset.phase = phase;
    this.startForm.hidden = phase !== "start" || this.offlineShown;
    this.offline.element.hidden = !this.offlineShown;
    this.chat.hidden = phase === "start";
    this.ended.hidden = phase !== "closed";
    if (phase !== "closed") this.transcriptRequest.reset();
    this.endButton.hidden = phase !== "waiting" && phase !== "assigned";
    this.chat.classList.toggle("fd-readonly", phase === "closed");

    let status = "";
    if (this.offlineShown) status = "Leave us a message";
    else if (phase === "start") status = "We're here to help";
    else if (phase === "opening") status = "Starting…";
    else if (phase === "closed") status = "Chat ended";
    else if (phase === "assigned") status = `Chatting with ${s.operatorName}`;
    else if (s.position !== null) status = `Waiting — position ${s.position}`;
    else status = "Waiting for an operator…";
    setText(this.status, status);
    this.status.dataset.position = s.position === null ? "" : String(s.position);
    const wait = phase === "waiting" && s.position !== null ? waitText(s.estimatedWait) : "";
    this.wait.hidden = !wait;
    setText(this.wait, wait);

    const offline = s.connection !== "open";
    this.conn.hidden = !offline || phase === "closed";
    const connText = s.lost || s.connection === "waiting" ? "Connection lost — reconnecting…" : "Connecting…";
    setText(this.conn, connText);
    this.conn.dataset.state = s.lost ? "reconnecting" : s.connection;
    const waiting = s.pending.length;
    const said = [
      offline && phase !== "closed" ? connText : "",
      waiting ? `${waiting} message${waiting === 1 ? "" : "s"} waiting to be sent.` : "",
    ].filter(Boolean).join(" ");
    if (this.announce.textContent !== said) setText(this.announce, said);

    this.errorBox.hidden = !s.error;
    if (s.error) this.survey.refused(); // a refused answer: the survey may be sent again
    setText(this.errorBox, s.error);

    this.typing.hidden = !(s.operatorTyping && phase === "assigned");
    setText(this.typing, `${s.operatorName || "The operator"} is typing…`);

    this.renderMessages();
  }

  renderMessages() {
    const s = this.session;
    const entries = s.transcript.entries;
    const signature = [
      entries.length ? entries[entries.length - 1].seq : 0,
      entries.length,
      s.says().map((i) => `${i.frame.ref}:${i.failed || ""}`).join(","),
      s.historyGone,
      s.doneSurveys.size,
    ].join("|");
    if (signature === this.rendered) return;
    this.rendered = signature;
    const items = [];
    if (s.historyGone) {
      items.push(renderGap({ visitor: true, skin: SKINS.widget }));
    }
    for (const entry of entries) items.push(entryView(entry, s.visitorName, { server: this.options.server, token: s.token }));
    const posted = new Set(entries.filter((e) => e.type === "dialog.message").map((e) => e.ref));
    for (const { frame, failed } of s.says()) {
      if (posted.has(frame.ref)) continue;
      items.push(failed === null ? pendingView(frame, s) : failedView(frame, failed, s));
    }
    replaceChildren(this.messages, items);
    this.survey.render(entries, { done: s.doneSurveys });
    this.announceNew(entries);
    this.messages.scrollTop = this.messages.scrollHeight;
  }

  /** Say the newest message of the operator (or notice) to screen readers, not the visitor's own. */
  announceNew(entries) {
    const last = entries.length ? entries[entries.length - 1].seq : 0;
    if (this.saidSeq === null) {
      this.saidSeq = last; // what was there at page load is not read out again
      return;
    }
    const fresh = entries.filter((e) => e.seq > this.saidSeq && !(e.type === "dialog.message" && e.author === "visitor"));
    this.saidSeq = Math.max(this.saidSeq, last);
    const lines = fresh.map((e) => {
      const view = entryView(e, this.session.visitorName, { server: this.options.server, token: this.session.token });
      const text = view ? view.querySelector(".fd-text")?.textContent ?? view.textContent : "";
      return e.type === "dialog.message" ? `${e.name || "Operator"}: ${text}` : text;
    }).filter(Boolean);
    if (lines.length) setText(this.said, lines[lines.length - 1]);
  }
}
