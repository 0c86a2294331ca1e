"""A persistent sorted set with ranks: what the queue keeps its waiting dialogs in. Pure.

``SortedKeys`` is a value: ``add`` and ``remove`` return a new set and leave the one they
were called on as it was, so the queue's state can be immutable without copying its
thousands of waiting dialogs at every message.

Theory of operation
-------------------
A B-tree whose nodes are never changed once made. A leaf holds up to ``FANOUT`` keys in
a list (a change copies it); an inner node holds up to ``FANOUT`` children, with each
child's largest key (``highs``, to find the child a key belongs in by bisection) and its
size (``sizes``, to count the keys before it). ``add`` and ``remove`` copy the path from
the root to one leaf (path copying): at most ``FANOUT`` slots per level, and
``log_FANOUT(n)`` levels (built half full, two levels hold 16,384 keys, three 2
million), so a change costs O(log n) and shares every other node with the set it came
from. The fan-out is wide because in Python the cost is in the levels, not the slots: a
node's lists are copied at C speed, while each level costs a few calls (at 10,000 keys
an ``add`` took 4.5 µs with 64 slots and three levels, 3.9 µs with 256 and two, on a
loaded machine). A node that falls below a quarter full is joined with a neighbour (and
split again if that makes it too big), so the height stays logarithmic however the keys
come and go. ``index`` (the rank of a key: how many are smaller) and ``iter_from`` (the
keys from a rank on) walk one path too.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Ordered)

FANOUT = 256  # keys per leaf, children per inner node, at most
_LOW = FANOUT // 4  # a node below this is joined with a neighbour


class _Leaf(Generic[K]):
    __slots__ = ("keys",)

    def __init__(self, keys: list[K]) -> None:
        self.keys = keys  # never changed once the leaf is made

    @property
    def size(self) -> int:
        return len(self.keys)

    @property
    def high(self) -> K:
        return self.keys[-1]

    @property
    def width(self) -> int:
        return len(self.keys)


class _Inner(Generic[K]):
    __slots__ = ("children", "highs", "size", "sizes")

    def __init__(self, children: list[_Node[K]], highs: list[K], sizes: list[int]) -> None:
        # never changed once the node is made: a change copies them (a list's copy is a
        # memcpy, cheaper than slicing tuples together)
        self.children = children
        self.highs = highs
        self.sizes = sizes
        self.size: int = sum(sizes)

    @property
    def high(self) -> K:
        return self.highs[-1]

    @property
    def width(self) -> int:
        return len(self.children)


_Node = _Leaf[K] | _Inner[K]


def _inner(children: list[_Node[K]]) -> _Inner[K]:
    """An inner node over ``children``, its indexes made from them (a build, a join)."""
    return _Inner(children, [c.high for c in children], [c.size for c in children])


def _split(node: _Node[K]) -> list[_Node[K]]:
    """``node`` as is, or as two halves when it holds more than ``FANOUT``."""
    if node.width <= FANOUT:
        return [node]
    half = node.width // 2
    if isinstance(node, _Leaf):
        return [_Leaf(node.keys[:half]), _Leaf(node.keys[half:])]
    c, h, z = node.children, node.highs, node.sizes
    return [_Inner(c[:half], h[:half], z[:half]), _Inner(c[half:], h[half:], z[half:])]


def _join(a: _Node[K], b: _Node[K]) -> list[_Node[K]]:
    """Two neighbours (``a`` before ``b``, of one level) as one node, or two if too big."""
    if isinstance(a, _Leaf) and isinstance(b, _Leaf):
        return _split(_Leaf(a.keys + b.keys))
    assert isinstance(a, _Inner) and isinstance(b, _Inner)
    return _split(_Inner(a.children + b.children, a.highs + b.highs, a.sizes + b.sizes))


def _replaced(node: _Inner[K], i: int, j: int, by: list[_Node[K]]) -> _Inner[K]:
    """``node`` with its children ``i`` to ``j`` (excluded) replaced ``by`` these."""
    children, highs, sizes = node.children.copy(), node.highs.copy(), node.sizes.copy()
    children[i:j] = by
    highs[i:j] = [n.high for n in by]
    sizes[i:j] = [n.size for n in by]
    return _Inner(children, highs, sizes)


def _replaced_one(node: _Inner[K], i: int, by: _Node[K]) -> _Inner[K]:
    """``node`` with its child ``i`` replaced ``by`` that one (the usual case)."""
    children, highs, sizes = node.children.copy(), node.highs.copy(), node.sizes.copy()
    children[i] = by
    highs[i] = by.high
    sizes[i] = by.size
    return _Inner(children, highs, sizes)


def _add(node: _Node[K], key: K) -> list[_Node[K]] | None:
    """The nodes that replace ``node`` with ``key`` in it; None: it is there already."""
    if isinstance(node, _Leaf):
        keys = node.keys
        i = bisect.bisect_left(keys, key)
        if i < len(keys) and not key < keys[i]:
            return None
        grown = keys.copy()
        grown.insert(i, key)
        leaf = _Leaf(grown)
        return [leaf] if len(keys) < FANOUT else _split(leaf)
    i = min(bisect.bisect_left(node.highs, key), len(node.highs) - 1)
    below = _add(node.children[i], key)
    if below is None:
        return None
    if len(below) == 1:
        return [_replaced_one(node, i, below[0])]
    return _split(_replaced(node, i, i + 1, below))


_ABSENT: Any = object()


def _remove(node: _Node[K], key: K) -> _Node[K] | None:
    """``node`` without ``key`` (None: nothing is left); ``_ABSENT``: ``key`` is not in it."""
    if isinstance(node, _Leaf):
        keys = node.keys
        i = bisect.bisect_left(keys, key)
        if i == len(keys) or key < keys[i]:
            return _ABSENT  # type: ignore[no-any-return]
        if len(keys) == 1:
            return None
        kept = keys.copy()
        del kept[i]
        return _Leaf(kept)
    i = bisect.bisect_left(node.highs, key)
    if i == len(node.highs):
        return _ABSENT  # type: ignore[no-any-return]
    children = node.children
    shrunk = _remove(children[i], key)
    if shrunk is _ABSENT:
        return _ABSENT
    if shrunk is None:
        return _replaced(node, i, i + 1, []) if len(children) > 1 else None
    if shrunk.width >= _LOW or len(children) == 1:
        return _replaced_one(node, i, shrunk)
    if i > 0:  # too small: joined with the neighbour before it, else the one after it
        return _replaced(node, i - 1, i + 1, _join(children[i - 1], shrunk))
    return _replaced(node, 0, 2, _join(shrunk, children[1]))


def _index(node: _Node[K], key: K) -> int:
    rank = 0
    while isinstance(node, _Inner):
        i = bisect.bisect_left(node.highs, key)
        if i == len(node.highs):
            return rank + node.size
        rank += sum(node.sizes[:i])
        node = node.children[i]
    return rank + bisect.bisect_left(node.keys, key)


def _iter_from(node: _Node[K], start: int) -> Iterator[K]:
    if isinstance(node, _Leaf):
        yield from node.keys[start:]
        return
    for child, size in zip(node.children, node.sizes, strict=True):
        if start >= size:
            start -= size
            continue
        yield from _iter_from(child, start)
        start = 0


class SortedKeys(Generic[K]):
    """An immutable sorted set of distinct keys, with ranks (see the module docstring)."""

    __slots__ = ("_root",)

    def __init__(self, keys: Iterable[K] = ()) -> None:
        ordered = sorted(set(keys))
        self._root: _Node[K] | None = None
        if not ordered:
            return
        step = FANOUT // 2 or 1  # built half full: room to grow before the first split
        level: list[_Node[K]] = [
            _Leaf(ordered[i : i + step]) for i in range(0, len(ordered), step)
        ]
        while len(level) > 1:
            level = [_inner(level[i : i + step]) for i in range(0, len(level), step)]
        self._root = level[0]

    @staticmethod
    def _of(root: _Node[K] | None) -> SortedKeys[K]:
        while isinstance(root, _Inner) and len(root.children) == 1:
            root = root.children[0]
        made: SortedKeys[K] = object.__new__(SortedKeys)
        made._root = root
        return made

    def add(self, key: K) -> SortedKeys[K]:
        """This set with ``key`` (itself if ``key`` is in it)."""
        if self._root is None:
            return self._of(_Leaf([key]))
        grown = _add(self._root, key)
        if grown is None:
            return self
        made: SortedKeys[K] = object.__new__(SortedKeys)
        made._root = grown[0] if len(grown) == 1 else _inner(grown)
        return made

    def remove(self, key: K) -> SortedKeys[K]:
        """This set without ``key`` (itself if ``key`` is not in it)."""
        if self._root is None:
            return self
        shrunk = _remove(self._root, key)
        return self if shrunk is _ABSENT else self._of(shrunk)

    def index(self, key: K) -> int:
        """How many keys are smaller than ``key`` (its place, 0 first, if it is in)."""
        return 0 if self._root is None else _index(self._root, key)

    def first(self) -> K | None:
        node = self._root
        if node is None:
            return None
        while isinstance(node, _Inner):
            node = node.children[0]
        return node.keys[0]

    def iter_from(self, start: int) -> Iterator[K]:
        """The keys from rank ``start`` on, in order."""
        if self._root is None or start >= self._root.size:
            return iter(())
        return _iter_from(self._root, max(0, start))

    def __contains__(self, key: object) -> bool:
        node = self._root
        if node is None:
            return False
        k: Any = key
        while isinstance(node, _Inner):
            i = bisect.bisect_left(node.highs, k)
            if i == len(node.highs):
                return False
            node = node.children[i]
        i = bisect.bisect_left(node.keys, k)
        return i < len(node.keys) and not k < node.keys[i]

    def __iter__(self) -> Iterator[K]:
        return self.iter_from(0)

    def __len__(self) -> int:
        return 0 if self._root is None else self._root.size

    def __bool__(self) -> bool:
        return self._root is not None

    def height(self) -> int:
        """Levels from the root to a leaf (0: empty); for tests of the balance."""
        node, levels = self._root, 0
        while node is not None:
            levels += 1
            node = node.children[0] if isinstance(node, _Inner) else None
        return levels

    def __repr__(self) -> str:
        return f"SortedKeys({list(self)!r})"
