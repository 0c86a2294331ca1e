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
    case "dialog.requeued":
      return `Back in the queue (${entry.reason || entry.operator}).`;
    case "dialog.closed":
      return `Dialog closed by ${entry.by}${entry.reason ? ` (${entry.reason})` : ""}.`;
    default:
      return null;
  }
}
