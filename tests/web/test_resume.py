"""Reconnect and resume: exactly the missed entries, in order, once; unacked says survive."""

from __future__ import annotations

import trio

from adapters.client import OperatorClient, VisitorClient
from adapters.client.inbox import HISTORY_TYPES
from engine.runtime import Engine
from tests.web.nodes import PASSWORD, Node
from web.server import switch_engine


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
