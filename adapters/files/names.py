"""Safe file names: what a client calls its file is only ever a label.

A name loses any directory part (``/`` and ``\\``), control and format characters, and
leading dots (no hidden or ``..`` names); it is cut to ``MAX_NAME_CHARS`` keeping its
extension; an empty result becomes ``"file"``. The stored bytes are found by their hash,
never by this name, so it names nothing on disk.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

MAX_NAME_CHARS = 120
_EXTENSION_CHARS = 16


def safe_name(raw: str) -> str:
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in unicodedata.normalize("NFC", base)
                   if unicodedata.category(ch)[0] != "C" and ch not in '"<>:|?*')
    kept = " ".join(kept.split()).lstrip(". ")
    if len(kept) > MAX_NAME_CHARS:
        stem, dot, ext = kept.rpartition(".")
        if dot and stem and len(ext) <= _EXTENSION_CHARS:
            kept = stem[: MAX_NAME_CHARS - len(ext) - 1].rstrip() + "." + ext
        else:
            kept = kept[:MAX_NAME_CHARS].rstrip()
    return kept or "file"


def header_name(name: str) -> str:
    """``Content-Disposition``'s parameters for ``name``: an ASCII fallback and RFC 5987's
    UTF-8 form, so no quote or non-ASCII character ever reaches the header raw."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in name)
    return f"filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
