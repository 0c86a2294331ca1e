"""RecordFile: a stored upload becomes a ``dialog.file`` entry the visitor and staff see."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.testing import EngineHarness


def test_a_file_is_an_entry_for_the_visitor_and_staff(harness: EngineHarness) -> None:
    harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    answer = harness.command(commands.RecordFile(d, "f0", "photo.png", 1234, "image/png", True,
                                          "visitor", ref=harness.ref()))
    assert isinstance(answer, notices.Ack)
    harness.settle()
    (entry,) = [x for x in vera.probe.received if isinstance(x, notices.FileAttached)]
    assert (entry.dialog, entry.seq, entry.file, entry.name, entry.mime, entry.thumbnail) == (
        d, answer.seq, "f0", "photo.png", "image/png", True)
    monitor = harness.probe("monitor")
    harness.engine.watch_dialog(d, monitor, manager_id="maria")  # the replay has it
    harness.settle()
    assert [x.to_wire() for x in monitor.received if isinstance(x, notices.FileAttached)] == [
        entry.to_wire()]


def test_a_closed_dialog_takes_no_file(harness: EngineHarness) -> None:
    harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    vera.close()
    answer = harness.command(commands.RecordFile(d, "f1", "a.pdf", 9, "application/pdf", False,
                                          "visitor", ref=harness.ref()))
    assert isinstance(answer, notices.Rejected) and answer.code == "closed"
