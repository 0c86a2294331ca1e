"""Content-addressed bytes under the data directory: ``files/<2 hex>/<sha256 hex>``.

A blob is written to a temporary file in the same directory, fsynced and renamed into
place, so a crash leaves either the whole file or none; the same bytes uploaded twice
are stored once. Nothing a client sends ever becomes part of a path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from frontdesk.engine.errors import AdapterError


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise AdapterError(f"expected a SHA-256 hex digest, got {digest!r}")
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes | None:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            return None

    def has(self, digest: str) -> bool:
        return self.path(digest).exists()
