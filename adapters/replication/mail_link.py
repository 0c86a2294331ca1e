"""The mail outbox's stream on the replication link: ``repl.mail``, primary -> backup.

    primary -> backup   repl.mail {mail: {id, kind, subject_id, to, sender, message, sha256,
                                          status, attempts, next_at, last_error, created_at,
                                          done_at, reported}}     one outbox row as it is now

Sent by the primary's stream loop at each wake, before the batch of journal records it is
about to send (as the files are): every row this process changed (queued, tried again
later, sent, failed, reported; ``Outbox.changes`` counts the changes, so a wake with no
change reads nothing; each change wakes the loop: ``Outbox.add_listener`` in
``web/cluster_node.py``) since the last flush on this link. A new link first sends the
whole outbox, by id, so a backup that was away catches up; so does a link that fell more
than ``TOUCHED_KEPT`` changed rows behind (the outbox remembers only the last rows
changed). The backup stores each row as it comes (``Outbox.put``: insert or overwrite by
id, so a frame applied twice changes nothing); its worker sends nothing while it is a
backup, and once promoted sends what is still queued and reports the outcomes not reported
yet. Delivery is thus at least once: a mail the old primary sent just before it died, whose
``sent`` did not cross, is sent again, with the same bytes and so the same ``Message-ID``
(receivers de-duplicate on it).

A PostgreSQL outbox (``storage.accounts_url``) is shared by both nodes: no link is made for
it (``web/cluster_node.py``). A frame that is not a well-formed row, or whose message does
not match its SHA-256, breaks the protocol and ends the link.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import logging
import math
import weakref
from typing import Any

import trio

from frontdesk.adapters.mail.message import MailError
from frontdesk.adapters.mail.outbox import Outbox, QueuedMail
from frontdesk.adapters.replication.channel import Channel
from frontdesk.adapters.replication.protocol import ReplicationError

KIND = "repl.mail"
PER_READ = 16

log = logging.getLogger("frontdesk.replication")


@dataclasses.dataclass
class _Sent:
    change: int = -1  # the outbox's change counter at the last complete flush
    scanned: bool = False  # the whole outbox has been sent once on this link


class MailLink:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self._sent: weakref.WeakKeyDictionary[Any, _Sent] = weakref.WeakKeyDictionary()
        self.rows_sent = 0
        self.rows_taken = 0

    async def flush(self, channel: Channel, send_lock: trio.Lock | None = None) -> None:
        """Send the outbox rows changed since the last flush on ``channel`` (all of them on
        a new link)."""
        sent = self._sent.setdefault(channel, _Sent())
        change = self.outbox.changes
        if sent.scanned and sent.change == change:
            return  # nothing changed: no read on the hot path
        try:
            ids: list[int] | None = None
            if sent.scanned:  # None: more changed than the outbox remembers, read it all
                ids = await trio.to_thread.run_sync(self.outbox.touched_since, sent.change)
            if ids is None:
                last = 0
                while rows := await trio.to_thread.run_sync(self.outbox.after, last, PER_READ):
                    for mail in rows:
                        await _send(channel, send_lock, mail_frame(mail))
                        last = mail.id
                sent.scanned = True
            else:
                for mail_id in ids:
                    row = await trio.to_thread.run_sync(self.outbox.get, mail_id)
                    if row is not None:
                        await _send(channel, send_lock, mail_frame(row))
        except MailError as e:
            log.warning("cannot read the mail outbox to replicate it: %s", e)
            return
        sent.change = change  # rows changed meanwhile go again at the next flush

    async def received(self, frame: dict[str, Any]) -> None:
        """Store a row the primary sent (checked first: see ``mail_from_wire``)."""
        mail = mail_from_wire(frame)
        try:
            await trio.to_thread.run_sync(self.outbox.put, mail)
        except MailError as e:
            log.warning("cannot store replicated mail %d: %s", mail.id, e)
            return
        self.rows_taken += 1


async def _send(channel: Channel, send_lock: trio.Lock | None, frame: dict[str, Any]) -> None:
    if send_lock is None:
        await channel.send(frame)
    else:
        async with send_lock:
            await channel.send(frame)


def mail_frame(mail: QueuedMail) -> dict[str, Any]:
    row = dataclasses.asdict(mail)
    row["message"] = base64.b64encode(mail.message).decode("ascii")
    row["sha256"] = hashlib.sha256(mail.message).hexdigest()
    return {"type": KIND, "mail": row}


_TEXT = {"kind": 32, "subject_id": 128, "to": 254, "sender": 254, "last_error": 100_000}
_TIMES = ("next_at", "created_at")


def mail_from_wire(frame: dict[str, Any]) -> QueuedMail:
    """The row of a ``repl.mail`` frame; ``ReplicationError`` naming what was expected and
    what came for anything else."""
    row = frame.get("mail")
    if not isinstance(row, dict):
        raise ReplicationError(f"{KIND}: field 'mail' expected an object, got "
                               f"{type(row).__name__}")
    mail_id = row.get("id")
    if not isinstance(mail_id, int) or isinstance(mail_id, bool) or mail_id < 1:
        raise ReplicationError(f"{KIND}: field 'mail.id' expected a positive integer, got "
                               f"{mail_id!r:.40}")
    where = f"{KIND} (mail {mail_id})"
    for name, longest in _TEXT.items():
        value = row.get(name)
        if not isinstance(value, str) or len(value) > longest:
            raise ReplicationError(f"{where}: field {name!r} expected a string of at most "
                                   f"{longest} characters, got {value!r:.40}")
    status = row.get("status")
    if status not in ("queued", "sent", "failed"):
        raise ReplicationError(f"{where}: field 'status' expected queued, sent or failed, "
                               f"got {status!r:.40}")
    attempts = row.get("attempts")
    if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 0:
        raise ReplicationError(f"{where}: field 'attempts' expected a count, got "
                               f"{attempts!r:.40}")
    for name in (*_TIMES, "done_at"):
        value = row.get(name)
        if value is None and name == "done_at":
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool) \
                or not math.isfinite(value):
            raise ReplicationError(f"{where}: field {name!r} expected a time in seconds, "
                                   f"got {value!r:.40}")
    reported = row.get("reported")
    if not isinstance(reported, bool):
        raise ReplicationError(f"{where}: field 'reported' expected true or false, got "
                               f"{reported!r:.40}")
    try:
        message = base64.b64decode(str(row.get("message", "")), validate=True)
    except binascii.Error as e:
        raise ReplicationError(f"{where}: field 'message' expected base64: {e}") from None
    if hashlib.sha256(message).hexdigest() != row.get("sha256"):
        raise ReplicationError(f"{where}: the message does not match its sha256")
    done_at = row["done_at"]
    return QueuedMail(
        id=mail_id, kind=row["kind"], subject_id=row["subject_id"], to=row["to"],
        sender=row["sender"], message=message, status=status, attempts=attempts,
        next_at=float(row["next_at"]), last_error=row["last_error"],
        created_at=float(row["created_at"]),
        done_at=None if done_at is None else float(done_at), reported=reported)
