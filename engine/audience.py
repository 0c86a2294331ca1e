"""Who receives what: a notice delivered to watchers of several audiences.

Each watcher of an address was added as a ``visitor``, an ``operator`` or a
``manager`` (``Directory.add_watcher``); each notice says, through
``Notice.for_audience``, which form of it each audience gets (see
``engine/notices.py``). ``deliveries`` turns one published notice into the
``Deliver`` effects that send each audience its own form and nothing else:
a help request never reaches a visitor's subscriber, a transfer's note
neither, and the side that types is not told its own typing.

``of_watch`` says as whom a ``Watch`` of a dialog watches (None: it may not),
so the live deliveries and the replay of the history use the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.engine import messages, notices
from frontdesk.engine.dialog_model import DialogState, Phase


def deliveries(
    watchers: Sequence[tuple[notices.Subscriber, notices.Audience]], notice: notices.Notice,
    managers: bool
) -> tuple[messages.Deliver, ...]:
    """The deliveries of ``notice`` to ``watchers`` (and to every manager if ``managers``)."""
    if notice.same_for_everyone():
        return (messages.Deliver(tuple(s for s, _ in watchers), notice, managers),)
    groups: dict[notices.Audience, list[notices.Subscriber]] = {}
    for sub, who in watchers:
        groups.setdefault(who, []).append(sub)
    out: list[messages.Deliver] = []
    for who, subs in groups.items():
        form = notice.for_audience(who)
        if form is not None:
            out.append(messages.Deliver(tuple(subs), form, False))
    if managers:
        form = notice.for_audience("manager")
        if form is not None:
            out.append(messages.Deliver((), form, True))
    return tuple(out)


def last_holder(s: DialogState) -> str | None:
    """The operator who held the dialog last (also once it is closed, or requeued)."""
    for h in reversed(s.history):
        if isinstance(h, notices.DialogAssigned):
            return h.operator
        if isinstance(h, notices.DialogTransferred):
            return h.to_operator
    return None


def of_watch(s: DialogState, w: messages.Watch) -> notices.Audience | None:
    """As whom ``w`` watches ``s``: a manager, its visitor (by token hash), the operator
    who holds it (once closed: who held it last); None if it may not watch."""
    if w.manager_id is not None:
        return "manager"
    if w.token_hash is not None and w.token_hash == s.token_hash:
        return "visitor"
    holder = last_holder(s) if s.phase is Phase.CLOSED else s.operator
    if w.operator_id is not None and w.operator_id == holder:
        return "operator"
    return None
