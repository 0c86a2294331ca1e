"""The file store on a real SQLite file and a real data directory (``adapters/files``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from frontdesk.adapters.files import FileLimits, FileRefused, FileStore, safe_name
from tests.files import samples


def store(tmp_path: Path, **limits: int) -> FileStore:
    return FileStore(tmp_path / "accounts.sqlite3", tmp_path / "files", FileLimits(**limits))


def test_an_image_is_stored_by_its_hash_with_a_thumbnail(tmp_path: Path) -> None:
    s = store(tmp_path)
    data = samples.png(640, 480)
    f = s.put("d-1", "photo.png", data, "visitor", now=5.0)
    assert (f.type, f.size, f.inline) == ("image/png", len(data), True)
    digest = hashlib.sha256(data).hexdigest()
    assert f.sha256 == digest
    assert (tmp_path / "files" / digest[:2] / digest).read_bytes() == data
    thumb = s.content(f, thumb=True)
    assert thumb.startswith(b"\x89PNG") and len(thumb) < len(data)
    assert s.get(f.id) == f and s.of_dialog("d-1") == [f]
    s.close()
    again = store(tmp_path)  # the row outlives the process's store
    assert again.get(f.id) == f and again.content(f) == data


def test_a_pdf_has_no_thumbnail_and_is_not_inline(tmp_path: Path) -> None:
    f = store(tmp_path).put("d-1", "invoice.pdf", samples.pdf(), "ann", now=1.0)
    assert (f.type, f.thumbnail, f.inline) == ("application/pdf", "", False)


def test_the_type_is_sniffed_not_taken_from_the_name(tmp_path: Path) -> None:
    s = store(tmp_path)
    with pytest.raises(FileRefused) as svg:
        s.put("d-1", "cat.png", samples.SVG_WITH_SCRIPT, "visitor", now=1.0)
    assert svg.value.status == 415 and "image/svg+xml" in svg.value.message
    with pytest.raises(FileRefused) as html:
        s.put("d-1", "notes.txt", samples.HTML_PAGE, "visitor", now=1.0)
    assert html.value.status == 415 and "text/html" in html.value.message
    assert s.of_dialog("d-1") == [] and not (tmp_path / "files").exists()


def test_size_and_count_limits_refuse_with_413_and_429(tmp_path: Path) -> None:
    s = store(tmp_path, max_bytes=1000, max_per_dialog=2)
    with pytest.raises(FileRefused) as big:
        s.put("d-1", "big.txt", b"x" * 1001, "visitor", now=1.0)
    assert big.value.status == 413 and "at most 1000 bytes, got 1001" in big.value.message
    s.put("d-1", "a.txt", b"one\n", "visitor", now=1.0)
    s.put("d-1", "b.txt", b"two\n", "visitor", now=2.0)
    with pytest.raises(FileRefused) as many:
        s.put("d-1", "c.txt", b"three\n", "visitor", now=3.0)
    assert many.value.status == 429 and "at most 2 files" in many.value.message
    assert [f.name for f in s.of_dialog("d-1")] == ["a.txt", "b.txt"]
    s.put("d-2", "c.txt", b"three\n", "visitor", now=3.0)  # another dialog's own count


def test_a_decompression_bomb_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    bomb = samples.png_bomb()
    assert len(bomb) < 1_000_000
    s = store(tmp_path)
    with pytest.raises(FileRefused) as refused:
        s.put("d-1", "bomb.png", bomb, "visitor", now=1.0)
    assert refused.value.status == 413 and "1600000000" in refused.value.message
    assert s.of_dialog("d-1") == []


@pytest.mark.parametrize(("raw", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ann\\report.pdf", "report.pdf"),
    ("evil\x00\r\nname.txt", "evilname.txt"),
    ("\u202etxt.exe", "txt.exe"),
    ("...hidden", "hidden"),
    ("", "file"),
    ("/", "file"),
    ('a"b<c>.png', "abc.png"),
])
def test_names_are_sanitised(raw: str, safe: str) -> None:
    assert safe_name(raw) == safe


def test_a_300_character_name_is_cut_keeping_its_extension() -> None:
    name = safe_name("x" * 300 + ".pdf")
    assert len(name) == 120 and name.endswith("xx.pdf")
