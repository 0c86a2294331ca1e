"""Text cost: rendering a say (``adapters/text``), where it enters the server.

In-process, µs per render with the cache bypassed (every say is new text), the
median of ``rounds`` rounds of ``reps`` renders each:

* ``answer``: an operator's formatted answer (bold, italic, a list, inline code, a
  link and a bare URL; about 300 characters) as markdown — parse, HTML, allowlist
  and the plain form — against, as the floor, the same text rendered ``plain``
  (escape and linkify: what every message costs);
* ``chat line``: a visitor's line without a URL (the hot path of the relay: the
  linkify pre-test answers and the HTML is the escaped text), against the floor of
  ``html.escape`` alone.

Markdown and text with links are rendered in a worker thread (``web/say_text.py``),
other plain text on the trio thread. The target of an answer (5 ms) is a budget for
a worker thread at an operator's pace, not for the loop. The first link a process
renders also pays linkify-it's regex compilation once (about 0.5 s here, in that
thread); the median over the rounds keeps it out of these figures.
``python -m bench --only render`` (part of the standard suite; seconds).
"""

from __future__ import annotations

import gc
import html
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.figures import Figure
from frontdesk.adapters.text import _render, render

ANSWER = (
    "Hi Vera, thanks for waiting! Your order **#48213** shipped *yesterday*.\n\n"
    "To track it:\n"
    "1. open [your account](https://shop.example.com/account)\n"
    "2. choose **Orders**, then `48213`\n\n"
    "- questions: https://help.example.com/shipping\n"
    "- or write to support@example.com"
)
CHAT_LINE = "Hello, I ordered a blue jacket last week and it has not arrived yet, can you check?"

_uncached = _render.__wrapped__  # every say is new text: no cache hit (plain has none)


def per_call_us(fn: Callable[[], object], reps: int, rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        gc.disable()
        try:
            started = time.perf_counter()
            for _ in range(reps):
                fn()
            timings.append((time.perf_counter() - started) / reps * 1e6)
        finally:
            gc.enable()
    return statistics.median(timings)


def measure(reps: int = 500, rounds: int = 7) -> dict[str, Any]:
    return {
        "answer_chars": len(ANSWER),
        "markdown_answer_us": per_call_us(lambda: _uncached(ANSWER, "markdown"), reps, rounds),
        "plain_answer_us": per_call_us(lambda: render(ANSWER, "plain"), reps, rounds),
        "chat_line_us": per_call_us(lambda: render(CHAT_LINE, "plain"), reps * 4, rounds),
        "escape_us": per_call_us(lambda: html.escape(CHAT_LINE, quote=False), reps * 4, rounds),
    }


def result(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    """The suite's figures (``bench/suite.py`` MEASUREMENTS ``render``)."""
    costs = measure(reps=50, rounds=3) if quick else measure()
    figures = [
        Figure(f"rendering a formatted answer ({len(ANSWER)} chars, markdown)", "us",
               costs["markdown_answer_us"], costs["plain_answer_us"], "value <= 5000",
               note="floor: the same text as plain (escape + linkify); in a worker thread"),
        Figure("rendering a visitor's chat line (plain, no URL)", "us", costs["chat_line_us"],
               costs["escape_us"], "value <= 50",
               note="floor: html.escape alone; on the trio thread, every message"),
    ]
    return figures, costs


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
