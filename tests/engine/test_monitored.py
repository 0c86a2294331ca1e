"""Monitored dialogs: an operator opens a dialog for a person reached another way; the
person's single-purpose link is exchanged once, in time, for the dialog's visitor token."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.testing import EngineHarness

WEEK = 7 * 86400.0


def open_monitored(h: EngineHarness, link: str = "link-1", text: str = "Hello Pat",
                   expiry_s: float = WEEK) -> notices.Notice:
    return h.command(commands.OpenMonitored("ann", "Ann", "Pat", "pat@example.com", text,
                                     token_hash="nobody", link_hash=link,
                                     link_expiry_s=expiry_s, ref=h.ref()))


def test_the_dialog_is_the_operators_flagged_and_opens_with_her_message(
        harness: EngineHarness) -> None:
    ann = harness.login("ann")
    answer = open_monitored(harness)
    assert isinstance(answer, notices.Ack) and answer.dialog is not None
    dialog = answer.dialog
    added = ann.probe.expect({"type": "operator.dialog_added", "dialog": dialog})
    assert isinstance(added, notices.DialogAdded)
    assert added.monitored is True and added.visitor_name == "Pat"
    console = harness.probe("console")
    harness.engine.watch_dialog(dialog, console, operator_id="ann")
    console.expect({"type": "dialog.message", "dialog": dialog, "author": "operator",
                    "text": "Hello Pat"})
    (row,) = [d for d in harness.snapshot()["dialogs"] if d["id"] == dialog]
    assert (row["state"], row["operator"], row["monitored_by"]) == ("assigned", "ann", "ann")
    assert harness.snapshot()["queue"] == []
    (opened,) = [x for x in harness.managers.received if isinstance(x, notices.DialogOpened)]
    assert opened.monitored_by == "ann"  # staff see who opened it; the visitor does not
    harness.restart()  # journaled: the flag and the link survive a restart
    (row,) = [d for d in harness.snapshot()["dialogs"] if d["id"] == dialog]
    assert row["monitored_by"] == "ann" and row["operator"] == "ann"
    assert isinstance(harness.command(commands.UseMonitoredLink(dialog, "link-1", "fresh",
                                                         ref=harness.ref())), notices.Ack)


def test_the_link_is_taken_once_and_gives_the_fresh_token(harness: EngineHarness) -> None:
    harness.login("ann")
    answer = open_monitored(harness)
    assert isinstance(answer, notices.Ack) and answer.dialog is not None
    dialog = answer.dialog
    pat = harness.probe("pat")
    harness.engine.watch_dialog(dialog, pat, token_hash="fresh")
    harness.settle()
    assert isinstance(pat.received[-1], notices.Rejected)  # not yet the visitor's token
    used = harness.command(commands.UseMonitoredLink(dialog, "link-1", "fresh", ref=harness.ref()))
    assert isinstance(used, notices.Ack)
    again = harness.command(commands.UseMonitoredLink(dialog, "link-1", "other", ref=harness.ref()))
    assert isinstance(again, notices.Rejected) and again.code == "link_used"
    assert again.message == f"cannot open dialog {dialog} by its link: the link was used already"
    pat = harness.probe("pat2")
    harness.engine.watch_dialog(dialog, pat, token_hash="fresh")
    harness.settle()
    texts = [x.text for x in pat.received if isinstance(x, notices.MessagePosted)]
    assert texts == ["Hello Pat"]
    (opened,) = [x for x in pat.received if isinstance(x, notices.DialogOpened)]
    assert opened.monitored_by == "" and opened.info == {"email": "pat@example.com"}
    said = harness.command(commands.VisitorSay(dialog, "fresh", "thanks", ref=harness.ref()))
    assert isinstance(said, notices.Ack)
    refused = harness.command(commands.VisitorSay(dialog, "other", "me too", ref=harness.ref()))
    assert isinstance(refused, notices.Rejected) and refused.code == "forbidden"


def test_an_expired_or_foreign_link_is_refused(harness: EngineHarness) -> None:
    harness.login("ann")
    first = open_monitored(harness, "link-1", expiry_s=60.0)
    second = open_monitored(harness, "link-2")
    assert isinstance(first, notices.Ack) and isinstance(second, notices.Ack)
    assert first.dialog is not None and second.dialog is not None
    foreign = harness.command(commands.UseMonitoredLink(second.dialog, "link-1", "t",
                                                 ref=harness.ref()))
    assert isinstance(foreign, notices.Rejected) and foreign.code == "forbidden"
    assert foreign.message.endswith("the link is not this dialog's")
    harness.advance(61)
    late = harness.command(commands.UseMonitoredLink(first.dialog, "link-1", "t",
                                                     ref=harness.ref()))
    assert isinstance(late, notices.Rejected) and late.code == "link_expired"
    ordinary = harness.visitor("Vera")
    ordinary.open()
    d = ordinary._need()
    none = harness.command(commands.UseMonitoredLink(d, "", "t", ref=harness.ref()))
    assert isinstance(none, notices.Rejected) and none.code == "forbidden"


def test_empty_input_is_refused(harness: EngineHarness) -> None:
    harness.login("ann")
    answer = open_monitored(harness, text="  ")
    assert isinstance(answer, notices.Rejected) and answer.code == "invalid"
    assert harness.snapshot()["dialogs"] == []


def test_the_dialog_waits_for_the_person_while_the_link_is_good(harness: EngineHarness) -> None:
    timeout = harness.engine.settings.visitor_inactivity_timeout_s
    assert timeout > 0
    harness.login("ann")
    waiting = open_monitored(harness, "link-1", expiry_s=2 * timeout)
    came = open_monitored(harness, "link-2", expiry_s=2 * timeout)
    assert isinstance(waiting, notices.Ack) and isinstance(came, notices.Ack)
    harness.advance(timeout + 1)  # an ordinary dialog would be closed by now
    states = {d["id"]: d["state"] for d in harness.snapshot()["dialogs"]}
    assert states == {waiting.dialog: "assigned", came.dialog: "assigned"}
    assert came.dialog is not None
    used = harness.command(commands.UseMonitoredLink(came.dialog, "link-2", "t", ref=harness.ref()))
    assert isinstance(used, notices.Ack)  # from now on the ordinary inactivity close counts
    harness.advance(timeout + 1)
    states = {d["id"]: d["state"] for d in harness.snapshot()["dialogs"]}
    assert states == {waiting.dialog: "assigned"}
    harness.advance(timeout)  # the link expired and a timeout passed: nobody came
    assert harness.snapshot()["dialogs"] == []
