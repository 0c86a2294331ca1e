"""What ``bench.failover`` checks after the run: every acknowledged message against the
durable journal of the last primary, and every client's view against it.

* lost: acknowledged (the client got its ``dialog.message``) but not in the journal;
* duplicated: a text stored more than once in its dialog;
* reordered: a dialog's stored messages of one visitor not in the order it sent them;
* hidden: a durable entry, at a seq the client has reached, missing from the client's
  view of the dialog (what a client that dropped reused seqs as duplicates would show).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from frontdesk.adapters.storage import SqlJournal


def durable_messages(journal_path: Path) -> dict[str, list[tuple[int, str]]]:
    """Per dialog, the (seq, text) of every message in the journal, in journal order."""
    journal = SqlJournal(journal_path)
    try:
        found: dict[str, list[tuple[int, str]]] = {}
        for r in journal.read():
            if r.type == "dialog.message":
                dialog = r.stream.removeprefix("dialog:")
                found.setdefault(dialog, []).append((int(r.data["seq"]), str(r.data["text"])))
        return found
    finally:
        journal.close()


def check(
    acked: dict[str, list[str]],
    views: dict[str, list[tuple[int, str]]],
    reached: dict[str, int],
    durable: dict[str, list[tuple[int, str]]],
) -> dict[str, Any]:
    """``acked``: per dialog, the texts acknowledged in the order sent; ``views``: per
    dialog, the (seq, text) of the messages in the client's view; ``reached``: per
    dialog, the client's last seq."""
    lost = duplicated = reordered = hidden = 0
    lost_examples: list[str] = []
    for dialog, texts in acked.items():
        stored = durable.get(dialog, [])
        stored_texts = [t for _, t in stored]
        have = set(stored_texts)
        for t in texts:
            if t not in have:
                lost += 1
                if len(lost_examples) < 5:
                    lost_examples.append(f"{dialog}: {t}")
        duplicated += len(stored_texts) - len(have)
        sent_order = {t: i for i, t in enumerate(texts)}
        order = [sent_order[t] for t in stored_texts if t in sent_order]
        reordered += sum(1 for x, y in itertools.pairwise(order) if y < x)
        seen = set(views.get(dialog, []))
        hidden += sum(1 for e in stored if e[0] <= reached.get(dialog, 0) and e not in seen)
    return {
        "acked": sum(len(t) for t in acked.values()),
        "lost": lost,
        "duplicated": duplicated,
        "reordered": reordered,
        "hidden": hidden,
        "lost_examples": lost_examples,
    }
