"""History entries: the notice a dialog publishes (and replays) for each of its events."""

from __future__ import annotations

from engine import events as ev
from engine import notices as n


def entry(e: ev.Event) -> n.DialogNotice | None:
    """The history entry (the notice published) for a dialog event; None if not one."""
    if isinstance(e, ev.DialogOpenedEv):
        return n.DialogOpened(e.dialog, e.seq, e.at, e.visitor_name, dict(e.info))
    if isinstance(e, ev.DialogAssignedEv):
        return n.DialogAssigned(e.dialog, e.seq, e.at, e.operator, e.operator_name)
    if isinstance(e, ev.MessagePostedEv):
        author: n.Author = (
            "visitor"
            if e.author == "visitor"
            else ("operator" if e.author == "operator" else "system")
        )
        return n.MessagePosted(e.dialog, e.seq, e.at, author, e.name, e.text, e.ref)
    if isinstance(e, ev.DialogTransferredEv):
        return n.DialogTransferred(
            e.dialog, e.seq, e.at, e.from_operator, e.from_name, e.to_operator, e.to_name, e.note
        )
    if isinstance(e, ev.DialogRequeuedEv):
        return n.DialogRequeued(e.dialog, e.seq, e.at, e.operator, e.reason)
    if isinstance(e, ev.LookingForInfoEv):
        return n.LookingForInfo(e.dialog, e.seq, e.at, e.operator_name, e.reminder)
    if isinstance(e, ev.ImportantMarkedEv):
        return n.ImportantMarked(e.dialog, e.seq, e.at, e.important)
    if isinstance(e, ev.HelpRequestedEv):
        return n.HelpRequested(e.dialog, e.seq, e.at, e.operator, e.text)
    if isinstance(e, ev.DialogClosedEv):
        return n.DialogClosed(e.dialog, e.seq, e.at, e.by, e.reason)
    return None
