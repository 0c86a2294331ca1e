// The operator's own predefined answers, managed in a small dialog of the console
// ("My answers…"): the list and form of ../answers_editor.js on the personal routes.

import { AnswerEditor, fetchAnswers } from "../answers_editor.js";

const $ = (id) => document.getElementById(id);

/** Wire the "My answers…" button and its dialog; `onChange()` after each change. */
export function wireMyAnswers(onChange) {
  const dialog = $("answers-dialog");
  const editor = new AnswerEditor({
    list: async () => (await fetchAnswers("/api/predefined")).filter((a) => a.kind === "personal"),
    base: "/api/predefined/personal",
    onChange,
    noneText: "No answers of your own yet.",
  });
  $("my-answers").addEventListener("click", async () => {
    dialog.showModal();
    editor.fill(null);
    await editor.render();
  });
  $("answers-close").addEventListener("click", () => dialog.close());
}
