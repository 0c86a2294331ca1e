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

This module is the routing and the life of an address; the ledger itself (slots,
states, what is pending) is ``engine/ledger.py``, the watchers of each address
(kept here so they survive an actor's restart) ``engine/watchers.py``. Test aids
plug in from ``engine/testing/aids.py``: a ``Holding`` (``holds``) keeps an
address's messages back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pykka

from frontdesk.engine import messages, notices
from frontdesk.engine.ledger import GONE, RUNNING, Envelope, Holding, Ledger, SlotState
from frontdesk.engine.watchers import Watchers

__all__ = ["MANAGERS", "Directory", "Envelope", "SlotState"]

log = logging.getLogger("frontdesk.engine.directory")

MANAGERS = "*managers"


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
        self._ledger = Ledger()
        self._watchers = Watchers()
        # who takes a message for an address nobody lives at, before it bounces
        # (the engine: a Watch of a closed dialog goes to the store); True: taken
        self.on_absent: Callable[[str, Envelope], bool] | None = None
        # a test aid that keeps some addresses' messages back (engine/testing/aids.py)
        self.holds: Holding | None = None
        self.closed = False

    # --- delivery --------------------------------------------------------------------

    def send(self, address: str, message: Any, sender: str | None = None) -> None:
        bounce: tuple[Envelope, str] | None = None
        with self._lock:
            slot = self._ledger.slots.get(address)
            env = self._ledger.envelope(message, sender)
            if slot is None or slot.state in GONE or self.closed:
                failed = slot is not None and slot.state is SlotState.FAILED
                bounce = (env, "failed" if failed else "absent")
            else:
                keep = self.holds is not None and self.holds.keeps(address)
                if self._ledger.record(slot, env, keep):
                    _tell(slot.ref, env)
        if bounce is not None:
            self.bounce(address, *bounce)

    def bounce(self, address: str, env: Envelope, reason: str) -> None:
        """Send ``env`` back: to its sender as Undeliverable, or reject the request.

        When the sender is gone too, whoever waits for an answer carried in the
        message itself (a command's or a transfer's ``reply_to``) is answered.
        """
        msg = env.message
        if isinstance(msg, messages.Undeliverable):
            return  # never bounce a bounce
        hook = self.on_absent
        if reason == "absent" and hook is not None and not self.closed and hook(address, env):
            return
        if env.sender is not None and self.exists(env.sender):
            self.send(env.sender, messages.Undeliverable(msg, address, reason))
            return
        reply_to: notices.Subscriber | None = None
        ref: str | None = None
        if isinstance(msg, messages.Inbound):
            reply_to, ref = msg.reply_to, msg.command.ref
        elif isinstance(msg, messages.Watch):
            reply_to, ref = msg.subscriber, msg.ref
        elif isinstance(msg,
            messages.TransferOffer | messages.CompleteTransfer | messages.AbortTransfer):
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
            reply_to(notices.Rejected(ref, _code_for(address, reason), text, dialog))
        except Exception:
            log.warning("a subscriber raised while being told %s; ignored", text, exc_info=True)

    def done(self, address: str, env_id: int) -> None:
        with self._lock:
            if self._ledger.done(address, env_id):
                self._idle.notify_all()

    def _dec(self, count: int) -> None:
        self._ledger.pending -= count
        self._idle.notify_all()

    def deliver_kept(self, address: str) -> None:
        """Tell, in order, what was kept back for ``address`` (its ``Holding`` no longer
        keeps it): what was sent meanwhile was kept behind it, so nothing overtook."""
        with self._lock:
            slot = self._ledger.slots.get(address)
            if slot is None:
                return
            kept = self._ledger.take_kept(slot)
            if slot.ref is not None:
                for env in kept:
                    _tell(slot.ref, env)
            self._idle.notify_all()

    def held(self) -> list[str]:
        """The addresses whose messages are kept back now (a probe's failure names them)."""
        holds = self.holds
        return holds.addresses() if holds is not None else []

    # --- lifecycle of an address -----------------------------------------------------

    def register(self, address: str, ref: Any) -> None:
        """A (re)started actor lives at ``address``: redeliver its ledger, in order."""
        with self._lock:
            slot = self._ledger.slot(address)
            slot.ref = ref
            slot.state = SlotState.LIVE
            self._changed.notify_all()
            for env in self._ledger.to_redeliver(slot):
                _tell(ref, env)

    def reserve(self, address: str) -> None:
        """An actor is about to start here: hold its messages until it registers.

        Also counts one unit of pending work until the actor calls ``started``: what
        its ``on_start`` sends must be seen by ``settle``."""
        with self._lock:
            slot = self._ledger.slot(address)
            slot.ref = None
            slot.state = SlotState.RESTARTING
            self._ledger.pending += 1
            self._changed.notify_all()

    def started(self) -> None:
        """The actor's ``on_start`` is over (whatever it sent is already counted)."""
        with self._lock:
            self._dec(1)

    def leaving(self, address: str) -> None:
        """The actor is logging out: still delivered to, but no longer ``is_live``."""
        with self._lock:
            slot = self._ledger.slots.get(address)
            if slot is not None and slot.state is SlotState.LIVE:
                slot.state = SlotState.LEAVING
                self._changed.notify_all()

    def is_live(self, address: str) -> bool:
        with self._lock:
            return self._ledger.state(address) in (SlotState.LIVE, SlotState.RESTARTING)

    def exists(self, address: str) -> bool:
        """Someone lives (or is being restarted) at ``address``."""
        with self._lock:
            return self._ledger.state(address) in RUNNING

    def ref(self, address: str) -> Any:
        """The ActorRef living at ``address`` (None if none)."""
        with self._lock:
            slot = self._ledger.slots.get(address)
            return None if slot is None else slot.ref

    def state(self, address: str) -> SlotState:
        with self._lock:
            return self._ledger.state(address)

    def crashed(self, address: str, ref: Any, env_id: int | None, report: Any) -> None:
        """Called by the crashing actor, in its thread: suspend delivery (the ledger is
        kept for the restarted actor), tell the supervisor ``report``, bounce the
        message that crashed it. Everything is sent before that message is marked
        done, so ``settle`` cannot see an idle engine in between."""
        env: Envelope | None = None
        with self._lock:
            slot = self._ledger.slots.get(address)
            if slot is None or slot.ref is not ref:
                return
            slot.ref = None
            slot.state = SlotState.RESTARTING
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
        self._drop(address, ref, SlotState.ABSENT, keep)

    def fail(self, address: str) -> None:
        """Give the address up (crash loop): bounce its ledger, refuse what comes."""
        self._drop(address, None, SlotState.FAILED, None)

    def _drop(self, address: str, ref: Any, state: SlotState, keep: int | None) -> None:
        with self._lock:
            slot = self._ledger.slots.get(address)
            if slot is None or (ref is not None and slot.ref is not ref):
                return
            slot.ref = None
            slot.state = state
            self._changed.notify_all()
            rest = self._ledger.take_rest(slot, keep)
            if state is SlotState.ABSENT:
                self._watchers.forget(address)
                del self._ledger.slots[address]
        reason = "absent" if state is SlotState.ABSENT else "failed"
        for e in rest:
            self.bounce(address, e, reason)
        if rest:
            with self._lock:
                self._dec(len(rest))

    def wait_for(self, address: str, states: Iterable[SlotState], timeout: float) -> bool:
        """Wait until ``address`` is in one of ``states``; False if ``timeout`` passed."""
        wanted = frozenset(states)
        with self._lock:
            return self._changed.wait_for(
                lambda: self._ledger.state(address) in wanted, timeout
            )

    def wait_gone(self, address: str, timeout: float) -> bool:
        """Wait until nobody lives at ``address`` (retired or given up)."""
        return self.wait_for(address, GONE, timeout)

    def settle(self, timeout: float = 5.0) -> bool:
        """Wait until every ledger is empty (except what a ``Holding`` keeps back);
        False if ``timeout`` passed first."""
        with self._lock:
            return self._idle.wait_for(self._ledger.idle, timeout)

    def pending(self) -> dict[str, int]:
        with self._lock:
            return self._ledger.by_address()

    def addresses(self, prefix: str = "") -> list[str]:
        with self._lock:
            return [
                a
                for a, s in self._ledger.slots.items()
                if a.startswith(prefix) and s.state is not SlotState.ABSENT
            ]

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._ledger.clear()
            self._idle.notify_all()

    # --- watchers (engine/watchers.py) -----------------------------------------------------

    def watchers(self, address: str) -> tuple[notices.Subscriber, ...]:
        return self._watchers.of(address)

    def audiences(self, address: str) -> tuple[tuple[notices.Subscriber, notices.Audience], ...]:
        """The watchers of ``address`` with the audience each was added as."""
        return self._watchers.audiences(address)

    def add_watcher(
        self, address: str, subscriber: notices.Subscriber, audience: notices.Audience = "visitor"
    ) -> None:
        """Watch ``address`` as ``audience`` (the default, the narrowest, is safe: a
        watcher added without saying who it is never gets what is for staff only)."""
        self._watchers.add(address, subscriber, audience)

    def remove_watcher(self, address: str, subscriber: notices.Subscriber) -> None:
        self._watchers.remove(address, subscriber)

    def drop_subscriber(self, subscriber: notices.Subscriber) -> None:
        """Forget a subscriber everywhere (it raised)."""
        self._watchers.drop(subscriber)
