"""Valid frames in every order: a hypothesis state machine of visitors, an operator and a
manager on the fuzz node, with real dialog ids and tokens.

Each step sends one frame the doc allows on its endpoint (open, say, close, resume — right
or wrong token, before or after the close —, status, transfer, important, help, logout and
back, monitor), or a hostile one from ``strategies``, and waits for its answer: every
answer is one the doc lists (``ack``, ``dialog.message``, ``error`` with an engine code —
never ``internal`` or ``unavailable``), a say in a dialog known closed is refused
``closed``, a resume with another token ``forbidden``; only a logout closes a socket (1000).
At the end every message acknowledged in any dialog is in its history, in order, and the
node and the bystander are fine.
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any, ClassVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)

from tests.fuzz import model
from tests.fuzz.bystander import Bystander
from tests.fuzz.exchange import Exchange
from tests.fuzz.fuzz_node import FuzzNode, Ws, opened
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import Case, cases

_refs = itertools.count(1)
ANSWERS = frozenset({"ack", "dialog.message", "error"})
# text every field takes: no lone surrogate, no NUL or other control, not only blanks
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
               max_size=50).filter(lambda t: bool(t.strip()))


def answer(ws: Ws, frame: dict[str, Any]) -> dict[str, Any] | None:
    """Send ``frame`` with a fresh ref; its answer (None if the socket closed)."""
    ref = f"st{next(_refs)}"
    ws.send({**frame, "ref": ref})
    got = ws.until(lambda f: f.get("ref") == ref)
    if got is not None:
        assert got["type"] in ANSWERS, (frame, got)
        if got["type"] == "error":
            assert got["code"] in model.ENGINE_CODES, (frame, got)
    return got


class Dialogs(RuleBasedStateMachine):
    node: ClassVar[FuzzNode]
    bystander: ClassVar[Bystander]
    cookies: ClassVar[dict[str, str]]

    dialogs = Bundle("dialogs")

    def __init__(self) -> None:
        super().__init__()
        self.sockets: list[Ws] = []
        self.tokens: dict[str, str] = {}
        self.visitor_of: dict[str, Ws] = {}
        self.closed: set[str] = set()
        self.acked: dict[str, list[tuple[int, str]]] = {}
        self.operator: Ws | None = None
        self.manager: Ws | None = None

    def _open(self, path: str, cookie: str | None = None) -> Ws:
        ws = self.node.ws(path, cookie)
        self.sockets.append(ws)
        return ws

    @initialize()
    def staff(self) -> None:
        self.operator_back()
        self.manager = self._open("/ws/manager", self.cookies["manager"])

    # --- visitors -------------------------------------------------------------------

    @rule(target=dialogs, name=TEXT)
    def open_dialog(self, name: str) -> str:
        ws = self._open("/ws/visitor")
        token = secrets.token_urlsafe(32)
        got = answer(ws, {"type": "open", "name": name, "token": token})
        assert got is not None and got["type"] == "ack", got
        dialog: str = got["dialog"]
        self.tokens[dialog], self.visitor_of[dialog] = token, ws
        return dialog

    @rule(dialog=dialogs, text=TEXT)
    def visitor_says(self, dialog: str, text: str) -> None:
        ws = self.visitor_of.get(dialog)
        if ws is None or ws.closed_with is not None:
            return
        got = answer(ws, {"type": "say", "dialog": dialog, "text": text})
        assert got is not None
        self._judge_say(dialog, text, got)

    def _judge_say(self, dialog: str, text: str, got: dict[str, Any]) -> None:
        if dialog in self.closed:
            assert got["type"] == "error" and got["code"] == "closed", got
        elif got["type"] == "dialog.message":
            self.acked.setdefault(dialog, []).append((got["seq"], text))
        elif got["type"] == "error":
            assert got["code"] in ("invalid", "forbidden", "closed"), got

    @rule(dialog=dialogs)
    def visitor_closes(self, dialog: str) -> None:
        ws = self.visitor_of.get(dialog)
        if ws is None:
            return
        got = answer(ws, {"type": "close", "dialog": dialog})
        assert got is not None
        if dialog in self.closed:
            assert got["type"] == "error" and got["code"] == "closed", got
        else:
            assert got["type"] == "ack", got
            self.closed.add(dialog)

    @rule(dialog=dialogs, after=st.integers(0, 12), right=st.booleans())
    def resume(self, dialog: str, after: int, right: bool) -> None:
        token = self.tokens.get(dialog, "x" * 43)
        with opened(self.node, "/ws/visitor") as ws:
            ref = f"st{next(_refs)}"
            ws.send({"type": "resume", "ref": ref, "dialog": dialog, "after_seq": after,
                     "token": token if right else secrets.token_urlsafe(32)})
            if dialog in self.tokens and not right:  # "forbidden for a token not this dialog's"
                got = ws.until(lambda f: f.get("ref") == ref)
                assert got is not None and got["type"] == "error", ws.frames
                assert got["code"] == "forbidden", got
            elif after == 0 and dialog in self.tokens:  # the replay begins with entry 1
                got = ws.until(lambda f: f.get("type") == "dialog.opened")
                assert got is not None and got["dialog"] == dialog, ws.frames

    # --- the operator (bob) and the manager --------------------------------------------

    def operator_back(self) -> None:
        self.operator = self._open("/ws/operator", self.cookies["operator"])
        self.operator.send({"type": "resume", "dialogs": {}})

    @rule(dialog=dialogs, text=TEXT)
    def operator_says(self, dialog: str, text: str) -> None:
        if self.operator is None:
            return
        got = answer(self.operator, {"type": "say", "dialog": dialog, "text": text})
        if got is None:
            return
        if dialog in self.closed:
            assert got["type"] == "error" and got["code"] in ("closed", "forbidden"), got
        elif got["type"] == "dialog.message":
            self.acked.setdefault(dialog, []).append((got["seq"], text))

    @rule(dialog=dialogs, kind=st.sampled_from(["close", "important", "help", "transfer"]),
          to=st.sampled_from(["ann", "cid", "bob", "nobody"]))
    def operator_acts(self, dialog: str, kind: str, to: str) -> None:
        if self.operator is None:
            return
        frame: dict[str, Any] = {"type": kind, "dialog": dialog}
        if kind == "transfer":
            frame["to"] = to
        got = answer(self.operator, frame)
        if got is not None and kind == "close" and got["type"] == "ack":
            self.closed.add(dialog)

    @rule(status=st.sampled_from(["connected", "on_break", "looking_for_information"]))
    def operator_status(self, status: str) -> None:
        if self.operator is not None:
            got = answer(self.operator, {"type": "status", "status": status})
            assert got is None or got["type"] == "ack", got

    @rule()
    def operator_logs_out(self) -> None:
        if self.operator is None:
            self.operator_back()
            return
        got = answer(self.operator, {"type": "logout"})
        if got is not None:
            assert got["type"] == "ack", got
        assert self.operator.wait_closed() == 1000
        self.operator = None

    @rule(dialog=dialogs, kind=st.sampled_from(["monitor", "close"]))
    def manager_acts(self, dialog: str, kind: str) -> None:
        assert self.manager is not None
        got = answer(self.manager, {"type": kind, "dialog": dialog})
        assert got is not None
        if kind == "close" and got["type"] == "ack":
            self.closed.add(dialog)

    # --- hostile frames between the good ones ------------------------------------------

    @rule(data=st.data(), endpoint=st.sampled_from(["visitor", "operator", "manager"]))
    def hostile(self, data: st.DataObject, endpoint: str) -> None:
        case: Case = data.draw(cases(endpoint))  # first: what is drawn must not depend on state
        ws = {"visitor": next(iter(self.visitor_of.values()), None), "operator": self.operator,
              "manager": self.manager}[endpoint]
        if ws is None or ws.closed_with is not None:
            return
        if case.oversized or "logout" in str(case.obj) or "close" in str(case.obj):
            return  # closes: the rules above cover them
        exchange = Exchange(endpoint, ws)
        exchange.send(case)

    def teardown(self) -> None:
        try:
            for dialog, said in self.acked.items():
                self.assert_history(dialog, said)
            self.node.assert_alive()
            self.bystander.check()
        finally:
            for ws in self.sockets:
                ws.close()

    def assert_history(self, dialog: str, said: list[tuple[int, str]]) -> None:
        last = max(seq for seq, _ in said)
        with opened(self.node, "/ws/visitor") as ws:
            ws.send({"type": "resume", "ref": "h", "dialog": dialog, "after_seq": 0,
                     "token": self.tokens[dialog]})
            got = ws.until(lambda f: f.get("dialog") == dialog and f.get("seq", 0) >= last
                           and f["type"] == "dialog.message")
            assert got is not None
            kept = {(f["seq"], f.get("text")) for f in ws.frames
                    if f["type"] == "dialog.message" and f.get("dialog") == dialog}
        lost = [item for item in said if item not in kept]
        assert not lost, f"acknowledged in {dialog} but not in its history: {lost}"


def test_valid_frames_in_every_order(fuzz_node: FuzzNode, bystander: Bystander) -> None:
    fuzz_node.assert_alive()
    Dialogs.node, Dialogs.bystander = fuzz_node, bystander
    Dialogs.cookies = {"operator": fuzz_node.login("bob"), "manager": fuzz_node.login("maria")}
    run_state_machine_as_test(
        Dialogs, settings=settings(fuzz_settings(0.4), stateful_step_count=12))
