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
* ``hold`` (by the actor, during its turn): the turn ends after this message and
  ``_scheduled`` stays set, so a ``put`` only appends; ``release`` (any thread, once
  what the actor waited for is done) schedules the next turn, or clears ``_scheduled``
  if nothing waits. The store holds its mailbox while a write is on the journal's
  thread (``engine/journal_writer.py``).
* Once the actor stopped, what is left (and anything put later) is answered as
  pykka's own teardown does: an ``ask`` gets ``ActorDeadError``.

The coupling to pykka: a new actor type is what pykka's own ``Actor`` docs call
"internal methods for implementors of new actor types" (``_create_actor_inbox``,
``_create_future``, ``_start_actor_loop``), plus ``_handle_receive`` (pykka's
dispatch of proxy calls and stops, which a mailbox turn must run as pykka's own loop
does) and ``messages._ActorStop`` (a stop left in a dead actor's inbox is answered
``None``, not ``ActorDeadError``). Everything else — setting up, failing, stopping —
is written here on pykka's public API (``on_start``, ``on_failure``, ``on_stop``,
``actor_stopped``, ``ActorRegistry``). pyproject pins the minor version these were
tested on, and ``tests/engine/test_pykka_contract.py`` fails naming the hook if a
pykka release changes one of them. ``engine.dispatcher = "threads"`` runs every actor
as a plain ``pykka.ThreadingActor`` instead (``engine/actor.py``).

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
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol

import pykka
from pykka import ActorDeadError, ActorRegistry
from pykka import messages as pykka_messages

log = logging.getLogger("frontdesk.engine.dispatch")

THROUGHPUT = 64
HOSTED_TURN = 256  # hosted: mailboxes run in one call on the host's loop

Post = Callable[[Callable[[], None]], None]

# the one private message of pykka's this module needs (see the module's docstring)
ACTOR_STOP: type[Any] = pykka_messages._ActorStop


class PykkaEnvelope(Protocol):
    """What pykka puts into an inbox (its ``_envelope.Envelope``, not public API)."""

    message: Any
    reply_to: pykka.Future[Any] | None


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
        self._host: Post | None = None  # hosted: how to run a call on the host's loop
        self._posted = False  # hosted: a run of the ready mailboxes is posted, not yet run

    def schedule(self, mailbox: Mailbox) -> None:
        with self._cond:
            self._ready.append(mailbox)
            post = self._host
            if post is None:
                self._start_threads()
                self._cond.notify()
                return
            if self._posted:
                return
            self._posted = True
        self._post(post)

    def _start_threads(self) -> None:
        if not self._started:  # (under the lock)
            self._started = True
            for t in self._threads:
                t.start()

    # --- hosted: the ready mailboxes run on the host's loop ------------------------------

    @property
    def hosted(self) -> bool:
        return self._host is not None

    def host(self, post: Post) -> None:
        """From now on run the ready mailboxes through ``post`` — which must run what it is
        given soon, in order, on one thread: the host's loop (trio's ``run_sync_soon``) —
        instead of on this dispatcher's own threads, which wait meanwhile. A busy actor
        then never waits for the GIL behind the loop, nor the loop behind it (three
        threads handed each message and the GIL to each other: docs/performance.md)."""
        with self._cond:
            self._host = post
            self._posted = bool(self._ready)
        if self._ready:
            self._post(post)

    def unhost(self) -> None:
        """Back to this dispatcher's own threads (before the host's loop ends). What the
        host was given and did not run yet is run by whichever side takes it first."""
        with self._cond:
            self._host = None
            self._posted = False
            if self._ready:
                self._start_threads()
            self._cond.notify_all()

    def run_on_host(self, fn: Callable[[], None]) -> bool:
        """Hosted: hand ``fn`` to the host's loop (it runs after what was handed before),
        True. Not hosted, or the host refused it (its loop ended): False, nothing done."""
        post = self._host
        if post is None:
            return False
        try:
            post(fn)
        except Exception:
            return False
        return True

    def _post(self, post: Post) -> None:
        try:
            post(self._run_hosted)
        except Exception:  # the host's loop has ended: this dispatcher's threads take over
            log.warning("dispatcher %s: its host refused a call; back to its own threads",
                        self.name, exc_info=True)
            self.unhost()

    def _run_hosted(self) -> None:
        """On the host's loop: run up to ``HOSTED_TURN`` ready mailboxes, then let the loop
        serve its sockets (the rest is posted again). Never raises into the loop."""
        for _ in range(HOSTED_TURN):
            with self._cond:
                if self._host is None or not self._ready:
                    self._posted = False
                    return
                mailbox = self._ready.popleft()
            try:
                mailbox.run(self.throughput)
            except Exception:  # a bug here would silently stop every actor
                log.critical("dispatcher %s failed running %s", self.name, mailbox.actor,
                             exc_info=True)
        with self._cond:
            post = self._host
            if post is None or not self._ready:
                self._posted = False
                return
        self._post(post)

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
                while (not self._ready or self._host is not None) and not self._closed:
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
        self._queue: deque[PykkaEnvelope] = deque()
        self._lock = threading.Lock()
        self._scheduled = True  # until the actor is attached and started
        self._set_up = False
        self._torn_down = False
        self._held = False  # its actor waits for something: no turn until ``release``
        self.actor: DispatchedActor | None = None
        self.dispatcher: Dispatcher | None = None

    # --- pykka's ActorInbox ----------------------------------------------------------

    def put(self, envelope: PykkaEnvelope, /) -> None:
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

    def get(self) -> Any:  # a PykkaEnvelope (pykka's type for it is private)
        """The next envelope, without waiting (``queue.Empty`` if none)."""
        with self._lock:
            if not self._queue:
                raise queue.Empty
            return self._queue.popleft()

    get_nowait = get

    def empty(self) -> bool:
        with self._lock:
            return not self._queue

    # --- the actor's side: waiting for something without blocking its thread -------------

    def put_back(self, envelope: PykkaEnvelope) -> None:
        """Give back an envelope taken with ``get`` during this turn: it is the next one."""
        with self._lock:
            self._queue.appendleft(envelope)

    def hold(self) -> None:
        """During its turn: the actor waits for something (a write on another thread) and
        takes no message until ``release``; what arrives meanwhile waits in order."""
        with self._lock:
            self._held = True

    def release(self) -> None:
        """The actor takes messages again (from any thread): its next turn is scheduled if
        any wait."""
        with self._lock:
            if not self._held:
                return
            self._held = False
            if not self._queue:
                self._scheduled = False
                return
        assert self.dispatcher is not None
        self.dispatcher.schedule(self)

    # --- the dispatcher's side ------------------------------------------------------

    def start(self, actor: DispatchedActor, dispatcher: Dispatcher) -> None:
        self.actor, self.dispatcher = actor, dispatcher
        dispatcher.schedule(self)  # _scheduled is already True: run on_start first

    def run(self, budget: int) -> None:
        actor = self.actor
        assert actor is not None and self.dispatcher is not None
        if not self._set_up:
            self._set_up = True
            actor._set_up()
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
            with self._lock:
                if self._held:  # still scheduled: ``release`` schedules the next turn
                    return
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


def _answer_dead(actor: DispatchedActor | None, envelope: PykkaEnvelope) -> None:
    """What pykka's teardown does with a message left in a stopped actor's inbox."""
    if envelope.reply_to is None:
        return
    if isinstance(envelope.message, ACTOR_STOP):
        envelope.reply_to.set(None)
        return
    error = ActorDeadError(f"{actor} stopped before handling the message")
    envelope.reply_to.set_exception(exc_info=(ActorDeadError, error, None))


class Inbox(Protocol):
    """An actor's inbox as frontdesk uses it: pykka's ``ActorInbox`` and ``get_nowait``
    (both a ``Mailbox`` and the ``queue.Queue`` of a ``ThreadingActor`` have it)."""

    def put(self, envelope: Any, /) -> None: ...
    def get(self) -> Any: ...
    def get_nowait(self) -> Any: ...
    def empty(self) -> bool: ...


class ThreadedActor(pykka.ThreadingActor):
    """A plain pykka ``ThreadingActor`` (its own thread), daemonic as the dispatchers'
    threads are, so an engine that was not stopped does not hold the process up."""

    use_daemon_thread = True


DISPATCHERS = ("shared", "threads")
_RUNNABLE: dict[tuple[type[Any], str], type[pykka.Actor]] = {}
_RUNNABLE_LOCK = threading.Lock()


def runnable(cls: type[Any], dispatcher: str) -> type[pykka.Actor]:
    """``cls`` (an actor class that does not say how it runs) made concrete: run by a
    shared ``Dispatcher`` (``"shared"``) or as a plain ``ThreadingActor`` (``"threads"``).
    One class per pair, made once."""
    if dispatcher not in DISPATCHERS:
        raise ValueError(f"a dispatcher is one of {', '.join(DISPATCHERS)}, got {dispatcher!r}")
    key = (cls, dispatcher)
    with _RUNNABLE_LOCK:
        kind = _RUNNABLE.get(key)
        if kind is None:
            base = DispatchedActor if dispatcher == "shared" else ThreadedActor
            kind = type(cls.__name__, (cls, base), {"__module__": cls.__module__})
            _RUNNABLE[key] = kind
    return kind


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

    def _set_up(self) -> None:
        """pykka's loop setup: ``on_start``; if it raises, the actor fails."""
        try:
            self.on_start()
        except Exception:
            self._fail(*sys.exc_info())

    def _handle_envelope(self, envelope: PykkaEnvelope) -> None:
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
                self._fail(*sys.exc_info())
                try:
                    self.on_failure(*sys.exc_info())
                except Exception:
                    self._fail(*sys.exc_info())
        except BaseException:
            log.debug("%r in %s. Stopping all actors.", sys.exc_info()[1], self)
            self._stop_now()
            ActorRegistry.stop_all(block=False)

    def _fail(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """What pykka does with an unhandled exception: log it, leave the registry, stop."""
        log.error("Unhandled exception in %s:", self, exc_info=(kind, error, tb))  # type: ignore[arg-type]
        ActorRegistry.unregister(self.actor_ref)
        self.actor_stopped.set()

    def _stop_now(self) -> None:
        """Stop without handling the rest of the inbox, as pykka's ``Actor._stop``."""
        ActorRegistry.unregister(self.actor_ref)
        self.actor_stopped.set()
        try:
            self.on_stop()
        except Exception:
            self._fail(*sys.exc_info())
