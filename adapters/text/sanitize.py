"""The one allowlist every rendered HTML passes before it is stored or sent.

nh3 (ammonia) parses the HTML as a browser would and keeps only the tags and
attributes named here: whatever a renderer's bug or a hostile source lets
through — a ``<script>``, an ``onerror``, a ``style``, a ``javascript:`` or
relative URL — leaves as text or not at all. Every link gets
``rel="noopener noreferrer nofollow"`` and ``target="_blank"`` (it opens in a
new tab, and the page it opens can neither reach back nor be credited); a link
whose URL is not ``http``, ``https`` or ``mailto`` loses its ``href`` and is
then unwrapped into its text, so it is not a link at all.

The pages check the same allowlist again before they insert the HTML
(``web/static/js/rich.js``), as defence in depth; keep the two in step.
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "code"})
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {"a": frozenset({"href"})}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
LINK_TARGET = "_blank"

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    url_relative="deny",
    link_rel=LINK_REL,
    set_tag_attribute_values={"a": {"target": LINK_TARGET}},
    strip_comments=True,
)

# an anchor the cleaner left without an href (its URL was refused): keep only its text
_HREFLESS = re.compile(r"<a (?![^>]*\bhref=)[^>]*>(.*?)</a>", re.DOTALL)


def clean(html: str) -> str:
    """``html`` reduced to the allowlist (see the module docstring)."""
    cleaned = _CLEANER.clean(html)
    if "<a " in cleaned:
        cleaned = _HREFLESS.sub(r"\1", cleaned)
    return cleaned


def allowed_url(url: str) -> bool:
    """Whether ``url`` may be a link's target (an absolute URL of an allowed scheme)."""
    scheme, sep, _ = url.partition(":")
    return bool(sep) and scheme.strip().lower() in URL_SCHEMES
