"""engine/sorted_keys.py: a persistent sorted set against a sorted list (hypothesis)."""

from __future__ import annotations

import bisect

from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.engine.sorted_keys import FANOUT, SortedKeys

WIDE = (FANOUT // 2) ** 2 + FANOUT  # built half full, this many keys take three levels
ops = st.lists(st.tuples(st.booleans(), st.integers(0, 3 * FANOUT * FANOUT)), max_size=600)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.integers(0, 5000), max_size=400), ops)
def test_it_behaves_as_a_sorted_list_and_every_old_version_stays(start: list[int],
                                                                  steps: list[tuple[bool, int]]
                                                                  ) -> None:
    s = SortedKeys(start)
    model = sorted(set(start))
    versions = [(s, list(model))]
    for adding, key in steps:
        if adding:
            s = s.add(key)
            if key not in model:
                bisect.insort(model, key)
        else:
            s = s.remove(key)
            if key in model:
                model.remove(key)
        versions.append((s, list(model)))
    assert list(s) == model and len(s) == len(model)
    assert s.first() == (model[0] if model else None)
    for probe in (0, 17, 2500, 10**9):
        assert s.index(probe) == bisect.bisect_left(model, probe)
        assert (probe in s) == (probe in model)
    for start_at in (0, 1, len(model) // 2, len(model), len(model) + 3):
        assert list(s.iter_from(start_at)) == model[start_at:]
    for version, then in versions:  # path copying: no version was changed by a later one
        assert list(version) == then


def test_a_large_set_stays_shallow_as_it_fills_and_drains() -> None:
    s: SortedKeys[int] = SortedKeys()
    for i in range(WIDE * 2):
        s = s.add(i)
    assert len(s) == WIDE * 2 and s.height() == 3
    for i in range(WIDE * 2 - 10):  # drained from the head, as a queue is
        s = s.remove(i)
    assert list(s) == list(range(WIDE * 2 - 10, WIDE * 2)) and s.height() == 1
    assert s.remove(5) is s and s.add(WIDE * 2 - 5) is s  # absent / present: the same value


def test_an_empty_set() -> None:
    s: SortedKeys[int] = SortedKeys()
    assert not s and len(s) == 0 and s.first() is None and list(s.iter_from(0)) == []
    assert s.remove(1) is s and s.index(3) == 0 and 3 not in s
    assert list(s.add(3)) == [3] and list(s) == []


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, WIDE)), min_size=200, max_size=1_500))
def test_three_levels_join_and_split_as_keys_come_and_go(steps: list[tuple[bool, int]]) -> None:
    s = SortedKeys(range(0, 3 * WIDE, 3))
    model = list(range(0, 3 * WIDE, 3))
    assert s.height() == 3
    for adding, near in steps:
        key = near * 3 + (1 if adding else 0)  # adds between the keys, removes of them
        i = bisect.bisect_left(model, key)
        present = i < len(model) and model[i] == key
        if adding:
            s = s.add(key)
            if not present:
                model.insert(i, key)
        else:
            s = s.remove(key)
            if present:
                del model[i]
    assert list(s) == model and len(s) == len(model)
    for probe in (0, 1, WIDE, 3 * WIDE - 3, 3 * WIDE):
        assert s.index(probe) == bisect.bisect_left(model, probe)
    assert list(s.iter_from(len(model) // 3)) == model[len(model) // 3 :]


def test_a_range_removed_joins_the_nodes_and_keeps_the_height() -> None:
    s = SortedKeys(range(3 * WIDE))
    for key in range(100, 3 * WIDE - 100):  # all but the two ends: every node joins
        s = s.remove(key)
    assert list(s) == [*range(100), *range(3 * WIDE - 100, 3 * WIDE)] and s.height() <= 2
