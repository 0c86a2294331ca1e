"""How a dialog closes: the survey its close sends (``engine/close_survey.py``), if any,
then ``dialog.closed``, and what closing tells the holder, the queue and the actor itself.
A close by a participant (``dialog_state``), by inactivity (``dialog_routing``) and the
supervisor's close of a given-up dialog all go through here. Pure: decisions in, nothing
done."""

from __future__ import annotations

from frontdesk.engine import events, messages, notices
from frontdesk.engine.close_survey import survey_at_close
from frontdesk.engine.dialog_model import DialogState, Phase, apply
from frontdesk.engine.dialog_replies import ack as _ack
from frontdesk.engine.dialog_replies import history as _history
from frontdesk.engine.history import entry as _entry_of
from frontdesk.engine.settings import EngineSettings

__all__ = ["close_effects", "closing"]


def close_effects(
    s: DialogState, by: str, reason: str, now: float
) -> tuple[events.DialogClosed, tuple[messages.Effect, ...]]:
    """The ``dialog.closed`` event of ``s`` and what closing tells (the holder, the queue,
    the actor itself); the supervisor closes a given-up dialog with it too."""
    e = events.DialogClosed(dialog=s.id, at=now, seq=s.seq + 1, by=by, reason=reason)
    fx: list[messages.Effect] = []
    if s.operator is not None:
        fx.append(messages.Tell(f"operator:{s.operator}",
                                messages.DialogReleased(s.id, e.seq, "closed")))
    if s.phase is Phase.QUEUED:
        fx.append(messages.Tell("queue", messages.Dequeue(s.id)))
    fx.append(messages.Tell(s.address, messages.Retire()))
    return e, tuple(fx)


def closing(s: DialogState, by: str, reason: str, now: float, cfg: EngineSettings, *,
            ref: str | None = None, answered: bool = True,
            left: bool = False) -> messages.Decision:
    """The close of ``s``: the survey its close sends (``engine/close_survey.py``), if
    any, then ``dialog.closed``, in one decision (one commit); ``answered``: the command's
    ack (of the close's seq) first."""
    survey = survey_at_close(s, by, left, now, cfg)
    before = s if survey is None else apply(s, survey)
    e, fx = close_effects(before, by, reason, now)
    first = _history(s, survey) if survey is not None else messages.Decision()
    ack = (_ack(ref, s, e.seq),) if answered else ()
    return messages.Decision((*first.events, e),
                             (*ack, *first.effects, messages.Publish(_entry(e)), *fx))


def _entry(e: events.Event) -> notices.Notice:
    note = _entry_of(e)
    assert note is not None
    return note
