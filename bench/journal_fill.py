"""Fill a journal fast with a realistic history, straight through the journal port.

``fill(journal, records, open_dialogs)`` appends about ``records`` engine events in
transactions of ``batch`` events: ``open_dialogs`` dialogs that stay open (queued, with
a few visitor messages each), and before them as many closed dialogs as it takes
(opened, ``messages`` visitor messages, closed). The events are the engine's own
(``frontdesk.engine.events``), so a replay folds them as it folds a real day; no websocket, no
actor is involved, which is what makes a 1M-record journal a matter of seconds.
Used by ``bench.failover`` and by the failover tests (a big journal on a real process).
"""

from __future__ import annotations

from collections.abc import Iterator

from frontdesk.engine import events as engine_events
from frontdesk.engine.journal import Journal
from frontdesk.engine.replay import Fold


def _dialog(number: int, messages: int, close: bool, at: float) -> Iterator[engine_events.Event]:
    d = f"d-{number}"
    yield engine_events.DialogOpened(
        dialog=d, at=at, seq=1, number=number, token_hash=f"fill-{number}", visitor_name="V"
    )
    for i in range(messages):
        yield engine_events.MessagePosted(
            dialog=d, at=at, seq=i + 2, author="visitor", name="V", text=f"message {i}"
        )
    if close:
        yield engine_events.DialogClosed(dialog=d, at=at, seq=messages + 2, by="visitor",
                                         reason="bye")


def events(records: int, open_dialogs: int, messages: int = 8) -> Iterator[engine_events.Event]:
    """About ``records`` events: closed dialogs first, then the ``open_dialogs`` open ones."""
    open_cost = open_dialogs * 3
    closed = max(0, records - open_cost) // (messages + 2)
    number = 1
    for _ in range(closed):
        for e in _dialog(number, messages, True, 1.0):
            yield e
        number += 1
    for _ in range(open_dialogs):
        for e in _dialog(number, 2, False, 2.0):
            yield e
        number += 1


def fill(
    journal: Journal,
    records: int,
    open_dialogs: int = 0,
    *,
    epoch: int = 1,
    batch: int = 5000,
    into: Fold | None = None,
) -> int:
    """Append the events of ``events(records, open_dialogs)``; returns the journal's last
    seq. With ``into``, the appended events are folded into it as the store folds them
    (so a checkpoint of it can be written without reading the journal back)."""
    chunk: list[engine_events.Event] = []

    def flush() -> None:
        made = journal.append([engine_events.to_new_event(e) for e in chunk], epoch)
        if into is not None:
            into.apply_appended(made, chunk)
        chunk.clear()

    for e in events(records, open_dialogs):
        chunk.append(e)
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    return journal.last()[1]
