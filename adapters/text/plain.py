"""Plain text (the visitor's, or an operator's unformatted say) as safe HTML.

Everything is escaped — ``<b>x</b>`` shows as typed — and only bare URLs
(``https://…``, ``www.…``, e-mail addresses) become links, found by
linkify-it-py and then passed through the same allowlist as formatted text.
Line breaks become ``<br>``. Most chat lines hold no link: ``may_hold_links``
(a scheme's colon, an ``@``, or a dot followed by a letter as in
``example.com``) answers that in a microsecond — linkify-it's own pre-test
costs tens — and their HTML is the escaped text. The others cost a linkify
pass (hundreds of µs for a few URLs), so ``web/say_text.py`` renders them
off the trio thread.
"""

from __future__ import annotations

import re
from html import escape

from linkify_it import LinkifyIt

from frontdesk.adapters.text.sanitize import allowed_url, clean

_LINKIFY = LinkifyIt()
# every link linkify-it finds holds a colon, an @ or this (a false positive only costs its test)
_DOT_THEN_NAME = re.compile(r"\.[^\s.,;:!?'\")\]]")


def may_hold_links(source: str) -> bool:
    """False: ``source`` holds no link, its HTML is the escaped text (see the top)."""
    if ":" in source or "@" in source:
        return True
    return "." in source and _DOT_THEN_NAME.search(source) is not None


def to_html(source: str) -> str:
    """The safe HTML of plain ``source``."""
    if not may_hold_links(source) or not _LINKIFY.test(source):
        return _escaped(source)
    parts: list[str] = []
    at = 0
    for match in _LINKIFY.match(source) or ():
        parts.append(_escaped(source[at:match.index]))
        label = source[match.index:match.last_index]
        if allowed_url(match.url):
            parts.append(f'<a href="{escape(match.url)}">{_escaped(label)}</a>')
        else:
            parts.append(_escaped(label))
        at = match.last_index
    parts.append(_escaped(source[at:]))
    return clean("".join(parts))


def _escaped(text: str) -> str:
    return escape(text, quote=False).replace("\n", "<br>")
