"""``Engine.submit`` checks every command (``engine/encodable.py``) on the trio thread, once
per visitor message: a plain text field of the declared type is checked without a call per
check (Python calls counted with ``sys.setprofile``, not time)."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from frontdesk.engine import commands, encodable


def _python_calls(call: Any) -> int:
    count = [0]

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            count[0] += 1

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return count[0]


def test_a_plain_say_is_checked_in_a_few_calls() -> None:
    say = commands.VisitorSay("d-1", "x" * 64, "a chat line of plain text", ref="r-1")
    assert encodable.command_problem(say) is None
    # before: two calls per field (its type, then its text), one more per union member
    assert _python_calls(lambda: encodable.command_problem(say)) <= 4


def test_what_the_fast_path_skips_is_still_refused() -> None:
    lone = commands.VisitorSay("d-1", "x" * 64, "bad \ud800 text")
    assert "lone surrogate" in (encodable.command_problem(lone) or "")
    wrong = commands.VisitorSay("d-1", "x" * 64, 5)  # type: ignore[arg-type]
    assert "expected str" in (encodable.command_problem(wrong) or "")

    class Sub(str):
        pass

    sub = commands.VisitorSay("d-1", "x" * 64, Sub("é \ud800"))
    assert "lone surrogate" in (encodable.command_problem(sub) or "")
    assert encodable.command_problem(commands.VisitorSay("d-1", "x" * 64, "déjà vu",
                                                         ref=None)) is None


def test_an_events_data_of_plain_values_is_checked_in_one_call() -> None:
    data = {"dialog": "d-1", "seq": 7, "author": "visitor", "name": "Vera", "text": "hello",
            "ref": None, "operator": None, "format": "plain", "html": "hello", "plain": True}
    assert encodable.problem(data) is None
    # before: a call per key and per value (the store checks each event of each commit)
    assert _python_calls(lambda: encodable.problem(data)) <= 2
    bad = {**data, "name": "V\udc00"}
    assert "lone surrogate" in (encodable.problem(bad, "the data") or "")
    key = {**data, "k\ud800": 1}
    assert "a key of the data" in (encodable.problem(key, "the data") or "")
    nested = {**data, "tags": ["ok", {"x": "\ud801"}]}
    assert "the data['tags'][1]['x']" in (encodable.problem(nested, "the data") or "")
