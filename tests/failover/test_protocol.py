"""Link frames and the common prefix of two logs."""

from __future__ import annotations

import pytest

from frontdesk.adapters.replication.protocol import (
    EpochRuns,
    ReplicationError,
    common_prefix,
    decode,
    encode,
    int_field,
    record_from_wire,
    record_to_wire,
)
from frontdesk.adapters.replication.settings import replication_url
from frontdesk.engine.errors import ConfigError
from frontdesk.engine.journal import Record


def rec(epoch: int, seq: int) -> Record:
    return Record(epoch, seq, "dialog:d-1", "note", 1, {"seq": seq}, 1.5)


def runs(*spec: tuple[int, int, int]) -> EpochRuns:
    return EpochRuns(list(spec))


def test_record_round_trip_and_validation() -> None:
    r = rec(3, 7)
    assert record_from_wire(record_to_wire(r)) == r
    with pytest.raises(ReplicationError, match="expected a record"):
        record_from_wire([1, 2, 3])
    with pytest.raises(ReplicationError, match="expected a record"):
        record_from_wire(["1", 2, "s", "t", 1, {}, 0.0])


def test_frames_are_checked() -> None:
    assert decode(encode({"type": "repl.ack", "seq": 3}), "repl.ack") == {
        "type": "repl.ack",
        "seq": 3,
    }
    with pytest.raises(ReplicationError, match=r"expected a frame of type repl\.ack, got 'x'"):
        decode('{"type": "x"}', "repl.ack")
    with pytest.raises(ReplicationError, match="expected a JSON frame"):
        decode("{", "repl.ack")
    with pytest.raises(ReplicationError, match="field 'seq' expected an integer >= 0"):
        int_field({"type": "repl.ack", "seq": -1}, "seq")


def test_runs_follow_the_log() -> None:
    r = EpochRuns.of([rec(1, 1), rec(1, 2), rec(2, 3)])
    assert r.runs == [(1, 1, 2), (2, 3, 3)] and r.last_seq == 3
    r.extend_seq(2, 5)
    r.extend_seq(4, 7)
    assert r.runs == [(1, 1, 2), (2, 3, 5), (4, 6, 7)]
    r.truncate(4)
    assert r.runs == [(1, 1, 2), (2, 3, 4)]
    assert EpochRuns.from_wire(r.to_wire()) == r
    with pytest.raises(ReplicationError):
        EpochRuns.from_wire([[1, 2]])


@pytest.mark.parametrize(
    ("primary", "backup", "expected"),
    [
        (runs((1, 1, 10)), runs(), 0),  # an empty backup
        (runs((1, 1, 10)), runs((1, 1, 6)), 6),  # a backup behind: resume after its last
        (runs((1, 1, 10)), runs((1, 1, 10)), 10),  # caught up
        # a deposed primary with an unreplicated tail 9..12 of epoch 1: cut after 8
        (runs((1, 1, 8), (2, 9, 20)), runs((1, 1, 12)), 8),
        # three epochs; the backup's epoch-2 tail goes beyond the primary's
        (runs((1, 1, 5), (2, 6, 9), (3, 10, 15)), runs((1, 1, 5), (2, 6, 11)), 9),
        # same epoch number, different start: the logs do not agree in it
        (runs((1, 1, 5), (2, 6, 9)), runs((1, 1, 5), (2, 7, 9)), 5),
    ],
)
def test_common_prefix(primary: EpochRuns, backup: EpochRuns, expected: int) -> None:
    assert common_prefix(primary, backup) == expected


def test_replication_url() -> None:
    assert replication_url("http://127.0.0.1:8080") == "ws://127.0.0.1:8080/ws/replication"
    assert replication_url("https://h:1/base/") == "wss://h:1/base/ws/replication"
    assert replication_url("ws://127.0.0.1:9/x") == "ws://127.0.0.1:9/x"
    with pytest.raises(ConfigError, match=r"cluster\.peer_url"):
        replication_url("127.0.0.1:8080")


@pytest.mark.parametrize("raw", ["[" * 5000 + "]" * 5000,
                                 '{"type":"repl.auth","proof":' + '{"a":' * 3000 + "1" + "}" * 3000
                                 + "}"])
def test_a_frame_nested_past_any_link_frame_is_a_protocol_error(raw: str) -> None:
    """Found by tests/fuzz: a stranger's frame nested 5,000 deep on /ws/replication made
    ``json.loads`` raise RecursionError, which escaped the handshake (an ERROR traceback
    in the log and not the documented close 1002)."""
    with pytest.raises(ReplicationError, match="nested"):
        decode(raw, "repl.auth")


def test_a_record_frame_of_ordinary_depth_still_decodes() -> None:
    data = {"info": {"plan": "Gold"}, "text": "hi"}
    frame = encode({"type": "repl.records", "records": [record_to_wire(
        Record(1, 1, "dialog:d-1", "opened", 1, data, 1.5))]})
    assert decode(frame, "repl.records")["records"][0][5] == data
