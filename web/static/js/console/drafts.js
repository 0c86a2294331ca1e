// Half-typed replies, kept per dialog in sessionStorage so a reload does not lose them.

const PREFIX = "frontdesk.draft.";

function store() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage refused (privacy settings): drafts live only in the page
  }
}

export function loadDraft(dialogId) {
  const s = store();
  return (s && s.getItem(PREFIX + dialogId)) || "";
}

export function saveDraft(dialogId, text) {
  const s = store();
  if (!s) return;
  try {
    if (text) s.setItem(PREFIX + dialogId, text);
    else s.removeItem(PREFIX + dialogId);
  } catch {
    // quota exceeded: the draft stays in the text box only
  }
}
