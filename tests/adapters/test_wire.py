"""The inbound frame table: each refusal has a stable code and says what was expected."""

from __future__ import annotations

import json

import pytest

from frontdesk.adapters.wire import FRAMES, WireError, error_frame, parse_frame
from frontdesk.engine.status import Status


def refused(endpoint: str, text: str | bytes) -> WireError:
    with pytest.raises(WireError) as info:
        parse_frame(endpoint, text)  # type: ignore[arg-type]
    return info.value


def test_a_valid_say_keeps_its_ref_and_fields() -> None:
    frame = parse_frame("visitor", json.dumps({"type": "say", "ref": "m-1", "text": "hi"}))
    assert (frame.type, frame.ref, frame.text("text"), frame.opt_text("dialog")) == (
        "say", "m-1", "hi", None)


def test_malformed_json_is_bad_json() -> None:
    err = refused("visitor", "{not json")
    assert err.code == "bad_json" and "invalid JSON" in err.message


def test_binary_and_non_objects_are_bad_json() -> None:
    assert refused("visitor", b"\x00\x01").code == "bad_json"
    err = refused("operator", "[1, 2]")
    assert err.code == "bad_json" and "an array" in err.message


def test_unknown_type_names_the_known_ones_and_echoes_the_ref() -> None:
    err = refused("visitor", json.dumps({"type": "transfer", "ref": "x"}))
    assert err.code == "unknown_type" and err.ref == "x"
    assert "open" in err.message and "'transfer'" in err.message
    assert refused("manager", json.dumps({"ref": "y"})).code == "unknown_type"


def test_missing_field_names_the_field() -> None:
    err = refused("operator", json.dumps({"type": "say", "ref": "r", "dialog": "d-1"}))
    assert err.code == "missing_field" and "'text'" in err.message and err.ref == "r"


def test_say_needs_a_ref() -> None:
    err = refused("visitor", json.dumps({"type": "say", "text": "hi"}))
    assert err.code == "missing_field" and "'ref'" in err.message


def test_bad_fields_say_what_was_expected_and_what_came() -> None:
    err = refused("operator", json.dumps({"type": "typing", "dialog": "d-1", "on": "yes"}))
    assert err.code == "bad_field" and "expected true or false" in err.message
    err = refused("operator", json.dumps({"type": "status", "status": "asleep"}))
    assert err.code == "bad_field" and "connected" in err.message and '"asleep"' in err.message
    err = refused("visitor", json.dumps({"type": "say", "ref": "r", "text": "x" * 4001}))
    assert err.code == "bad_field" and "4000" in err.message
    err = refused("visitor", json.dumps({"type": "say", "ref": "r", "text": "   "}))
    assert err.code == "bad_field"
    err = refused("visitor", json.dumps({"type": "resume", "dialog": "d", "token": "t",
                                         "after_seq": -1}))
    assert err.code == "bad_field"
    err = refused("visitor", json.dumps({"type": "ping", "ref": {"a": 1}}))
    assert err.code == "bad_field" and "ref" in err.message


def test_status_becomes_the_enum_and_resume_maps_seqs() -> None:
    frame = parse_frame("operator", json.dumps({"type": "status", "status": "on_break"}))
    assert frame.status() is Status.ON_BREAK
    frame = parse_frame("operator", json.dumps({"type": "resume", "dialogs": {"d-1": 4}}))
    assert frame.seqs("dialogs") == {"d-1": 4}
    err = refused("operator", json.dumps({"type": "resume", "dialogs": {"d-1": "4"}}))
    assert err.code == "bad_field"


def test_info_values_must_be_short_strings_never_coerced() -> None:
    frame = parse_frame("visitor", json.dumps({"type": "open", "info": {"plan": "Gold"}}))
    assert frame.info("info") == {"plan": "Gold"}
    assert refused("visitor", json.dumps({"type": "open", "info": {"a": [1]}})).code == "bad_field"
    number = refused("visitor", json.dumps({"type": "open", "info": {"n": 3}}))
    assert (number.code, number.message) == (
        "bad_field", "open.info.n: expected a string of at most 500 characters, got 3")


def test_a_numeric_ref_is_refused_naming_the_type_and_not_echoed() -> None:
    error = refused("manager", json.dumps({"type": "ping", "ref": 7}))
    assert (error.code, error.ref) == ("bad_field", None)
    assert error.message == "ref: expected a non-empty string of at most 64 characters, got 7"


def test_nesting_is_bounded_before_parsing() -> None:
    deep = '{"type":"ping","x":' + "[" * 1000 + "]" * 1000 + "}"
    error = refused("visitor", deep)
    assert error.code == "bad_json"
    assert error.message == "expected JSON nested at most 16 levels deep, got 1001 levels"
    brackets_in_strings = json.dumps({"type": "ping", "x": "[" * 1000})
    assert parse_frame("visitor", brackets_in_strings).type == "ping"


@pytest.mark.parametrize(
    ("frame", "where"),
    [
        ({"type": "say", "ref": "r", "text": "a\ud800"}, "say.text"),
        ({"type": "say", "ref": "r", "text": "a\udfff b"}, "say.text"),
        ({"type": "say", "ref": "r", "text": "a\u0000"}, "say.text"),
        ({"type": "open", "info": {"k": "\ud800"}}, "open.info.k"),
        ({"type": "open", "info": {"\ud800": "v"}}, "open.info"),
        ({"type": "ping", "x": [1, ["\ud800"]]}, "ping.x[1][0]"),
        ({"type": "\ud800"}, "type"),
    ],
)
def test_a_lone_surrogate_or_nul_anywhere_is_bad_field_naming_where(
    frame: dict[str, object], where: str
) -> None:
    text = json.dumps(frame).replace("\\\\u", "\\u")  # the escape itself, not its text
    error = refused("visitor", text)
    assert error.code == "bad_field" and error.message.startswith(f"{where}: "), error.message
    assert error.ref == frame.get("ref")


def test_a_surrogate_pair_is_one_character_and_taken() -> None:
    frame = parse_frame("visitor", '{"type":"say","ref":"r","text":"\\ud83d\\ude00"}')
    assert frame.text("text") == "\U0001F600"


def test_every_endpoint_accepts_ping() -> None:
    assert all("ping" in table for table in FRAMES.values())


def test_error_frame_shape() -> None:
    assert error_frame("bad_json", "m", "r", "d-1") == {
        "type": "error", "ref": "r", "code": "bad_json", "message": "m", "dialog": "d-1"}


def test_resume_dialog_ids_are_bounded_like_every_id() -> None:
    long_id = "d" * 65
    error = refused("operator", json.dumps({"type": "resume", "dialogs": {long_id: 1}}))
    assert (error.code, error.message) == (
        "bad_field", "resume.dialogs: expected dialog ids of 1 to 64 characters, got one of 65")
