"""What ``docs/protocol.md`` says a client frame must be, written down from the doc alone.

Not imported from ``frontdesk.adapters.wire``: the fuzz suite compares the server against this table
(the doc's "visitor → …", "operator → …", "manager → …" sections and its "Limits,
validation and close codes" table), so that a drift between the doc and the code shows as
a failing example. ``expected(endpoint, obj)`` gives, for a frame object, every error code
the doc allows for it (empty: the frame is good at the wire) and whether its ``ref`` is
echoed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["id", "text", "str", "bool", "int", "info", "seqs", "status", "token", "answers"]

MAX_FRAME_BYTES = 65536  # server.max_frame_bytes (default): over it, close 1009
MAX_DEPTH = 16  # arrays and objects inside each other
MAX_REF = 64
MAX_ID = 64
# visitor -> survey_answer: at most 20 answers; each null, a whole number, a text of at most
# 2,000 characters or a list of at most 10 options of at most 200 characters
MAX_ANSWERS = 20
MAX_ANSWER_CHARS = 2000
MAX_OPTIONS = 10
MAX_OPTION_CHARS = 200
TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# /api/config "statuses": read from the server once it runs (``use_config``)
STATUSES: list[str] = ["connected", "on_break"]


@dataclass(frozen=True)
class F:
    name: str
    kind: Kind
    required: bool = True
    max_chars: int | None = None
    min_chars: int = 0
    not_blank: bool = False


def _dialog(required: bool = True) -> F:
    return F("dialog", "id", required, MAX_ID, 1)


SAY_TEXT = F("text", "text", True, 4000, 1, not_blank=True)

# endpoint -> type -> fields, as the doc lists them. ``ref`` goes on every frame; ``say``
# requires it.
DOC_FRAMES: dict[str, dict[str, tuple[F, ...]]] = {
    "visitor": {
        "open": (F("name", "str", False, 100), F("info", "info", False),
                 F("token", "token", False)),
        "resume": (_dialog(), F("token", "str", True, None, 1),
                   F("after_seq", "int", False)),
        "say": (_dialog(False), SAY_TEXT),
        "typing": (_dialog(False), F("on", "bool")),
        "presence": (_dialog(False), F("away", "bool")),
        "close": (_dialog(False),),
        "survey_answer": (_dialog(False), F("survey", "int"), F("answers", "answers")),
        "ping": (),
    },
    "operator": {
        "resume": (F("dialogs", "seqs", False),),
        "status": (F("status", "status"),),
        "say": (_dialog(), SAY_TEXT),
        "typing": (_dialog(), F("on", "bool")),
        "transfer": (_dialog(), F("to", "id", True, MAX_ID, 1), F("note", "str", False, 500)),
        "close": (_dialog(),),
        "important": (_dialog(), F("on", "bool", False)),
        "help": (_dialog(), F("text", "str", False, 4000, 1)),
        "internal": (_dialog(), SAY_TEXT),
        "survey": (_dialog(), F("survey", "int")),
        "help_resolve": (_dialog(), F("text", "str", False, 4000)),
        "operator_internal": (F("text", "str", True, 4000),),
        "logout": (),
        "ping": (),
    },
    "manager": {
        "monitor": (_dialog(), F("on", "bool", False)),
        "close": (_dialog(),),
        "internal": (_dialog(), SAY_TEXT),
        "help_ack": (_dialog(),),
        "operator_internal": (F("to", "id", True, MAX_ID, 1), F("text", "str", True, 4000)),
        "help_resolve": (_dialog(), F("text", "str", False, 4000)),
        "say": (_dialog(), SAY_TEXT),
        "take_over": (_dialog(), F("to", "id", True, MAX_ID, 1), F("note", "str", False, 500)),
        "snapshot": (),
        "ping": (),
    },
}
# "A frame that only the manager endpoint takes sent [on another] is refused forbidden"
MANAGER_ONLY = frozenset(DOC_FRAMES["manager"]).difference(DOC_FRAMES["operator"],
                                                           DOC_FRAMES["visitor"])
REF_REQUIRED = frozenset({"say"})
# Good frames that get no answer of their own (typing: not acknowledged; the operator's
# resume: its answer is the burst of operator.* frames) or whose answer may come without the
# ref (a visitor's resume: "an ack with the same ref may precede the replay").
UNANSWERED = frozenset({"typing", "resume", "presence"})
# Error codes an engine may answer a good frame with; ``internal`` and ``unavailable`` say
# the node failed, which a frame that passed the wire must never cause on a healthy node.
ENGINE_CODES = frozenset({"forbidden", "unknown_dialog", "unknown_operator", "closed",
                          "at_capacity", "invalid",
                          # a survey, and its answer (operator -> survey, visitor ->
                          # survey_answer): no such template or survey, an answer that
                          # does not fit, a second one, one after answer_until
                          "no_survey", "bad_answer", "already_answered", "survey_expired"})
WIRE_CODES = frozenset({"bad_json", "unknown_type", "missing_field", "bad_field"})


@dataclass(frozen=True)
class Expect:
    """What the doc allows for one frame: ``codes`` (empty: good at the wire), the ``ref``
    an error must echo (None when the frame's ref is absent or bad)."""

    codes: frozenset[str]
    echo: str | None

    @property
    def good(self) -> bool:
        return not self.codes


def use_config(config: dict[str, Any]) -> None:
    """Take the statuses from ``GET /api/config``, where the doc says they are listed."""
    STATUSES[:] = [s["value"] for s in config["statuses"]]


def bad_text(value: str) -> bool:
    """A lone surrogate or NUL: refused in every string, keys included."""
    return any(c == "\x00" or 0xD800 <= ord(c) <= 0xDFFF for c in value)


def any_bad_string(value: Any) -> bool:
    if isinstance(value, str):
        return bad_text(value)
    if isinstance(value, dict):
        return any(bad_text(k) or any_bad_string(v) for k, v in value.items())
    if isinstance(value, list):
        return any(any_bad_string(v) for v in value)
    return False


def depth(value: Any) -> int:
    """How deep arrays and objects nest in ``value`` (without recursing: it may be deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def field_ok(spec: F, value: Any) -> bool:
    if spec.kind in ("id", "text", "str"):
        if not isinstance(value, str):
            return False
        if spec.not_blank and not value.strip():
            return False
        if spec.kind == "id" and not value.strip():
            return False
        return len(value) >= spec.min_chars and (
            spec.max_chars is None or len(value) <= spec.max_chars)
    if spec.kind == "bool":
        return isinstance(value, bool)
    if spec.kind == "int":
        return is_int(value) and value >= 0
    if spec.kind == "status":
        return isinstance(value, str) and value in STATUSES
    if spec.kind == "token":
        return (isinstance(value, str) and 32 <= len(value) <= 128
                and set(value) <= TOKEN_ALPHABET)
    if spec.kind == "info":
        return (isinstance(value, dict) and len(value) <= 32
                and all(len(k) <= 64 and isinstance(v, str) and len(v) <= 500
                        for k, v in value.items()))
    if spec.kind == "answers":
        return isinstance(value, list) and len(value) <= MAX_ANSWERS and all(
            answer_ok(item) for item in value)
    # seqs: dialog ids (1 to 64 characters) to integers >= 0, at most 1,000
    return (isinstance(value, dict) and len(value) <= 1000
            and all(0 < len(k) <= MAX_ID and is_int(v) and v >= 0 for k, v in value.items()))


def answer_ok(item: Any) -> bool:
    if item is None or is_int(item):
        return True
    if isinstance(item, str):
        return len(item) <= MAX_ANSWER_CHARS
    return isinstance(item, list) and len(item) <= MAX_OPTIONS and all(
        isinstance(option, str) and len(option) <= MAX_OPTION_CHARS for option in item)


def good_ref(ref: Any) -> bool:
    return isinstance(ref, str) and 0 < len(ref) <= MAX_REF and not bad_text(ref)


def expected(endpoint: str, obj: Any) -> Expect:
    """Every code the doc allows for ``obj`` (a parsed frame) on ``endpoint``."""
    if not isinstance(obj, dict) or depth(obj) > MAX_DEPTH:
        return Expect(frozenset({"bad_json"}), None)
    codes: set[str] = set()
    ref = obj.get("ref")
    echo = ref if good_ref(ref) else None
    if ref is not None and echo is None:
        codes.add("bad_field")
    if any_bad_string(obj):
        codes.add("bad_field")
    kind = obj.get("type")
    table = DOC_FRAMES[endpoint]
    if endpoint != "manager" and kind in MANAGER_ONLY:
        codes.add("forbidden")
        return Expect(frozenset(codes), echo)
    if not isinstance(kind, str) or kind not in table:
        codes.add("unknown_type")
        return Expect(frozenset(codes), echo)
    if kind in REF_REQUIRED and ref is None:
        codes.add("missing_field")
    for spec in table[kind]:
        value = obj.get(spec.name)
        if value is None:  # absent, or null (taken as absent)
            if spec.required:
                codes.add("missing_field")
        elif not field_ok(spec, value):
            codes.add("bad_field")
    return Expect(frozenset(codes), echo)


def encode(obj: Any) -> str:
    """JSON as a client would write it: ASCII only, so a lone surrogate goes as ``\\ud800``
    (valid JSON, not text); numbers beyond floats as Python writes them."""
    return json.dumps(obj, ensure_ascii=True, allow_nan=True)


def finite(value: Any) -> bool:
    return not isinstance(value, float) or math.isfinite(value)
