"""Notices on the wire: ``to_wire`` is the flat frame ``dataclasses.asdict`` used to give."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from frontdesk.engine import notices


def _subclasses(cls: type[notices.Notice]) -> list[type[notices.Notice]]:
    out: list[type[notices.Notice]] = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


CONCRETE = sorted(
    {c for c in _subclasses(notices.Notice) if c.__module__ == notices.__name__ and c.TYPE},
    key=lambda c: c.__name__,
)

SAMPLE_BY_TYPE: dict[str, Any] = {
    "info": {"page": "/pricing", "lang": "en"},
    "data": {"token": "t-1", "nested": {"a": [1, 2]}},
    "operators": (
        {"id": "ann", "name": "Ann", "status": "connected", "load": 1, "capacity": 3},
        {"id": "bob", "name": "Bob", "status": "on_break", "load": 0, "capacity": 2},
    ),
}


def sample(cls: type[notices.Notice]) -> notices.Notice:
    values: dict[str, Any] = {}
    for i, f in enumerate(dataclasses.fields(cls)):
        if f.name in SAMPLE_BY_TYPE:
            values[f.name] = SAMPLE_BY_TYPE[f.name]
        elif "int" in str(f.type) and "str" not in str(f.type):
            values[f.name] = i + 7
        elif "float" in str(f.type):
            values[f.name] = 1700000000.5 + i
        elif "bool" in str(f.type):
            values[f.name] = i % 2 == 0
        elif f.name in ("author",):
            values[f.name] = "visitor"
        elif f.name == "who":
            values[f.name] = "operator"
        else:
            values[f.name] = f"{f.name}-{i}"
    notice = cls(**values)
    assert isinstance(notice, notices.Notice)
    return notice


def old_to_wire(notice: notices.Notice) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": notice.TYPE}
    frame.update(dataclasses.asdict(notice))
    return frame


def test_every_notice_class_is_covered() -> None:
    names = {c.__name__ for c in CONCRETE}
    assert {"Ack", "MessagePosted", "OperatorsChanged", "QueueLength", "DialogOpened"} <= names
    assert len(CONCRETE) >= 20


@pytest.mark.parametrize("cls", CONCRETE, ids=lambda c: c.__name__)
def test_to_wire_equals_the_asdict_frame(cls: type[notices.Notice]) -> None:
    notice = sample(cls)
    new, old = notice.to_wire(), old_to_wire(notice)
    assert new == old
    assert list(new) == list(old)  # same keys in the same order
    assert json.dumps(new, sort_keys=True) == json.dumps(old, sort_keys=True)


def test_operators_tuple_serialises_as_a_json_list() -> None:
    ops = SAMPLE_BY_TYPE["operators"]
    frame = json.loads(json.dumps(notices.OperatorsChanged(ops).to_wire()))
    assert frame == {"type": "operators", "operators": [dict(o) for o in ops]}


def test_frame_is_a_fresh_dict_each_time() -> None:
    notice = notices.Ack("r-1", "d-1", 3, {"token": "x"})
    frame = notice.to_wire()
    frame["data"] = {"token": "changed"}
    frame["extra"] = 1
    assert notice.to_wire() == {
        "type": "ack",
        "ref": "r-1",
        "dialog": "d-1",
        "seq": 3,
        "data": {"token": "x"},
    }
