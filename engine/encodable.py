"""Text the journal can store: no lone surrogate anywhere (issue 12, finding 3).

JSON allows ``"\\ud800"``, and Python decodes it to a ``str`` holding a lone
surrogate, which no UTF-8 encoder takes: the journal cannot store it, nor a
socket send it. Such text is the sender's fault, not the database's, so it is
refused ``invalid`` where it enters the engine (``Engine.submit``) and again,
per commit, where it would reach the journal (the store), so that one bad
commit never fails the others of its batch nor passes for the journal being
unavailable (``unavailable`` means "retry", and a retry would fail for ever).

``problem(value)`` walks strings, the keys and values of dicts, and the items
of lists and tuples; it answers None, or where the bad text is and what it is.
``command_problem(command)`` also checks each field against the type the
command declares (a ``str`` is a ``str``, a capacity an ``int``, a status a
``Status``), so no actor is handed a value its state machine cannot handle.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any

from frontdesk.engine import commands


def _text_problem(text: str, where: str) -> str | None:
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return (
            f"{where} holds a lone surrogate (U+{ord(text[e.start]):04X} at index {e.start});"
            " expected text that UTF-8 can encode"
        )
    return None


_PLAIN = frozenset({int, float, bool})  # values with no text in them


def problem(value: Any, where: str = "the value") -> str | None:
    """None if every text in ``value`` can be encoded as UTF-8, else what and where."""
    if isinstance(value, str):
        return _text_problem(value, where)
    if isinstance(value, dict):
        for k, v in value.items():
            # plain keys and values, without a call (an event's data: the store checks each)
            if k.__class__ is str and k.isascii() and (
                v is None or v.__class__ in _PLAIN or (v.__class__ is str and v.isascii())
            ):
                continue
            found = problem(k, f"a key of {where}") or problem(v, f"{where}[{k!r}]")
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            found = problem(v, f"{where}[{i}]")
            if found is not None:
                return found
    return None


def command_problem(command: commands.Command) -> str | None:
    """None if every field of ``command`` has its declared type and every text can be
    stored, else which field and why (an adapter's bug or a hostile client's input
    must not reach an actor as a value its state machine cannot handle)."""
    for name, check, takes_str, takes_none in _checks(type(command)):
        value = getattr(command, name)
        # the usual fields, without a call: a plain ``str`` of ASCII text (nothing to
        # encode), or None where the type allows it; once per visitor message, on the loop
        if value.__class__ is str:
            if takes_str and value.isascii():
                continue
        elif value is None and takes_none:
            continue
        found = check(value, name)
        if found is None:
            found = problem(value, name)
        if found is not None:
            return found
    return None


Check = Callable[[Any, str], "str | None"]
# per field: its name, its check, whether a str passes it, whether None does
FieldCheck = tuple[str, Check, bool, bool]
_CHECKS: dict[type, tuple[FieldCheck, ...]] = {}


def _checks(cls: type) -> tuple[FieldCheck, ...]:
    checks = _CHECKS.get(cls)
    if checks is None:
        hints = typing.get_type_hints(cls)
        made = []
        for f in dataclasses.fields(cls):
            check = _check_for(hints[f.name])
            made.append((f.name, check, check("", f.name) is None,
                         check(None, f.name) is None))
        checks = _CHECKS[cls] = tuple(made)
    return checks


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"


def _check_for(hint: Any) -> Check:
    """A checker of values against ``hint`` (the types commands use)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        checks = [_check_for(a) for a in args]

        def union(value: Any, where: str) -> str | None:
            found = [chk(value, where) for chk in checks]
            return None if None in found else found[0]

        return union
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _check_for(args[0])

        def items(value: Any, where: str) -> str | None:
            if not isinstance(value, tuple):
                return f"{where}: expected a tuple, got {_describe(value)}"
            for i, v in enumerate(value):
                found = item(v, f"{where}[{i}]")
                if found is not None:
                    return found
            return None

        return items
    if origin is tuple:
        parts = [_check_for(a) for a in args]

        def fixed(value: Any, where: str) -> str | None:
            if not isinstance(value, tuple) or len(value) != len(parts):
                return f"{where}: expected a tuple of {len(parts)}, got {_describe(value)}"
            for i, (chk, v) in enumerate(zip(parts, value, strict=True)):
                found = chk(v, f"{where}[{i}]")
                if found is not None:
                    return found
            return None

        return fixed
    if origin is typing.Literal:
        allowed = args

        def literal(value: Any, where: str) -> str | None:
            if value in allowed:
                return None
            return f"{where}: expected one of {allowed}, got {_describe(value)}"

        return literal
    if hint is type(None):
        return lambda value, where: None if value is None else f"{where}: expected None"
    if hint is Any:  # a class on Python 3.11, but no value is an instance of it
        return lambda value, where: None
    if isinstance(hint, type):
        exact = hint

        def of_type(value: Any, where: str) -> str | None:
            if isinstance(value, exact) and not (exact is int and isinstance(value, bool)):
                return None
            return f"{where}: expected {exact.__name__}, got {_describe(value)}"

        return of_type
    return lambda value, where: None  # a hint this checker does not know: not checked
