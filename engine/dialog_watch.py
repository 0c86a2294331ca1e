"""Who may watch a dialog, and what a new watcher is told — open or closed.

A watcher of an open dialog is added by its DialogActor, which replays the
history after ``after_seq`` and then sends it everything live. A closed
dialog has no actor (or one about to retire): the store (or that actor)
replays its history from the journal, and nothing follows — the replay ends
with ``dialog.closed``, the last entry there will ever be.

    who asks                     open dialog          closed dialog
    ---------------------------  -------------------  ---------------------------
    the visitor (token hash)     replay, then live    replay of what it missed
    an operator                  if it holds it       if it held it last
    a manager                    replay, then live    replay of what it missed
    anyone else                  Rejected forbidden   Rejected forbidden

Each watcher watches as an audience (``engine/audience.py``): the replay,
like the live deliveries, gives it only the entries meant for it (a visitor
never gets a help request, the Important flag or a transfer's note).
"""


from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from frontdesk.engine import audience, messages, notices
from frontdesk.engine import events as engine_events
from frontdesk.engine.dialog_state import DialogState, Phase, apply, opened

last_holder = audience.last_holder  # kept importable from here


def authorize_watch(s: DialogState, w: messages.Watch) -> notices.Rejected | None:
    """None if ``w`` may watch ``s`` (see the table above), else the refusal."""
    if audience.of_watch(s, w) is not None:
        return None
    return notices.Rejected(w.ref, "forbidden", f"cannot watch dialog {s.id}: not yours", s.id)


PRESENCES: dict[str, Literal["here", "away", "left"]] = {
    "here": "here", "away": "away", "left": "left"}


def replay(s: DialogState, w: messages.Watch) -> tuple[messages.Effect, ...]:
    """What a new watcher is told: an ``Ack`` (``seq``: the dialog's last entry) when the
    watch has a ``ref``, the history entries after ``w.after_seq`` (after a
    ``history_gone`` when it claims more than there is), then the queue position if
    the dialog waits; or the refusal if it may not watch."""
    who = audience.of_watch(s, w)
    if who is None:
        refused = notices.Rejected(w.ref, "forbidden", f"cannot watch dialog {s.id}: not yours",
                                   s.id)
        return (messages.Reply(w.subscriber, refused),)
    subs = (w.subscriber,)
    fx: list[messages.Effect] = []
    if w.ref is not None:  # a watch asked for with a ref (a visitor's resume) is answered
        fx.append(messages.Reply(w.subscriber, notices.Ack(w.ref, s.id, s.seq)))
    if w.after_seq > s.seq:
        fx.append(messages.Deliver(subs, notices.HistoryGone(s.id, s.seq, w.after_seq), False))
    for h in s.history.after(w.after_seq):
        form = h.for_audience(who)  # a visitor is replayed only what is meant for it
        if form is not None:
            fx.append(messages.Deliver(subs, form, False))
    if s.phase is Phase.QUEUED and s.position > 0:
        fx.append(messages.Deliver(subs,
            notices.QueuePosition(s.id, s.seq, s.position, s.estimate_s), False))
    if s.monitors and who == "operator" and s.phase is not Phase.CLOSED:
        fx.append(messages.Deliver(subs, notices.MonitoringChanged(s.id, s.seq, True), False))
    presence = PRESENCES.get(s.presence)
    if presence is not None and who != "visitor" and s.phase is not Phase.CLOSED:
        fx.append(messages.Deliver(subs, notices.PresenceChanged(s.id, s.seq, presence), False))
    return tuple(fx)


def fold_stream(events: Iterable[engine_events.Event]) -> DialogState | None:
    """The state of one dialog from its stream's events (None if it was never opened):
    how a crashed DialogActor is rebuilt, and how a closed dialog's history is read."""
    state: DialogState | None = None
    for e in events:
        if isinstance(e, engine_events.DialogOpened):
            state = opened(e)
        elif state is not None:
            state = apply(state, e)
    return state
