// A page's look for history entries: the class prefix and the test ids its CSS and tests use.
// p: prefix of every class (the widget's "fd-", inside its shadow root); note: a note's class;
// noteId / msgId / textId: data-testid of a note, a said line, a said line's body.

export const SKINS = {
  console: { p: "", note: "sys", noteId: "sys", msgId: "msg", textId: "msg-text" },
  manager: { p: "", note: "sys", noteId: "monitor-sys", msgId: "monitor-msg", textId: "monitor-msg-text" },
  widget: { p: "fd-", note: "fd-note", noteId: "fd-note", msgId: "fd-msg", textId: "fd-msg-text" },
};
