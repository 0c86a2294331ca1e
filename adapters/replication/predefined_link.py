"""The predefined answers' stream on the replication link: ``repl.predefined``, primary ->
backup.

    primary -> backup   repl.predefined {answer: {id, owner, title, text, shortcut,
                                                  changed_by, changed_at}}
                                                        an answer, new or changed
                        repl.predefined {keep: [answer id, ...], last_id}   the answers there
                                                   are now, and the largest id ever given

Personal answers (``owner``: the operator's login) and shared ones (``owner``: null) alike,
as the knowledge base's articles cross (``knowledge_link.py``): the stream of a table of rows
(``row_link.py``: what changed since the last flush, then the ids left, a new link sends
all). The backup checks each answer as the routes check a person's (``AnswerDraft.checked``).
On PostgreSQL the cluster shares the table: no link is made for it.
"""

from __future__ import annotations

from typing import Any

from frontdesk.adapters.predefined import Answer, AnswerDraft, PredefinedAnswers, PredefinedError
from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.adapters.replication.row_link import RowLink, positive_id, row_of

KIND = "repl.predefined"
MAX_LOGIN_CHARS = 200


class PredefinedLink(RowLink[Answer]):
    def __init__(self, answers: PredefinedAnswers) -> None:
        super().__init__(
            KIND, "answer", "the predefined answers",
            changes=lambda: answers.changes, read_all=answers.every,
            accept=answers.accept, keep_only=answers.keep_only,
            last_id=answers.last_id, raise_last_id=answers.raise_last_id,
            to_wire=answer_to_wire, from_wire=answer_from_wire,
        )


def answer_to_wire(a: Answer) -> dict[str, Any]:
    return {"id": a.id, "owner": a.owner, "title": a.title, "text": a.text,
            "shortcut": a.shortcut, "changed_by": a.changed_by, "changed_at": a.changed_at}


def answer_from_wire(frame: dict[str, Any]) -> Answer:
    meta = row_of(frame, KIND, "answer")
    try:
        answer_id, owner = positive_id(meta["id"]), meta["owner"]
        by, at = meta["changed_by"], meta["changed_at"]
        if owner is not None and (not isinstance(owner, str) or not owner.strip()
                                  or len(owner) > MAX_LOGIN_CHARS):
            raise TypeError(f"owner: expected a login or null, got {owner!r:.40}")
        if not isinstance(by, str) or isinstance(at, bool) or not isinstance(at, (int, float)):
            raise TypeError("changed_by and changed_at: expected text and a number")
        d = AnswerDraft(meta["title"], meta["text"], meta["shortcut"]).checked()
        return Answer(id=answer_id, owner=owner, title=d.title, text=d.text,
                      shortcut=d.shortcut, changed_by=by, changed_at=float(at))
    except (KeyError, TypeError, PredefinedError) as e:
        raise ReplicationError(f"{KIND}: expected an answer's fields: {e}") from None
