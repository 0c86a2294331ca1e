// The manager view's Reports section: a day or a range of days (in the server's time zone
// or UTC), GET /api/reports, the table of each operator's figures with the team's total,
// and a CSV download link for the same figures (docs/protocol.md, "Reports").
// Data goes in as text only (dom.h / setText).

import { labelFor } from "../api.js";
import { h, replaceChildren, setText } from "../dom.js";
import { formatDuration } from "../time.js";

const $ = (id) => document.getElementById(id);

/** "2026-12-03" for a Date, in the browser's own calendar. */
export function isoDay(date) {
  const mm = String(date.getMonth() + 1).padStart(2, "0");
  const dd = String(date.getDate()).padStart(2, "0");
  return `${date.getFullYear()}-${mm}-${dd}`;
}

/** The query of the form's period: from, to and tz (left out: the server's zone). */
export function reportQuery(from, to, zone, format = "json") {
  const params = new URLSearchParams({ from, to: to || from });
  if (zone) params.set("tz", zone);
  if (format !== "json") params.set("format", format);
  return `/api/reports?${params}`;
}

function seconds(value) {
  return value === null || value === undefined ? "—" : formatDuration(value);
}

function pair(summary) {
  if (!summary || !summary.count) return "—";
  return `${seconds(summary.mean_s)} / ${seconds(summary.median_s)}`;
}

function statusList(statusS, statuses) {
  const spent = statuses.filter((s) => (statusS[s] || 0) >= 1);
  if (!spent.length) return "—";
  return h(
    "ul",
    { class: "report-status" },
    spent.map((s) => h("li", {}, `${labelFor(s)} ${formatDuration(statusS[s])}`)),
  );
}

function row(o, statuses, cell, testid) {
  return h(
    "tr",
    { "data-testid": testid, "data-operator": o.id || "total" },
    h(cell, cell === "th" ? { scope: "row" } : {}, o.name || o.id),
    h("td", { "data-testid": "report-dialogs" }, String(o.dialogs)),
    h("td", { "data-testid": "report-first-response" }, pair(o.first_response)),
    h("td", { "data-testid": "report-handling" }, pair(o.handling)),
    h("td", { "data-testid": "report-status" }, statusList(o.status_s || {}, statuses)),
    h("td", { "data-testid": "report-transfers" }, `${o.transfers_in} / ${o.transfers_out}`),
    h("td", { "data-testid": "report-help" }, String(o.help_requests)),
  );
}

/** Draw a report (the JSON of GET /api/reports) into the section's table. */
export function renderReport(report) {
  const statuses = Array.isArray(report.statuses) ? report.statuses : [];
  const operators = Array.isArray(report.operators) ? report.operators : [];
  replaceChildren(
    $("report-rows"),
    operators.length
      ? operators.map((o) => row(o, statuses, "th", "report-row"))
      : h("tr", {}, h("td", { colspan: "7", class: "muted" }, "No operator worked in this period.")),
  );
  replaceChildren($("report-total"), row(report.total, statuses, "th", "report-total-row"));
  const period = report.from === report.to ? report.from : `${report.from} to ${report.to}`;
  setText($("report-caption"),
    `${period} (${report.time_zone}): ${report.opened} dialogs opened, ${report.closed} closed`);
}

class ReportsSection {
  constructor() {
    this.form = $("report-form");
    this.status = $("report-status");
    this.csv = $("report-csv");
    this.asked = 0; // answers older than the latest question are dropped
  }

  start() {
    const today = isoDay(new Date());
    $("report-from").value = today;
    $("report-to").value = today;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.load();
    });
    for (const id of ["report-from", "report-to", "report-zone"]) {
      $(id).addEventListener("change", () => this.linkCsv());
    }
    this.linkCsv();
    this.form.querySelector("button[type=submit]").disabled = false;
    // not loaded by itself: a report reads the whole journal, and a page opens often
    setText(this.status, "Choose the days and press Show report.");
  }

  period() {
    return [$("report-from").value, $("report-to").value || $("report-from").value, $("report-zone").value];
  }

  linkCsv() {
    const [from, to, zone] = this.period();
    this.csv.href = reportQuery(from, to, zone, "csv");
    this.csv.setAttribute("download", `report-${from}-${to}.csv`);
  }

  async load() {
    const [from, to, zone] = this.period();
    const asked = ++this.asked;
    setText(this.status, "Loading…");
    let answer;
    try {
      const response = await fetch(reportQuery(from, to, zone), { credentials: "same-origin" });
      const body = await response.json();
      answer = response.ok ? { report: body } : { error: (body.error && body.error.message) || `HTTP ${response.status}` };
    } catch (error) {
      answer = { error: `the report could not be loaded (${error.message})` };
    }
    if (asked !== this.asked) return;
    if (answer.error) {
      setText(this.status, `Refused: ${answer.error}`);
      this.status.classList.add("error");
      // the table of an earlier period would read as this one's
      replaceChildren($("report-rows"));
      replaceChildren($("report-total"));
      setText($("report-caption"), "");
      return;
    }
    this.status.classList.remove("error");
    setText(this.status, "");
    renderReport(answer.report);
    this.form.dataset.loaded = String(asked);
  }
}

new ReportsSection().start();
