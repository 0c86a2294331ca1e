"""The predefined answers' stream on the replication link: ``repl.predefined``, primary ->
backup.

    primary -> backup   repl.predefined {answer: {id, owner, title, text, shortcut,
                                                  changed_by, changed_at}}
                                                        an answer, new or changed
                        repl.predefined {keep: [answer id, ...]}   the answers there are now

Personal answers (``owner``: the operator's login) and shared ones (``owner``: null) alike,
as the knowledge base's articles cross (``knowledge_link.py``): sent before the journal's
records at each wake of the primary's stream loop once the table changed
(``PredefinedAnswers.changes``, bumped by every change, so a wake with no change reads
nothing); each answer this link has not sent in its present form, then, when the set of
answers changed, the whole set of ids, so the backup deletes those deleted. A new link sends
every answer again. The backup checks each answer as the routes check a person's
(``AnswerDraft.checked``); a frame that does not fit breaks the protocol and ends the link.
On PostgreSQL the cluster shares the table: no link is made for it.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

import trio

from frontdesk.adapters.predefined import Answer, AnswerDraft, PredefinedAnswers, PredefinedError
from frontdesk.adapters.replication.channel import Channel
from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.engine.errors import AdapterError

KIND = "repl.predefined"
FIELDS = ("id", "owner", "title", "text", "shortcut", "changed_by", "changed_at")
MAX_LOGIN_CHARS = 200

log = logging.getLogger("frontdesk.replication")


class PredefinedLink:
    def __init__(self, answers: PredefinedAnswers) -> None:
        self.answers = answers
        self._sent: weakref.WeakKeyDictionary[Any, dict[int, tuple[str, ...]]] = (
            weakref.WeakKeyDictionary())
        self._kept: weakref.WeakKeyDictionary[Any, frozenset[int]] = weakref.WeakKeyDictionary()
        self._seen: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self.answers_sent = 0
        self.answers_taken = 0

    async def flush(self, channel: Channel, send_lock: trio.Lock | None = None) -> None:
        """Send what changed among the predefined answers since the last flush on ``channel``."""
        changes = self.answers.changes
        if self._seen.get(channel) == changes:
            return  # nothing changed since the last flush: no read on the hot path
        sent = self._sent.setdefault(channel, {})
        try:
            answers = await trio.to_thread.run_sync(self.answers.every)
        except AdapterError as e:
            log.warning("cannot read the predefined answers to replicate them: %s", e)
            return
        for answer in answers:
            wire = answer_to_wire(answer)
            form = tuple(str(wire[k]) for k in FIELDS)
            if sent.get(answer.id) == form:
                continue
            await _send(channel, send_lock, {"type": KIND, "answer": wire})
            sent[answer.id] = form
            self.answers_sent += 1
        now = frozenset(a.id for a in answers)
        if self._kept.get(channel) != now:  # the first flush on a link sends it too
            await _send(channel, send_lock, {"type": KIND, "keep": sorted(now)})
            self._kept[channel] = now
            for gone in set(sent) - now:
                del sent[gone]
        self._seen[channel] = changes

    async def received(self, frame: dict[str, Any]) -> None:
        """Store an answer the primary sent, or delete those it no longer has. A frame that
        does not fit breaks the protocol (ReplicationError); a failing store is logged."""
        keep = frame.get("keep")
        if keep is not None:
            if not isinstance(keep, list) or not all(
                    isinstance(i, int) and not isinstance(i, bool) for i in keep):
                raise ReplicationError(f"{KIND}: field 'keep' expected a list of ids")
            await self._store(self.answers.keep_only, set(keep))
        else:
            await self._store(self.answers.accept, answer_from_wire(frame))
            self.answers_taken += 1

    async def _store(self, change: Callable[[Any], object], arg: Any) -> None:
        try:
            await trio.to_thread.run_sync(change, arg)
        except AdapterError as e:  # PredefinedError too: the backup's table failed
            log.warning("cannot store the replicated predefined answers: %s", e)


def answer_to_wire(a: Answer) -> dict[str, Any]:
    return {"id": a.id, "owner": a.owner, "title": a.title, "text": a.text,
            "shortcut": a.shortcut, "changed_by": a.changed_by, "changed_at": a.changed_at}


def answer_from_wire(frame: dict[str, Any]) -> Answer:
    meta = frame.get("answer")
    if not isinstance(meta, dict):
        raise ReplicationError(f"{KIND}: expected field 'answer' (an object) or 'keep'")
    try:
        answer_id, owner = meta["id"], meta["owner"]
        by, at = meta["changed_by"], meta["changed_at"]
        if not isinstance(answer_id, int) or isinstance(answer_id, bool) or answer_id < 1:
            raise TypeError(f"id: expected a positive whole number, got {answer_id!r:.40}")
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


async def _send(channel: Channel, send_lock: trio.Lock | None, frame: dict[str, Any]) -> None:
    if send_lock is None:
        await channel.send(frame)
    else:
        async with send_lock:
            await channel.send(frame)
