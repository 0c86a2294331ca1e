// What each kind of dialog-history entry says, to staff and to the visitor.
//
// Adding a kind of entry: write ONE function here, `KINDS["dialog.x"] = (entry, ctx) => …`,
// returning `note(text, tone)` (a line about the dialog), `said(who, author, body)` (something
// someone said: a message, a file…) or null (this audience is not shown it). `ctx.visitor` is
// true when the visitor reads (the widget): word it for them, and return null for anything
// internal (the engine's audience, engine/audience.py, keeps such entries from visitors too;
// this is the page's second guard). `ctx.clock(at)` formats a time. Every page (widget,
// console, manager, print) renders through history/render.js, which reads this table: a kind
// missing here shows nothing anywhere.

import { h } from "../dom.js";
import { fileNodes } from "../files.js";
import { messageNodes } from "../rich.js";

/** A line about the dialog: its text (a string) and a tone ("" or e.g. "closed"). */
export const note = (text, tone = "") => ({ form: "note", text, tone });

/** Something said: who said it, the author kind (visitor/operator/system…), the body's nodes. */
export const said = (who, author, body) => ({ form: "said", who, author, body });

const CLOSERS = { visitor: "the visitor", operator: "the operator", manager: "a manager", engine: "the system" };

/** What the visitor reads of a close: why, when they were away too long (server.visitor_grace_s). */
function visitorClosedLine(entry) {
  const reason = typeof entry.reason === "string" ? entry.reason : "";
  const away = /^the visitor left \((.+)\)$/.exec(reason);
  return away ? `The chat was closed while you were away (${away[1]}).` : "The chat has ended.";
}

/** "Dialog closed by the operator." — the reason only when it says more than who closed it. */
function closedLine(entry) {
  const who = CLOSERS[entry.by] || entry.by || "the system";
  const reason = entry.reason || "";
  const redundant = !reason || reason === `closed by the ${entry.by}`;
  return `Dialog closed by ${who}${redundant ? "." : ` — ${reason}.`}`;
}

/** An answer as people read it: a rating "4 of 5", options joined, "—" for none. */
function answerText(q, a) {
  if (a === null || a === undefined) return "—";
  if (q && q.kind === "rating") return `${a} of 5`;
  return Array.isArray(a) ? a.join(", ") : String(a);
}

/** The answers of a dialog.survey_answered: each question and its answer. */
function surveyAnswers(e) {
  const questions = e.questions || [];
  return h("dl", { class: "survey-answers", "data-testid": "survey-answers" },
    (e.answers || []).map((a, i) => [
      h("dt", {}, questions[i] ? questions[i].text : `Question ${i + 1}`),
      h("dd", {}, answerText(questions[i], a)),
    ]));
}

/** @type {Record<string, (entry: any, ctx: {visitor: boolean, clock: (at: number) => string, visitorName: string, files: any}) => any>} */
export const KINDS = {
  "dialog.message": (e, ctx) => {
    const who = ctx.visitor && e.author === "visitor" ? ctx.visitorName || "You" : e.name || e.author;
    // a manager wrote to the visitor: the visitor sees the name, staff see it marked
    const marked = !ctx.visitor && e.author === "manager" ? `${who} (manager, to the visitor)` : who;
    return said(marked, e.author, messageNodes(e));
  },
  // between a manager and the dialog's operator: never the visitor's (engine/audience.py too)
  "dialog.internal": (e, ctx) =>
    ctx.visitor ? null : said(`${e.name || e.author_id} (${e.author}, internal)`, "internal", e.text),
  "dialog.file": (e, ctx) => {
    const who = e.author === "visitor" ? (ctx.visitor ? ctx.visitorName || "You" : "Visitor") : e.author_name || e.author;
    const files = ctx.files || {};
    const where = { server: files.server || window.location.origin, token: files.token || null, prefix: ctx.visitor ? "fd-" : "" };
    return said(who, e.author, fileNodes(h, e, where));
  },
  // the widget also opens the survey in its sidebar (widget/survey.js) until answered
  "dialog.survey": (e, ctx) =>
    note(ctx.visitor
      ? `${e.operator_name || "Your operator"} sent you a survey: ${e.title}.`
      : `Survey “${e.title}” sent by ${e.operator_name || "the operator"}.`, "survey"),
  "dialog.survey_answered": (e, ctx) =>
    ctx.visitor
      ? note("Thank you for answering the survey.", "survey")
      : said("Visitor (survey answers)", "visitor", surveyAnswers(e)),
  "dialog.opened": (e, ctx) =>
    ctx.visitor
      ? null
      : e.monitored_by
        ? note(`${e.monitored_by} opened this monitored dialog for ${e.visitor_name || "a person"} at ${ctx.clock(e.at)}; their link was mailed.`)
        : note(`${e.visitor_name || "A visitor"} opened the dialog at ${ctx.clock(e.at)}.`),
  "dialog.assigned": (e, ctx) =>
    note(ctx.visitor ? `You are now chatting with ${e.operator_name}.` : `Assigned to ${e.operator_name}.`),
  "dialog.transferred": (e, ctx) =>
    note(
      ctx.visitor
        ? `Your chat was transferred to ${e.to_name}.`
        : `Transferred from ${e.from_name} to ${e.to_name}${e.note ? ` — note: ${e.note}` : "."}`,
      "transferred",
    ),
  "dialog.looking_for_info": (e, ctx) => {
    if (ctx.visitor) {
      return note(
        e.reminder
          ? `${e.operator_name} is still looking for information. Thank you for waiting.`
          : `${e.operator_name} is looking for information. Please wait a moment.`,
        "looking",
      );
    }
    return note(
      e.reminder
        ? `Reminder sent to the visitor: ${e.operator_name} is still looking for information.`
        : `The visitor was told that ${e.operator_name} is looking for information.`,
    );
  },
  "dialog.important": (e, ctx) =>
    ctx.visitor ? null : note(e.important ? "Marked important." : "No longer marked important."),
  "dialog.help_requested": (e, ctx) => (ctx.visitor ? null : note(`Help requested${e.text ? `: ${e.text}` : "."}`)),
  // a manager is on it; then its trace once resolved: staff only (engine/audience.py too)
  "dialog.help_acked": (e, ctx) => (ctx.visitor ? null : note(`${e.name || e.manager} is on the help request.`, "help")),
  "dialog.help_resolved": (e, ctx) =>
    ctx.visitor ? null : note(`Help request resolved by ${e.name || e.author_id}${e.text ? `: ${e.text}` : "."}`, "help"),
  "dialog.mail": (e, ctx) =>
    ctx.visitor ? null : note(`${e.kind === "transcript" ? "Transcript" : "Mail"} ${e.text}.`),
  "dialog.requeued": (e, ctx) =>
    note(
      ctx.visitor
        ? "Your operator was disconnected. You keep your place at the head of the queue; the next operator will answer."
        : `Back in the queue (${e.reason || e.operator}).`,
    ),
  "dialog.closed": (e, ctx) => note(ctx.visitor ? visitorClosedLine(e) : closedLine(e), "closed"),
};

/** The line for a gap: the history before this point is no longer kept (a discontinuity). */
export const gapNote = (ctx) =>
  note(ctx.visitor ? "Earlier messages are no longer available." : "Earlier history is no longer available.", "gap");
