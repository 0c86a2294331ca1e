"""The operators' markdown subset: bold, italic, lists, links, inline code, line breaks.

markdown-it-py with the ``zero`` preset and only the rules the toolbar writes
(so a ``# heading``, a table, an image or a block quote stays literal text),
raw HTML off (``<b>`` is shown as typed), bare URLs linkified (linkify-it-py)
and a single newline kept as a line break (``<br>``), as people type in a
chat; the HTML holds no newline of its own, since the pages show messages with
``white-space: pre-wrap``. Its HTML
then goes through the allowlist (``frontdesk.adapters.text.sanitize``). The plain form is
written from the same token stream: markers gone, list items as ``- x`` or
``1. x``, a link as ``text (url)`` when the two differ.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from frontdesk.adapters.text.sanitize import allowed_url, clean

_RULES = ["paragraph", "list", "newline", "escape", "backticks", "emphasis", "link", "linkify",
          "text"]

_MD = MarkdownIt("zero", {"html": False, "linkify": True, "breaks": True, "typographer": False})
_MD.enable(_RULES)
_MD.validateLink = allowed_url  # type: ignore[method-assign]  # refused before the sanitiser


def html_and_text(source: str) -> tuple[str, str]:
    """The safe HTML and the plain-text form of ``source``, from one parse."""
    tokens = _MD.parse(source)
    # markdown-it ends block tags and <br> with a newline; the pages show text with
    # white-space: pre-wrap (a visitor's spaces and line breaks are kept), so it has none
    html = clean(_MD.renderer.render(tokens, _MD.options, {}).replace("\n", ""))
    return html, _plain(tokens)


def _plain(tokens: list[Token]) -> str:
    out: list[str] = []
    lists: list[list[int]] = []  # per open list: [next number] (ordered) or [] (bulleted)
    for token in tokens:
        kind = token.type
        if kind == "bullet_list_open":
            lists.append([])
        elif kind == "ordered_list_open":
            lists.append([int(str(token.attrGet("start") or 1))])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            out.append("\n")
        elif kind == "list_item_open" and lists:
            indent = "  " * (len(lists) - 1)
            numbers = lists[-1]
            if numbers:
                out.append(f"{indent}{numbers[0]}. ")
                numbers[0] += 1
            else:
                out.append(f"{indent}- ")
        elif kind == "paragraph_close":
            out.append("\n" if lists else "\n\n")
        elif kind == "inline" and token.children is not None:
            out.append(_inline_text(token.children))
    text = "".join(out)
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n").replace("\n\n\n", "\n\n")


def _inline_text(children: list[Token]) -> str:
    out: list[str] = []
    href: str | None = None
    start = 0
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            out.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "link_open":
            href, start = str(child.attrGet("href") or ""), len(out)
        elif kind == "link_close" and href is not None:
            label = "".join(out[start:])
            if href and label not in (href, href.removeprefix("mailto:"),
                                      href.removeprefix("http://")):
                out.append(f" ({href})")
            href = None
    return "".join(out)
