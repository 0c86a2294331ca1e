"""RecordMail: the mail adapter's outcome becomes a staff-only ``dialog.mail`` entry."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.testing import EngineHarness


def test_a_mail_outcome_is_an_entry_for_staff_only(harness: EngineHarness) -> None:
    harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    answer = harness.command(commands.RecordMail(d, "transcript", "v@example.com", "failed",
                                          "to v@example.com failed after 2 tries: down",
                                          ref=harness.ref()))
    assert isinstance(answer, notices.Ack)
    monitor = harness.probe("monitor")
    harness.engine.watch_dialog(d, monitor, manager_id="maria")  # the replay has it
    harness.settle()
    (entry,) = [x for x in monitor.received if isinstance(x, notices.MailRecorded)]
    assert (entry.dialog, entry.status, entry.text) == (
        d, "failed", "to v@example.com failed after 2 tries: down")
    assert not [x for x in vera.probe.received if x.TYPE == "dialog.mail"]
    assert [x for x in harness.managers.received if x.TYPE == "dialog.mail"]


def test_a_closed_dialog_takes_no_more_entries(harness: EngineHarness) -> None:
    harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    vera.close()
    answer = harness.command(commands.RecordMail(d, "transcript", "v@example.com", "sent",
                                          "sent to v@example.com", ref=harness.ref()))
    assert isinstance(answer, notices.Rejected) and answer.code == "closed"
    assert answer.message == f"cannot record a mail in dialog {d}: it is closed"
