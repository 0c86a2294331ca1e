// How an operator or a manager reads a dialog's non-message history entries.

/** One line of text for a history entry that is not a message (null: show nothing). */
export function describeEntry(entry, clock = (at) => String(at)) {
  switch (entry.type) {
    case "dialog.opened":
      return `${entry.visitor_name || "A visitor"} opened the dialog at ${clock(entry.at)}.`;
    case "dialog.assigned":
      return `Assigned to ${entry.operator_name}.`;
    case "dialog.transferred":
      return `Transferred from ${entry.from_name} to ${entry.to_name}${entry.note ? ` — note: ${entry.note}` : "."}`;
    case "dialog.looking_for_info":
      return entry.reminder
        ? `Reminder sent to the visitor: ${entry.operator_name} is still looking for information.`
        : `The visitor was told that ${entry.operator_name} is looking for information.`;
    case "dialog.important":
      return entry.important ? "Marked important." : "No longer marked important.";
    case "dialog.help_requested":
      return `Help requested${entry.text ? `: ${entry.text}` : "."}`;
    case "dialog.mail":
      return `${entry.kind === "transcript" ? "Transcript" : "Mail"} ${entry.text}.`;
    case "dialog.file":
      return `File sent by ${entry.author_name || entry.author}: ${entry.name}.`;
    case "dialog.requeued":
      return `Back in the queue (${entry.reason || entry.operator}).`;
    case "dialog.closed":
      return closedLine(entry);
    default:
      return null;
  }
}

const CLOSERS = { visitor: "the visitor", operator: "the operator", manager: "a manager", engine: "the system" };

/** "Dialog closed by the operator." — the reason only when it says more than who closed it. */
function closedLine(entry) {
  const who = CLOSERS[entry.by] || entry.by || "the system";
  const reason = entry.reason || "";
  const redundant = !reason || reason === `closed by the ${entry.by}`;
  return `Dialog closed by ${who}${redundant ? "." : ` — ${reason}.`}`;
}
