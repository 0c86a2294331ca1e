"""Effects without events skip the store, but never overtake their actor's commits."""

from __future__ import annotations

from frontdesk.engine import commands, notices
from frontdesk.engine.testing import EngineHarness


def _store_commits(h: EngineHarness) -> int:
    store = h.engine.directory.ref("store")._actor_weakref()
    assert store is not None
    return int(store.commits)


def test_routing_costs_two_commits_per_assignment(harness: EngineHarness) -> None:
    """Offer, acceptance and queue broadcasts carry no event: only the open and the
    assignment go through the store."""
    harness.login("ann", capacity=5)
    before = _store_commits(harness)
    harness.visitor("Vera").open()
    assert _store_commits(harness) - before == 2


def test_an_effect_waits_behind_its_actors_commit_at_the_store(
    harness: EngineHarness,
) -> None:
    ann = harness.login("ann")
    vera = harness.visitor("Vera")
    vera.open()
    watcher = ann.watch(vera)
    assert vera.dialog is not None
    harness.hold("store")  # the message is decided, not yet durable
    harness.engine.submit(commands.VisitorSay(vera.dialog, vera.token_hash, "hello", ref="s1"))
    # typing is not journaled: with nothing of the dialog at the store it would be
    # delivered at once; here it must wait behind the message
    harness.engine.submit(commands.Typing(vera.dialog, True, token_hash=vera.token_hash, ref="t1"))
    harness.settle()
    watcher.expect_no(notices.TypingChanged)
    harness.release("store")
    watcher.expect(notices.TypingChanged)
    kinds = [type(x) for x in watcher.received
             if isinstance(x, notices.MessagePosted | notices.TypingChanged)]
    assert kinds[-2:] == [notices.MessagePosted, notices.TypingChanged]
