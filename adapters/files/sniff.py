"""The type of an upload, decided by its content (libmagic), never by the client's claim.

``ALLOWED`` is the allowlist: common raster images, PDF, plain text and office documents.
``INLINE`` are the raster images served inline (with a thumbnail); everything else is
served as an attachment. SVG and HTML are not in the allowlist at all: an SVG carries
script as easily as an HTML page.
"""

from __future__ import annotations

import magic

from frontdesk.adapters.files.errors import FileRefused

INLINE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
ALLOWED = INLINE | frozenset({
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
})
SNIFF_BYTES = 64 * 1024  # libmagic's own default read


def detect(data: bytes) -> str:
    """The MIME type libmagic sees in ``data`` (its first ``SNIFF_BYTES``)."""
    return str(magic.from_buffer(data[:SNIFF_BYTES], mime=True))


def allowed_type(data: bytes) -> str:
    """The detected type of ``data`` if it is allowed, else a 415 naming it."""
    found = detect(data)
    if found not in ALLOWED:
        raise FileRefused(415, "type_not_allowed",
                          f"expected an image (PNG, JPEG, GIF, WebP), a PDF, plain text or an "
                          f"office document, got {found}")
    return found
