"""Hostile frames on the three client endpoints, from the ``websockets`` library.

Each example opens one socket on the endpoint and sends a few frames (``strategies``): the
doc's frames mutated, and garbage. Every frame the doc says is bad must get its error (the
codes ``model.expected`` allows, echoing the ref when the ref is good) or, over the size
limit, close 1009; every good one its answer; no other close. After each example the node
is alive, logged no error, and the bystander's dialog still works both ways; the
bystander's acknowledged messages are all in the history.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.bystander import Bystander
from tests.fuzz.exchange import Exchange
from tests.fuzz.fuzz_node import FuzzNode
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import Case, cases


@pytest.fixture(scope="module")
def cookies(fuzz_node: FuzzNode) -> dict[str, str]:
    return {"operator": fuzz_node.login("ann"), "manager": fuzz_node.login("maria")}


def run_example(node: FuzzNode, bystander: Bystander, endpoint: str, cookie: str | None,
                frames: list[Case]) -> None:
    ws = node.ws(f"/ws/{endpoint}", cookie)
    exchange = Exchange(endpoint, ws)
    try:
        for case in frames:
            if exchange.ended is not None:
                break
            exchange.send(case)
        if exchange.ended is None:
            exchange.settle()
    finally:
        ws.close()
    node.assert_alive()
    bystander.check()


def spare_bystander(frames: list[Case], dialog: str) -> list[Case]:
    """A manager may close any dialog, the bystander's too: not in this suite."""
    return [c for c in frames if not (isinstance(c.obj, dict) and dialog in str(c.obj))]


@pytest.fixture
def each(fuzz_node: FuzzNode, bystander: Bystander) -> Iterator[None]:
    fuzz_node.assert_alive()
    yield
    bystander.assert_durable()


@pytest.mark.parametrize("endpoint", ["visitor", "operator", "manager"])
def test_hostile_frames(fuzz_node: FuzzNode, bystander: Bystander, cookies: dict[str, str],
                        each: None, endpoint: str) -> None:
    @fuzz_settings(1.0)
    @given(frames=st.lists(cases(endpoint), min_size=1, max_size=6))
    def example(frames: list[Case]) -> None:
        run_example(fuzz_node, bystander, endpoint, cookies.get(endpoint),
                    spare_bystander(frames, bystander.dialog) if endpoint == "manager"
                    else frames)

    example()
