// The manager view: every operator, every dialog, the queue, help requests and the
// monitored dialogs. The `snapshot` frame (sent on every connect) gives the whole
// picture; each later notice is applied to it (manager/model.js) with no request.
// Only a discontinuity — a dialog's seq skipping, `dialog.history_gone`, a dialog or an
// operator the picture does not know — fetches /api/inspect again (debounced).
// Split like the console: model.js (state), view.js (DOM), cluster.js (return to main).

import { goToLogin, hasRole, loadConfig, loadMe, logout } from "../api.js";
import { setText } from "../dom.js";
import { Link } from "../link.js";
import { Outbox } from "../outbox.js";
import { everySecond, nowSeconds } from "../time.js";
import { SessionState, Transcript, isHistoryEntry, newRef } from "../transcript.js";
import { ClusterControl } from "./cluster.js";
import { ManagerModel } from "./model.js";
import { drawLoad, drawStatus } from "./charts.js";
import { AuditList, isStepIn } from "./audit.js";
import { GeneralInternal } from "./general_internal.js";
import { renderStepIn, wireStepIn } from "./step_in.js";
import { renderAll, renderMonitor, tickFigures, tickWaits } from "./view.js";

const RESYNC_DEBOUNCE_MS = 250;
const $ = (id) => document.getElementById(id);

class ManagerPage {
  constructor(me, config) {
    this.me = me;
    this.config = config;
    this.model = new ManagerModel();
    this.monitored = new Map(); // dialog id -> Transcript
    this.shown = null; // the monitored dialog whose history is shown
    // the monitored dialogs and the one shown survive a reload (monitored again on start)
    this.kept = new SessionState("frontdesk.manager.monitored");
    const kept = this.kept.load();
    if (kept && Array.isArray(kept.ids)) {
      for (const id of kept.ids) if (typeof id === "string") this.monitored.set(id, new Transcript(id));
      if (typeof kept.shown === "string" && this.monitored.has(kept.shown)) this.shown = kept.shown;
    }
    this.resyncTimer = null;
    this.inspections = 0; // GET /api/inspect made (a test reads it)
    this.actions = {
      monitor: (id) => this.monitor(id),
      unmonitor: (id) => this.unmonitor(id),
      // Kept until a primary answers it (outbox.js): a failover does not lose it.
      close: (id) => this.outbox.add({ type: "close", dialog: id, ref: newRef("close") }),
      ackHelp: (id) => this.ackHelp(id),
    };
    this.outbox = new Outbox({ send: (frame) => this.link.send(frame) });
    this.link = new Link({
      urls: config.nodes,
      path: "/ws/manager",
      onFrame: (frame) => this.onFrame(frame),
      onOpen: () => this.onOpen(),
      onClose: () => this.outbox.lost(),
      onState: (state) => {
        const pill = $("connection");
        pill.className = `pill ${state === "open" ? "ok" : "warn"}`;
        pill.dataset.state = state;
        setText(pill, state === "open" ? "Online" : "Reconnecting…");
      },
    });
  }

  start() {
    setText($("me"), this.me.name || this.me.id);
    $("to-console").hidden = !hasRole(this.me, "operator");
    $("logout").addEventListener("click", () => {
      this.link.stop();
      logout();
    });
    // kept until a primary answers them, like close (outbox.js): a failover does not lose them
    wireStepIn(() => this.shown, (frame) => this.outbox.add(frame));
    this.general = new GeneralInternal((frame) => this.outbox.add(frame));
    this.general.wire();
    this.audit = new AuditList();
    this.audit.load();
    this.link.start();
    everySecond(() => {
      tickWaits(this.model, nowSeconds());
      tickFigures(this.model, nowSeconds());
    });
    // A single node lists only itself in /api/config `nodes`: no cluster, nothing to ask
    // (a 404 from /api/cluster would hide the control as well, but logs a console error).
    if (this.config.nodes.length > 1) {
      this.cluster = new ClusterControl((text) => this.banner(text));
      this.cluster.start();
    }
    window.frontdeskManager = this;
  }

  onOpen() {
    for (const id of this.monitored.keys()) {
      // The server replays a monitored dialog from seq 1; the transcript drops what it has.
      this.link.send({ type: "monitor", dialog: id, on: true, ref: newRef("mon") });
    }
    this.outbox.restart();
  }

  onFrame(frame) {
    if (frame.type === "hello") {
      setText($("node"), frame.node || "—");
      return;
    }
    if (frame.type === "snapshot") {
      this.setSnapshot(frame.snapshot || frame);
      return;
    }
    if (frame.type === "error") {
      this.onError(frame);
      return;
    }
    if (frame.type === "ack" && typeof frame.ref === "string") this.outbox.settle(frame.ref);
    if (frame.type === "dialog.message" && typeof frame.ref === "string") this.outbox.settle(frame.ref); // a say's answer
    if (frame.type === "ack" || frame.type === "pong") return;
    if (isStepIn(frame)) this.audit.refresh();
    if (this.general.add(frame)) {
      this.general.render(this.model.operators);
      return;
    }
    if (frame.type === "node.actor_failed") {
      this.banner(`An actor was given up after ${frame.restarts} restarts: ${frame.address} (${frame.error})`);
    }
    const transcript = frame.dialog ? this.monitored.get(frame.dialog) : null;
    if (transcript && isHistoryEntry(frame) && transcript.add(frame)) {
      renderMonitor(this.monitored, this.shown);
      this.renderStepIn();
    }
    const seen = this.model.seen(frame);
    if (seen === "old") return; // a replay (monitoring from seq 1): already in the picture
    const outcome = seen === "gap" ? "resync" : this.model.apply(frame, nowSeconds());
    if (outcome === "resync") this.scheduleResync();
    else if (outcome === "changed") this.render();
    else if (outcome === "figures") {
      tickFigures(this.model, nowSeconds());
      this.renderCharts();
    }
  }

  renderCharts() {
    const { model } = this;
    drawLoad($("chart-load"), model.series);
    const operators = model.operators.map((op) => {
      const figures = model.operatorFigures.get(op.id);
      return { id: op.id, name: op.name || op.id, today: figures ? figures.statusToday : {} };
    });
    drawStatus($("chart-status"), operators, this.config.statuses.map((st) => st.value));
  }

  onError(frame) {
    if (typeof frame.ref === "string" && frame.ref.startsWith("mon-") && this.monitored.has(frame.dialog)) {
      // a dialog kept across a reload that closed meanwhile: monitored no more, quietly
      this.forget(frame.dialog);
      return;
    }
    const mine = typeof frame.ref === "string" ? this.outbox.refuse(frame.ref, frame.code, frame.message) : null;
    if (mine === "move" || (mine === null && frame.code === "not_primary")) {
      this.link.moveOn(); // this node takes no writes: the close goes again on the primary
      return;
    }
    if (mine === "retry" || mine === "done") return;
    this.banner(frame.message || frame.code);
  }

  scheduleResync() {
    if (this.resyncTimer !== null) return;
    this.resyncTimer = setTimeout(async () => {
      this.resyncTimer = null;
      this.inspections += 1;
      try {
        const response = await fetch("/api/inspect", { credentials: "same-origin" });
        if (response.ok) this.setSnapshot(await response.json());
      } catch {
        // the socket's reconnect brings a fresh snapshot
      }
    }, RESYNC_DEBOUNCE_MS);
  }

  setSnapshot(snapshot) {
    this.model.setSnapshot(snapshot, nowSeconds());
    this.render();
  }

  render() {
    renderAll(this.model, this.monitored, this.shown, this.actions, nowSeconds());
    this.renderStepIn();
    this.renderCharts();
    this.general.render(this.model.operators);
  }

  renderStepIn() {
    const transcript = this.shown ? this.monitored.get(this.shown) : null;
    const closed = Boolean(transcript && transcript.find("dialog.closed").length);
    const dialog = this.shown ? this.model.dialog(this.shown) : null;
    const help = this.shown ? this.model.helpRequest(this.shown) : null;
    renderStepIn(this.shown, closed, this.model.operators, dialog ? dialog.operator : null, this.me.id, help);
  }

  banner(text) {
    const banner = $("banner");
    setText(banner, text);
    banner.hidden = !text;
  }

  /**
   * Acknowledge a help request (help_ack, kept until a primary answers it) and open the
   * internal conversation with that operator on that dialog: monitor it, focus the box.
   */
  ackHelp(id) {
    this.outbox.add({ type: "help_ack", dialog: id, ref: newRef("hack") });
    this.monitor(id);
    $("step-in-text").focus();
  }

  monitor(id) {
    if (!this.monitored.has(id)) {
      this.monitored.set(id, new Transcript(id));
      this.link.send({ type: "monitor", dialog: id, on: true, ref: newRef("mon") });
    }
    this.shown = id;
    this.keep();
    this.render();
  }

  unmonitor(id) {
    this.link.send({ type: "monitor", dialog: id, on: false, ref: newRef("mon") });
    this.forget(id);
  }

  forget(id) {
    this.monitored.delete(id);
    if (this.shown === id) this.shown = null;
    this.keep();
    this.render();
  }

  keep() {
    this.kept.save({ ids: [...this.monitored.keys()], shown: this.shown });
  }
}

async function main() {
  const me = await loadMe().catch(() => null);
  if (!me) {
    goToLogin("/manager");
    return;
  }
  const config = await loadConfig();
  new ManagerPage(me, config).start();
}

main();
