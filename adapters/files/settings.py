"""The file store of a node's settings: metadata in the accounts database, bytes under
``<storage.data_dir>/files``, limits from ``[files]``."""

from __future__ import annotations

from pathlib import Path

from frontdesk.adapters.files.limits import FileLimits
from frontdesk.adapters.files.store import FileStore
from frontdesk.config.settings import Settings


def store_from_settings(settings: Settings) -> FileStore:
    f = settings.files
    limits = FileLimits(max_bytes=f.max_bytes, max_per_dialog=f.max_per_dialog,
                        uploads_per_minute=f.uploads_per_minute,
                        max_image_pixels=f.max_image_pixels)
    return FileStore(settings.storage.accounts_db_url(), Path(settings.storage.data_dir) / "files",
                     limits)
