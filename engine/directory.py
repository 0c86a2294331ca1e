"""Addresses, delivery and the ledger of messages not yet handled.

Every message between actors goes through ``Directory.send(address, msg,
sender)``: the directory records it in the address's *ledger*, then tells the
actor an ``Envelope``; the actor removes the entry once it has handled it
(``done``). The ledger is what makes delivery crash-safe on pykka, which
drops a dead actor's inbox silently: when an actor crashes its address is
suspended (messages keep accumulating in the ledger), and when the supervisor
registers the restarted actor, every message still in the ledger is told to
it again, in order. An address with no actor sends the message back to its
sender as ``Undeliverable`` (or answers an outside command with Rejected).

``settle(timeout)`` waits, on a Condition, until every ledger is empty: then
no actor has anything left to do. The harness's ``settle`` is this.

The directory also keeps the subscribers (watchers) of each address, so they
survive an actor's restart, and the crash arms of the harness.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pykka

from engine import messages as m
from engine import notices as n

log = logging.getLogger("frontdesk.engine.directory")

MANAGERS = "*managers"


@dataclass(frozen=True)
class Envelope:
    id: int
    message: Any
    sender: str | None


class _Slot:
    __slots__ = ("held_from", "ledger", "ref", "state")

    def __init__(self) -> None:
        self.held_from: int | None = None  # hold(): envelopes from this id wait
        self.ref: Any = None
        self.state = "absent"  # live | leaving | restarting | failed | absent
        self.ledger: dict[int, Envelope] = {}


def _code_for(address: str, reason: str) -> str:
    if reason == "crashed":
        return "internal"
    if reason == "failed":
        return "unavailable"
    if address.startswith("dialog:"):
        return "unknown_dialog"
    if address.startswith("operator:"):
        return "unknown_operator"
    return "unavailable"


def _tell(ref: Any, env: Envelope) -> None:
    """Tell, tolerating an actor that just stopped: the envelope stays in the ledger
    (redelivered on restart, bounced on retire)."""
    try:
        ref.tell(env)
    except pykka.ActorDeadError:
        log.debug("%s was stopped; envelope %d stays in the ledger", ref, env.id)


class Directory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._changed = threading.Condition(self._lock)
        self._slots: dict[str, _Slot] = {}
        self._pending = 0
        self._ids = itertools.count(1)
        self._watchers: dict[str, dict[n.Subscriber, n.Audience]] = {}
        self._crash_arms: dict[tuple[str, bool], int] = {}
        # envelopes taken out of a retired address's ledger while still being handled:
        # pending (for settle) until their actor marks them done
        self._retiring: set[int] = set()
        # who takes a message for an address nobody lives at, before it bounces
        # (the engine: a Watch of a closed dialog goes to the store); True: taken
        self.on_absent: Callable[[str, Envelope], bool] | None = None
        self.closed = False

    # --- delivery --------------------------------------------------------------------

    def send(self, address: str, message: Any, sender: str | None = None) -> None:
        bounce: tuple[Envelope, str] | None = None
        with self._lock:
            slot = self._slots.get(address)
            env = Envelope(next(self._ids), message, sender)
            if slot is None or slot.state in ("absent", "failed") or self.closed:
                bounce = (
                    env,
                    "failed" if slot is not None and slot.state == "failed" else "absent",
                )
            else:
                slot.ledger[env.id] = env
                self._pending += 1
                if slot.ref is not None and slot.held_from is None:
                    _tell(slot.ref, env)
        if bounce is not None:
            self.bounce(address, *bounce)

    def bounce(self, address: str, env: Envelope, reason: str) -> None:
        """Send ``env`` back: to its sender as Undeliverable, or reject the request.

        When the sender is gone too, whoever waits for an answer carried in the
        message itself (a command's or a transfer's ``reply_to``) is answered.
        """
        msg = env.message
        if isinstance(msg, m.Undeliverable):
            return  # never bounce a bounce
        hook = self.on_absent
        if reason == "absent" and hook is not None and not self.closed and hook(address, env):
            return
        if env.sender is not None and self.exists(env.sender):
            self.send(env.sender, m.Undeliverable(msg, address, reason))
            return
        reply_to: n.Subscriber | None = None
        ref: str | None = None
        if isinstance(msg, m.Inbound):
            reply_to, ref = msg.reply_to, msg.command.ref
        elif isinstance(msg, m.Watch):
            reply_to, ref = msg.subscriber, msg.ref
        elif isinstance(msg, m.TransferOffer | m.CompleteTransfer | m.AbortTransfer):
            reply_to, ref = msg.reply_to, msg.ref
        if reply_to is None:
            return
        what = address.split(":", 1)[-1]
        text = {
            "absent": f"no such {address.split(':', 1)[0]}: {what}",
            "crashed": f"{address} failed while handling the request",
            "failed": f"{address} is unavailable (it kept failing)",
        }[reason]
        dialog = what if address.startswith("dialog:") else getattr(msg, "dialog", None)
        try:
            reply_to(n.Rejected(ref, _code_for(address, reason), text, dialog))
        except Exception:
            log.warning("a subscriber raised while being told %s; ignored", text, exc_info=True)

    def done(self, address: str, env_id: int) -> None:
        with self._lock:
            slot = self._slots.get(address)
            if slot is not None and slot.ledger.pop(env_id, None) is not None:
                self._dec(1)
            elif env_id in self._retiring:
                self._retiring.discard(env_id)
                self._dec(1)

    def _dec(self, count: int) -> None:
        self._pending -= count
        self._idle.notify_all()

    # --- lifecycle of an address -----------------------------------------------------

    def register(self, address: str, ref: Any) -> None:
        """A (re)started actor lives at ``address``: redeliver its ledger, in order."""
        with self._lock:
            slot = self._slots.setdefault(address, _Slot())
            slot.ref = ref
            slot.state = "live"
            self._changed.notify_all()
            for env in slot.ledger.values():
                if slot.held_from is None or env.id < slot.held_from:
                    _tell(ref, env)

    def reserve(self, address: str) -> None:
        """An actor is about to start here: hold its messages until it registers.

        Also counts one unit of pending work until the actor calls ``started``: what
        its ``on_start`` sends must be seen by ``settle``."""
        with self._lock:
            slot = self._slots.setdefault(address, _Slot())
            slot.ref = None
            slot.state = "restarting"
            self._pending += 1
            self._changed.notify_all()

    def started(self) -> None:
        """The actor's ``on_start`` is over (whatever it sent is already counted)."""
        with self._lock:
            self._dec(1)

    def hold(self, address: str) -> None:
        """Test aid: keep new messages for ``address`` in its ledger until ``release``."""
        with self._lock:
            slot = self._slots.setdefault(address, _Slot())
            if slot.held_from is None:
                slot.held_from = next(self._ids)

    def release(self, address: str) -> None:
        """Deliver, in order, what ``hold`` kept back."""
        with self._lock:
            slot = self._slots.get(address)
            if slot is None or slot.held_from is None:
                return
            start, slot.held_from = slot.held_from, None
            if slot.ref is not None:
                for env in slot.ledger.values():
                    if env.id >= start:
                        _tell(slot.ref, env)
            self._idle.notify_all()

    def held(self) -> list[str]:
        """Test aid: the addresses ``hold`` keeps back now (a probe's failure names them)."""
        with self._lock:
            return sorted(a for a, s in self._slots.items() if s.held_from is not None)

    def leaving(self, address: str) -> None:
        """The actor is logging out: still delivered to, but no longer ``is_live``."""
        with self._lock:
            slot = self._slots.get(address)
            if slot is not None and slot.state == "live":
                slot.state = "leaving"
                self._changed.notify_all()

    def is_live(self, address: str) -> bool:
        with self._lock:
            slot = self._slots.get(address)
            return slot is not None and slot.state in ("live", "restarting")

    def exists(self, address: str) -> bool:
        """Someone lives (or is being restarted) at ``address``."""
        with self._lock:
            slot = self._slots.get(address)
            return slot is not None and slot.state in ("live", "leaving", "restarting")

    def ref(self, address: str) -> Any:
        """The ActorRef living at ``address`` (None if none)."""
        with self._lock:
            slot = self._slots.get(address)
            return None if slot is None else slot.ref

    def state(self, address: str) -> str:
        with self._lock:
            slot = self._slots.get(address)
            return "absent" if slot is None else slot.state

    def crashed(self, address: str, ref: Any, env_id: int | None, report: Any) -> None:
        """Called by the crashing actor, in its thread: suspend delivery (the ledger is
        kept for the restarted actor), tell the supervisor ``report``, bounce the
        message that crashed it. Everything is sent before that message is marked
        done, so ``settle`` cannot see an idle engine in between."""
        env: Envelope | None = None
        with self._lock:
            slot = self._slots.get(address)
            if slot is None or slot.ref is not ref:
                return
            slot.ref = None
            slot.state = "restarting"
            self._changed.notify_all()
            if env_id is not None:
                env = slot.ledger.pop(env_id, None)
        self.send("supervisor", report, address)
        if env is not None:
            self.bounce(address, env, "crashed")
            with self._lock:
                self._dec(1)

    def retire(self, address: str, ref: Any, keep: int | None = None) -> None:
        """Called by the actor itself: no one lives here any more; bounce the rest."""
        self._drop(address, ref, "absent", keep)

    def fail(self, address: str) -> None:
        """Give the address up (crash loop): bounce its ledger, refuse what comes."""
        self._drop(address, None, "failed", None)

    def _drop(self, address: str, ref: Any, state: str, keep: int | None) -> None:
        with self._lock:
            slot = self._slots.get(address)
            if slot is None or (ref is not None and slot.ref is not ref):
                return
            slot.ref = None
            slot.state = state
            self._changed.notify_all()
            rest = [e for e in slot.ledger.values() if e.id != keep]
            for e in rest:
                del slot.ledger[e.id]
            if keep is not None and slot.ledger.pop(keep, None) is not None:
                # the message being handled (the Retire) stays pending until done, but
                # out of the ledger: an actor started here next must not get it again
                self._retiring.add(keep)
            if state == "absent":
                self._watchers.pop(address, None)
                del self._slots[address]
        for e in rest:
            self.bounce(address, e, "absent" if state == "absent" else "failed")
        if rest:
            with self._lock:
                self._dec(len(rest))

    def wait_gone(self, address: str, timeout: float) -> bool:
        """Wait until nobody lives at ``address`` (retired or given up)."""

        def gone() -> bool:
            slot = self._slots.get(address)
            return slot is None or slot.state in ("absent", "failed")

        with self._lock:
            return self._changed.wait_for(gone, timeout)

    def wait_state(self, address: str, state: str, timeout: float) -> bool:
        """Test aid: wait until the address is in ``state`` (``restarting`` after a crash)."""

        def there() -> bool:
            slot = self._slots.get(address)
            return (slot.state if slot is not None else "absent") == state

        with self._lock:
            return self._changed.wait_for(there, timeout)

    def settle(self, timeout: float = 5.0) -> bool:
        """Wait until every ledger is empty (except what ``hold`` keeps back);
        False if ``timeout`` passed first."""

        def idle() -> bool:
            held = sum(
                sum(1 for i in s.ledger if i >= s.held_from)
                for s in self._slots.values()
                if s.held_from is not None
            )
            return self._pending - held == 0

        with self._lock:
            return self._idle.wait_for(idle, timeout)

    def pending(self) -> dict[str, int]:
        with self._lock:
            return {a: len(s.ledger) for a, s in self._slots.items() if s.ledger}

    def addresses(self, prefix: str = "") -> list[str]:
        with self._lock:
            return [
                a for a, s in self._slots.items() if a.startswith(prefix) and s.state != "absent"
            ]

    def close(self) -> None:
        with self._lock:
            self.closed = True
            for slot in self._slots.values():
                slot.ref = None
            self._pending = 0
            self._retiring.clear()
            for slot in self._slots.values():
                slot.ledger.clear()
            self._idle.notify_all()

    # --- watchers ----------------------------------------------------------------------

    def watchers(self, address: str) -> tuple[n.Subscriber, ...]:
        with self._lock:
            return tuple(self._watchers.get(address, ()))

    def audiences(self, address: str) -> tuple[tuple[n.Subscriber, n.Audience], ...]:
        """The watchers of ``address`` with the audience each was added as."""
        with self._lock:
            return tuple(self._watchers.get(address, {}).items())

    def add_watcher(
        self, address: str, subscriber: n.Subscriber, audience: n.Audience = "visitor"
    ) -> None:
        """Watch ``address`` as ``audience`` (the default, the narrowest, is safe: a
        watcher added without saying who it is never gets what is for staff only)."""
        with self._lock:
            subs = self._watchers.setdefault(address, {})
            if subscriber not in subs:
                subs[subscriber] = audience

    def remove_watcher(self, address: str, subscriber: n.Subscriber) -> None:
        with self._lock:
            self._watchers.get(address, {}).pop(subscriber, None)

    def drop_subscriber(self, subscriber: n.Subscriber) -> None:
        """Forget a subscriber everywhere (it raised)."""
        with self._lock:
            for subs in self._watchers.values():
                subs.pop(subscriber, None)

    # --- crash injection (harness) -------------------------------------------------------

    def arm_crash(self, address: str, in_start: bool = False, times: int = 1) -> None:
        with self._lock:
            key = (address, in_start)
            self._crash_arms[key] = self._crash_arms.get(key, 0) + times

    def take_crash(self, address: str, in_start: bool) -> bool:
        with self._lock:
            key = (address, in_start)
            left = self._crash_arms.get(key, 0)
            if left <= 0:
                return False
            self._crash_arms[key] = left - 1
            return True
