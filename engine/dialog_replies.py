"""What a dialog's decisions answer and publish, shared by its handlers
(``frontdesk.engine.dialog_state``, ``dialog_step_in``, ``dialog_surveys``, ``dialog_routing``
and ``dialog_closing``): the ``Ack`` placeholder, a refusal, a history entry with its
effects, a command's entry after its answer, and the refusal of a command that is not the
dialog's visitor's or not its holder's. Pure: decisions in, nothing done."""

from __future__ import annotations

from frontdesk.engine import commands, events, messages, notices
from frontdesk.engine.dialog_model import DialogState
from frontdesk.engine.history import entry

__all__ = ["ack", "answered", "history", "not_the_holders", "not_the_visitors", "reject"]


def ack(ref: str | None, s: DialogState, seq: int | None = None) -> messages.Reply:
    return messages.Reply(None, notices.Ack(ref, s.id, s.seq if seq is None else seq))


def reject(cmd: messages.Inbound, s: DialogState, code: str, message: str) -> messages.Decision:
    return messages.Decision(
        (), (messages.Reply(cmd.reply_to, notices.Rejected(cmd.command.ref, code, message, s.id)),)
    )


def history(s: DialogState, e: events.Event, *extra: messages.Effect) -> messages.Decision:
    note = entry(e)
    fx: tuple[messages.Effect, ...] = (messages.Publish(note),) if note is not None else ()
    return messages.Decision((e,), fx + extra)


def answered(s: DialogState, e: events.Event, answer: messages.Effect,
             *extra: messages.Effect) -> messages.Decision:
    """A command's entry: its answer (the ack) first, then the entry and the rest — the
    order ``docs/protocol.md`` promises (a ``say`` is the exception that proves it: its
    entry *is* its answer, so the entry comes first and its ack is not written)."""
    d = history(s, e, *extra)
    return messages.Decision(d.events, (answer, *d.effects))


def not_the_visitors(s: DialogState, cmd: messages.Inbound) -> messages.Decision | None:
    """A refusal unless the command is the dialog's visitor's (its token), else None."""
    command = cmd.command
    if command.token_hash != s.token_hash:  # type: ignore[attr-defined]
        return reject(cmd, s, "forbidden", f"cannot {commands.action(command)}: not your dialog")
    return None


def not_the_holders(s: DialogState, cmd: messages.Inbound) -> messages.Decision | None:
    """A refusal unless the command is the holder's, else None."""
    command = cmd.command
    operator = command.operator_id  # type: ignore[attr-defined]
    if s.operator == operator:
        return None
    held = "it is queued" if s.operator is None else "another operator holds it"
    return reject(cmd, s, "forbidden", f"cannot {commands.action(command)} as {operator}: {held}")
