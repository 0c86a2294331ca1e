"""What a dialog's decisions answer and publish, shared by its handlers
(``frontdesk.engine.dialog_state`` and ``frontdesk.engine.dialog_step_in``): the ``Ack``
placeholder, a refusal, a history entry with its effects, and a command's entry after its
answer. Pure: decisions in, nothing done."""

from __future__ import annotations

from frontdesk.engine import events as ev
from frontdesk.engine import messages as m
from frontdesk.engine import notices as n
from frontdesk.engine.dialog_model import DialogState
from frontdesk.engine.history import entry

__all__ = ["ack", "answered", "history", "reject"]


def ack(ref: str | None, s: DialogState, seq: int | None = None) -> m.Reply:
    return m.Reply(None, n.Ack(ref, s.id, s.seq if seq is None else seq))


def reject(cmd: m.Inbound, s: DialogState, code: str, message: str) -> m.Decision:
    return m.Decision(
        (), (m.Reply(cmd.reply_to, n.Rejected(cmd.command.ref, code, message, s.id)),)
    )


def history(s: DialogState, e: ev.Event, *extra: m.Effect) -> m.Decision:
    note = entry(e)
    fx: tuple[m.Effect, ...] = (m.Publish(note),) if note is not None else ()
    return m.Decision((e,), fx + extra)


def answered(s: DialogState, e: ev.Event, answer: m.Effect, *extra: m.Effect) -> m.Decision:
    """A command's entry: its answer (the ack) first, then the entry and the rest — the
    order ``docs/protocol.md`` promises (a ``say`` is the exception that proves it: its
    entry *is* its answer, so the entry comes first and its ack is not written)."""
    d = history(s, e, *extra)
    return m.Decision(d.events, (answer, *d.effects))
