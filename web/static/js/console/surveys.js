// The console's survey drop-down: the templates of GET /api/surveys (asked again each time
// the list is opened, so a new one shows up), and "Send survey" sends the chosen one to the
// open dialog's visitor (the operator frame `survey`); its entry shows in the history.

import { h, replaceChildren } from "../dom.js";

const $ = (id) => document.getElementById(id);

async function loadTemplates() {
  try {
    const response = await fetch("/api/surveys", { credentials: "same-origin" });
    if (!response.ok) return null;
    const body = await response.json();
    return Array.isArray(body.surveys) ? body.surveys : null;
  } catch {
    return null;
  }
}

/** Wire the drop-down; `command(type, extra)` sends a frame about the open dialog. */
export function wireSurveys(command) {
  const pick = $("survey-pick");
  const send = $("send-survey");
  const refresh = async () => {
    const surveys = await loadTemplates();
    if (surveys === null) return;
    const chosen = pick.value;
    replaceChildren(pick, h("option", { value: "" }, surveys.length ? "Survey…" : "No surveys"),
      surveys.map((s) => h("option", { value: String(s.id) }, s.title)));
    pick.value = surveys.some((s) => String(s.id) === chosen) ? chosen : "";
    send.disabled = pick.disabled || !pick.value;
  };
  pick.addEventListener("focus", refresh);
  pick.addEventListener("change", () => {
    send.disabled = pick.disabled || !pick.value;
  });
  send.addEventListener("click", () => {
    if (!pick.value) return;
    command("survey", { survey: Number(pick.value) });
    pick.value = "";
    send.disabled = true;
  });
  refresh();
}
