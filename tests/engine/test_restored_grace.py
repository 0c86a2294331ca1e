"""Operators restored from the journal get the grace period of a closed socket.

After a restart the engine holds every operator the journal says is logged in, but
no console is connected yet. One whose console comes back logs in again
(``OperatorLogin``) and keeps their dialogs; one that does not is logged out when
``restored_operator_grace_s`` (``server.operator_grace_s``) runs out, and their
dialogs go back to the queue, as when a socket closes and nothing comes back.
"""

from __future__ import annotations

from dataclasses import replace

from frontdesk.engine import commands, notices
from frontdesk.engine.journal import MemoryJournal
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.testing import EngineHarness

GRACE_S = 30.0


def operators(h: EngineHarness) -> dict[str, list[str]]:
    return {o["id"]: o["dialogs"] for o in h.snapshot()["operators"]}


def restarted_with_ann_holding_a_dialog(settings: EngineSettings) -> tuple[EngineHarness, str]:
    h = EngineHarness(settings, MemoryJournal()).start()
    h.login("ann")
    vera = h.visitor("Vera")
    vera.open()
    assert vera.dialog is not None
    assert operators(h) == {"ann": [vera.dialog]}
    h.restart()
    return h, vera.dialog


def test_a_restored_operator_who_never_logs_in_again_is_logged_out_after_the_grace() -> None:
    h, dialog = restarted_with_ann_holding_a_dialog(
        replace(EngineSettings(), restored_operator_grace_s=GRACE_S))
    try:
        h.advance(GRACE_S - 1)
        assert operators(h) == {"ann": [dialog]}  # still within the grace period
        h.advance(1)
        assert operators(h) == {}
        snap = h.snapshot()
        assert snap["queue"] == [dialog]  # the dialog went back to the queue
        # a colleague who logs in now is given it
        h.login("bob")
        assert operators(h) == {"bob": [dialog]}
    finally:
        h.stop()


def test_a_restored_operator_who_logs_in_again_keeps_the_dialogs() -> None:
    h, dialog = restarted_with_ann_holding_a_dialog(
        replace(EngineSettings(), restored_operator_grace_s=GRACE_S))
    try:
        h.advance(GRACE_S / 2)
        answer = h.command(commands.OperatorLogin("ann", "Ann", None,
                                                  ref=h.ref()))  # the console is back
        assert isinstance(answer, notices.Ack)
        h.advance(GRACE_S)
        assert operators(h) == {"ann": [dialog]}
    finally:
        h.stop()


def test_an_operator_logged_in_on_this_run_has_no_restore_timer() -> None:
    h = EngineHarness(replace(EngineSettings(), restored_operator_grace_s=GRACE_S)).start()
    try:
        h.login("ann")
        h.advance(GRACE_S * 2)  # the server's socket grace is the web layer's, not this
        assert operators(h) == {"ann": []}
    finally:
        h.stop()


def test_without_a_grace_setting_restored_operators_stay() -> None:
    h, dialog = restarted_with_ann_holding_a_dialog(EngineSettings())  # an embedding's default
    try:
        h.advance(600)  # (within the visitor inactivity timeout)
        assert operators(h) == {"ann": [dialog]}
    finally:
        h.stop()


def test_a_restored_operator_whose_actor_crashed_still_times_out() -> None:
    h, dialog = restarted_with_ann_holding_a_dialog(
        replace(EngineSettings(), restored_operator_grace_s=GRACE_S))
    try:
        h.inject_crash("operator:ann")
        h.command(commands.SetCapacity("ann", 2,
                                       ref=h.ref()))  # crashes it: restarted from the journal
        h.advance(GRACE_S)
        assert operators(h) == {}
        assert h.snapshot()["queue"] == [dialog]
    finally:
        h.stop()
