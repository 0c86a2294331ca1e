"""File cost: storing a 1 MB upload (``adapters/files``), where it enters the server.

In-process, ms per upload on a real SQLite file and a real data directory, the median of
``rounds`` rounds of ``reps`` uploads, each one new bytes (the store is content-addressed:
the same bytes twice cost nothing the second time):

* ``document``: 1 MB of plain text — libmagic's sniff, SHA-256, the fsynced write and
  rename, the metadata row;
* ``photo``: a 1 MB JPEG — the same and its 240-pixel thumbnail (Pillow decodes it);

against, as the floor, the SHA-256 and the fsynced write of the same bytes alone (what any
content-addressed store pays). Both run in a worker thread of the server
(``web/file_routes.py``), never on the trio loop; the HTTP multipart parse is not in
these figures. ``python -m bench --only upload`` (part of the standard suite; seconds).
"""

from __future__ import annotations

import io
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

from bench.figures import Figure
from frontdesk.adapters.files import FileLimits, FileStore
from frontdesk.adapters.files.blobs import BlobStore

SIZE = 1024 * 1024


def photo(size: int = SIZE) -> bytes:
    """A JPEG of about ``size`` bytes: noise compresses badly, as a photo does."""
    rng = random.Random(7)
    side = 600
    while True:
        pixels = rng.randbytes(side * side * 3)
        out = io.BytesIO()
        Image.frombytes("RGB", (side, side), pixels).save(out, "JPEG", quality=90)
        if out.tell() >= size * 0.9:
            return out.getvalue()
        side += 100


def document(size: int = SIZE) -> bytes:
    line = b"Order 48213: one blue jacket, size M, shipped yesterday by parcel post.\n"
    return (line * (size // len(line) + 1))[:size]


def per_upload_ms(put: Any, base: bytes, reps: int, rounds: int) -> float:
    timings = []
    n = 0
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(reps):
            n += 1
            put(base + b"\n%d\n" % n)  # new bytes each time (a JPEG ignores what follows it)
        timings.append((time.perf_counter() - started) / reps * 1e3)
    return statistics.median(timings)


def measure(reps: int = 10, rounds: int = 5) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-files-") as tmp:
        root = Path(tmp)
        store = FileStore(root / "files.sqlite3", root / "files",
                          FileLimits(max_bytes=4 * SIZE, max_per_dialog=10**6,
                                     uploads_per_minute=10**6))
        blobs = BlobStore(root / "floor")
        text, jpeg = document(), photo()
        try:
            def put(data: bytes) -> None:
                store.put("d-1", "file", data, "visitor", 0.0)

            return {
                "document_bytes": len(text), "photo_bytes": len(jpeg),
                "document_ms": per_upload_ms(put, text, reps, rounds),
                "photo_ms": per_upload_ms(put, jpeg, reps, rounds),
                "floor_document_ms": per_upload_ms(blobs.put, text, reps, rounds),
                "floor_photo_ms": per_upload_ms(blobs.put, jpeg, reps, rounds),
            }
        finally:
            store.close()


def result(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    """The suite's figures (``bench/suite.py`` MEASUREMENTS ``upload``)."""
    costs = measure(reps=2, rounds=2) if quick else measure()
    figures = [
        Figure("storing a 1 MB upload (text: sniff, hash, fsync, row)", "ms",
               costs["document_ms"], costs["floor_document_ms"], "value <= 100",
               note="floor: SHA-256 + fsynced write alone; in a worker thread"),
        Figure("storing a 1 MB photo (JPEG, with its thumbnail)", "ms", costs["photo_ms"],
               costs["floor_photo_ms"], "value <= 250",
               note="floor: SHA-256 + fsynced write alone; in a worker thread"),
    ]
    return figures, costs


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
