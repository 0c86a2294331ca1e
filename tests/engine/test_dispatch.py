"""Actors that share a dispatcher thread keep pykka's guarantees."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pykka
import pytest

from frontdesk.engine.dispatch import DispatchedActor, Dispatcher


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    d = Dispatcher("test-dispatch", throughput=4)
    yield d
    pykka.ActorRegistry.stop_all(block=True, timeout=5)
    d.shutdown()


class Recorder(DispatchedActor):
    def __init__(self, dispatcher: Dispatcher, name: str, log: list[tuple[str, Any]]) -> None:
        super().__init__()
        self._dispatcher = dispatcher
        self.name = name
        self.log = log
        self.started_in: str | None = None

    def dispatcher_for_actor(self) -> Dispatcher:
        return self._dispatcher

    def on_start(self) -> None:
        self.started_in = threading.current_thread().name
        self.log.append((self.name, "start"))

    def on_receive(self, message: Any) -> Any:
        if message == "boom":
            raise RuntimeError("boom")
        self.log.append((self.name, message))
        return (self.name, message, threading.current_thread().name)


def test_many_actors_run_on_the_dispatchers_one_thread(dispatcher: Dispatcher) -> None:
    log: list[tuple[str, Any]] = []
    refs = [Recorder.start(dispatcher, f"a{i}", log) for i in range(50)]
    threads = {ref.ask("hello", timeout=5)[2] for ref in refs}
    assert threads == {"test-dispatch-0"}
    # on_start ran before the first message, in the dispatcher's thread
    for i in range(50):
        assert log.index((f"a{i}", "start")) < log.index((f"a{i}", "hello"))


def test_each_actor_handles_its_messages_in_order_and_fairly(dispatcher: Dispatcher) -> None:
    log: list[tuple[str, Any]] = []
    gate = threading.Event()

    class Blocker(Recorder):
        def on_receive(self, message: Any) -> Any:
            gate.wait(5)  # holds the thread while the others' inboxes fill
            return super().on_receive(message)

    blocker = Blocker.start(dispatcher, "blocker", log)
    a = Recorder.start(dispatcher, "a", log)
    b = Recorder.start(dispatcher, "b", log)
    blocker.tell("hold")
    for i in range(10):
        a.tell(i)
        b.tell(i)
    gate.set()
    a.ask("end", timeout=5)
    b.ask("end", timeout=5)
    got_a = [m for who, m in log if who == "a" and m != "start"]
    assert got_a == [*range(10), "end"]
    # throughput 4: a does not run all ten before b gets a turn
    order = [who for who, m in log if who in ("a", "b") and m != "start"]
    assert order.index("b") < 5


def test_a_failing_ask_reports_to_the_caller_and_the_actor_goes_on(
    dispatcher: Dispatcher,
) -> None:
    log: list[tuple[str, Any]] = []
    ref = Recorder.start(dispatcher, "a", log)
    with pytest.raises(RuntimeError, match="boom"):
        ref.ask("boom", timeout=5)
    assert ref.ask("after", timeout=5)[:2] == ("a", "after")


@pytest.mark.allow_error_logs
def test_a_failing_tell_stops_only_that_actor(dispatcher: Dispatcher) -> None:
    log: list[tuple[str, Any]] = []
    bad = Recorder.start(dispatcher, "bad", log)
    good = Recorder.start(dispatcher, "good", log)
    bad.tell("boom")
    assert good.ask("still here", timeout=5)[:2] == ("good", "still here")
    with pytest.raises(pykka.ActorDeadError):
        bad.ask("anyone?", timeout=5)


def test_stopping_answers_what_was_left_with_actor_dead(dispatcher: Dispatcher) -> None:
    log: list[tuple[str, Any]] = []
    gate = threading.Event()

    class Slow(Recorder):
        def on_receive(self, message: Any) -> Any:
            gate.wait(5)
            return super().on_receive(message)

    ref = Slow.start(dispatcher, "slow", log)
    first = ref.ask("first", block=False)
    stopped = ref.stop(block=False)
    late = ref.ask("late", block=False)
    gate.set()
    assert first.get(timeout=5)[:2] == ("slow", "first")
    stopped.get(timeout=5)
    with pytest.raises(pykka.ActorDeadError):
        late.get(timeout=5)
    assert not ref.is_alive()


def test_a_dispatcher_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="threads >= 1"):
        Dispatcher("x", threads=0)
