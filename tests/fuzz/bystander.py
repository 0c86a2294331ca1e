"""The bystander: a visitor in a dialog with a logged-in operator, while the fuzzer attacks.

``check()`` (after every example) has each side say something and waits until the other
side has it, so a fuzzed frame that wedged the dialog, the operator, or the node shows at
once; every message acknowledged to the visitor (its own ``dialog.message`` came back with
its ``ref``: the doc's acknowledgement of a ``say``) is remembered. ``assert_durable()``
resumes the dialog on a fresh socket from just before the last one and finds it;
``assert_history_complete()`` (at the end of the session) replays the whole dialog and
finds every acknowledged message, in order.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.fuzz.fuzz_node import FuzzNode, Ws, opened


class Bystander:
    def __init__(self, node: FuzzNode) -> None:
        self.node = node
        self.token = secrets.token_urlsafe(32)
        self.acked: list[tuple[int, str]] = []  # (seq, text) of the visitor's acked says
        self.count = 0
        self.operator = node.ws("/ws/operator", node.login("cid"))
        self.operator.send({"type": "resume", "dialogs": {}})
        self.operator.next("operators")
        self.visitor = node.ws("/ws/visitor")
        self.visitor.send({"type": "open", "ref": "b-open", "name": "Bystander",
                           "token": self.token})
        ack = self.visitor.until(lambda f: f.get("ref") == "b-open")
        assert ack is not None and ack["type"] == "ack", ack
        self.dialog: str = ack["dialog"]
        added = self.operator.until(lambda f: f.get("type") == "operator.dialog_added"
                                    and f.get("dialog") == self.dialog)
        assert added is not None, "the bystander's dialog was not assigned to cid"

    def check(self) -> None:
        """Both sides still talk: a message each way, acknowledged and delivered."""
        self.count += 1
        n = self.count
        text = f"bystander visitor {n}"
        echo = self._say(self.visitor, {"type": "say", "ref": f"bv-{n}", "text": text})
        self.acked.append((echo["seq"], text))
        got = self.operator.until(lambda f: f.get("type") == "dialog.message"
                                  and f.get("text") == text)
        assert got is not None, f"the operator socket closed ({self.operator.closed_with})"
        reply = f"bystander operator {n}"
        self._say(self.operator, {"type": "say", "ref": f"bo-{n}", "dialog": self.dialog,
                                  "text": reply})
        got = self.visitor.until(lambda f: f.get("type") == "dialog.message"
                                 and f.get("text") == reply)
        assert got is not None, f"the visitor socket closed ({self.visitor.closed_with})"
        # what was read is kept only until checked: the sockets live for the session
        self.operator.frames.clear()
        self.visitor.frames.clear()

    def _say(self, ws: Ws, frame: dict[str, Any]) -> dict[str, Any]:
        ws.send(frame)
        answer = ws.until(lambda f: f.get("ref") == frame["ref"])
        assert answer is not None, f"the bystander's socket closed with {ws.closed_with}"
        assert answer["type"] == "dialog.message", answer
        return answer

    def replay(self, after_seq: int) -> list[dict[str, Any]]:
        """The dialog's entries after ``after_seq``, resumed on a fresh visitor socket, up
        to the latest acknowledged message."""
        last = self.acked[-1][0] if self.acked else 0
        with opened(self.node, "/ws/visitor") as ws:
            ws.send({"type": "resume", "ref": "b-resume", "dialog": self.dialog,
                     "token": self.token, "after_seq": after_seq})
            got = ws.until(lambda f: f.get("type") == "dialog.message"
                           and f.get("seq", 0) >= last)
            assert got is not None, f"the resume socket closed with {ws.closed_with}"
            return [f for f in ws.frames if f.get("dialog") == self.dialog and "seq" in f]

    def assert_durable(self) -> None:
        if self.acked:
            seq, text = self.acked[-1]
            texts = [f.get("text") for f in self.replay(seq - 1)
                     if f["type"] == "dialog.message"]
            assert text in texts, f"acknowledged {text!r} (seq {seq}) is not in the history"

    def assert_history_complete(self) -> None:
        entries = self.replay(0)
        said = {(f["seq"], f.get("text")) for f in entries if f["type"] == "dialog.message"}
        lost = [item for item in self.acked if item not in said]
        assert not lost, f"{len(lost)} acknowledged messages are not in the history: {lost[:5]}"
        seqs = [f["seq"] for f in entries if f["type"].startswith("dialog.")
                and f["type"] not in ("dialog.position", "dialog.typing")]
        assert seqs == sorted(seqs), "the replay is out of order"

    def close(self) -> None:
        self.visitor.close()
        self.operator.close()
