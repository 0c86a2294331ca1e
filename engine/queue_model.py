"""The queue's state: the waiting dialogs in order, the offers out, the queue's view of
operators, and what was last told. What the messages *do* to it — the routing machine,
its table and its broadcasts — is ``engine/queue_state.py``, which also exports these
names; see its docstring for the theory of operation and why this state is mutable (a
node holds thousands of waiting dialogs, so no step may copy or walk them). The fields
with a leading underscore are the indexes the machine keeps; only ``queue_state`` reads
them.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from frontdesk.engine import messages
from frontdesk.engine.wait_estimate import RecentWaits

# (rank, -priority, arrival number, dialog): rank 0 is a dialog put back at the head
# (its operator vanished: it keeps its place ahead of the ones that never had one),
# rank 1 every other
Key = tuple[int, int, int, str]
HEAD, IN_LINE = 0, 1
POSITIONS_CHUNK = 64  # positions told per step of a broadcast


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


class _Item:
    __slots__ = ("accepted", "key", "offered_to")

    def __init__(self, key: Key) -> None:
        self.key = key
        self.offered_to: str | None = None
        self.accepted = False


class QueueState:
    """The queue (mutable: ``step`` updates it in place; see the module docstring)."""

    def __init__(
        self,
        entries: Iterable[Entry] = (),
        operators: dict[str, messages.Availability] | None = None,
        position_interval_s: float = 0.0,
        waits: Iterable[float] = (),
    ) -> None:
        self.position_interval_s = position_interval_s
        self.positions_at = -math.inf  # when positions were last told in full
        self.positions_due: float | None = None  # changes wait until then (a timer)
        self._fresh: list[str] = []  # joined since the last flush: told at once
        self.positions_more = False  # a broadcast is under way: more chunks to tell
        self._items: dict[str, _Item] = {}
        self._order: list[Key] = []  # every waiting dialog, sorted
        self._free: list[Key] = []  # the ones not offered to anyone, sorted
        self._unanswered: dict[str, int] = {}  # operator -> offers not yet answered
        self.operators: dict[str, messages.Availability] = dict(operators or {})
        self.positions: dict[str, int] = {}  # last told
        self.waits = RecentWaits(waits=waits)  # recent assignments' waits (engine.wait_estimate)
        self.length_told = -1
        self.operators_told: tuple[dict[str, Any], ...] | None = None
        self.flush_pending = False  # a FlushInfo is on its way to the queue
        self._dirty_from = 0  # positions from this index on may have changed
        self._ops_list: tuple[dict[str, Any], ...] | None = None  # cache of operators_list
        for e in entries:
            key: Key = (*e.key, e.dialog)
            item = _Item(key)
            self._items[e.dialog] = item
            self._order.append(key)
            if e.offered_to is None:
                self._free.append(key)
            else:
                self._offer(item, e.offered_to)
                item.accepted = e.accepted
                if e.accepted:
                    self._answered(item)
        self._order.sort()
        self._free.sort()

    def __repr__(self) -> str:
        return f"QueueState(order={self.order()}, operators={sorted(self.operators)})"

    # --- reading ------------------------------------------------------------------------

    def order(self) -> list[str]:
        return [k[3] for k in self._order]

    @property
    def entries(self) -> tuple[Entry, ...]:
        out = []
        for k in self._order:
            item = self._items[k[3]]
            out.append(Entry(k[3], k[2], -k[1], item.offered_to, item.accepted, k[0] == HEAD))
        return tuple(out)

    def __len__(self) -> int:
        return len(self._order)

    # --- changes ------------------------------------------------------------------------

    def _enqueue(self, dialog: str, number: int, priority: int, head: bool = False) -> None:
        if dialog in self._items:
            return
        key: Key = (HEAD if head else IN_LINE, -priority, number, dialog)
        self._items[dialog] = _Item(key)
        i = bisect.bisect_left(self._order, key)
        self._order.insert(i, key)
        bisect.insort(self._free, key)
        self._dirty_from = min(self._dirty_from, i)
        self._fresh.append(dialog)

    def _dequeue(self, dialog: str) -> None:
        item = self._items.pop(dialog, None)
        self.positions.pop(dialog, None)
        if item is None:
            return
        i = bisect.bisect_left(self._order, item.key)
        del self._order[i]
        self._dirty_from = min(self._dirty_from, i)
        if item.offered_to is None:
            self._unfree(item.key)
        elif not item.accepted:
            self._answered(item)

    def _unfree(self, key: Key) -> None:
        j = bisect.bisect_left(self._free, key)
        if j < len(self._free) and self._free[j] == key:
            del self._free[j]

    def _offer(self, item: _Item, operator: str) -> None:
        item.offered_to = operator
        item.accepted = False
        self._unanswered[operator] = self._unanswered.get(operator, 0) + 1

    def _answered(self, item: _Item) -> None:
        """``item``'s offer is no longer unanswered (accepted, declined or gone)."""
        op = item.offered_to
        if op is None:
            return
        left = self._unanswered.get(op, 0) - 1
        if left > 0:
            self._unanswered[op] = left
        else:
            self._unanswered.pop(op, None)

    def _accepted(self, dialog: str) -> None:
        item = self._items.get(dialog)
        if item is None or item.offered_to is None or item.accepted:
            return
        self._answered(item)
        item.accepted = True

    def _back_in_line(self, dialog: str) -> None:
        """The offer of ``dialog`` was declined or never arrived: it waits again, in place."""
        item = self._items.get(dialog)
        if item is None or item.offered_to is None:
            return
        if not item.accepted:
            self._answered(item)
        item.offered_to = None
        item.accepted = False
        bisect.insort(self._free, item.key)

    def _set_operator(self, a: messages.Availability | None, op: str) -> None:
        if a is not None and a.logged_in:
            if self.operators.get(a.operator) != a:
                self.operators[a.operator] = a
                self._ops_list = None
        elif self.operators.pop(op, None) is not None:
            self._ops_list = None
