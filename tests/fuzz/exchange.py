"""One fuzzed frame sent and its answer judged against the doc (``model.expected``).

``Exchange`` drives one socket: each frame is followed by a ``ping`` (the sentinel), and
since the server answers a frame the wire refuses before it reads the next one, the
refusal must come before the sentinel's ``pong``. Frames that pass the wire go to the
engine, whose answer (echoing the frame's unique ``ref``) may come later: ``settle()``
waits for each of them at the end.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from tests.fuzz import model
from tests.fuzz.fuzz_node import Ws
from tests.fuzz.strategies import REF_MARK, Case

_refs = itertools.count(1)
ANSWER_TYPES = frozenset({"ack", "error", "pong", "dialog.message", "snapshot"})


def parsed(payload: str | bytes) -> tuple[bool, Any]:
    """(True, object) if Python's JSON reads ``payload`` as the server's would, else
    (False, None)."""
    if isinstance(payload, bytes):
        return False, None
    try:
        return True, json.loads(payload)
    except (ValueError, RecursionError):
        return False, None


def non_finite(value: Any) -> bool:
    """Whether any number in ``value`` is NaN or infinite (iterative: a payload may be
    nested far deeper than the recursion limit allows a recursive walk)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif not model.finite(item):
            return True
    return False


def expect_of(endpoint: str, payload: str | bytes) -> model.Expect:
    if isinstance(payload, bytes):  # "Binary frames are refused like bad JSON"
        return model.Expect(frozenset({"bad_json"}), None)
    ok, obj = parsed(payload)
    if not ok:
        return model.Expect(frozenset({"bad_json"}), None)
    got = model.expected(endpoint, obj)
    # NaN and Infinity are not JSON: refusing them is right too
    if model.depth(obj) <= model.MAX_DEPTH and non_finite(obj):
        return model.Expect(got.codes | {"bad_json"} if got.codes else got.codes, got.echo)
    return got


@dataclass
class Exchange:
    endpoint: str
    ws: Ws
    pending: dict[str, str] = field(default_factory=dict)  # ref -> type, answer owed
    refused_refs: set[str] = field(default_factory=set)
    ended: int | None = None  # the close code, once the socket is over
    log: list[str] = field(default_factory=list)

    def render(self, case: Case) -> str | bytes:
        ref = f"z{next(_refs)}"
        if isinstance(case.obj, dict) and case.obj.get("ref") == REF_MARK:
            return model.encode({**case.obj, "ref": ref})
        if isinstance(case.payload, str):
            return case.payload.replace(REF_MARK, ref)
        return case.payload

    def send(self, case: Case) -> None:
        """Send one case and judge what the wire answers (the engine's answers later)."""
        assert self.ended is None
        payload = self.render(case)
        expect = expect_of(self.endpoint, payload)
        self.log.append(f"{case.note}: {payload[:300]!r} -> {sorted(expect.codes)}")
        start = len(self.ws.frames)
        self.ws.send(payload)
        if case.oversized:
            code = self.ws.wait_closed()
            assert code == 1009, f"a frame over max_frame_bytes was closed {code}, not 1009"
            self.ended = code
            return
        _, obj = parsed(payload)
        kind = obj.get("type") if isinstance(obj, dict) else None
        if expect.good and kind == "logout":
            self._logout(expect.echo)
            return
        sentinel = f"s{next(_refs)}"
        self.ws.send({"type": "ping", "ref": sentinel})
        pong = self.ws.until(lambda f: f.get("ref") == sentinel)
        assert pong is not None, (
            f"closed with {self.ws.closed_with} after {self.log[-1]}: only a frame over "
            f"the size limit or a logout closes a socket")
        between = self.ws.frames[start:]
        if not expect.good:
            match = [f for f in between if f.get("type") == "error"
                     and f.get("code") in expect.codes and f.get("ref") == expect.echo]
            assert match, (f"expected an error {sorted(expect.codes)} with ref "
                           f"{expect.echo!r} before the next frame's answer, got {between}; "
                           f"frame: {self.log[-1]}")
            if expect.echo is not None:
                self.refused_refs.add(expect.echo)
        elif expect.echo is not None and kind not in model.UNANSWERED:
            self.pending[expect.echo] = str(kind)

    def _logout(self, ref: str | None) -> None:
        """"answer ack, then the server closes every socket of that operator with 1000"."""
        if ref is not None:
            answer = self.ws.until(lambda f: f.get("ref") == ref)
            assert answer is not None and answer["type"] == "ack", (answer, self.ws.frames)
        code = self.ws.wait_closed()
        assert code == 1000, f"after a logout ack the socket was closed {code}, not 1000"
        self.ended = code

    def settle(self) -> None:
        """Every good frame got its answer; no refused frame got an ack."""
        for ref, kind in self.pending.items():
            answer = self.ws.until(lambda f, ref=ref: f.get("ref") == ref)
            if answer is None:  # closed: only a logout of this operator on another socket
                assert self.ws.closed_with == 1000, (ref, kind, self.ws.closed_with)
                return
            assert answer["type"] in ANSWER_TYPES, answer
            if answer["type"] == "error":
                assert answer["code"] in model.ENGINE_CODES, (
                    f"a frame that passed the wire ({kind}) was refused {answer}")
        for frame in self.ws.frames:
            if frame.get("ref") in self.refused_refs:
                assert frame["type"] == "error", f"a refused frame was taken: {frame}"
