"""The answer to a command comes first, then the frames it caused (issue 12, finding 10).

One probe stands for one socket: it is both the command's ``reply_to`` and a watcher,
as a connection's outbox is. ``docs/protocol.md`` promises: ``ack`` then the entry (status,
close, transfer, important, help); a ``say`` is answered by its own ``dialog.message``,
which therefore comes first too (the ``ack`` behind it is not written by the web layer).
"""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.status import Status
from frontdesk.engine.testing import EngineHarness, Probe


def _types(p: Probe, since: int) -> list[str]:
    return [x.TYPE for x in p.received[since:]]


def test_visitor_close_acks_then_closes(harness: EngineHarness) -> None:
    harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    start = len(vera.probe.received)
    harness.engine.submit(commands.VisitorClose(d, vera.token_hash, ref="c-1"), vera.probe)
    harness.settle()
    assert _types(vera.probe, start) == ["ack", "dialog.closed"]


def test_operator_commands_ack_then_their_entries(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    bob = harness.login("bob", status=Status.ON_BREAK)
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    sock = ann.watch(d)  # ann's socket: the dialog's entries and the answers
    harness.engine.watch_operator("ann", sock)
    harness.settle()

    def run(command: commands.Command) -> list[str]:
        start = len(sock.received)
        harness.engine.submit(command, sock)
        harness.settle()
        return [t for t in _types(sock, start) if t not in ("operators", "queue.length")]

    assert run(commands.MarkImportant("ann", d, True, ref="i-1")) == ["ack", "dialog.important"]
    assert run(commands.AskForHelp("ann", d, "help", ref="h-1")) == ["ack", "dialog.help_requested"]
    assert run(commands.SetStatus("ann", Status.LOOKING_FOR_INFORMATION, ref="s-1")) == [
        "ack",
        "operator.status",
        "dialog.looking_for_info",
    ]
    assert run(commands.OperatorSay("ann", d, "hi", ref="m-1")) == ["dialog.message", "ack"]
    assert run(commands.Transfer("ann", d, bob.id, "note", ref="t-1")) == [
        "ack",
        "dialog.transferred",
        "operator.dialog_removed",
    ]
    ack = sock.of_type(notices.Ack)[-1]
    assert (ack.ref, ack.dialog) == ("t-1", d)


def test_operator_close_acks_then_closes(harness: EngineHarness) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    d = vera._need()
    sock = ann.watch(d)
    start = len(sock.received)
    harness.engine.submit(commands.OperatorClose("ann", d, ref="c-2"), sock)
    harness.settle()
    assert _types(sock, start) == ["ack", "dialog.closed"]
