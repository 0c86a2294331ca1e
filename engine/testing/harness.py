"""``EngineHarness``: a whole engine in-process, with a manual clock and probes.

    with EngineHarness() as h:
        ann = h.login("ann")
        vera = h.visitor("Vera")
        vera.open()
        d = vera.dialog
        ann.say(d, "Hello Vera")
        vera.probe.expect({"type": "dialog.message", "text": "Hello Vera"})

Every scenario helper submits a command, settles the engine, and returns the
Ack or Rejected that answered it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import secrets
from typing import Any, ClassVar

from frontdesk.engine import commands, notices
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.directory import SlotState
from frontdesk.engine.journal import Journal, MemoryJournal
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import DispatcherName, EngineSettings
from frontdesk.engine.status import Status
from frontdesk.engine.testing.aids import CrashArms, Holds
from frontdesk.engine.testing.host_loop import HostLoop
from frontdesk.engine.testing.probe import Probe

Answer = notices.Ack | notices.Rejected


class EngineHarness:
    # when set, every harness's engine runs its actors so, whatever its settings say: the
    # pytest option ``--engine-dispatcher`` sets it for a whole run (docs/harness.md)
    dispatcher: ClassVar[DispatcherName | None] = None
    # when set (``--engine-dispatcher=hosted``), every harness's engine is hosted on a
    # ``HostLoop``, as a served node's is on its trio loop: the actors and the store on
    # that one thread, the journal's appends on the journal's
    hosted: ClassVar[bool] = False

    def __init__(
        self,
        settings: EngineSettings | None = None,
        journal: Journal | None = None,
        clock: ManualClock | None = None,
        hosted: bool | None = None,
    ) -> None:
        self.settings = settings or EngineSettings()
        self._hosted = self.hosted if hosted is None else hosted
        if self.dispatcher is not None:
            self.settings = dataclasses.replace(self.settings, dispatcher=self.dispatcher)
        self.journal: Journal = journal if journal is not None else MemoryJournal()
        self.clock = clock or ManualClock()
        self._loops: list[HostLoop] = []
        self.engine = self._engine()
        self.managers = self.probe("managers")
        self.injected = 0
        self._refs = itertools.count(1)
        self._operators: dict[str, OperatorHandle] = {}
        self._visitors: list[VisitorHandle] = []
        self._started = False

    # --- life --------------------------------------------------------------------------

    def start(self) -> EngineHarness:
        self.engine.start()
        self.engine.watch_all(self.managers)
        self._started = True
        self.settle()  # every actor has run on_start: its state can be read
        return self

    def stop(self) -> None:
        if self._started:
            self.engine.stop()
            self._started = False
        for loop in self._loops:
            loop.close()
        self._loops.clear()

    def __enter__(self) -> EngineHarness:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def restart(self) -> None:
        """Stop the engine and start a new one on the same journal (a process restart).

        The handles reconnect like clients: each visitor watches its dialog
        again from the last seq it saw, each operator watches itself again.
        """
        self.settle()
        self.engine.stop()
        self.engine = self._engine()
        self.managers = self.probe("managers")
        self.engine.start()
        self.engine.watch_all(self.managers)
        for op in self._operators.values():
            op.probe._directory = self.engine.directory
            self.engine.watch_operator(op.id, op.probe)
        for v in self._visitors:
            v.probe._directory = self.engine.directory
            if v.dialog is not None:
                self.engine.watch_dialog(
                    v.dialog, v.probe, after_seq=v.last_seq, token_hash=v.token_hash
                )
        self.settle()

    def _engine(self) -> Engine:
        """A new engine on the journal, with the test aids plugged in."""
        engine = Engine(self.settings, self.journal, self.clock)
        self.holds = Holds(engine.directory)
        self.crashes = CrashArms()
        engine.ctx.faults = self.crashes
        if self._hosted and self.settings.dispatcher == "shared":
            loop = HostLoop()
            self._loops.append(loop)
            engine.host(loop.run_sync_soon)
        return engine

    # --- time and settling --------------------------------------------------------------

    def settle(self, timeout: float = 5.0) -> None:
        """Wait until every actor's ledger is empty; fail the test if it takes too long."""
        if not self.engine.settle(timeout):
            pending = self.engine.directory.pending()
            raise AssertionError(f"the engine did not settle within {timeout} s: {pending}")

    def advance(self, seconds: float) -> None:
        """Settle, move the manual clock (firing due timers in order), settle again."""
        self.settle()
        self.clock.advance(seconds)
        self.settle()

    def inject_crash(self, address: str, in_start: bool = False, times: int = 1) -> None:
        """The next message ``address`` handles raises (or its next ``on_start``)."""
        self.injected += times
        self.crashes.arm(address, in_start=in_start, times=times)

    def hold(self, address: str) -> None:
        """Keep the messages sent to ``address`` from now on until ``release``.

        ``settle()`` then ignores them: a test can let everything else run to
        completion while one actor lags behind (e.g. a receiver logs out while
        the dialog it accepted has not yet committed the transfer).
        """
        self.holds.hold(address)

    def release(self, address: str, settle: bool = True) -> None:
        """Deliver what ``hold`` kept back, in order, then settle (unless told not to:
        when the test waits for one step of what follows, see ``wait_state``)."""
        self.holds.release(address)
        if settle:
            self.settle()

    def wait_state(self, address: str, state: str | SlotState, timeout: float = 5.0) -> None:
        """Wait until ``address`` is ``live``, ``leaving``, ``restarting`` (crashed, or
        starting), ``failed`` or ``absent`` — to stop a race at one step when ``settle``
        cannot be used (another address is held, so work waits on it)."""
        if not self.engine.directory.wait_for(address, (SlotState(state),), timeout):
            now = self.engine.directory.state(address)
            raise AssertionError(f"{address} did not become {state} within {timeout} s: {now}")

    # --- probes and commands -------------------------------------------------------------

    def probe(self, name: str = "probe") -> Probe:
        """A probe of this engine: an expectation that cannot be met any more (the engine
        settled, and the manual clock does not move by itself) fails at once."""
        return Probe(name, self.engine.directory, settled=self._settled)

    def _settled(self) -> bool:
        return self.engine.directory.settle(timeout=0)

    def ref(self) -> str:
        return f"r{next(self._refs)}"

    def command(self, command: commands.Command, timeout: float = 5.0) -> Answer:
        """Submit, wait for the one Ack or Rejected, settle, return it."""
        answer = Probe(f"answer to {type(command).__name__}")
        self.engine.submit(command, answer)
        got = answer.expect((notices.Ack, notices.Rejected), timeout)
        self.settle(timeout)
        assert isinstance(got, notices.Ack | notices.Rejected)
        return got

    def snapshot(self) -> dict[str, Any]:
        return self.engine.snapshot()

    def actor_state(self, address: str) -> Any:
        """The in-memory state of the actor at ``address`` (read it only when settled)."""
        ref = self.engine.directory.ref(address)
        if ref is None:
            state = self.engine.directory.state(address)
            raise AssertionError(f"no actor lives at {address} (it is {state})")
        actor = ref._actor_weakref()
        if actor is None:
            raise AssertionError(f"the actor at {address} is gone")
        return actor.state

    def addresses(self, prefix: str = "") -> list[str]:
        """The addresses where an actor lives now, e.g. ``addresses("dialog:")``."""
        return sorted(self.engine.directory.addresses(prefix))

    # --- scenario helpers ------------------------------------------------------------------

    def login(
        self,
        operator_id: str,
        name: str | None = None,
        capacity: int | None = None,
        status: Status = Status.CONNECTED,
    ) -> OperatorHandle:
        handle = OperatorHandle(self, operator_id, name or operator_id.capitalize())
        answer = self.command(commands.OperatorLogin(operator_id, handle.name, capacity,
                                                     ref=self.ref()))
        if not isinstance(answer, notices.Ack):
            raise AssertionError(f"login of {operator_id} refused: {answer}")
        self._operators[operator_id] = handle
        self.engine.watch_operator(operator_id, handle.probe)
        if status is not Status.CONNECTED:
            handle.set_status(status)
        self.settle()
        return handle

    def visitor(self, name: str = "Visitor", priority: int = 0) -> VisitorHandle:
        v = VisitorHandle(self, name, priority)
        self._visitors.append(v)
        return v


class OperatorHandle:
    def __init__(self, h: EngineHarness, operator_id: str, name: str) -> None:
        self.h = h
        self.id = operator_id
        self.name = name
        self.probe = h.probe(f"operator {operator_id}")

    def __repr__(self) -> str:
        return f"OperatorHandle({self.id!r})"

    @property
    def dialogs(self) -> list[str]:
        """The dialogs this operator holds, per the committed projection."""
        for op in self.h.snapshot()["operators"]:
            if op["id"] == self.id:
                return list(op["dialogs"])
        return []

    def set_status(self, status: Status) -> Answer:
        return self.h.command(commands.SetStatus(self.id, status, ref=self.h.ref()))

    def set_capacity(self, capacity: int) -> Answer:
        return self.h.command(commands.SetCapacity(self.id, capacity, ref=self.h.ref()))

    def say(self, dialog: str | VisitorHandle, text: str, ref: str | None = None) -> Answer:
        return self.h.command(commands.OperatorSay(self.id, _id(dialog), text, ref=ref
                                                   or self.h.ref()))

    def transfer(
        self, dialog: str | VisitorHandle, to: str | OperatorHandle, note: str = ""
    ) -> Answer:
        to_id = to.id if isinstance(to, OperatorHandle) else to
        return self.h.command(commands.Transfer(self.id, _id(dialog), to_id, note,
                                                ref=self.h.ref()))

    def close(self, dialog: str | VisitorHandle) -> Answer:
        return self.h.command(commands.OperatorClose(self.id, _id(dialog), ref=self.h.ref()))

    def mark_important(self, dialog: str | VisitorHandle, important: bool = True) -> Answer:
        return self.h.command(commands.MarkImportant(self.id, _id(dialog), important,
                                                     ref=self.h.ref()))

    def ask_for_help(self, dialog: str | VisitorHandle, text: str = "") -> Answer:
        return self.h.command(commands.AskForHelp(self.id, _id(dialog), text, ref=self.h.ref()))

    def logout(self) -> Answer:
        return self.h.command(commands.OperatorLogout(self.id, ref=self.h.ref()))

    def watch(self, dialog: str | VisitorHandle, after_seq: int = 0) -> Probe:
        """A new probe watching ``dialog`` as this operator."""
        p = self.h.probe(f"{self.id} on {_id(dialog)}")
        self.h.engine.watch_dialog(_id(dialog), p, after_seq=after_seq, operator_id=self.id)
        self.h.settle()
        return p


class VisitorHandle:
    def __init__(self, h: EngineHarness, name: str, priority: int = 0) -> None:
        self.h = h
        self.name = name
        self.priority = priority
        self.token = secrets.token_urlsafe(16)
        self.token_hash = hashlib.sha256(self.token.encode()).hexdigest()
        self.dialog: str | None = None
        self.probe = h.probe(f"visitor {name}")

    def __repr__(self) -> str:
        return f"VisitorHandle({self.name!r}, {self.dialog!r})"

    @property
    def last_seq(self) -> int:
        seqs = [x.seq for x in self.probe.of_type(notices.DialogNotice)]
        return max(seqs, default=0)

    @property
    def position(self) -> int | None:
        """The last queue position this visitor was told (None if never)."""
        told = self.probe.of_type(notices.QueuePosition)
        return told[-1].position if told else None

    def open(self, info: dict[str, str] | None = None) -> notices.Ack:
        cmd = commands.OpenDialog(
            self.token_hash, self.name, tuple((info or {}).items()), self.priority, ref=self.h.ref()
        )
        answer = self.h.command(cmd)
        if not isinstance(answer, notices.Ack) or answer.dialog is None:
            raise AssertionError(f"open refused: {answer}")
        self.dialog = answer.dialog
        self.h.engine.watch_dialog(self.dialog, self.probe, token_hash=self.token_hash)
        self.h.settle()
        return answer

    def _need(self) -> str:
        if self.dialog is None:
            raise AssertionError(f"visitor {self.name} has no dialog: call open() first")
        return self.dialog

    def say(self, text: str, ref: str | None = None) -> Answer:
        cmd = commands.VisitorSay(self._need(), self.token_hash, text, ref=ref or self.h.ref())
        return self.h.command(cmd)

    def close(self) -> Answer:
        return self.h.command(commands.VisitorClose(self._need(), self.token_hash,
                                                    ref=self.h.ref()))


def _id(dialog: str | VisitorHandle) -> str:
    if isinstance(dialog, VisitorHandle):
        return dialog._need()
    return dialog
