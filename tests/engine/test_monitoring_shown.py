"""Monitoring shown (issue 16): the dialog tells its watchers when a manager starts or stops
monitoring it (``dialog.monitoring``, staff only), and an operator who (re)watches a watched
dialog is told at once; the visitor never."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.testing import EngineHarness


def _watched(received: list[notices.Notice]) -> list[bool]:
    return [x.watched for x in received if isinstance(x, notices.MonitoringChanged)]


def test_the_holder_is_told_when_monitoring_starts_and_stops(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    console = ann.watch(d)
    for cmd in (commands.Monitor("maria", d), commands.Monitor("paul", d),
                commands.Monitor("maria", d, False),
                commands.Monitor("paul", d, False)):
        assert isinstance(harness.command(cmd), notices.Ack)
    harness.settle()
    assert _watched(console.received) == [True, False]  # the first one on, the last one off
    assert _watched(vera.probe.received) == []
    assert isinstance(harness.command(commands.Monitor("maria", d)), notices.Ack)
    reloaded = ann.watch(d)
    harness.settle()
    assert _watched(reloaded.received) == [True]
    snap = harness.snapshot()
    assert next(x for x in snap["dialogs"] if x["id"] == d)["monitored"] is True
    # a restart: the managers' sockets went with the old process, nobody monitors
    harness.restart()
    after = ann.watch(d)
    harness.settle()
    assert _watched(after.received) == []
    snap = harness.snapshot()
    assert next(x for x in snap["dialogs"] if x["id"] == d)["monitored"] is False


def test_a_manager_with_two_sockets_monitors_until_the_last_one_stops(
        harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    console = ann.watch(d)
    for cmd in (commands.Monitor("maria", d, socket="tab-1"),
                commands.Monitor("maria", d, socket="tab-2"),
                commands.Monitor("maria", d, False, socket="tab-1")):
        assert isinstance(harness.command(cmd), notices.Ack)
    harness.settle()
    assert _watched(console.received) == [True]  # one tab closed: still monitored
    snap = harness.snapshot()
    assert next(x for x in snap["dialogs"] if x["id"] == d)["monitored"] is True
    assert isinstance(harness.command(commands.Monitor("maria", d, False, socket="tab-2")),
                      notices.Ack)
    harness.settle()
    assert _watched(console.received) == [True, False]
    snap = harness.snapshot()
    assert next(x for x in snap["dialogs"] if x["id"] == d)["monitored"] is False


def test_a_rebuilt_dialog_has_the_live_monitors_not_those_of_a_past_run(
        harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    assert isinstance(harness.command(commands.Monitor("maria", d, socket="old")), notices.Ack)
    harness.restart()  # maria's socket went with the old process
    ann.watch(d)
    harness.settle()
    harness.inject_crash(f"dialog:{d}")
    vera.say("a message the dialog crashes on")
    harness.settle()
    after = ann.watch(d)  # the rebuilt actor's state: nobody monitors
    harness.settle()
    assert _watched(after.received) == []
    # a manager monitoring in this run, then a crash: the rebuilt actor keeps that one
    assert isinstance(harness.command(commands.Monitor("paul", d, socket="new")), notices.Ack)
    harness.settle()
    harness.inject_crash(f"dialog:{d}")
    vera.say("another message the dialog crashes on")
    harness.settle()
    again = ann.watch(d)
    harness.settle()
    assert _watched(again.received) == [True]
    assert isinstance(harness.command(commands.Monitor("paul", d, False, socket="new")),
                      notices.Ack)
    harness.settle()
    assert _watched(again.received) == [True, False]
