"""JSON from a client, bounded before and checked after parsing.

Theory of operation: ``json.loads`` recurses once per nesting level, so a frame
of a thousand ``[`` raises ``RecursionError`` (not ``ValueError``) from deep in
the parser — one 2 KB frame was enough to end the process. ``loads_bounded``
therefore counts the nesting first and refuses past ``max_depth`` without
parsing. The count is cheap: a text with no more openers than the limit
cannot be too deep (two ``str.count`` calls, the common case); only then are
string literals cut out and the brackets left walked.

JSON's ``\\u`` escapes can also make strings that no UTF-8 encoder takes (a
lone surrogate, ``\\ud800``) or that hold NUL. Both are refused where they
enter: ``bad_string`` finds the first such string, key or value, at any depth,
and names where it is. A text with no ``\\u`` at all cannot hold either (JSON
allows no raw control character in a string, and the text came as valid
UTF-8), so the walk is skipped then.
"""

from __future__ import annotations

import json
import re
from typing import Any

from frontdesk.engine.errors import AdapterError

_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_FORBIDDEN = re.compile("[\ud800-\udfff\x00]")


class JsonLimitError(AdapterError, ValueError):
    """JSON refused before or after parsing; ``code`` is ``bad_json`` or ``bad_field``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def nesting_of(text: str, max_depth: int) -> int:
    """The deepest nesting of arrays and objects in ``text`` when it is over
    ``max_depth``; else any number up to ``max_depth`` (not computed exactly)."""
    if text.count("[") + text.count("{") <= max_depth:
        return 0
    brackets = _NOT_BRACKET.sub("", _STRING_LITERAL.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads_bounded(text: str | bytes, max_depth: int) -> Any:
    """``json.loads`` of a client's text, refused (``bad_json``) past ``max_depth`` levels
    of nesting, before parsing. Invalid JSON raises ``JsonLimitError`` (``bad_json``) too."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonLimitError("bad_json", f"expected UTF-8 JSON, got {exc}") from None
    deepest = nesting_of(text, max_depth)
    if deepest > max_depth:
        raise JsonLimitError(
            "bad_json",
            f"expected JSON nested at most {max_depth} levels deep, got {deepest} levels",
        )
    try:
        return json.loads(text)
    except RecursionError:  # not reachable past the count above; kept as the last guard
        raise JsonLimitError("bad_json", "expected JSON nested less deep") from None
    except ValueError as exc:
        raise JsonLimitError("bad_json", f"expected a JSON object, got invalid JSON ({exc})"
                             ) from None


def text_problem(value: str) -> str | None:
    """What makes ``value`` unfit to keep (a lone surrogate, a NUL), or None."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return f"expected text without NUL (\\u0000), got one at character {found.start()}"
    return (f"expected text without lone surrogates, got \\u{ord(char):04x} "
            f"at character {found.start()}")


def bad_string(value: Any, where: str) -> tuple[str, str] | None:
    """(where, problem) of the first string in ``value`` (keys included) that
    ``text_problem`` refuses, or None. ``where`` names ``value``; an object's item
    is ``where.key``, an array's ``where[i]``, a bad key is named by its object."""
    if isinstance(value, str):
        problem = text_problem(value)
        return None if problem is None else (where, problem)
    if isinstance(value, dict):
        for key, item in value.items():
            problem = text_problem(key)
            if problem is not None:
                return where, f"a key: {problem}"
            found = bad_string(item, f"{where}.{key}")
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = bad_string(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


def may_hold_bad_strings(text: str | bytes) -> bool:
    """False when ``text`` (valid UTF-8 JSON) cannot hold a lone surrogate or NUL."""
    if isinstance(text, bytes):
        return b"\\u" in text
    return "\\u" in text
