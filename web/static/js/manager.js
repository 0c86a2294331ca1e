// The manager view: every operator, every dialog, the queue, help requests
// and the monitored dialogs. The `snapshot` frame gives the whole picture;
// any later notice makes us fetch /api/inspect again (debounced), which is
// simple and always right. The monitored dialog's history is kept from its
// notices.

import { goToLogin, labelFor, loadConfig, loadMe, logout } from "./api.js";
import { h, replaceChildren, setText } from "./dom.js";
import { SKINS, renderEntry } from "./history/render.js";
import { Link } from "./link.js";
import { everySecond, formatClock, formatDuration, nowSeconds } from "./time.js";
import { Transcript, isHistoryEntry, newRef } from "./transcript.js";

const REFRESH_DEBOUNCE_MS = 250;
const LONG_WAIT_S = 60;
const CLUSTER_POLL_MS = 5000;
const SWITCHOVER_WATCH_MS = 20_000;
const SWITCHOVER_STEP_MS = 500;
const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Return to main node": the node this page came from (its origin, the main node) takes
 * the primary role back from its peer after a failover.
 *
 * It starts only when /api/config lists more than one node. GET /api/cluster on the
 * page's own node then tells whether it is a cluster node (404: not one, and the control
 * stays hidden) and its role. The button shows while that node is a
 * caught-up backup with its link up. It posts /api/cluster/switchover to the primary (the
 * node's `primary_url`) with the session cookie, which the primary accepts too (signed
 * sessions, docs/failover.md). When the primary is the page's own origin its answer is
 * shown as is; when it is another origin the answer is opaque to the page (the primary
 * sends no CORS headers: the request goes as `no-cors`), so the page watches its own
 * node's /api/cluster until that node reports itself primary, and shows that.
 */
class ClusterControl {
  constructor(banner) {
    this.banner = banner;
    this.health = null;
    this.busy = false;
  }

  async start() {
    $("switchover").addEventListener("click", () => this.switchover());
    await this.refresh();
  }

  /** {absent: true} on 404, {health} on 200, null when the node did not answer. */
  async fetchHealth() {
    try {
      const response = await fetch("/api/cluster", { credentials: "same-origin", cache: "no-store" });
      if (response.status === 404) return { absent: true };
      if (!response.ok) return null;
      return { health: await response.json() };
    } catch {
      return null;
    }
  }

  async refresh() {
    const got = await this.fetchHealth();
    if (got && got.absent) {
      $("cluster").hidden = true;
      $("switchover").hidden = true;
      return; // not a cluster: nothing to poll
    }
    this.health = got ? got.health : null;
    this.render();
    setTimeout(() => this.refresh(), CLUSTER_POLL_MS);
  }

  render() {
    const pill = $("cluster");
    const button = $("switchover");
    const health = this.health;
    pill.hidden = false;
    if (!health) {
      pill.className = "pill bad";
      pill.dataset.role = "";
      setText(pill, "Main node unreachable");
      button.hidden = true;
      return;
    }
    pill.className = `pill ${health.role === "primary" ? "ok" : "warn"}`;
    pill.dataset.role = health.role;
    setText(pill, `Main node: ${health.role}, epoch ${health.epoch}`);
    button.hidden = !(health.role === "backup" && health.link === "up" && health.caught_up && health.primary_url);
    button.disabled = this.busy;
  }

  async switchover() {
    const health = this.health;
    if (this.busy || !health || !health.primary_url) return;
    let target;
    try {
      target = new URL("/api/cluster/switchover", health.primary_url);
      target.protocol = target.protocol === "wss:" ? "https:" : target.protocol === "ws:" ? "http:" : target.protocol;
    } catch {
      this.banner(`Cannot switch over: the primary's address ${health.primary_url} is not a URL.`);
      return;
    }
    this.busy = true;
    this.render();
    this.banner(`Asking ${target.origin} to hand the primary role back to this node…`);
    try {
      if (target.origin === location.origin) {
        await this.switchoverHere(target);
      } else {
        // The answer of another origin is opaque to the page (no CORS headers): send the
        // request (with the cookie) and watch this node take the role.
        await fetch(target.href, { method: "POST", mode: "no-cors", credentials: "include", cache: "no-store" });
        await this.watchForPrimary(target.origin);
      }
    } catch {
      this.banner(`Cannot reach ${target.origin} to switch over.`);
    } finally {
      this.busy = false;
      this.render();
    }
  }

  async switchoverHere(target) {
    const response = await fetch(target.href, { method: "POST", credentials: "same-origin", cache: "no-store" });
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.ok) {
      this.banner(`Switchover done: this node is now ${body && body.role ? body.role : "backup"}.`);
    } else {
      const message = body && body.error ? body.error.message || body.error.code : `HTTP ${response.status}`;
      this.banner(`Switchover refused: ${message}`);
    }
  }

  async watchForPrimary(primaryOrigin) {
    const deadline = Date.now() + SWITCHOVER_WATCH_MS;
    while (Date.now() < deadline) {
      const got = await this.fetchHealth();
      if (got && got.health) {
        this.health = got.health;
        if (got.health.role === "primary") {
          this.banner(`Switchover done: this node is primary again (epoch ${got.health.epoch}).`);
          return;
        }
      }
      await sleep(SWITCHOVER_STEP_MS);
    }
    this.banner(
      `The switchover did not happen: this node is still ${this.health ? this.health.role : "unreachable"}. ` +
        `Is ${primaryOrigin} up and this session a manager's there? (frontdesk switchover --node ${primaryOrigin} shows the reason)`,
    );
  }
}

class ManagerView {
  constructor(me, config) {
    this.me = me;
    this.config = config;
    this.snapshot = { operators: [], dialogs: [], queue: [], help_requests: [] };
    this.fetchedAt = nowSeconds();
    this.monitored = new Map(); // dialog id -> Transcript
    this.shown = null; // the monitored dialog whose history is shown
    this.refreshTimer = null;
    this.link = new Link({
      urls: config.nodes,
      path: "/ws/manager",
      onFrame: (frame) => this.onFrame(frame),
      onOpen: () => this.onOpen(),
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
    $("logout").addEventListener("click", () => {
      this.link.stop();
      logout();
    });
    this.link.start();
    everySecond(() => this.tick());
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
      this.banner(frame.message || frame.code);
      return;
    }
    if (frame.type === "ack" || frame.type === "pong") return;
    if (frame.type === "node.actor_failed") {
      this.banner(`An actor was given up after ${frame.restarts} restarts: ${frame.address} (${frame.error})`);
    }
    const transcript = frame.dialog ? this.monitored.get(frame.dialog) : null;
    if (transcript && isHistoryEntry(frame) && transcript.add(frame)) this.renderMonitor();
    this.scheduleRefresh();
  }

  scheduleRefresh() {
    if (this.refreshTimer !== null) return;
    this.refreshTimer = setTimeout(async () => {
      this.refreshTimer = null;
      try {
        const response = await fetch("/api/inspect", { credentials: "same-origin" });
        if (response.ok) this.setSnapshot(await response.json());
      } catch {
        // the socket's reconnect brings a fresh snapshot
      }
    }, REFRESH_DEBOUNCE_MS);
  }

  setSnapshot(snapshot) {
    this.snapshot = {
      operators: snapshot.operators || [],
      dialogs: snapshot.dialogs || [],
      queue: snapshot.queue || [],
      help_requests: snapshot.help_requests || [],
    };
    this.fetchedAt = nowSeconds();
    this.render();
  }

  banner(text) {
    const banner = $("banner");
    setText(banner, text);
    banner.hidden = !text;
  }

  monitor(id) {
    if (!this.monitored.has(id)) {
      this.monitored.set(id, new Transcript(id));
      this.link.send({ type: "monitor", dialog: id, on: true, ref: newRef("mon") });
    }
    this.shown = id;
    this.render();
  }

  unmonitor(id) {
    this.monitored.delete(id);
    this.link.send({ type: "monitor", dialog: id, on: false, ref: newRef("mon") });
    if (this.shown === id) this.shown = null;
    this.render();
  }

  // --- rendering --------------------------------------------------------------------

  waiting(dialog) {
    if (typeof dialog.waiting_s !== "number" || dialog.state === "closed") return null;
    return dialog.waiting_s + (nowSeconds() - this.fetchedAt);
  }

  tick() {
    for (const cell of document.querySelectorAll("[data-testid=dialog-wait]")) {
      const dialog = this.snapshot.dialogs.find((d) => d.id === cell.dataset.dialog);
      const wait = dialog ? this.waiting(dialog) : null;
      setText(cell, wait === null ? "" : formatDuration(wait));
      cell.classList.toggle("long", wait !== null && wait >= LONG_WAIT_S);
    }
  }

  render() {
    const { operators, dialogs, queue } = this.snapshot;
    const names = new Map(operators.map((op) => [op.id, op.name || op.id]));
    const visitors = new Map(dialogs.map((d) => [d.id, d.visitor_name || "Visitor"]));

    setText($("operators-count"), operators.length);
    replaceChildren(
      $("operators"),
      operators.map((op) =>
        h(
          "tr",
          { "data-testid": "operator-row", "data-operator": op.id },
          h("td", {}, op.name || op.id),
          h("td", { "data-testid": "operator-status" }, labelFor(op.status)),
          h("td", {}, op.status_since ? formatClock(op.status_since) : ""),
          h("td", { "data-testid": "operator-load" }, `${op.load ?? 0} / ${op.capacity ?? "?"}`),
          h("td", {}, (op.dialogs || []).map((id) => visitors.get(id) || id).join(", ")),
        ),
      ),
    );

    setText($("queue-count"), queue.length);
    replaceChildren(
      $("queue"),
      queue.map((id) => h("li", { "data-testid": "queue-item", "data-dialog": id }, `${visitors.get(id) || "Visitor"} (${id})`)),
    );

    setText($("dialogs-count"), dialogs.length);
    replaceChildren(
      $("dialogs"),
      dialogs.map((d) => {
        const monitoring = this.monitored.has(d.id);
        const flags = [d.important ? "important" : null, d.monitored || monitoring ? "monitored" : null].filter(Boolean);
        const wait = this.waiting(d);
        return h(
          "tr",
          { "data-testid": "dialog-row", "data-dialog": d.id, class: d.important ? "important" : null },
          h("td", {}, d.id),
          h("td", {}, d.visitor_name || "Visitor"),
          h("td", { "data-testid": "dialog-state" }, d.state),
          h("td", { "data-testid": "dialog-operator" }, d.operator ? names.get(d.operator) || d.operator : "—"),
          h(
            "td",
            { class: `wait${wait !== null && wait >= LONG_WAIT_S ? " long" : ""}`, "data-testid": "dialog-wait", "data-dialog": d.id },
            wait === null ? "" : formatDuration(wait),
          ),
          h("td", {}, flags.join(", ")),
          h(
            "td",
            {},
            d.state === "closed"
              ? null
              : [
                  monitoring
                    ? h("button", { type: "button", "data-testid": "unmonitor", onclick: () => this.unmonitor(d.id) }, "Stop monitoring")
                    : h("button", { type: "button", "data-testid": "monitor", onclick: () => this.monitor(d.id) }, "Monitor"),
                  h(
                    "button",
                    {
                      type: "button",
                      class: "danger",
                      "data-testid": "manager-close",
                      onclick: () => this.link.send({ type: "close", dialog: d.id, ref: newRef("close") }),
                    },
                    "Close",
                  ),
                ],
          ),
        );
      }),
    );

    const help = this.snapshot.help_requests;
    setText($("help-count"), help.length);
    replaceChildren(
      $("help"),
      help.map((req) =>
        h(
          "li",
          { "data-testid": "help-request" },
          `${names.get(req.operator) || req.operator || "An operator"} on ${visitors.get(req.dialog) || req.dialog}`,
          req.text ? ` — ${req.text}` : "",
        ),
      ),
    );
    this.renderMonitor();
  }

  renderMonitor() {
    const transcript = this.shown ? this.monitored.get(this.shown) : null;
    setText($("monitor-title"), transcript ? this.shown : "none — press Monitor on a dialog");
    if (!transcript) {
      replaceChildren($("monitor"));
      return;
    }
    replaceChildren(
      $("monitor"),
      transcript.entries.map((e) => renderEntry(e, { skin: SKINS.manager, clock: formatClock })),
    );
  }
}

async function main() {
  const me = await loadMe().catch(() => null);
  if (!me) {
    goToLogin("/manager");
    return;
  }
  const config = await loadConfig();
  new ManagerView(me, config).start();
}

main();
