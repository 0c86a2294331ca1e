"""A say's text, rendered where it enters (``frontdesk.adapters.text``), and a stored one completed.

``rendered_say(frame)`` gives the ``Rendered`` of a validated ``say``. Plain
text without anything link-like (most chat lines) is escaped on the trio
thread: it costs microseconds. Markdown and text with URLs cost more (a
fraction of a millisecond for an answer, tens for a hostile 4,000 characters:
``python -m bench --only render``), so they are rendered in a worker thread:
the loop that relays every other socket's frames never waits on them. The
connection awaits the result, so its frames stay in order.

``complete_message(frame)`` fills a ``dialog.message`` frame whose entry was
journaled without its rendered forms (before they existed, or by a caller
that only had the source): rendering is deterministic, so it is done once
per read, and the same text always gives the same HTML.
"""

from __future__ import annotations

from typing import Any

import trio

from frontdesk.adapters.text import FORMATS, Rendered, TextError, render, renders_fast
from frontdesk.adapters.wire import Frame, WireError


async def rendered_say(frame: Frame) -> Rendered:
    source, format = frame.text("text"), frame.text("format", "plain")
    try:
        if renders_fast(source, format):
            return render(source, format)
        return await trio.to_thread.run_sync(render, source, format)  # see the top
    except TextError as exc:
        raise WireError("bad_field", f"say.text: {exc}", frame.ref) from None


def complete_message(frame: dict[str, Any]) -> None:
    """Give a ``dialog.message`` frame without ``html`` its rendered forms (see the top)."""
    source = frame.get("source") or frame.get("text") or ""
    format = frame.get("format")
    try:
        done = render(source, format if format in FORMATS else "plain")
    except TextError:  # not text the wire would take: the pages fall back to ``text``
        return
    frame.update(format=done.format, source=done.source, html=done.html, text=done.text)
