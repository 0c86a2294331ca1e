"""The backup's side of ``repl.gallery``: an item frame whose bytes do not match its SHA-256,
or that is not an item, breaks the protocol (it names what was expected)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from frontdesk.adapters.replication.gallery_link import KIND, item_from_wire
from frontdesk.adapters.replication.protocol import ReplicationError


def a_frame(data: bytes, digest: str) -> dict[str, object]:
    item = {"id": "i" * 32, "name": "Hours", "file_name": "h.txt", "size": len(data),
            "type": "text/plain", "sha256": digest, "thumbnail": "", "added_by": "Maria",
            "at": 1.0}
    return {"type": KIND, "item": item, "data": base64.b64encode(data).decode(), "thumb": ""}


def test_an_item_whose_bytes_match_is_taken() -> None:
    item, data, thumb = item_from_wire(a_frame(b"open 9-5\n",
                                               hashlib.sha256(b"open 9-5\n").hexdigest()))
    assert (item.name, data, thumb) == ("Hours", b"open 9-5\n", b"")


@pytest.mark.parametrize(("frame", "message"), [
    (a_frame(b"tampered\n", hashlib.sha256(b"original\n").hexdigest()), "do not match"),
    ({"type": KIND, "item": "x"}, r"expected field 'item' \(an object\) or 'keep'"),
    ({"type": KIND, "item": {"id": "x"}}, "expected an item's metadata and base64 bytes"),
])
def test_a_bad_item_frame_breaks_the_protocol(frame: dict[str, object], message: str) -> None:
    with pytest.raises(ReplicationError, match=message):
        item_from_wire(frame)
