"""History cost: a message in a long dialog against one in a short dialog.

Two figures, both in-process (no sockets), each a long dialog's cost beside a short
one's as the floor, so a ratio of 1 means the cost does not grow with the length:

* ``apply``: the dialog's fold of ``dialog.message`` events (``dialog_state.apply``,
  what the DialogActor runs for every message, each state from the last), µs per event
  over ``reps`` events with the garbage collector off (as ``timeit``), the median of
  ``rounds``, on a dialog of ``long`` entries and on one of ``short``;
* ``engine``: an operator's message through the whole engine (``EngineHarness``: the
  shared dispatcher, a ``MemoryJournal``, the store and its projection), from submit to
  its Ack with the engine settled, median over ``messages`` messages sent alternately
  into a dialog of ``long`` entries and one of ``short``.

``python -m bench --only history`` (part of the standard suite; a few seconds).
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any

from bench.figures import Figure
from frontdesk.engine import commands, dialog_state, notices
from frontdesk.engine import events as engine_events
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.testing import EngineHarness

LONG = 5_000
SHORT = 5


def _message(seq: int) -> engine_events.MessagePosted:
    return engine_events.MessagePosted(
        at=float(seq), dialog="d-1", seq=seq, author="visitor", name="Vera", text="x" * 100
    )


def _state(entries: int) -> dialog_state.DialogState:
    s = dialog_state.opened(
        engine_events.DialogOpened(at=0.0, dialog="d-1", seq=1, number=1, token_hash="h",
                                   visitor_name="V")
    )
    for seq in range(2, entries + 1):
        s = dialog_state.apply(s, _message(seq))
    return s


def apply_cost(entries: int, reps: int, rounds: int) -> float:
    """µs per apply on the actor's path: each message applied to the state the last made."""
    timings = []
    for _ in range(rounds):
        s = _state(entries)
        events = [_message(seq) for seq in range(entries + 1, entries + reps + 1)]
        gc.disable()  # as timeit does: a collection's cost grows with what is alive
        try:
            started = time.perf_counter()
            for e in events:
                s = dialog_state.apply(s, e)
            timings.append((time.perf_counter() - started) / reps * 1e6)
        finally:
            gc.enable()
    return statistics.median(timings)


def engine_cost(long: int, short: int, messages: int) -> dict[str, float]:
    """Median µs from submit to Ack of an operator's message in each dialog."""
    settings = EngineSettings(visitor_inactivity_timeout_s=0, default_capacity=2)
    with EngineHarness(settings) as h:
        ann = h.login("ann")
        big, small = h.visitor("Big"), h.visitor("Small")
        big.open()
        small.open()
        for v, entries in ((big, long), (small, short)):
            dialog = v._need()
            while h.actor_state(f"dialog:{dialog}").seq < entries:
                h.command(commands.OperatorSay("ann", dialog, "x" * 100))
        timings: dict[str, list[float]] = {"long": [], "short": []}
        for i in range(messages):
            key, v = ("long", big) if i % 2 == 0 else ("short", small)
            started = time.perf_counter()
            answer = ann.say(v, "x" * 100)
            timings[key].append((time.perf_counter() - started) * 1e6)
            assert isinstance(answer, notices.Ack), answer
        return {k: statistics.median(t) for k, t in timings.items()}


def measure(messages: int = 400, reps: int = 2_000, rounds: int = 7) -> dict[str, Any]:
    return {
        "entries": {"long": LONG, "short": SHORT},
        "apply_us": {"long": apply_cost(LONG, reps, rounds),
                     "short": apply_cost(SHORT, reps, rounds)},
        "engine_us": engine_cost(LONG, SHORT, messages),
    }


def result(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    """The suite's figures (``bench/suite.py`` MEASUREMENTS ``history``)."""
    costs = measure(messages=60, reps=200, rounds=3) if quick else measure()
    note = f"floor: the same in a {SHORT}-entry dialog"
    figures = [
        Figure(f"a message's fold, {LONG}-entry dialog", "us", costs["apply_us"]["long"],
               costs["apply_us"]["short"], "ratio <= 1.5", note=note),
        Figure(f"a message through the engine, {LONG}-entry dialog", "us",
               costs["engine_us"]["long"], costs["engine_us"]["short"], "ratio <= 1.5",
               note=note + "; submit to Ack, in-process"),
    ]
    return figures, costs


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
