"""Hypothesis strategies for hostile client frames: good frames of the doc's table, then
mutated — fields dropped or of the wrong type, strings over their limit or holding lone
surrogates and NUL, huge and non-finite numbers, unknown types and refs, unknown fields
nested up to and past the depth limit — and plain garbage: random text, JSON that is no
object, brackets a thousand deep, binary frames, frames over the size limit.

A ``Case`` is what one frame is: ``payload`` (text or bytes, as sent), and ``obj`` (the
object it encodes, when it is one) from which ``model.expected`` derives the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.fuzz import model
from tests.fuzz.model import DOC_FRAMES, F

REF_MARK = "\x01ref"  # replaced by a unique good ref when the frame is sent


@dataclass(frozen=True)
class Case:
    payload: str | bytes
    obj: Any = None  # the parsed frame, if the payload is JSON
    note: str = ""

    @property
    def oversized(self) -> bool:
        data = self.payload if isinstance(self.payload, bytes) else self.payload.encode(
            "utf-8", "surrogatepass")
        return len(data) > model.MAX_FRAME_BYTES


SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
POISON = st.one_of(SURROGATES, st.just("\x00"))


@st.composite
def hostile_text(draw: st.DrawFn, min_size: int = 0, max_size: int = 40) -> str:
    """Text, sometimes with a lone surrogate or NUL inside, sometimes blank."""
    text = draw(st.one_of(
        st.text(min_size=min_size, max_size=max_size),
        st.sampled_from(["", " ", "\t\n", "\u3000", "d-1", "<b>x</b>", "\ud83d\ude00"]),
    ))
    if draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(POISON) + text[at:]
    return text


def json_leaves() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(), st.booleans(),
        st.integers(), st.integers(-(2**70), 2**70), st.sampled_from([10**400, -(10**400)]),
        st.floats(allow_nan=True, allow_infinity=True),
        hostile_text(),
    )


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    return st.recursive(
        json_leaves(),
        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                st.dictionaries(hostile_text(max_size=8), inner, max_size=4)),
        max_leaves=max_leaves,
    )


def nested(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


DIALOG_IDS = st.one_of(st.integers(1, 40).map(lambda i: f"d-{i}"), hostile_text(max_size=70))


def good_value(spec: F, draw: st.DrawFn) -> Any:
    """A value the doc allows for ``spec`` (mostly; ``expected`` decides anyway)."""
    if spec.name == "dialog":
        return draw(st.integers(1, 40).map(lambda i: f"d-{i}"))
    if spec.name == "to":
        return draw(st.sampled_from(["ann", "bob", "cid", "eve", "nobody"]))
    if spec.kind in ("text", "str", "id"):
        return draw(st.text(min_size=max(spec.min_chars, 1), max_size=30))
    if spec.kind == "bool":
        return draw(st.booleans())
    if spec.kind == "int":
        return draw(st.one_of(st.integers(0, 30), st.sampled_from([2**63, 2**64, 10**30])))
    if spec.kind == "status":
        return draw(st.sampled_from(model.STATUSES))
    if spec.kind == "token":
        alphabet = "".join(sorted(model.TOKEN_ALPHABET))
        return draw(st.text(alphabet=alphabet, min_size=32, max_size=128))
    if spec.kind == "info":
        return draw(st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=4))
    if spec.kind == "answers":
        answer = st.one_of(st.none(), st.integers(-2, 9), st.text(max_size=20),
                           st.lists(st.text(max_size=10), max_size=3))
        return draw(st.lists(answer, max_size=4))
    return draw(st.dictionaries(DIALOG_IDS, st.integers(0, 30), max_size=4))  # seqs


def bad_value(spec: F, draw: st.DrawFn) -> Any:
    """A value of the wrong type, over the limit, or holding a lone surrogate or NUL."""
    choices: list[st.SearchStrategy[Any]] = [json_values(6)]
    if spec.max_chars is not None:
        choices.append(st.integers(spec.max_chars + 1, spec.max_chars + 50).map(
            lambda n: "x" * n))
    if spec.kind in ("text", "str", "id", "token", "status"):
        choices.append(hostile_text(max_size=10).map(lambda t: t + "\x00"))
        choices.append(SURROGATES.map(lambda s: "ok" + s))
    if spec.kind == "int":
        choices.append(st.sampled_from([-1, 1.5, 3.0, "3", True, 10**400, float("inf")]))
    if spec.kind == "info":
        choices.append(st.dictionaries(st.text(max_size=3), json_leaves(), min_size=1,
                                       max_size=3))
        choices.append(st.just({f"k{i}": "v" for i in range(33)}))
        choices.append(st.just({"x" * 65: "v"}))
    if spec.kind == "answers":
        choices.append(st.sampled_from([
            [1.5], [True], [{"a": 1}], ["x" * (model.MAX_ANSWER_CHARS + 1)],
            [["o"] * (model.MAX_OPTIONS + 1)], [["x" * (model.MAX_OPTION_CHARS + 1)]],
            [[1]], [None] * (model.MAX_ANSWERS + 1), {"0": 5}, "5",
        ]))
    if spec.kind == "seqs":
        choices.append(st.dictionaries(DIALOG_IDS, json_leaves(), min_size=1, max_size=3))
        choices.append(st.just({"": 1}))
    return draw(st.one_of(*choices))


MUTATIONS = ("none", "none", "drop", "wrong", "wrong", "type", "ref", "extra", "deep_extra",
             "null")


@st.composite
def table_frame(draw: st.DrawFn, endpoint: str) -> Case:
    """A frame of the doc's table for ``endpoint``, maybe mutated a few times."""
    table = DOC_FRAMES[endpoint]
    kind = draw(st.sampled_from(sorted(table)))
    obj: dict[str, Any] = {"type": kind}
    for spec in table[kind]:
        if spec.required or draw(st.booleans()):
            obj[spec.name] = good_value(spec, draw)
    if kind in model.REF_REQUIRED or draw(st.integers(0, 4)):
        obj["ref"] = REF_MARK
    notes = []
    for _ in range(draw(st.integers(0, 3))):
        mutation = draw(st.sampled_from(MUTATIONS))
        notes.append(mutation)
        fields = table[kind]
        if mutation == "drop" and fields:
            obj.pop(draw(st.sampled_from(fields)).name, None)
        elif mutation == "wrong" and fields:
            spec = draw(st.sampled_from(fields))
            obj[spec.name] = bad_value(spec, draw)
        elif mutation == "null" and fields:
            obj[draw(st.sampled_from(fields)).name] = None
        elif mutation == "type":
            obj["type"] = draw(st.one_of(json_leaves(), st.sampled_from(
                ["Say", "say ", "open", "logout", "monitor", "status", "repl.hello"])))
        elif mutation == "ref":
            obj["ref"] = draw(st.one_of(json_leaves(), st.just(""), st.just("r" * 65),
                                        POISON.map(lambda p: "r" + p)))
        elif mutation == "extra":
            obj[draw(hostile_text(max_size=12))] = draw(json_values())
        elif mutation == "deep_extra":
            obj["extra"] = nested(draw(st.integers(10, 20)), draw(json_leaves()))
    return Case(model.encode(obj), obj, ",".join(notes))


@st.composite
def garbage(draw: st.DrawFn) -> Case:
    """What is not a frame of the table at all."""
    choice = draw(st.integers(0, 7))
    if choice == 0:
        return Case(draw(st.text(max_size=200)), note="text")
    if choice == 1:
        value = draw(json_values())
        return Case(model.encode(value), value, note="json")
    if choice == 2:
        levels = draw(st.sampled_from([17, 100, 1000, 5000]))
        opener = draw(st.sampled_from(["[", "{\"a\":"]))
        closer = "]" if opener == "[" else "}"
        return Case('{"type":"ping","x":' + opener * levels + "1" + closer * levels + "}",
                    note=f"deep {levels}")
    if choice == 3:
        return Case(draw(st.binary(max_size=200)), note="binary")
    if choice == 4:
        size = draw(st.sampled_from([model.MAX_FRAME_BYTES - 40, model.MAX_FRAME_BYTES + 1,
                                     3 * model.MAX_FRAME_BYTES]))
        text = '{"type":"ping","x":"' + "y" * size + '"}'
        return Case(text, note=f"size {len(text)}")
    if choice == 5:
        number = draw(st.sampled_from(["1e999", "-1e999", "NaN", "Infinity", "9" * 5000,
                                       "0." + "0" * 5000 + "1", "1" + "0" * 4300]))
        return Case('{"type":"ping","ref":"' + REF_MARK + '","x":' + number + "}",
                    note="number")
    if choice == 6:  # a JSON text cut short, or with trailing bytes
        text = model.encode({"type": "ping", "ref": "p"})
        cut = draw(st.integers(0, len(text) - 1))
        return Case(text[:cut] + draw(st.sampled_from(["", "}", "]", "x", " {}"])),
                    note="cut")
    key = draw(st.sampled_from(['"type"', '"ref"', '"\\ud800"', '"\\u0000"']))
    return Case('{' + key + ':"a",' + key + ':' + draw(st.sampled_from(
        ['"ping"', '"\\udfff"', "1", '"x\\u0000"'])) + '}', note="duplicate keys")


def cases(endpoint: str) -> st.SearchStrategy[Case]:
    return st.one_of(table_frame(endpoint), table_frame(endpoint), garbage())
