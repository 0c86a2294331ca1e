// The widget's survey sidebar: the newest survey the operator sent and the visitor has not
// answered yet (a dialog.survey without its dialog.survey_answered) — once the chat is
// closed, only the one its close sent ([surveys] on_close: it has an answer_until) while
// its window lasts — as a form of
// fieldsets — a rating 1–5 and a single choice as radio buttons, a multiple choice as
// checkboxes, a free text as a text box — answered once (survey_answer). Keyboard: the
// radio groups move with the arrows, Tab goes on; every control has its label, each
// question is a fieldset whose legend is the question (required ones say so).

let counter = 0;

/**
 * The survey still to answer among `entries` (the newest), or null. `done`: seqs the
 * server refused for good (expired, answered already); `now`: ms, for the close's window.
 */
export function pendingSurvey(entries, { done = new Set(), now = Date.now() } = {}) {
  const answered = new Set(entries.filter((e) => e.type === "dialog.survey_answered").map((e) => e.survey));
  const closed = entries.some((e) => e.type === "dialog.closed");
  const open = entries.filter((e) => e.type === "dialog.survey" && !answered.has(e.seq) && !done.has(e.seq)
    && (!closed || (e.answer_until > 0 && e.answer_until * 1000 > now)));
  return open.length ? open[open.length - 1] : null;
}

function questionField(h, q, i) {
  const name = `fd-sq-${++counter}-${i}`;
  const legend = h("legend", {}, q.text, q.required ? h("span", { class: "fd-required" }, " (required)") : null);
  const choice = (type, value, label) => {
    const id = `${name}-${String(value).replace(/[^A-Za-z0-9]/g, "_")}-${++counter}`;
    return h("span", { class: "fd-choice" },
      h("input", { type, id, name, value: String(value), "data-testid": "fd-survey-choice" }),
      h("label", { for: id }, label));
  };
  let controls;
  if (q.kind === "rating") controls = [1, 2, 3, 4, 5].map((n) => choice("radio", n, String(n)));
  else if (q.kind === "single") controls = q.options.map((o) => choice("radio", o, o));
  else if (q.kind === "multiple") controls = q.options.map((o) => choice("checkbox", o, o));
  else {
    controls = [h("textarea", { name, rows: 3, maxlength: 2000, "aria-label": q.text, "data-testid": "fd-survey-text" })];
  }
  const set = h("fieldset", { class: `fd-survey-q fd-survey-${q.kind}`, "data-testid": "fd-survey-question" },
    legend, h("div", { class: "fd-choices" }, controls));
  set.read = () => {
    if (q.kind === "text") return set.querySelector("textarea").value.trim() || null;
    const checked = [...set.querySelectorAll("input:checked")].map((input) => input.value);
    if (q.kind === "multiple") return checked.length ? checked : null;
    if (!checked.length) return null;
    return q.kind === "rating" ? Number(checked[0]) : checked[0];
  };
  return set;
}

/** The sidebar: `element` to place in the panel, `render(entries)` after each change. */
export function surveyPanel(h, send) {
  const title = h("h2", { class: "fd-survey-title", id: `fd-survey-title-${++counter}`, tabindex: "-1" });
  const by = h("p", { class: "fd-survey-by" });
  const questions = h("div", { class: "fd-survey-questions" });
  const problem = h("p", { class: "fd-survey-problem", role: "alert", "data-testid": "fd-survey-problem", hidden: true });
  const form = h("form", { class: "fd-survey-form", novalidate: true },
    questions, problem, h("button", { type: "submit", "data-testid": "fd-survey-send" }, "Send answers"));
  const element = h("aside", { class: "fd-survey", "data-testid": "fd-survey", "aria-labelledby": title.id, hidden: true },
    title, by, form);
  let shown = null; // the seq of the survey in the form
  let fields = [];
  let sending = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (shown === null || sending) return;
    const answers = fields.map((f) => f.read());
    const missing = fields.findIndex((f, i) => f.required && answers[i] === null);
    if (missing >= 0) {
      problem.textContent = `Please answer question ${missing + 1}: it is required.`;
      problem.hidden = false;
      fields[missing].querySelector("input, textarea").focus();
      return;
    }
    problem.hidden = true;
    sending = send(shown, answers);
  });
  return {
    element,
    render(entries, options) {
      const survey = pendingSurvey(entries, options);
      element.hidden = survey === null;
      if (survey === null) {
        shown = null;
        return;
      }
      if (survey.seq === shown) return;
      const first = shown === null;
      shown = survey.seq;
      sending = false;
      title.textContent = survey.title || "Survey";
      const who = survey.operator_name || "Your operator";
      by.textContent = survey.answer_until > 0
        ? `Before you go: ${who} would like to know how the chat went. You can answer until ${new Date(survey.answer_until * 1000).toLocaleString()}.`
        : `${who} asks a few questions.`;
      fields = survey.questions.map((q, i) => Object.assign(questionField(h, q, i), { required: Boolean(q.required) }));
      questions.replaceChildren(...fields);
      problem.hidden = true;
      if (first) title.focus({ preventScroll: true });
    },
    /** A refused answer: the form may be sent again. */
    refused() {
      sending = false;
    },
  };
}
