"""The queue's state: the waiting dialogs in order, the offers out, the queue's view of
operators, and what was last told. What the messages *do* to it — the routing machine,
its table and its broadcasts — is ``engine/queue_state.py``, which also exports these
names; see its docstring for the theory of operation.

``QueueState`` is a value (a frozen dataclass): a step makes a new one and the one it was
given stays as it was. A node holds thousands of waiting dialogs, so no step may copy or
walk them: the waiting dialogs are persistent structures that a change copies only a
path of (``SortedKeys``, ``engine/sorted_keys.py``, for the order; a hash array mapped trie,
``immutables.Map``, for the dialogs by id), and what is small (the operators, the offers
each has unanswered, the last waits) is copied on write. The fields with a leading
``_`` are the indexes the machine keeps; only ``queue_state`` reads them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from immutables import Map

from frontdesk.engine import messages
from frontdesk.engine.sorted_keys import SortedKeys
from frontdesk.engine.wait_estimate import RecentWaits

# (rank, -priority, arrival number, dialog): rank 0 is a dialog put back at the head
# (its operator vanished: it keeps its place ahead of the ones that never had one),
# rank 1 every other
Key = tuple[int, int, int, str]
HEAD, IN_LINE = 0, 1
POSITIONS_CHUNK = 64  # positions told per step of a broadcast

# the dialogs that joined since the last flush, newest first (prepending costs O(1))
Joined = tuple[str, "Joined"] | None


@dataclass(frozen=True)
class Entry:
    """One waiting dialog, as a snapshot (see ``QueueState.entries``)."""

    dialog: str
    number: int
    priority: int
    offered_to: str | None = None
    accepted: bool = False
    head: bool = False  # put back at the head of the queue (requeued)

    @property
    def key(self) -> tuple[int, int, int]:
        return (HEAD if self.head else IN_LINE, -self.priority, self.number)


class Item(NamedTuple):
    """One waiting dialog as the queue keeps it (a tuple: made at every change of it,
    and a tuple is made in a fraction of a frozen dataclass's time)."""

    key: Key
    offered_to: str | None = None
    accepted: bool = False
    told: int = 0  # the position last told it (0: none yet)


def _no_items() -> Map[str, Item]:
    return Map()


def _no_keys() -> SortedKeys[Key]:
    return SortedKeys()


@dataclass(frozen=True, eq=False)
class QueueState:
    """The queue, immutable (see the module docstring); ``rebuilt`` makes one from a
    replay's entries."""

    operators: Mapping[str, messages.Availability] = field(default_factory=dict)
    position_interval_s: float = 0.0
    waits: RecentWaits = field(default_factory=RecentWaits)  # engine.wait_estimate
    flush_pending: bool = False  # a FlushInfo is on its way to the queue
    positions_at: float = -math.inf  # when positions were last told in full
    positions_due: float | None = None  # changes wait until then (a timer)
    positions_more: bool = False  # a broadcast is under way: more chunks to tell
    length_told: int = -1
    operators_told: tuple[dict[str, Any], ...] | None = None
    _items: Map[str, Item] = field(default_factory=_no_items)
    _order: SortedKeys[Key] = field(default_factory=_no_keys)  # every waiting dialog
    _free: SortedKeys[Key] = field(default_factory=_no_keys)  # the ones offered to no one
    _unanswered: Mapping[str, int] = field(default_factory=dict)  # operator -> offers out
    _joined: Joined = None  # joined since the last flush: told at once
    _dirty_from: int = 0  # positions from this index on may have changed
    _ops_list: tuple[dict[str, Any], ...] | None = None  # operators_list, once made

    @classmethod
    def rebuilt(
        cls,
        entries: Iterable[Entry] = (),
        operators: Mapping[str, messages.Availability] | None = None,
        position_interval_s: float = 0.0,
        waits: Iterable[float] = (),
    ) -> QueueState:
        """The queue holding ``entries`` (any order; a replay's, or a test's)."""
        items: dict[str, Item] = {}
        unanswered: dict[str, int] = {}
        for e in entries:
            offered = e.offered_to
            items[e.dialog] = Item((*e.key, e.dialog), offered, offered is not None and e.accepted)
            if offered is not None and not e.accepted:
                unanswered[offered] = unanswered.get(offered, 0) + 1
        return cls(
            operators=dict(operators or {}),
            position_interval_s=position_interval_s,
            waits=RecentWaits(waits=waits),
            _items=Map(items),
            _order=SortedKeys(i.key for i in items.values()),
            _free=SortedKeys(i.key for i in items.values() if i.offered_to is None),
            _unanswered=unanswered,
        )

    def but(self, **changes: Any) -> QueueState:
        """This state with ``changes`` (field names and values), the rest shared: what
        ``dataclasses.replace`` does, without its cost (a step makes a state or two, and
        ``replace`` runs ``__init__`` field by field: 5.5 µs against 1.0 µs, measured)."""
        if not changes.keys() <= _FIELDS:
            raise TypeError(f"QueueState has no field {sorted(changes.keys() - _FIELDS)}")
        made = object.__new__(QueueState)
        fields = made.__dict__
        fields.update(self.__dict__)
        fields.update(changes)
        return made

    def __repr__(self) -> str:
        return f"QueueState(order={self.order()}, operators={sorted(self.operators)})"

    # --- reading ------------------------------------------------------------------------

    def order(self) -> list[str]:
        return [k[3] for k in self._order]

    @property
    def entries(self) -> tuple[Entry, ...]:
        """A snapshot of the whole queue: for tests and inspection, not the hot path."""
        out = []
        for k in self._order:
            item = self._items[k[3]]
            out.append(Entry(k[3], k[2], -k[1], item.offered_to, item.accepted, k[0] == HEAD))
        return tuple(out)

    def __len__(self) -> int:
        return len(self._order)


_FIELDS = frozenset(f.name for f in dataclasses.fields(QueueState))
