// The operator console: wiring of the model, the socket and the page.

import { goToLogin, hasRole, loadConfig, loadMe, logout } from "../api.js";
import { h, replaceChildren, setText } from "../dom.js";
import { Link, wsUrl } from "../link.js";
import { everySecond } from "../time.js";
import { newRef } from "../transcript.js";
import { wireAttach } from "./attach.js";
import { wireGalleryPicker } from "./gallery_picker.js";
import { loadDraft, saveDraft } from "./drafts.js";
import { KnowledgePanel } from "./knowledge.js";
import { wireFormatting } from "./format.js";
import { GeneralInternal } from "./general_internal.js";
import { renderInternal, wireInternal } from "./internal.js";
import { MainBackBanner } from "./main_back.js";
import { wireMonitored } from "./monitored.js";
import { wireMyAnswers } from "./my_answers.js";
import { PredefinedCompletion } from "./predefined.js";
import { wireMailAndPrint } from "./mail_print.js";
import { ConsoleModel } from "./model.js";
import { wireSurveys } from "./surveys.js";
import { Notifications } from "./notifications.js";
import { renderTransferList } from "./transfer.js";
import { presenceSentence, renderHistory, renderInfo, renderTabs, tickWaits } from "./views.js";

const TYPING_IDLE_MS = 3000;

const $ = (id) => document.getElementById(id);

class Console {
  constructor(me, config) {
    this.me = me;
    this.config = config;
    this.typing = { dialog: null, timer: null };
    this.link = new Link({
      urls: config.nodes,
      path: "/ws/operator",
      onOpen: () => this.onOpen(),
      onFrame: (frame) => this.onFrame(frame),
      onState: (state, detail) => this.onLinkState(state, detail),
      onClose: (event) => this.onClose(event),
    });
    this.model = new ConsoleModel(me, {
      send: (frame) => this.link.send(frame),
      onMove: () => this.link.moveOn(),
      onChange: () => this.render(),
      onNotice: (notice) => this.notifications.notice(notice),
    });
    this.notifications = new Notifications({
      sound: $("notify-sound"),
      desktop: $("notify-desktop"),
      state: $("notify-state"),
      announce: $("notify-announce"),
      onOpen: (id) => this.select(id),
    });
    this.failures = 0;
    this.shownDialog = null; // the dialog whose draft is in the text box
  }

  start() {
    this.buildStatusSelect();
    setText($("me"), this.me.name || this.me.login || this.me.id);
    $("to-manager").hidden = !hasRole(this.me, "manager"); // only who may open it sees the way there
    $("logout").addEventListener("click", () => {
      this.link.send({ type: "logout", ref: newRef("logout") });
      this.link.stop();
      logout();
    });
    $("status").addEventListener("change", (event) => {
      this.keep({ type: "status", status: event.target.value, ref: newRef("status") });
    });
    this.notifications.start();
    document.addEventListener("visibilitychange", () => {
      if (this.model.setPageVisible(document.visibilityState === "visible")) this.render();
    });
    this.model.setPageVisible(document.visibilityState === "visible");
    this.wireCompose();
    this.knowledge = new KnowledgePanel({
      search: $("kb-search"), list: $("kb-list"), status: $("kb-status"), input: $("message"),
      announce: (text) => setText($("kb-status"), text),
      answerList: $("kb-answers"),
      who: () => this.who(),
    });
    this.wireActions();
    this.render();
    this.link.start();
    everySecond(() => {
      tickWaits($("tabs"), this.model);
      if (this.model.expireErrors()) this.renderErrors();
    });
    new MainBackBanner($("banner"), this.link).start();
    window.frontdeskConsole = this; // for the browser tests and for debugging
  }

  // --- socket -----------------------------------------------------------------------

  onOpen() {
    this.link.send({
      type: "resume",
      dialogs: this.model.resumeSeqs(),
      epochs: this.model.resumeEpochs(),
      ref: newRef("resume"),
    });
    // What was typed and not taken goes again, in order, with its own ref (never doubled).
    this.model.outbox.restart();
  }

  onFrame(frame) {
    if (frame.type === "hello") this.failures = 0;
    if (frame.type === "operator.internal") {
      this.general.add(frame); // the general Internal tab (no dialog): general_internal.js
      return;
    }
    if (this.model.apply(frame)) this.render();
  }

  onLinkState(state, detail = {}) {
    const pill = $("connection");
    const lost = state !== "open" && (detail.lost || state === "waiting");
    pill.className = `pill ${state === "open" ? "ok" : "warn"}`;
    pill.dataset.state = state === "open" ? "open" : lost ? "reconnecting" : state;
    setText(pill, state === "open" ? "Online" : lost ? "Reconnecting…" : "Connecting…");
  }

  async onClose(event) {
    this.model.outbox.lost();
    this.failures += 1;
    if (event.code === 1008 || this.failures >= 3) {
      // Refused: most likely the session ended. Check before retrying for ever.
      try {
        if ((await loadMe()) === null) {
          this.link.stop();
          goToLogin("/console");
        }
      } catch {
        // server unreachable: keep retrying
      }
    }
  }

  // --- actions ----------------------------------------------------------------------

  select(id) {
    this.model.select(id);
    this.render();
    $("message").focus();
  }

  send() {
    const dialog = this.model.openDialog;
    const input = $("message");
    const text = input.value.trim();
    if (!dialog || dialog.gone || !text) return;
    const frame = { type: "say", dialog: dialog.id, text, format: "markdown", ref: newRef("o") };
    this.stopTyping();
    this.model.outbox.add(frame); // stored first, sent in order, kept until the server takes it
    input.value = "";
    saveDraft(dialog.id, "");
    this.render();
  }

  typed() {
    const dialog = this.model.openDialog;
    if (!dialog || dialog.gone) return;
    if (this.typing.dialog !== dialog.id) {
      this.stopTyping();
      this.typing.dialog = dialog.id;
      this.link.send({ type: "typing", dialog: dialog.id, on: true });
    }
    clearTimeout(this.typing.timer);
    this.typing.timer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.typing.timer);
    if (this.typing.dialog) this.link.send({ type: "typing", dialog: this.typing.dialog, on: false });
    this.typing.dialog = null;
  }

  wireCompose() {
    const input = $("message");
    wireFormatting({
      input,
      toolbar: $("format-bar"),
      dialog: $("link-dialog"),
      form: $("link-form"),
      text: $("link-text"),
      url: $("link-url"),
      error: $("link-error"),
      cancel: $("link-cancel"),
    });
    // before the Enter that sends: while the list is open, Enter inserts the chosen answer
    this.predefined = new PredefinedCompletion({
      input,
      list: $("predefined-list"),
      announce: $("announce"),
      who: () => this.who(),
      onInsert: () => {
        const dialog = this.model.openDialog;
        if (dialog) saveDraft(dialog.id, input.value);
        this.typed();
      },
    });
    wireMyAnswers(() => {
      this.predefined.reload();
      if (this.knowledge) this.knowledge.reloadAnswers();
    });
    wireMonitored((dialog) => setText($("announce"), `Monitored dialog ${dialog} opened; the link was sent.`));
    input.addEventListener("input", () => {
      const dialog = this.model.openDialog;
      if (dialog) saveDraft(dialog.id, input.value);
      this.typed();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    $("compose").addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    wireAttach($("compose"), $("history"), () => this.model.openDialog);
    wireGalleryPicker($("compose"), () => this.model.openDialog);
  }

  /** The variables of a predefined answer: the open dialog's visitor and this operator. */
  who() {
    const dialog = this.model.openDialog;
    return {
      visitorName: dialog ? dialog.visitorName : "",
      operatorName: this.me.name || this.me.login || "",
      info: dialog && dialog.info ? dialog.info : {},
    };
  }

  /** A command that must not be lost (a failover, a reload): kept in the outbox until answered. */
  keep(frame) {
    if (this.model.outbox) this.model.outbox.add(frame);
    else this.link.send(frame); // still loading: nothing typed is waiting yet
  }

  wireActions() {
    const command = (type, extra = {}, kept = false) => {
      const dialog = this.model.openDialog;
      if (!dialog || dialog.gone) return;
      const frame = { type, dialog: dialog.id, ...extra, ref: newRef(type) };
      if (kept) this.keep(frame);
      else this.link.send(frame);
    };
    const confirm = $("close-confirm");
    $("close-dialog").addEventListener("click", () => {
      const dialog = this.model.openDialog;
      if (!dialog || dialog.gone) return;
      setText($("close-confirm-text"), `End the chat with ${dialog.visitorName || "the visitor"}? They cannot write in it again.`);
      confirm.showModal();
      $("close-keep").focus(); // Enter or Esc keeps the dialog open; closing takes a deliberate choice
    });
    $("close-keep").addEventListener("click", () => confirm.close());
    $("close-confirm-form").addEventListener("submit", (event) => {
      event.preventDefault();
      confirm.close();
      command("close", {}, true);
    });
    $("important").addEventListener("click", () => {
      const dialog = this.model.openDialog;
      if (dialog) command("important", { on: !dialog.important });
    });
    const modal = $("transfer-dialog");
    $("transfer").addEventListener("click", () => this.openTransfer());
    $("transfer-cancel").addEventListener("click", () => modal.close());
    $("transfer-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const to = $("transfer-to").value;
      if (!to) return;
      command("transfer", { to, note: $("transfer-note").value.trim() }, true);
      modal.close();
    });
    this.wireHelp(command);
    wireSurveys(command);
    wireInternal(() => this.model.openDialog, (frame) => this.keep(frame), () => this.render());
    this.general = new GeneralInternal((frame) => this.keep(frame));
    this.general.wire();
    this.general.render();
    wireMailAndPrint(() => this.model.openDialog);
  }

  wireHelp(command) {
    const modal = $("help-dialog");
    $("help").addEventListener("click", () => {
      $("help-text").value = "";
      modal.showModal();
    });
    $("help-cancel").addEventListener("click", () => modal.close());
    $("help-form").addEventListener("submit", (event) => {
      event.preventDefault();
      command("help", { text: $("help-text").value.trim() });
      modal.close();
    });
  }

  openTransfer() {
    this.fillTransfer();
    $("transfer-note").value = "";
    $("transfer-dialog").showModal();
  }

  /** The list follows the colleagues' statuses and loads while it is open. */
  fillTransfer() {
    const others = this.model.otherOperators();
    const enabled = renderTransferList($("transfer-to"), others, this.config.statuses, $("transfer-to").value);
    $("transfer-none").hidden = enabled > 0;
    $("transfer-dialog").querySelector("[type=submit]").disabled = enabled === 0;
  }

  buildStatusSelect() {
    replaceChildren(
      $("status"),
      this.config.statuses.map((s) => h("option", { value: s.value }, s.label)),
    );
  }

  // --- rendering --------------------------------------------------------------------

  render() {
    const model = this.model;
    const fresh = model.attentionCount; // new dialogs and dialogs with unread visitor messages
    document.title = `${fresh ? `(${fresh}) ` : ""}Console — frontdesk`;
    setText($("node"), model.node || "—");
    $("node").dataset.role = model.role || "";
    setText($("queue-count"), model.queueLength);
    const status = $("status");
    status.disabled = model.status === null;
    if (model.status !== null) status.value = model.status;
    status.dataset.status = model.status || "";

    if ($("transfer-dialog").open) this.fillTransfer();
    renderTabs($("tabs"), $("no-dialogs"), model, (id) => this.select(id), (id) => {
      model.dismiss(id);
      this.render();
    });

    const dialog = model.openDialog;
    $("pick").hidden = dialog !== null;
    $("chat").hidden = dialog === null;
    renderInfo($("info"), dialog, this.config.fields, model.node);
    this.knowledge.show(dialog && !dialog.gone && !dialog.closed ? dialog : null);
    this.renderErrors();
    const waiting = model.outbox.pending.length;
    const said = waiting ? `${waiting} message${waiting === 1 ? "" : "s"} waiting to be sent.` : "";
    if ($("announce").textContent !== said) setText($("announce"), said);
    if (!dialog) return;

    setText($("chat-title"), dialog.visitorName || "Visitor");
    const transfer = $("chat-transfer");
    transfer.hidden = !dialog.transferredFromName;
    setText(
      transfer,
      dialog.transferredFromName
        ? `⇄ transferred by ${dialog.transferredFromName}${dialog.note ? ` — “${dialog.note}”` : ""}`
        : "",
    );
    renderHistory($("history"), dialog, this.me, model.pendingOf(dialog), (ref) => model.outbox.dismiss(ref));
    const presence = dialog.closed || dialog.gone ? "" : presenceSentence(dialog);
    $("chat-presence").hidden = !presence;
    $("chat-presence").dataset.presence = presence ? dialog.visitorPresence : "";
    if ($("chat-presence").textContent !== presence) setText($("chat-presence"), presence);
    $("chat-monitored").hidden = !dialog.monitored || dialog.closed || Boolean(dialog.gone);
    if (renderInternal(dialog)) {
      model.persist();
      renderTabs($("tabs"), $("no-dialogs"), model, (id) => this.select(id), (id) => {
        model.dismiss(id);
        this.render();
      });
    }
    $("typing").hidden = !dialog.visitorTyping;
    setText($("typing"), `${dialog.visitorName || "The visitor"} is typing…`);
    const held = !dialog.gone && !dialog.closed;
    for (const id of ["important", "transfer", "help", "close-dialog", "message", "survey-pick"]) $(id).disabled = !held;
    $("send-survey").disabled = !held || !$("survey-pick").value;
    $("transfer").hidden = model.otherOperators().length === 0; // nobody else to hand it to
    this.showDraft(dialog);
    $("compose").hidden = !held;
    setText($("important"), dialog.important ? "Unmark important" : "Mark important");
    $("important").setAttribute("aria-pressed", dialog.important ? "true" : "false");
    $("gone").hidden = held;
    setText($("gone"), dialog.closed ? "This dialog is closed." : `This dialog is no longer yours (${dialog.gone}).`);
  }

  /** On switching dialogs: the text box shows the draft of the one now open. */
  showDraft(dialog) {
    if (this.shownDialog === dialog.id) return;
    this.shownDialog = dialog.id;
    $("message").value = loadDraft(dialog.id);
  }

  renderErrors() {
    replaceChildren(
      $("errors"),
      this.model.errors.map((e) => h("div", { class: "error-line", "data-testid": "error" }, e.message)),
    );
  }
}

async function main() {
  let me;
  try {
    me = await loadMe();
  } catch (err) {
    setText($("connection"), "Server unreachable");
    return;
  }
  if (!me) {
    goToLogin("/console");
    return;
  }
  const config = await loadConfig();
  new Console(me, config).start();
}

main();
