// The manager view's shared predefined answers: the list and form of ../answers_editor.js
// on the shared routes (a manager's session).

import { AnswerEditor, fetchAnswers } from "../answers_editor.js";

const editor = new AnswerEditor({
  list: () => fetchAnswers("/api/predefined/shared"),
  base: "/api/predefined/shared",
  noneText: "No shared answers yet.",
});
editor.render();
