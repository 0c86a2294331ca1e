"""The limits of ``[files]``, as the store and the routes take them (``config.FilesSettings``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileLimits:
    max_bytes: int = 10 * 1024 * 1024
    max_per_dialog: int = 50
    uploads_per_minute: int = 10  # per visitor (per dialog token) and per operator
    max_image_pixels: int = 25_000_000
