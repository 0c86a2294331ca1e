// The manager view's two small charts, drawn by this page as inline SVG with DOM calls (no
// chart library, no inline style: classes and SVG attributes only, for the strict CSP):
// - the queue's length and the dialogs open over the last hour (the model's `series`:
//   the snapshot's hour, then each `figures` frame's reading);
// - each operator's time in each status today, as a stacked bar.
// Each chart has a text alternative: role="img" with a <title> giving the figures, and a
// visually hidden table of the same figures for a screen reader's table navigation.

import { labelFor } from "../api.js";
import { h, replaceChildren } from "../dom.js";
import { formatClock, formatDuration } from "../time.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 600; // viewBox units; the SVG scales to its box (CSS width 100%)
const H = 140;
const PAD = { left: 28, right: 8, top: 10, bottom: 20 };
const TABLE_STEP_S = 600; // the hidden table: one row per 10 minutes
const BAR_H = 18;

let ids = 0;

/** An SVG element: s("rect", {x: 1, class: "a"}, child...). */
function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function titled(kind, label, width, height, children) {
  const id = `chart-${kind}-${++ids}`;
  return s("svg", {
    viewBox: `0 0 ${width} ${height}`, class: `chart chart-${kind}`, role: "img",
    "aria-labelledby": id, focusable: "false", "data-testid": `chart-${kind}-svg`,
  }, s("title", { id }, label), ...children);
}

/** The value of a step series `samples` ([[at, queue, open]]) at `at` (the last one before). */
function valueAt(samples, at, index) {
  let value = null;
  for (const sample of samples) {
    if (sample[0] > at) break;
    value = sample[index];
  }
  return value;
}

/** The text of the load chart: now and the hour's highest, of both lines. */
export function loadSummary(samples) {
  if (!samples.length) return "Queue length and dialogs open over the last hour: no reading yet.";
  const last = samples[samples.length - 1];
  const high = (i) => Math.max(...samples.map((x) => x[i]));
  return `Queue length and dialogs open over the last hour: queue ${last[1]} now (highest ${high(1)}), ` +
    `dialogs open ${last[2]} now (highest ${high(2)}).`;
}

/** Draw the queue's length and the dialogs open of `series` ({span_s, samples}) into `box`. */
export function drawLoad(box, series) {
  const samples = series.samples;
  const end = samples.length ? samples[samples.length - 1][0] : 0;
  const start = end - series.span_s;
  const top = Math.max(1, ...samples.map((x) => Math.max(x[1], x[2])));
  const x = (at) => PAD.left + ((at - start) / series.span_s) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const line = (index, kind) => {
    // a step line: each reading holds until the next one
    const points = [];
    samples.forEach((sample, i) => {
      if (i > 0) points.push(`${x(sample[0]).toFixed(1)},${y(samples[i - 1][index]).toFixed(1)}`);
      points.push(`${x(sample[0]).toFixed(1)},${y(sample[index]).toFixed(1)}`);
    });
    if (points.length === 1) points.push(`${x(end).toFixed(1)},${y(samples[0][index]).toFixed(1)}`);
    return s("polyline", { points: points.join(" "), class: `line ${kind}`, "data-testid": `chart-line-${kind}` });
  };
  const axes = [
    s("line", { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: "axis" }),
    s("line", { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: "axis" }),
    s("text", { x: PAD.left - 4, y: PAD.top + 4, class: "tick", "text-anchor": "end" }, String(top)),
    s("text", { x: PAD.left - 4, y: H - PAD.bottom, class: "tick", "text-anchor": "end" }, "0"),
    s("text", { x: PAD.left, y: H - 4, class: "tick" }, "−60 min"),
    s("text", { x: W - PAD.right, y: H - 4, class: "tick", "text-anchor": "end" }, "now"),
  ];
  const lines = samples.length ? [line(2, "open"), line(1, "queue")] : [];
  const rows = [];
  if (samples.length) {
    for (let at = end; at >= start && at >= samples[0][0]; at -= TABLE_STEP_S) {
      rows.push(h("tr", {}, h("th", { scope: "row" }, formatClock(at)),
        h("td", {}, String(valueAt(samples, at, 1))), h("td", {}, String(valueAt(samples, at, 2)))));
    }
  }
  replaceChildren(
    box,
    titled("load", loadSummary(samples), W, H, [...axes, ...lines]),
    h("p", { class: "legend", "aria-hidden": "true" },
      h("span", { class: "key queue" }, "Queue"), h("span", { class: "key open" }, "Dialogs open")),
    h("table", { class: "sr-only", "data-testid": "chart-load-table" },
      h("caption", {}, "Queue length and dialogs open, every 10 minutes, newest first"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Time"), h("th", { scope: "col" }, "Queue"),
        h("th", { scope: "col" }, "Dialogs open"))),
      h("tbody", {}, rows)),
  );
}

/** "Ann: Connected 1:05, On break 0:30" — an operator's time in status today. */
function statusText(op, statuses) {
  const spent = statuses.filter((st) => (op.today[st] || 0) >= 1);
  const parts = spent.map((st) => `${labelFor(st)} ${formatDuration(op.today[st])}`);
  return `${op.name}: ${parts.length ? parts.join(", ") : "no time yet"}`;
}

/**
 * Draw each operator's time in each status today as a stacked bar into `box`.
 * @param {{id, name, today: Object<string, number>}[]} operators
 * @param {string[]} statuses  the status values, in the legend's order
 */
export function drawStatus(box, operators, statuses) {
  const labelW = 90;
  const height = Math.max(1, operators.length) * (BAR_H + 8) + 4;
  const longest = Math.max(1, ...operators.map((op) => statuses.reduce((t, st) => t + (op.today[st] || 0), 0)));
  const scale = (W - labelW - PAD.right) / longest;
  const bars = operators.map((op, i) => {
    const y = 4 + i * (BAR_H + 8);
    let x = labelW;
    const parts = statuses.filter((st) => (op.today[st] || 0) > 0).map((st) => {
      const width = op.today[st] * scale;
      const part = s("rect", { x: x.toFixed(1), y, width: Math.max(0.5, width).toFixed(1), height: BAR_H,
        class: `bar status-${st}`, "data-status": st },
      s("title", {}, `${labelFor(st)} ${formatDuration(op.today[st])}`));
      x += width;
      return part;
    });
    return s("g", { "data-testid": "chart-status-bar", "data-operator": op.id },
      s("text", { x: labelW - 6, y: y + BAR_H - 5, class: "tick", "text-anchor": "end" }, op.name), ...parts);
  });
  const label = operators.length
    ? `Time in each status today. ${operators.map((op) => statusText(op, statuses)).join(". ")}.`
    : "Time in each status today: no operator online.";
  const used = statuses.filter((st) => operators.some((op) => (op.today[st] || 0) > 0));
  replaceChildren(
    box,
    titled("status", label, W, height, bars),
    h("p", { class: "legend", "aria-hidden": "true" },
      used.map((st) => h("span", { class: `key status-${st}` }, labelFor(st)))),
    h("table", { class: "sr-only", "data-testid": "chart-status-table" },
      h("caption", {}, "Time in each status today, per operator"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Operator"),
        statuses.map((st) => h("th", { scope: "col" }, labelFor(st))))),
      h("tbody", {}, operators.map((op) => h("tr", {}, h("th", { scope: "row" }, op.name),
        statuses.map((st) => h("td", {}, formatDuration(op.today[st] || 0))))))),
  );
}
