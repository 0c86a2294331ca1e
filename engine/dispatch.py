"""pykka actors that share a few threads instead of owning one each.

pykka's ``ThreadingActor`` gives every actor its own OS thread. frontdesk has an
actor per dialog and per operator, so a busy node had thousands of threads, each
message crossed threads twice before it was stored, and every crossing waited for
the GIL (up to the 5 ms switch interval while another thread ran Python). The
threads also cost memory: about 80 KB per open dialog, most of it thread stacks.

``DispatchedActor`` is a pykka ``Actor`` (same ``ActorRef``, ``tell``, ``ask``,
proxies, futures, registry) whose inbox is a ``Mailbox``: putting a message into
an idle mailbox hands the mailbox to its ``Dispatcher``, whose thread(s) run
``on_start`` and then up to ``throughput`` messages of one actor before moving on
to the next ready one (so a chatty actor cannot starve the others). An actor is
run by one thread at a time, so actor code keeps pykka's guarantee: one message
at a time, in the order they were put.

Theory of operation of a mailbox (its lock guards ``_queue`` and ``_scheduled``):

* ``put``: append; if the mailbox is not scheduled, mark it and give it to the
  dispatcher. A mailbox is in the dispatcher's ready queue at most once.
* ``run`` (in a dispatcher thread): set the actor up if not yet done, handle up to
  ``throughput`` messages, then either hand the mailbox back to the ready queue
  (more waiting) or clear ``_scheduled`` (empty), under the lock, so a ``put``
  that raced with the last message is never lost.
* Once the actor stopped, what is left (and anything put later) is answered as
  pykka's own teardown does: an ``ask`` gets ``ActorDeadError``.

What an actor must not do on a dispatcher: block. A handler that waited for
another actor's future on the same thread would wait for ever, which is why
frontdesk's actors never ``ask`` each other (they only ``tell``). An actor that
does blocking I/O (the store: SQLite commits) gets a dispatcher of its own.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
from collections import deque
from typing import Any

import pykka
from pykka import ActorDeadError, ActorRegistry
from pykka import messages as pykka_messages
from pykka._envelope import Envelope as PykkaEnvelope

log = logging.getLogger("frontdesk.engine.dispatch")

THROUGHPUT = 64


class Dispatcher:
    """A ready queue of mailboxes and the thread(s) that run them."""

    def __init__(self, name: str, threads: int = 1, throughput: int = THROUGHPUT) -> None:
        if threads < 1 or throughput < 1:
            raise ValueError(
                f"a dispatcher needs threads >= 1 and throughput >= 1, got {threads} and "
                f"{throughput}"
            )
        self.name = name
        self.throughput = throughput
        self._ready: deque[Mailbox] = deque()
        self._cond = threading.Condition(threading.Lock())
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
            for i in range(threads)
        ]
        self._started = False

    def schedule(self, mailbox: Mailbox) -> None:
        with self._cond:
            if not self._started:
                self._started = True
                for t in self._threads:
                    t.start()
            self._ready.append(mailbox)
            self._cond.notify()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop the threads once the ready queue is empty (what is queued still runs)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            started = self._started
        if started:
            for t in self._threads:
                if t is not threading.current_thread():
                    t.join(timeout)

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._ready and not self._closed:
                    self._cond.wait()
                if not self._ready:
                    return
                mailbox = self._ready.popleft()
            try:
                mailbox.run(self.throughput)
            except BaseException:  # a bug here would silently stop every actor
                log.critical("dispatcher %s failed running %s", self.name, mailbox.actor,
                             exc_info=True)
                raise


class Mailbox:
    """A ``DispatchedActor``'s inbox (pykka's ``ActorInbox`` protocol)."""

    def __init__(self) -> None:
        self._queue: deque[PykkaEnvelope[Any]] = deque()
        self._lock = threading.Lock()
        self._scheduled = True  # until the actor is attached and started
        self._set_up = False
        self._torn_down = False
        self.actor: DispatchedActor | None = None
        self.dispatcher: Dispatcher | None = None

    # --- pykka's ActorInbox ----------------------------------------------------------

    def put(self, envelope: PykkaEnvelope[Any], /) -> None:
        with self._lock:
            if self._torn_down:
                dead = True
            else:
                dead = False
                self._queue.append(envelope)
                if self._scheduled:
                    return
                self._scheduled = True
        if dead:
            _answer_dead(self.actor, envelope)
            return
        assert self.dispatcher is not None
        self.dispatcher.schedule(self)

    def get(self) -> PykkaEnvelope[Any]:
        """The next envelope, without waiting (``queue.Empty`` if none)."""
        with self._lock:
            if not self._queue:
                raise queue.Empty
            return self._queue.popleft()

    get_nowait = get

    def empty(self) -> bool:
        with self._lock:
            return not self._queue

    # --- the dispatcher's side ------------------------------------------------------

    def start(self, actor: DispatchedActor, dispatcher: Dispatcher) -> None:
        self.actor, self.dispatcher = actor, dispatcher
        dispatcher.schedule(self)  # _scheduled is already True: run on_start first

    def run(self, budget: int) -> None:
        actor = self.actor
        assert actor is not None and self.dispatcher is not None
        if not self._set_up:
            self._set_up = True
            actor._actor_loop_setup()
        handled = 0
        while not actor.actor_stopped.is_set():
            with self._lock:
                if not self._queue:
                    self._scheduled = False
                    return
                if handled >= budget:
                    break
                envelope = self._queue.popleft()
            actor._handle_envelope(envelope)
            handled += 1
        if actor.actor_stopped.is_set():
            self._tear_down(actor)
            return
        self.dispatcher.schedule(self)  # more waiting: back of the ready queue

    def _tear_down(self, actor: DispatchedActor) -> None:
        with self._lock:
            self._torn_down = True
            rest = list(self._queue)
            self._queue.clear()
        for envelope in rest:
            _answer_dead(actor, envelope)


def _answer_dead(actor: DispatchedActor | None, envelope: PykkaEnvelope[Any]) -> None:
    """What pykka's teardown does with a message left in a stopped actor's inbox."""
    if envelope.reply_to is None:
        return
    if isinstance(envelope.message, pykka_messages._ActorStop):
        envelope.reply_to.set(None)
        return
    error = ActorDeadError(f"{actor} stopped before handling the message")
    envelope.reply_to.set_exception(exc_info=(ActorDeadError, error, None))


class DispatchedActor(pykka.Actor):
    """A pykka actor run by a shared ``Dispatcher`` (see the module's docstring).

    Subclasses say which dispatcher runs them with ``dispatcher_for_actor``, called
    once, before the actor starts."""

    actor_inbox: Mailbox

    @staticmethod
    def _create_actor_inbox() -> Mailbox:
        return Mailbox()

    @staticmethod
    def _create_future() -> pykka.Future[Any]:
        return pykka.ThreadingFuture()

    def dispatcher_for_actor(self) -> Dispatcher:
        raise NotImplementedError

    def _start_actor_loop(self) -> None:
        self.actor_inbox.start(self, self.dispatcher_for_actor())

    def _handle_envelope(self, envelope: PykkaEnvelope[Any]) -> None:
        """One turn of pykka's ``_actor_loop_running``, with the same error handling."""
        try:
            response = self._handle_receive(envelope.message)
            if envelope.reply_to is not None:
                envelope.reply_to.set(response)
        except Exception:
            if envelope.reply_to is not None:
                log.info("Exception returned from %s to caller:", self, exc_info=True)
                envelope.reply_to.set_exception()
            else:
                self._handle_failure(*sys.exc_info())
                try:
                    self.on_failure(*sys.exc_info())
                except Exception:
                    self._handle_failure(*sys.exc_info())
        except BaseException:
            log.debug("%r in %s. Stopping all actors.", sys.exc_info()[1], self)
            self._stop()
            ActorRegistry.stop_all(block=False)
