"""The file store's metadata on PostgreSQL (the scratch server of tests/adapters/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.adapters.files import FileLimits, FileRefused, FileStore
from tests.adapters.test_storage_journal import postgres_url
from tests.files import samples


def test_files_recorded_on_postgres_are_read_back_and_counted(tmp_path: Path) -> None:
    url = postgres_url()
    s = FileStore(url, tmp_path / "files", FileLimits(max_per_dialog=2))
    try:
        s._db.execute_sql("DELETE FROM dialog_files")  # the scratch database is shared
        image = s.put("d-9", "a/b/photo.png", samples.png(), "visitor", now=1.0)
        paper = s.put("d-9", "paper.pdf", samples.pdf(), "ann", now=2.0)
        with pytest.raises(FileRefused) as refused:
            s.put("d-9", "more.txt", b"more\n", "visitor", now=3.0)
        assert refused.value.status == 429
        s.close()
        again = FileStore(url, tmp_path / "files", FileLimits())
        assert again.of_dialog("d-9") == [image, paper]
        assert image.name == "photo.png" and again.content(image) == samples.png()
        again.close()
    finally:
        s.close()
