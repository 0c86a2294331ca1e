"""Inbound frames: the one table of what each websocket endpoint accepts.

Theory of operation: a client frame is a JSON text whose object has a string
``type``. ``parse_frame(endpoint, text)`` checks it against ``FRAMES`` — for
each endpoint, each type, the fields with their kind, whether required and
their limits — and returns a ``Frame`` whose values are of the declared kinds,
or raises ``WireError`` with a stable ``code`` (``bad_json``, ``unknown_type``,
``missing_field``, ``bad_field``) and a message saying what was expected and
what came. Nothing here knows of sockets or of the engine; ``docs/protocol.md``
documents the same table (a test compares them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from frontdesk.adapters.json_limits import (
    JsonLimitError,
    bad_string,
    loads_bounded,
    may_hold_bad_strings,
    text_problem,
)
from frontdesk.engine.errors import AdapterError
from frontdesk.engine.status import Status

Endpoint = Literal["visitor", "operator", "manager"]
Kind = Literal["str", "bool", "int", "info", "seqs", "status", "token", "choice", "answers"]

MAX_REF_CHARS = 64
MAX_TEXT_CHARS = 4000
MAX_NAME_CHARS = 100
MAX_NOTE_CHARS = 500
MAX_ID_CHARS = 64
MAX_INFO_ITEMS = 32
MAX_INFO_VALUE_CHARS = 500
MAX_RESUME_DIALOGS = 1000
MAX_SURVEY_ANSWERS = 20  # a survey's questions at most (adapters/surveys)
MAX_SURVEY_ANSWER_CHARS = 2000  # a free-text answer (engine/survey_answers.py)
MAX_SURVEY_CHOICES = 10
MAX_JSON_DEPTH = 16  # arrays and objects inside each other (a frame of the table needs 2)
MIN_TOKEN_CHARS = 32  # a visitor's own dialog token (``open``): random, url-safe
MAX_TOKEN_CHARS = 128
_TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class WireError(AdapterError):
    """A client frame that cannot be taken; ``code`` crosses the wire."""

    def __init__(self, code: str, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = True
    max_chars: int | None = None
    non_empty: bool = False
    choices: tuple[str, ...] = ()  # the values a "choice" takes


@dataclass(frozen=True)
class Frame:
    """A validated client frame. ``values`` holds every declared field present."""

    type: str
    ref: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, name: str, default: str = "") -> str:
        value = self.values.get(name, default)
        assert isinstance(value, str)
        return value

    def opt_text(self, name: str) -> str | None:
        value = self.values.get(name)
        assert value is None or isinstance(value, str)
        return value

    def flag(self, name: str, default: bool = True) -> bool:
        value = self.values.get(name, default)
        assert isinstance(value, bool)
        return value

    def number(self, name: str, default: int = 0) -> int:
        value = self.values.get(name, default)
        assert isinstance(value, int)
        return value

    def info(self, name: str) -> dict[str, str]:
        value = self.values.get(name, {})
        assert isinstance(value, dict)
        return value

    def seqs(self, name: str) -> dict[str, int]:
        value = self.values.get(name, {})
        assert isinstance(value, dict)
        return value

    def answers(self, name: str = "answers") -> tuple[Any, ...]:
        value = self.values.get(name, ())
        assert isinstance(value, tuple)
        return value

    def status(self, name: str = "status") -> Status:
        value = self.values[name]
        assert isinstance(value, Status)
        return value


_DIALOG = Field("dialog", "str", max_chars=MAX_ID_CHARS, non_empty=True)
_OPT_DIALOG = Field("dialog", "str", required=False, max_chars=MAX_ID_CHARS, non_empty=True)
_TEXT = Field("text", "str", max_chars=MAX_TEXT_CHARS, non_empty=True)
# how a say's text is written (adapters/text): a visitor's is always plain text
_VISITOR_FORMAT = Field("format", "choice", required=False, choices=("plain",))
_OPERATOR_FORMAT = Field("format", "choice", required=False, choices=("plain", "markdown"))
_PING: tuple[Field, ...] = ()

# endpoint -> type -> fields. ``ref`` is accepted on every frame; ``say`` requires it.
FRAMES: dict[Endpoint, dict[str, tuple[Field, ...]]] = {
    "visitor": {
        "open": (
            Field("name", "str", required=False, max_chars=MAX_NAME_CHARS),
            Field("info", "info", required=False),
            Field("token", "token", required=False),
        ),
        "resume": (
            _DIALOG,
            Field("token", "str", max_chars=200, non_empty=True),
            Field("after_seq", "int", required=False),
            Field("after_epoch", "int", required=False),
        ),
        "say": (_OPT_DIALOG, _TEXT, _VISITOR_FORMAT),
        "typing": (_OPT_DIALOG, Field("on", "bool")),
        "presence": (_OPT_DIALOG, Field("away", "bool")),
        "close": (_OPT_DIALOG,),
        "survey_answer": (_OPT_DIALOG, Field("survey", "int"), Field("answers", "answers")),
        "ping": _PING,
    },
    "operator": {
        "resume": (
            Field("dialogs", "seqs", required=False),
            Field("epochs", "seqs", required=False),
        ),
        "status": (Field("status", "status"),),
        "say": (_DIALOG, _TEXT, _OPERATOR_FORMAT),
        "typing": (_DIALOG, Field("on", "bool")),
        "transfer": (
            _DIALOG,
            Field("to", "str", max_chars=MAX_ID_CHARS, non_empty=True),
            Field("note", "str", required=False, max_chars=MAX_NOTE_CHARS),
        ),
        "close": (_DIALOG,),
        "important": (_DIALOG, Field("on", "bool", required=False)),
        "help": (_DIALOG, Field("text", "str", required=False, max_chars=MAX_TEXT_CHARS)),
        "internal": (_DIALOG, _TEXT),
        "survey": (_DIALOG, Field("survey", "int")),
        "help_resolve": (_DIALOG, Field("text", "str", required=False, max_chars=MAX_TEXT_CHARS)),
        "operator_internal": (_TEXT,),
        "logout": (),
        "ping": _PING,
    },
    "manager": {
        "monitor": (_DIALOG, Field("on", "bool", required=False)),
        "close": (_DIALOG,),
        "internal": (_DIALOG, _TEXT),
        "help_ack": (_DIALOG,),
        "operator_internal": (Field("to", "str", max_chars=MAX_ID_CHARS, non_empty=True), _TEXT),
        "help_resolve": (_DIALOG, Field("text", "str", required=False, max_chars=MAX_TEXT_CHARS)),
        "say": (_DIALOG, _TEXT, _OPERATOR_FORMAT),
        "take_over": (
            _DIALOG,
            Field("to", "str", max_chars=MAX_ID_CHARS, non_empty=True),
            Field("note", "str", required=False, max_chars=MAX_NOTE_CHARS),
        ),
        "snapshot": (),
        "ping": _PING,
    },
}

# the manager's frames no other endpoint has: sent elsewhere, refused ``forbidden`` by name
MANAGER_ONLY = frozenset(FRAMES["manager"]) - frozenset(FRAMES["operator"]) - frozenset(
    FRAMES["visitor"])

# Frames whose ``ref`` is required: re-sending them must be safe (the engine dedupes by ref).
REF_REQUIRED = frozenset({"say"})


def parse_frame(endpoint: Endpoint, text: str | bytes) -> Frame:
    """Validate one client frame of ``endpoint``; raise ``WireError`` if it cannot be taken.

    The frame's size was bounded by the transport (``server.max_frame_bytes``, close 1009)
    before it got here; its nesting is bounded before it is parsed (``MAX_JSON_DEPTH``), and
    no string in it, known field or not, may hold a lone surrogate or NUL (``bad_field``)."""
    if isinstance(text, bytes):
        raise WireError("bad_json", "expected a JSON text frame, got a binary frame")
    try:
        obj = loads_bounded(text, MAX_JSON_DEPTH)
    except JsonLimitError as exc:
        raise WireError(exc.code, exc.message) from None
    if not isinstance(obj, dict):
        raise WireError("bad_json", f"expected a JSON object, got {_kind_of(obj)}")
    ref = _ref_of(obj)
    kind = obj.get("type")
    if may_hold_bad_strings(text):
        _refuse_bad_strings(obj, kind, ref)
    table = FRAMES[endpoint]
    if endpoint != "manager" and isinstance(kind, str) and kind in MANAGER_ONLY:
        raise WireError(
            "forbidden",
            f"{kind}: a manager's frame (the manager endpoint /ws/manager, with the manager"
            f" role); the {endpoint} endpoint does not take it",
            ref,
        )
    if not isinstance(kind, str) or kind not in table:
        known = ", ".join(sorted(table))
        got = repr(kind) if isinstance(kind, str) and len(kind) <= 40 else _describe(kind)
        raise WireError(
            "unknown_type",
            f"expected a type among {known} on the {endpoint} endpoint, got {got}",
            ref,
        )
    if kind in REF_REQUIRED and ref is None:
        raise WireError("missing_field", f"{kind}: the field 'ref' is required", None)
    values: dict[str, Any] = {}
    for spec in table[kind]:
        if spec.name not in obj or obj[spec.name] is None:
            if spec.required:
                raise WireError(
                    "missing_field", f"{kind}: the field {spec.name!r} is required", ref
                )
            continue
        values[spec.name] = _check(kind, spec, obj[spec.name], ref)
    return Frame(kind, ref, values)


def _ref_of(obj: dict[str, Any]) -> str | None:
    """The frame's ``ref``: a string, never coerced (an integer is refused, naming the type).
    A bad ref is not echoed in the error (it could not be matched, or even encoded)."""
    ref = obj.get("ref")
    if ref is None:
        return None
    if not isinstance(ref, str) or not ref or len(ref) > MAX_REF_CHARS:
        raise WireError(
            "bad_field",
            f"ref: expected a non-empty string of at most {MAX_REF_CHARS} characters, "
            f"got {_describe(ref)}",
        )
    problem = text_problem(ref)
    if problem is not None:
        raise WireError("bad_field", f"ref: {problem}")
    return ref


def _refuse_bad_strings(obj: dict[str, Any], kind: Any, ref: str | None) -> None:
    if isinstance(kind, str):
        problem = text_problem(kind)
        if problem is not None:
            raise WireError("bad_field", f"type: {problem}", ref)
    prefix = kind if isinstance(kind, str) else "frame"
    for key, value in obj.items():
        if key in ("type", "ref"):
            continue
        found = bad_string({key: value}, prefix)
        if found is not None:
            where, problem = found
            raise WireError("bad_field", f"{where}: {problem}", ref)


def _check(kind: str, spec: Field, value: Any, ref: str | None) -> Any:
    where = f"{kind}.{spec.name}"
    if spec.kind == "str":
        if not isinstance(value, str):
            raise WireError("bad_field", f"{where}: expected a string, got {_describe(value)}", ref)
        if spec.non_empty and not value.strip():
            raise WireError("bad_field", f"{where}: expected a non-empty string, got ''", ref)
        if spec.max_chars is not None and len(value) > spec.max_chars:
            raise WireError(
                "bad_field",
                f"{where}: expected at most {spec.max_chars} characters, got {len(value)}",
                ref,
            )
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise WireError(
                "bad_field", f"{where}: expected true or false, got {_describe(value)}", ref
            )
        return value
    if spec.kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise WireError(
                "bad_field", f"{where}: expected an integer >= 0, got {_describe(value)}", ref
            )
        return value
    if spec.kind == "status":
        try:
            return Status(value)
        except ValueError:
            allowed = ", ".join(s.value for s in Status)
            raise WireError(
                "bad_field", f"{where}: expected one of {allowed}, got {_describe(value)}", ref
            ) from None
    if spec.kind == "choice":
        if not isinstance(value, str) or value not in spec.choices:
            allowed = ", ".join(spec.choices)
            raise WireError(
                "bad_field", f"{where}: expected one of {allowed}, got {_describe(value)}", ref
            )
        return value
    if spec.kind == "info":
        return _check_info(where, value, ref)
    if spec.kind == "token":
        return _check_token(where, value, ref)
    if spec.kind == "answers":
        return _check_answers(where, value, ref)
    return _check_seqs(where, value, ref)


def _check_info(where: str, value: Any, ref: str | None) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_INFO_ITEMS:
        raise WireError(
            "bad_field",
            f"{where}: expected an object of at most {MAX_INFO_ITEMS} string values, "
            f"got {_describe(value)}",
            ref,
        )
    out: dict[str, str] = {}
    for key, item in value.items():
        if len(key) > MAX_ID_CHARS:
            raise WireError(
                "bad_field",
                f"{where}: expected keys of at most {MAX_ID_CHARS} characters, got {len(key)}",
                ref,
            )
        if not isinstance(item, str) or len(item) > MAX_INFO_VALUE_CHARS:
            raise WireError(
                "bad_field",
                f"{where}.{key}: expected a string of at most {MAX_INFO_VALUE_CHARS} "
                f"characters, got {_describe(item)}",
                ref,
            )
        out[key] = item
    return out


def _check_answers(where: str, value: Any, ref: str | None) -> tuple[Any, ...]:
    """A survey's answers, shaped (whether they fit the survey is the engine's check)."""
    if not isinstance(value, list) or len(value) > MAX_SURVEY_ANSWERS:
        raise WireError("bad_field", f"{where}: expected a list of at most "
                        f"{MAX_SURVEY_ANSWERS} answers, got {_describe(value)}", ref)
    for i, item in enumerate(value):
        if item is None or (isinstance(item, int) and not isinstance(item, bool)):
            continue
        if isinstance(item, str) and len(item) <= MAX_SURVEY_ANSWER_CHARS:
            continue
        if (isinstance(item, list) and len(item) <= MAX_SURVEY_CHOICES
                and all(isinstance(x, str) and len(x) <= MAX_NAME_CHARS * 2 for x in item)):
            continue
        raise WireError("bad_field", f"{where}[{i}]: expected null, a number, a text of at most "
                        f"{MAX_SURVEY_ANSWER_CHARS} characters or a list of at most "
                        f"{MAX_SURVEY_CHOICES} options, got {_describe(item)}", ref)
    return tuple(tuple(x) if isinstance(x, list) else x for x in value)


def _check_token(where: str, value: Any, ref: str | None) -> str:
    """A client-made token: it must be as unguessable as one the server makes."""
    ok = (
        isinstance(value, str)
        and MIN_TOKEN_CHARS <= len(value) <= MAX_TOKEN_CHARS
        and set(value) <= _TOKEN_ALPHABET
    )
    if not ok:
        got = f"{len(value)} characters" if isinstance(value, str) else _describe(value)
        if isinstance(value, str) and not set(value) <= _TOKEN_ALPHABET:
            got = "characters outside A-Z a-z 0-9 - _"
        raise WireError(
            "bad_field",
            f"{where}: expected {MIN_TOKEN_CHARS} to {MAX_TOKEN_CHARS} random url-safe "
            f"characters (A-Z a-z 0-9 - _), got {got}",
            ref,
        )
    assert isinstance(value, str)
    return value


def _check_seqs(where: str, value: Any, ref: str | None) -> dict[str, int]:
    if not isinstance(value, dict) or len(value) > MAX_RESUME_DIALOGS:
        raise WireError(
            "bad_field",
            f"{where}: expected an object of dialog ids to seqs, got {_describe(value)}",
            ref,
        )
    out: dict[str, int] = {}
    for key, item in value.items():
        if not key or len(key) > MAX_ID_CHARS:
            raise WireError(
                "bad_field",
                f"{where}: expected dialog ids of 1 to {MAX_ID_CHARS} characters, "
                f"got one of {len(key)}",
                ref,
            )
        if not isinstance(item, int) or isinstance(item, bool) or item < 0:
            raise WireError(
                "bad_field", f"{where}.{key}: expected an integer >= 0, got {_describe(item)}", ref
            )
        out[key] = item
    return out


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def _describe(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, dict | list) else _kind_of(value)
    if isinstance(value, dict):
        text = "an object"
    return text if len(text) <= 40 else text[:37] + "..."


def error_frame(
    code: str, message: str, ref: str | None = None, dialog: str | None = None
) -> dict[str, Any]:
    """The ``error`` frame the server sends for bad input (same shape as the engine's Rejected)."""
    frame: dict[str, Any] = {"type": "error", "ref": ref, "code": code, "message": message}
    if dialog is not None:
        frame["dialog"] = dialog
    return frame
