"""The private pykka hooks ``engine/dispatch.py`` still uses, each checked as it is used.

pyproject pins pykka to the minor version these were tested on. When a pykka release
changes one of them, the test of that hook fails naming it, so the pin is raised only
once the dispatcher is adapted (or ``engine.dispatcher = "threads"``, which uses none
of them, is made the default).
"""

from __future__ import annotations

import inspect
import queue
import threading
from collections.abc import Iterator
from typing import Any

import pykka
import pytest
from pykka import messages as pykka_messages

from frontdesk.engine.dispatch import ACTOR_STOP, DispatchedActor, Dispatcher, Mailbox


def broken(hook: str, what: str) -> str:
    return f"pykka {pykka.__version__} changed the private hook {hook}: {what}"


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    d = Dispatcher("test-contract")
    before = {ref.actor_urn for ref in pykka.ActorRegistry.get_all()}
    yield d
    for ref in pykka.ActorRegistry.get_all():  # its own: not what another test left behind
        if ref.actor_urn not in before:
            ref.stop(block=True, timeout=5)
    d.shutdown()


class Recording(pykka.Actor):
    """A new actor type as pykka's ``Actor`` describes one: the three implementor hooks."""

    calls: list[str]
    last: Recording | None = None

    @staticmethod
    def _create_actor_inbox() -> Any:
        Recording.calls.append("_create_actor_inbox")
        return queue.Queue()

    @staticmethod
    def _create_future() -> pykka.Future[Any]:
        Recording.calls.append("_create_future")
        return pykka.ThreadingFuture()

    def _start_actor_loop(self) -> None:
        registered = pykka.ActorRegistry.get_by_urn(self.actor_urn) is not None
        Recording.calls.append(f"_start_actor_loop registered={registered}")
        Recording.last = self

    @staticmethod
    def started() -> Recording:
        assert Recording.last is not None
        return Recording.last


def test_actor_start_calls_the_three_implementor_hooks() -> None:
    Recording.calls = []
    ref = Recording.start()
    try:
        assert Recording.calls[0] == "_create_actor_inbox", broken(
            "Actor._create_actor_inbox", f"not called by __init__ ({Recording.calls})"
        )
        assert "_start_actor_loop registered=True" in Recording.calls, broken(
            "Actor._start_actor_loop", f"not called by start() once registered ({Recording.calls})"
        )
        ref.ask("anything", block=False)
        assert "_create_future" in Recording.calls, broken(
            "Actor._create_future", f"not called by ask() ({Recording.calls})"
        )
    finally:
        pykka.ActorRegistry.unregister(ref)


def test_the_implementor_hooks_are_still_abstract_on_actor() -> None:
    for hook in ("_create_actor_inbox", "_create_future", "_start_actor_loop"):
        assert hook in pykka.Actor.__abstractmethods__, broken(
            f"Actor.{hook}", "no longer an abstract method of pykka.Actor"
        )


def test_tell_puts_an_envelope_with_message_and_reply_to() -> None:
    Recording.calls = []
    ref = Recording.start()
    try:
        inbox: Any = Recording.started().actor_inbox  # no loop runs: the inbox keeps it
        ref.tell("hello")
        envelope = inbox.get_nowait()
        assert (envelope.message, envelope.reply_to) == ("hello", None), broken(
            "_envelope.Envelope", f"a told message arrives as {envelope!r}"
        )
        future = ref.ask("question", block=False)
        envelope = inbox.get_nowait()
        assert envelope.reply_to is not None, broken(
            "_envelope.Envelope", f"an ask arrives without reply_to: {envelope!r}"
        )
        envelope.reply_to.set(42)
        assert future.get(timeout=1) == 42
    finally:
        pykka.ActorRegistry.unregister(ref)


def test_stop_sends_actor_stop_and_handle_receive_stops_on_it() -> None:
    assert ACTOR_STOP is getattr(pykka_messages, "_ActorStop", None), broken(
        "messages._ActorStop", "the stop message is gone from pykka.messages"
    )
    Recording.calls = []
    ref = Recording.start()
    actor = Recording.started()
    ref.stop(block=False)
    inbox: Any = actor.actor_inbox
    envelope = inbox.get_nowait()
    assert isinstance(envelope.message, ACTOR_STOP), broken(
        "messages._ActorStop", f"ActorRef.stop() sent {envelope.message!r}"
    )
    actor._handle_receive(envelope.message)
    assert actor.actor_stopped.is_set(), broken(
        "Actor._handle_receive", "does not stop the actor on _ActorStop"
    )


def test_handle_receive_runs_proxy_calls_and_passes_the_rest_to_on_receive(
    dispatcher: Dispatcher,
) -> None:
    got: list[Any] = []

    class Echo(DispatchedActor):
        def dispatcher_for_actor(self) -> Dispatcher:
            return dispatcher

        def on_receive(self, message: Any) -> Any:
            got.append(message)
            return ("echo", message)

        def double(self, x: int) -> int:
            return 2 * x

    params = list(inspect.signature(pykka.Actor._handle_receive).parameters)
    assert params == ["self", "message"], broken(
        "Actor._handle_receive", f"its signature is now {params}"
    )
    ref = Echo.start()
    assert ref.ask("ping", timeout=5) == ("echo", "ping"), broken(
        "Actor._handle_receive", "a plain message does not reach on_receive"
    )
    assert ref.proxy().double(21).get(timeout=5) == 42, broken(
        "Actor._handle_receive", "a proxy call is not run"
    )
    assert got == ["ping"]
    assert ref.stop(timeout=5) is True


def test_a_mailbox_answers_what_is_left_as_pykkas_teardown_does(dispatcher: Dispatcher) -> None:
    """After the actor stopped, an ask gets ActorDeadError and a stop gets None."""
    gate = threading.Event()
    actors: list[DispatchedActor] = []

    class Slow(DispatchedActor):
        def dispatcher_for_actor(self) -> Dispatcher:
            return dispatcher

        def on_start(self) -> None:
            actors.append(self)

        def on_receive(self, message: Any) -> Any:
            gate.wait(5)
            self.actor_stopped.set()
            pykka.ActorRegistry.unregister(self.actor_ref)

    ref = Slow.start()
    ref.tell("stop yourself")
    left = ref.ask("question", block=False)
    stopped = ref.ask(ACTOR_STOP(), block=False)
    gate.set()
    with pytest.raises(pykka.ActorDeadError):
        left.get(timeout=5)
    assert stopped.get(timeout=5) is None
    assert isinstance(actors[0].actor_inbox, Mailbox)
