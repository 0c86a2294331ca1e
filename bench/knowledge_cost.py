"""Knowledge search cost: one search over a large knowledge base, in-process.

An SQLite knowledge base (FTS5, BM25: the default) of ``articles`` articles — the
demo's bike-shop articles and synthetic ones made of their words — is searched with
the ranking test's paraphrased visitor questions, one search each; the figures are
the p50 and p99 of one search (target p99 <= 20 ms over 10,000 articles), beside
the floor of the FTS5 match and rank alone (``KnowledgeBase.match_ids``). A
suggestion for a visitor's message is one such search (at most 5 hits with their
snippets), so its cost per visitor message is that search's mean.
``python -m bench --only knowledge`` (part of the standard suite; seconds).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.figures import Figure
from frontdesk.adapters.knowledge import ArticleDraft, KnowledgeBase
from frontdesk.adapters.knowledge.demo import DEMO_ARTICLES

QUESTIONS = (
    "what time do you open tomorrow", "is there free shipping", "got a puncture on the way home",
    "how far can the electric bike go on one charge", "do you take paypal",
    "please cancel the order I placed yesterday", "my disc brakes make a squeaking noise",
    "I'm 175 cm tall, what size frame", "tracking number for my parcel please",
    "could I take a bike for a test ride",
)


def synthetic(n: int, seed: int = 15) -> list[ArticleDraft]:
    rng = random.Random(seed)
    words = sorted({w for d in DEMO_ARTICLES for w in (d.answer + " " + " ".join(d.questions))
                    .replace("*", "").split()})
    drafts = list(DEMO_ARTICLES)
    while len(drafts) < n:
        drafts.append(ArticleDraft(
            " ".join(rng.choices(words, k=4)),
            tuple(" ".join(rng.choices(words, k=8)) + "?" for _ in range(3)),
            " ".join(rng.choices(words, k=40)),
            (rng.choice(("shop", "orders", "bikes", "workshop", "payment")),),
        ))
    return drafts


def measure(articles: int = 10_000, searches: int = 500) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="frontdesk-kb-") as tmp,
        KnowledgeBase(Path(tmp) / "kb.sqlite3") as kb,
    ):
        started = time.perf_counter()
        kb.create_many(synthetic(articles), by="bench")
        load_s = time.perf_counter() - started
        timings = []
        floor = []
        cpu = [0.0, 0.0]  # this thread's CPU time, search and floor: less moved by the host
        for i in range(searches):
            q = QUESTIONS[i % len(QUESTIONS)]
            c0, t0 = time.thread_time(), time.perf_counter()
            kb.search(q, limit=5)
            timings.append((time.perf_counter() - t0) * 1000)
            c1, t0 = time.thread_time(), time.perf_counter()
            kb.match_ids(q, limit=5)
            floor.append((time.perf_counter() - t0) * 1000)
            cpu[0] += c1 - c0
            cpu[1] += time.thread_time() - c1
    floor.sort()
    timings.sort()
    return {
        "articles": articles, "searches": searches, "load_s": load_s,
        "p50_ms": timings[len(timings) // 2],
        "p99_ms": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
        "mean_ms": statistics.fmean(timings),
        "floor_p99_ms": floor[min(len(floor) - 1, int(len(floor) * 0.99))],
        "floor_mean_ms": statistics.fmean(floor),
        "cpu_mean_ms": cpu[0] / searches * 1000,
        "floor_cpu_mean_ms": cpu[1] / searches * 1000,
    }


def result(quick: bool) -> tuple[list[Figure], dict[str, Any]]:
    """The suite's figures (``bench/suite.py`` MEASUREMENTS ``knowledge``)."""
    costs = measure(articles=1_000, searches=50) if quick else measure()
    n = costs["articles"]
    figures = [
        Figure(f"knowledge search p99 ({n} articles, SQLite FTS5)", "ms", costs["p99_ms"],
               costs["floor_p99_ms"], "value <= 20",
               note=f"p50 {costs['p50_ms']:.2f} ms; floor: the FTS5 match and rank alone; "
               f"CPU mean {costs['cpu_mean_ms']:.2f} ms (floor {costs['floor_cpu_mean_ms']:.2f})"),
        Figure("suggestion cost per visitor message (one search, 5 hits)", "ms",
               costs["mean_ms"], costs["floor_mean_ms"], "value <= 20",
               note="mean of the searches above"),
    ]
    return figures, costs


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
