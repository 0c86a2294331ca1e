"""The ledger: what was sent to each address and not yet handled, and who lives there.

Each address has a ``Slot``: the ``ActorRef`` living there (None while it starts or
restarts), its ``SlotState``, and its ledger — every ``Envelope`` sent to it and not yet
marked done, in the order sent. ``kept`` are the envelopes of the ledger not told to the
actor yet because a ``Holding`` keeps them back (a test aid, ``engine/testing/aids.py``);
an envelope sent while some are kept is kept too, so none overtakes them.

``Ledger`` is not locked: the directory (``engine/directory.py``) holds its lock around
every call, and its ``settle`` waits on ``idle()``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class SlotState(StrEnum):
    """Where an address is in its life (a ``StrEnum``: it compares equal to its value)."""

    LIVE = "live"  # an actor lives here and takes messages
    LEAVING = "leaving"  # it is logging out: still delivered to, no longer ``is_live``
    RESTARTING = "restarting"  # starting, or crashed and waiting for its restart
    FAILED = "failed"  # given up (crash loop): what comes is refused
    ABSENT = "absent"  # nobody lives here


RUNNING = (SlotState.LIVE, SlotState.LEAVING, SlotState.RESTARTING)  # someone lives here
GONE = (SlotState.ABSENT, SlotState.FAILED)  # nobody does


@dataclass(frozen=True)
class Envelope:
    id: int
    message: Any
    sender: str | None


class Holding(Protocol):
    """Keeps the messages of some addresses back (``engine/testing/aids.py`` ``Holds``)."""

    def keeps(self, address: str) -> bool: ...
    def addresses(self) -> list[str]: ...


class Slot:
    __slots__ = ("kept", "ledger", "ref", "state")

    def __init__(self) -> None:
        self.ref: Any = None
        self.state = SlotState.ABSENT
        self.ledger: dict[int, Envelope] = {}
        self.kept: list[Envelope] = []  # in the ledger, not told yet (held back)


class Ledger:
    def __init__(self) -> None:
        self.slots: dict[str, Slot] = {}
        self.pending = 0  # envelopes recorded and not done, plus actors still starting
        self._ids = itertools.count(1)
        # envelopes taken out of a retired address's ledger while still being handled:
        # pending (for settle) until their actor marks them done
        self.retiring: set[int] = set()

    def envelope(self, message: Any, sender: str | None) -> Envelope:
        return Envelope(next(self._ids), message, sender)

    def slot(self, address: str) -> Slot:
        return self.slots.setdefault(address, Slot())

    def state(self, address: str) -> SlotState:
        slot = self.slots.get(address)
        return SlotState.ABSENT if slot is None else slot.state

    def record(self, slot: Slot, env: Envelope, keep: bool) -> bool:
        """Put ``env`` in ``slot``'s ledger; True if it is to be told now (not kept)."""
        slot.ledger[env.id] = env
        self.pending += 1
        if keep or slot.kept:
            slot.kept.append(env)
            return False
        return slot.ref is not None

    def done(self, address: str, env_id: int) -> bool:
        """``env_id`` was handled; True if it was pending."""
        slot = self.slots.get(address)
        if slot is not None and slot.ledger.pop(env_id, None) is not None:
            self.pending -= 1
            return True
        if env_id in self.retiring:
            self.retiring.discard(env_id)
            self.pending -= 1
            return True
        return False

    def to_redeliver(self, slot: Slot) -> list[Envelope]:
        """What a (re)started actor is told: its ledger, in order, but what is kept."""
        kept = {e.id for e in slot.kept}
        return [e for e in slot.ledger.values() if e.id not in kept]

    def take_kept(self, slot: Slot) -> list[Envelope]:
        """The kept envelopes still in the ledger, in order; none is kept any more."""
        kept, slot.kept = slot.kept, []
        return [e for e in kept if e.id in slot.ledger]

    def take_rest(self, slot: Slot, keep: int | None) -> list[Envelope]:
        """Empty ``slot``'s ledger but ``keep`` (moved to ``retiring``); what was in it."""
        rest = [e for e in slot.ledger.values() if e.id != keep]
        for e in rest:
            del slot.ledger[e.id]
        slot.kept = []
        if keep is not None and slot.ledger.pop(keep, None) is not None:
            # the message being handled (the Retire) stays pending until done, but out
            # of the ledger: an actor started here next must not get it again
            self.retiring.add(keep)
        return rest

    def idle(self) -> bool:
        """Nothing left to do but what is kept back."""
        kept = sum(sum(1 for e in s.kept if e.id in s.ledger) for s in self.slots.values())
        return self.pending - kept == 0

    def by_address(self) -> dict[str, int]:
        return {a: len(s.ledger) for a, s in self.slots.items() if s.ledger}

    def clear(self) -> None:
        for slot in self.slots.values():
            slot.ref = None
            slot.ledger.clear()
            slot.kept = []
        self.pending = 0
        self.retiring.clear()
