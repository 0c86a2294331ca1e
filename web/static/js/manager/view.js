// Rendering of the manager view from its model: operators, the queue, the dialogs, help
// requests and the monitored dialog's history (through the shared history renderer).
// Data goes in as text only (dom.h / setText).

import { labelFor } from "../api.js";
import { h, setText } from "../dom.js";
import { SKINS, renderEntry } from "../history/render.js";
import { updateList } from "../patch.js";
import { formatClock, formatDuration } from "../time.js";

const LONG_WAIT_S = 60;
const $ = (id) => document.getElementById(id);

function waitCell(model, d, now) {
  const wait = model.waiting(d, now);
  return h(
    "td",
    { class: `wait${wait !== null && wait >= LONG_WAIT_S ? " long" : ""}`, "data-testid": "dialog-wait", "data-dialog": d.id },
    wait === null ? "" : formatDuration(wait),
  );
}

/** Refresh only the waiting times (each second), without rebuilding the tables. */
export function tickWaits(model, now) {
  for (const cell of document.querySelectorAll("[data-testid=dialog-wait]")) {
    const dialog = model.dialog(cell.dataset.dialog);
    const wait = dialog ? model.waiting(dialog, now) : null;
    setText(cell, wait === null ? "" : formatDuration(wait));
    cell.classList.toggle("long", wait !== null && wait >= LONG_WAIT_S);
  }
}

/**
 * Redraw the live figures in place (each second and on each `figures` frame), without
 * rebuilding the tables: the summary and the operators' "In status" and "Today" cells.
 */
export function tickFigures(model, now) {
  for (const cell of document.querySelectorAll("[data-figure]")) {
    const name = cell.dataset.figure;
    if (name === "longest_wait") {
      const wait = model.longestWait(now);
      setText(cell, formatDuration(wait));
      cell.classList.toggle("long", wait >= LONG_WAIT_S);
    } else if (Object.hasOwn(model.figures, name)) {
      setText(cell, String(model.figures[name]));
    }
  }
  for (const cell of document.querySelectorAll("[data-testid=operator-in-status]")) {
    const time = model.timeInStatus(cell.dataset.operator, now);
    setText(cell, time === null ? "" : formatDuration(time));
  }
  for (const cell of document.querySelectorAll("[data-testid=operator-today]")) {
    const today = model.dialogsToday(cell.dataset.operator);
    setText(cell, today === null ? "" : String(today));
  }
}

function dialogActions(d, monitoring, actions) {
  if (d.state === "closed") return null;
  return [
    monitoring
      ? h("button", { type: "button", "data-testid": "unmonitor", onclick: () => actions.unmonitor(d.id) }, "Stop monitoring")
      : h("button", { type: "button", "data-testid": "monitor", onclick: () => actions.monitor(d.id) }, "Monitor"),
    h("button", { type: "button", class: "danger", "data-testid": "manager-close", onclick: () => actions.close(d.id) }, "Close"),
  ];
}

/**
 * @param {import("./model.js").ManagerModel} model
 * @param {Map<string, object>} monitored  dialog id -> its Transcript
 * @param {{monitor, unmonitor, close}} actions
 */
export function renderAll(model, monitored, shown, actions, now) {
  const { operators, dialogs, queue } = model;
  const names = new Map(operators.map((op) => [op.id, op.name || op.id]));
  const visitors = new Map(dialogs.map((d) => [d.id, d.visitor_name || "Visitor"]));

  setText($("operators-count"), operators.length);
  updateList(
    $("operators"),
    operators.map((op) =>
      h(
        "tr",
        { "data-testid": "operator-row", "data-operator": op.id },
        h("td", {}, op.name || op.id),
        h("td", { "data-testid": "operator-status" }, labelFor(op.status)),
        h("td", {}, op.status_since ? formatClock(op.status_since) : ""),
        h("td", { class: "duration", "data-testid": "operator-in-status", "data-operator": op.id }),
        h("td", { "data-testid": "operator-load" }, `${op.load ?? 0} / ${op.capacity ?? "?"}`),
        h("td", { "data-testid": "operator-today", "data-operator": op.id }),
        h("td", {}, (op.dialogs || []).map((id) => visitors.get(id) || id).join(", ")),
      ),
    ),
    "data-operator",
  );

  setText($("queue-count"), queue.length);
  updateList(
    $("queue"),
    queue.map((id) => h("li", { "data-testid": "queue-item", "data-dialog": id }, `${visitors.get(id) || "Visitor"} (${id})`)),
    "data-dialog",
  );

  setText($("dialogs-count"), dialogs.length);
  updateList(
    $("dialogs"),
    dialogs.map((d) => {
      const monitoring = monitored.has(d.id);
      const help = model.helpRequest(d.id);
      const flags = [
        d.important ? "important" : null,
        d.monitored || monitoring ? "monitored" : null,
        d.monitored_by ? `monitored dialog of ${d.monitored_by}` : null, // an operator's (POST /api/monitored)
        help ? (help.acked_by ? `help: ${help.acked_name || help.acked_by} on it` : "help requested") : null,
      ].filter(Boolean);
      // a waiting help request flashes orange (a steady mark under prefers-reduced-motion)
      const classes = [d.important ? "important" : null, help && !help.acked_by ? "help-waiting" : null].filter(Boolean);
      return h(
        "tr",
        {
          "data-testid": "dialog-row",
          "data-dialog": d.id,
          "data-help": help ? (help.acked_by ? "acked" : "waiting") : null,
          class: classes.length ? classes.join(" ") : null,
        },
        h("td", {}, d.id),
        h("td", {}, d.visitor_name || "Visitor"),
        h("td", { "data-testid": "dialog-state" }, d.state),
        h("td", { "data-testid": "dialog-operator" }, d.operator ? names.get(d.operator) || d.operator : "—"),
        waitCell(model, d, now),
        h("td", {}, flags.join(", ")),
        h("td", {}, dialogActions(d, monitoring, actions)),
      );
    }),
    "data-dialog",
  );

  const help = model.waitingHelp; // listed until a manager acknowledges it (help_ack)
  setText($("help-count"), help.length);
  updateList(
    $("help"),
    help.map((req) =>
      h(
        "li",
        { "data-testid": "help-request", "data-dialog": req.dialog },
        `${names.get(req.operator) || req.operator || "An operator"} on ${visitors.get(req.dialog) || req.dialog}`,
        req.text ? ` — ${req.text}` : "",
        " ",
        h(
          "button",
          {
            type: "button",
            "data-testid": "help-ack",
            "aria-label": `Acknowledge the help request of ${names.get(req.operator) || req.operator || "the operator"}`,
            onclick: () => actions.ackHelp(req.dialog),
          },
          "Acknowledge",
        ),
      ),
    ),
    "data-dialog",
  );
  const reassigned = model.reassigned;
  setText($("reassigned-count"), reassigned.length);
  updateList(
    $("reassigned"),
    reassigned.map((r) =>
      h(
        "li",
        { "data-testid": "reassigned-item", "data-dialog": r.dialog },
        r.at ? `${formatClock(r.at)} ` : "",
        `${visitors.get(r.dialog) || "Visitor"} (${r.dialog}) back at the head of the queue`,
        r.reason ? `: ${r.reason}` : "",
      ),
    ),
    "data-dialog",
  );
  renderMonitor(monitored, shown);
  tickFigures(model, now);
}

/** The monitored dialog's history, as staff read it. */
export function renderMonitor(monitored, shown) {
  const transcript = shown ? monitored.get(shown) : null;
  setText($("monitor-title"), transcript ? shown : "none — press Monitor on a dialog");
  updateList(
    $("monitor"),
    transcript ? transcript.entries.map((e) => renderEntry(e, { skin: SKINS.manager, clock: formatClock })) : [],
    "data-seq",
  );
}
