"""What a probe's expectation matches, how it is described, and how a miss is explained.

A matcher is a notice type (or a tuple of types), a predicate, or a dict of wire
fields. A dict is checked before it is used: a key that no notice of that
``type`` carries (a misspelling, most often) would otherwise never match and
only show as a timeout, so it fails at once naming the fields there are. When a
dict matcher times out, the unread notices of the same type that differ in a few
fields are pointed out ("near misses"), with what came against what was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from typing import Any

from frontdesk.engine.notices import Notice

Match = type[Notice] | tuple[type[Notice], ...] | Callable[[Notice], bool] | Mapping[str, Any]


def matches(match: Match, notice: Notice) -> bool:
    """``match`` is a notice type (or a tuple of them), a predicate, or a dict of fields."""
    if isinstance(match, type | tuple):
        return isinstance(notice, match)
    if isinstance(match, Mapping):
        wire = notice.to_wire()
        return all(k in wire and wire[k] == v for k, v in match.items())
    return bool(match(notice))


def describe(match: Match) -> str:
    if isinstance(match, type):
        return match.__name__
    if isinstance(match, tuple):
        return " or ".join(t.__name__ for t in match)
    if isinstance(match, Mapping):
        return repr(dict(match))
    return getattr(match, "__name__", repr(match))


def _notice_classes() -> list[type[Notice]]:
    """Every concrete notice class (one with a wire ``TYPE``), found anew each call so
    notices defined later (or in a test) count too."""
    found: list[type[Notice]] = []
    todo: list[type[Notice]] = [Notice]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.TYPE:
            found.append(cls)
    return found


def _wire_keys(classes: Iterable[type[Notice]]) -> set[str]:
    keys = {"type"}
    for cls in classes:
        keys.update(f.name for f in fields(cls))
    return keys


def check(match: Match, probe: str) -> None:
    """Refuse a dict matcher that can never match: an unknown ``type``, or a key that
    no notice of that type carries."""
    if not isinstance(match, Mapping):
        return
    classes = _notice_classes()
    wanted = match.get("type")
    if wanted is not None:
        of_type = [c for c in classes if wanted == c.TYPE]
        if not of_type:
            known = ", ".join(sorted({c.TYPE for c in classes}))
            raise TypeError(
                f"{probe}: no notice has type {wanted!r}, so {describe(match)} can never "
                f"match; the types are: {known}"
            )
        classes = of_type
    allowed = _wire_keys(classes)
    unknown = sorted(set(match) - allowed)
    if unknown:
        where = f"a {wanted} notice" if wanted is not None else "any notice"
        raise TypeError(
            f"{probe}: {describe(match)} can never match: {', '.join(map(repr, unknown))} "
            f"is no field of {where}; the fields are: {', '.join(sorted(allowed))}"
        )


def near_misses(match: Match, unread: Iterable[Notice], most: int = 3) -> list[str]:
    """For a dict matcher: the unread notices of its type that differ in the fewest
    fields, each as ``type (#i): field=came (expected wanted)``."""
    if not isinstance(match, Mapping):
        return []
    scored: list[tuple[int, int, str]] = []
    for i, notice in enumerate(unread):
        wire = notice.to_wire()
        if "type" in match and wire.get("type") != match["type"]:
            continue
        wrong = [(k, v) for k, v in match.items() if k in wire and wire[k] != v]
        if not wrong or len(wrong) == len(match):
            continue
        detail = ", ".join(f"{k}={wire[k]!r} (expected {v!r})" for k, v in wrong)
        scored.append((len(wrong), i, f"{wire.get('type')} (unread #{i}): {detail}"))
    return [text for _, _, text in sorted(scored)[:most]]
