"""Plain text (the visitor's, or an operator's unformatted say) as safe HTML.

Everything is escaped — ``<b>x</b>`` shows as typed — and only bare URLs
(``https://…``, ``www.…``, e-mail addresses) become links, found by
linkify-it-py and then passed through the same allowlist as formatted text.
Line breaks become ``<br>``. Most chat lines hold no link: linkify-it's
pre-test answers that in microseconds, and their HTML is the escaped text.
"""

from __future__ import annotations

from html import escape

from linkify_it import LinkifyIt

from adapters.text.sanitize import allowed_url, clean

_LINKIFY = LinkifyIt()


def to_html(source: str) -> str:
    """The safe HTML of plain ``source``."""
    if not _LINKIFY.pretest(source) or not _LINKIFY.test(source):
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
