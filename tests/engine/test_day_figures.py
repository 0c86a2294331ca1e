"""The manager view's live figures (engine/day_figures.py), on the manual clock: each
figure as the scenario makes it, and the same figures folded afresh from the journal."""

from __future__ import annotations

from typing import Any

from frontdesk.engine.clock import ManualClock
from frontdesk.engine.day_figures import DAY_S, figures
from frontdesk.engine.journal import MemoryJournal
from frontdesk.engine.replay import fold
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness
from frontdesk.engine.testing.harness import OperatorHandle, VisitorHandle

DAY = 19_700 * DAY_S  # a UTC midnight
START = DAY + 23 * 3600  # 23:00, an hour before the next day


def from_journal(h: EngineHarness) -> dict[str, Any]:
    """The figures of a Fold of the whole journal, read at the harness's now."""
    return figures(fold(h.journal.read(), h.settings.default_capacity), h.clock.now())


def op(live: dict[str, Any], operator: str) -> dict[str, Any]:
    return next(o for o in live["operators"] if o["id"] == operator)


def harness() -> EngineHarness:
    settings = EngineSettings(visitor_inactivity_timeout_s=0)  # Pia waits past midnight
    return EngineHarness(settings, MemoryJournal(), ManualClock(START))


def evening(
    h: EngineHarness,
) -> tuple[OperatorHandle, OperatorHandle, VisitorHandle, VisitorHandle]:
    """Ann takes Vera, who writes; Ann goes on break, Bob is on break: Pia is queued."""
    ann = h.login("ann")
    bob = h.login("bob", status=Status.ON_BREAK)
    vera = h.visitor("Vera")
    vera.open()  # to ann, the one connected
    ann.probe.expect({"type": "operator.dialog_added", "dialog": vera.dialog})
    h.advance(60)
    vera.say("hello?")
    h.advance(30)
    ann.set_status(Status.ON_BREAK)
    pia = h.visitor("Pia")
    pia.open()  # nobody connected: queued
    h.advance(40)
    h.settle()
    return ann, bob, vera, pia


def test_figures_match_the_scenario_and_the_journal() -> None:
    with harness() as h:
        ann, _, vera, _ = evening(h)

        live = h.snapshot()["figures"]
        assert live == h.engine.figures() == from_journal(h)
        assert live["operators_online"] == 2
        assert live["operators_by_status"] == {"on_break": 2}
        assert live["dialogs_open"] == 2 and live["queue_length"] == 1
        assert live["dialogs_waiting"] == 2
        assert live["longest_wait_s"] == 70  # Vera's message, 30 + 40 s ago
        assert live["dialogs_today"] == 2 and live["closed_today"] == 0
        a = op(live, "ann")
        assert a["status"] == "on_break" and a["time_in_status_s"] == 40
        assert a["status_today_s"] == {"connected": 90, "on_break": 40}
        assert a["load"] == 1 and a["capacity"] == 3 and a["dialogs_today"] == 1
        assert op(live, "bob")["status_today_s"] == {"on_break": 130}

        ann.say(vera, "here I am")  # answered: Vera waits no more
        h.settle()
        live = h.snapshot()["figures"]
        assert live["dialogs_waiting"] == 1 and live["longest_wait_s"] == 40  # Pia, queued
        ann.close(vera)
        h.settle()
        assert h.engine.figures()["closed_today"] == 1


def test_todays_counts_start_afresh_at_midnight() -> None:
    with harness() as h:
        ann, bob, vera, pia = evening(h)
        ann.close(vera)
        h.settle()
        # Midnight: today's counts start afresh, a status running since yesterday counts
        # from midnight only; still what the journal says.
        h.advance(3600 - 130)
        h.settle()
        live = h.engine.figures()
        assert live["day_start"] == DAY + DAY_S
        assert live["dialogs_today"] == 0 and live["closed_today"] == 0
        assert op(live, "ann")["dialogs_today"] == 0
        assert op(live, "ann")["status_today_s"] == {}
        bob.set_status(Status.CONNECTED)  # takes Pia
        bob.probe.expect({"type": "operator.dialog_added", "dialog": pia.dialog})
        h.advance(10)
        h.settle()
        live = h.engine.figures()
        assert live == from_journal(h)
        b = op(live, "bob")
        assert b["dialogs_today"] == 1 and b["status_today_s"] == {"connected": 10}
        assert op(live, "ann")["status_today_s"] == {"on_break": 10}
        assert live["operators_by_status"] == {"on_break": 1, "connected": 1}
