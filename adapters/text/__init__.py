"""Text as it is stored and shown: a say's source, its safe HTML and its plain form.

Theory of operation: a message enters as its ``source`` and a ``format``
(``plain`` — the visitor's text, anything unformatted — or ``markdown``, the
operators' subset: bold, italic, lists, links, inline code). ``render``
turns it, once, where it enters, into a ``Rendered``: the source as written,
``html`` that only ever holds the allowlisted tags of
``frontdesk.adapters.text.sanitize`` (so a page may insert it), and ``text``, a plain
form for e-mail, search and print. The journal keeps all three, so a backup
and a replay show exactly what was shown first, whatever library version
they run; ``render`` is deterministic, so one entry that lacks its HTML (a
journal written before formatting existed) is rendered when it is read.

Nothing here knows of sockets or of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from frontdesk.adapters.json_limits import text_problem
from frontdesk.adapters.text import markdown, plain
from frontdesk.adapters.text.sanitize import ALLOWED_TAGS as ALLOWED_TAGS
from frontdesk.adapters.text.sanitize import LINK_REL as LINK_REL
from frontdesk.adapters.text.sanitize import URL_SCHEMES as URL_SCHEMES
from frontdesk.adapters.text.sanitize import clean as clean
from frontdesk.engine.errors import AdapterError

Format = Literal["plain", "markdown"]
FORMATS: tuple[Format, ...] = ("plain", "markdown")
MAX_SOURCE_CHARS = 20_000  # the wire takes less (a say's text: 4,000); other callers too


class TextError(AdapterError):
    """A source that cannot be rendered (an unknown format, too long, not text)."""


@dataclass(frozen=True)
class Rendered:
    format: Format
    source: str
    html: str
    text: str

    @property
    def plain(self) -> str:
        """The plain form where it differs from the source, else "" (what the journal keeps)."""
        return "" if self.text == self.source else self.text


def render(source: str, format: str = "plain") -> Rendered:
    """``source`` in ``format`` as a ``Rendered``; ``TextError`` if it cannot be taken."""
    if format not in FORMATS:
        raise TextError(f"expected a format among {', '.join(FORMATS)}, got {format[:40]!r}")
    if len(source) > MAX_SOURCE_CHARS:
        raise TextError(f"expected at most {MAX_SOURCE_CHARS} characters, got {len(source)}")
    if not source.isascii() or "\x00" in source:  # the usual case is checked in C
        problem = text_problem(source)
        if problem is not None:
            raise TextError(problem)
    if format == "plain":  # cheap or linkified: no cache (its upkeep cost more than the escape)
        return Rendered("plain", source, plain.to_html(source), source)
    return _render(source, format)


def renders_fast(source: str, format: str) -> bool:
    """Whether rendering ``source`` costs microseconds (plain text without a link-like
    part), so a caller on an event loop may do it in line; else it may take milliseconds."""
    return format == "plain" and not plain.may_hold_links(source)


@lru_cache(maxsize=1024)
def _render(source: str, format: Format) -> Rendered:
    """Markdown, cached: an answer read again (an entry completed at read) is not re-parsed."""
    if format == "plain":
        return Rendered("plain", source, plain.to_html(source), source)
    html, text = markdown.html_and_text(source)
    return Rendered("markdown", source, html, text)
