"""Reconnect and resume: exactly the missed entries, in order, once; unacked says survive."""

from __future__ import annotations

import pytest
import trio

from frontdesk.adapters.client import OperatorClient, VisitorClient
from frontdesk.adapters.client.inbox import HISTORY_TYPES
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings
from frontdesk.web.server import switch_engine
from tests.web.nodes import PASSWORD, Node, frames_of


def history(client: VisitorClient | OperatorClient, dialog: str) -> list[int]:
    return [f["seq"] for f in client.received
            if f["type"] in HISTORY_TYPES and f["dialog"] == dialog]


def texts(client: VisitorClient | OperatorClient, dialog: str) -> list[str]:
    return [f["text"] for f in client.received
            if f["type"] == "dialog.message" and f["dialog"] == dialog]


async def talking(node: Node) -> tuple[OperatorClient, VisitorClient, str]:
    ann = await node.operator("ann")
    await ann.set_status("connected")
    vera = await node.visitor()
    dialog = (await vera.open("Vera"))["dialog"]
    await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
    await vera.say("hello")
    await ann.say(dialog, "hi")
    await vera.expect({"type": "dialog.message", "text": "hi"})
    await ann.expect({"type": "dialog.message", "text": "hi"})
    return ann, vera, dialog


async def test_a_dropped_visitor_gets_exactly_what_it_missed(node: Node) -> None:
    ann, vera, dialog = await talking(node)
    vera.reconnect_gate = trio.Event()
    vera.drop()
    assert await vera.expect_close() == 1006
    for n in range(3):
        await ann.say(dialog, f"while away {n}")
    vera.reconnect_gate.set()
    await vera.wait_connected()
    for n in range(3):
        await vera.expect({"type": "dialog.message", "text": f"while away {n}"})
    await ann.say(dialog, "live again")
    await vera.expect({"type": "dialog.message", "text": "live again"})
    seqs = history(vera, dialog)
    assert seqs == list(range(1, len(seqs) + 1))
    assert vera.duplicates == []
    assert texts(vera, dialog) == ["hello", "hi", "while away 0", "while away 1",
                                   "while away 2", "live again"]


async def test_a_say_made_while_disconnected_is_sent_once_after_reconnecting(node: Node) -> None:
    ann, vera, dialog = await talking(node)
    vera.reconnect_gate = trio.Event()
    vera.drop()
    await vera.expect_close()
    async with trio.open_nursery() as nursery:
        acks: list[dict[str, object]] = []

        async def say() -> None:
            acks.append(await vera.say("typed offline"))

        nursery.start_soon(say)
        await trio.testing.wait_all_tasks_blocked()
        vera.reconnect_gate.set()
    heard = await ann.expect({"type": "dialog.message", "text": "typed offline"})
    assert acks[0]["seq"] == heard["seq"]
    await ann.say(dialog, "got it")
    await vera.expect({"type": "dialog.message", "text": "got it"})
    assert texts(ann, dialog).count("typed offline") == 1
    assert texts(vera, dialog).count("typed offline") == 1


async def test_resending_a_say_with_the_same_ref_does_not_duplicate_it(node: Node) -> None:
    ann, vera, dialog = await talking(node)
    first = await vera.say("once only", ref="fixed-ref")
    again = await vera.say("once only", ref="fixed-ref")
    assert again["seq"] == first["seq"]
    await ann.say(dialog, "after")
    await ann.expect({"type": "dialog.message", "text": "after"})
    assert texts(ann, dialog).count("once only") == 1


async def test_a_reloaded_widget_resumes_by_token_from_its_last_seq(node: Node) -> None:
    ann, vera, dialog = await talking(node)
    token, last = vera.tokens[dialog], vera.last_seq[dialog]
    await vera.aclose()
    await ann.say(dialog, "after the reload 1")
    await ann.say(dialog, "after the reload 2")
    reloaded = await node.visitor()
    reloaded.last_seq[dialog] = last  # what the page kept in sessionStorage
    await reloaded.resume(dialog, token)
    await reloaded.expect({"type": "dialog.message", "text": "after the reload 2"})
    assert texts(reloaded, dialog) == ["after the reload 1", "after the reload 2"]
    assert history(reloaded, dialog)[0] == last + 1
    assert (await reloaded.say("I am back"))["dialog"] == dialog
    await ann.expect({"type": "dialog.message", "text": "I am back"})


async def test_a_dropped_operator_gets_exactly_what_it_missed(node: Node) -> None:
    ann, vera, dialog = await talking(node)
    ann.reconnect_gate = trio.Event()
    ann.drop()
    await ann.expect_close()
    await vera.say("are you there?")
    await vera.say("hello??")
    ann.reconnect_gate.set()
    await ann.wait_connected()
    await ann.expect({"type": "dialog.message", "text": "hello??"})
    assert ann.duplicates == []
    assert texts(ann, dialog) == ["hello", "hi", "are you there?", "hello??"]
    seqs = history(ann, dialog)
    assert seqs == list(range(1, len(seqs) + 1))


async def test_a_reloaded_console_resumes_its_dialogs_from_the_given_seqs(node: Node) -> None:
    ann, vera, dialog = await talking(node)
    last = ann.last_seq[dialog]
    await ann.aclose()
    await vera.say("while the console reloads")
    console = await OperatorClient.logged_in(node.url, "ann", PASSWORD)
    console.last_seq[dialog] = last  # the console's sessionStorage
    await node.started(console)
    added = await console.expect({"type": "operator.dialog_added", "dialog": dialog})
    assert added["visitor_name"] == "Vera"
    await console.expect({"type": "dialog.message", "text": "while the console reloads"})
    assert texts(console, dialog) == ["while the console reloads"]
    assert history(console, dialog)[0] == last + 1


async def test_an_engine_restart_closes_1012_and_everyone_resumes_without_loss(
    node: Node,
) -> None:
    ann, vera, dialog = await talking(node)
    await trio.to_thread.run_sync(node.engine.stop)  # the store flushes first
    fresh = Engine(node.engine.settings, node.journal, node.clock)
    await trio.to_thread.run_sync(fresh.start)  # replays the journal
    await switch_engine(node.ctx, fresh)
    node.engine = fresh
    assert await vera.expect_close() == 1012
    assert await ann.expect_close() == 1012
    await vera.wait_connected()
    await ann.wait_connected()
    await vera.say("after the restart")
    await ann.expect({"type": "dialog.message", "text": "after the restart"})
    await ann.say(dialog, "welcome back")
    await vera.expect({"type": "dialog.message", "text": "welcome back"})
    assert texts(vera, dialog) == ["hello", "hi", "after the restart", "welcome back"]
    assert texts(ann, dialog) == ["hello", "hi", "after the restart", "welcome back"]
    assert vera.duplicates == [] and ann.duplicates == []


async def test_resuming_a_closed_dialog_replays_it_to_the_close_and_the_client_stops(
    node: Node,
) -> None:
    ann, vera, dialog = await talking(node)
    token = vera.tokens[dialog]
    await vera.aclose()
    await ann.close(dialog)
    await ann.expect({"type": "operator.dialog_removed", "dialog": dialog})
    reloaded = await node.visitor()
    await reloaded.resume(dialog, token)
    closed = await reloaded.expect({"type": "dialog.closed", "dialog": dialog})
    assert closed["by"] == "operator"
    assert texts(reloaded, dialog) == ["hello", "hi"]
    assert dialog in reloaded.closed
    assert [f for f in reloaded.received if f["type"] == "error"] == []


async def test_a_visitor_back_after_the_close_gets_what_it_missed_and_the_close_once(
    node: Node,
) -> None:
    ann, vera, dialog = await talking(node)
    vera.reconnect_gate = trio.Event()
    vera.drop()
    assert await vera.expect_close() == 1006
    await ann.say(dialog, "still there?")
    await ann.close(dialog)
    await ann.expect({"type": "operator.dialog_removed", "dialog": dialog})
    vera.reconnect_gate.set()  # it reconnects and resumes from the last seq it saw
    await vera.wait_connected()
    await vera.expect({"type": "dialog.closed", "dialog": dialog})
    await node.settle()
    await vera.send({"type": "ping", "ref": "after"})  # whatever the server sends is in
    await vera.expect({"type": "pong", "ref": "after"})
    assert texts(vera, dialog) == ["hello", "hi", "still there?"]
    assert [f["type"] for f in vera.received].count("dialog.closed") == 1
    seqs = history(vera, dialog)
    assert seqs == list(range(1, len(seqs) + 1)) and vera.duplicates == []
    assert [f for f in vera.received if f["type"] == "error"] == []
    assert dialog in vera.closed  # it will not resume it again


# --- a console back after its dialog closed without it ---------------------------------


async def back_online(node: Node, last_seq: dict[str, int]) -> OperatorClient:
    """A new console of ann that resumes from ``last_seq`` (its sessionStorage)."""
    console = await OperatorClient.logged_in(node.url, "ann", PASSWORD)
    console.last_seq.update(last_seq)
    return await node.started(console)


async def all_in(node: Node, client: OperatorClient) -> None:
    """Whatever the server will send ``client`` has been received."""
    await node.settle()
    await client.send({"type": "ping", "ref": "all-in"})
    await client.expect({"type": "pong", "ref": "all-in"})


async def test_a_console_back_after_the_visitor_closed_gets_what_it_missed_and_the_close_once(
    node: Node,
) -> None:
    ann, vera, dialog = await talking(node)
    last = ann.last_seq[dialog]
    await ann.aclose()  # within the grace: ann still holds the dialog
    await vera.say("thanks, bye")
    await vera.close(dialog)
    console = await back_online(node, {dialog: last})
    closed = await console.expect({"type": "dialog.closed", "dialog": dialog})
    assert closed["by"] == "visitor"
    await all_in(node, console)
    assert texts(console, dialog) == ["thanks, bye"]
    assert [f["type"] for f in console.received].count("dialog.closed") == 1
    seqs = history(console, dialog)
    assert seqs == list(range(last + 1, last + 1 + len(seqs)))
    assert console.duplicates == []
    assert [f for f in console.received if f["type"] == "error"] == []
    assert frames_of(console, "operator.dialog_added") == []


@pytest.mark.parametrize(
    ("engine_settings", "node_options"),
    [(EngineSettings(visitor_inactivity_timeout_s=30), {"operator_grace_s": 600})],
)
async def test_a_console_back_after_an_inactivity_close_gets_the_close(node: Node) -> None:
    ann, vera, dialog = await talking(node)
    last = ann.last_seq[dialog]
    await ann.aclose()
    await node.advance(31)  # no word from the visitor: the dialog closes
    await vera.expect({"type": "dialog.closed", "dialog": dialog})
    console = await back_online(node, {dialog: last})
    closed = await console.expect({"type": "dialog.closed", "dialog": dialog})
    assert closed["by"] == "timeout"
    await all_in(node, console)
    assert [f["type"] for f in console.received].count("dialog.closed") == 1
    assert [f for f in console.received if f["type"] == "error"] == []


async def test_a_console_back_after_a_transfer_away_is_told_nothing_of_that_dialog(
    node: Node,
) -> None:
    ann, _vera, dialog = await talking(node)
    bob = await node.operator("bob")
    await bob.set_status("connected")
    other = await node.operator("ann")  # ann's second console stays online
    last = ann.last_seq[dialog]
    await ann.aclose()
    await other.transfer(dialog, "bob", "yours")
    await bob.expect({"type": "operator.dialog_added", "dialog": dialog})
    console = await back_online(node, {dialog: last})
    await all_in(node, console)
    assert history(console, dialog) == []
    assert [f for f in console.received if f["type"] == "error"] == []
    assert frames_of(console, "operator.dialog_added") == []
