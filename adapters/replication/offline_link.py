"""The offline messages' stream on the replication link: ``repl.offline``, primary -> backup.

    primary -> backup   repl.offline {message: {id, name, email, message, created_at,
                                                handled_at, handled_by}}   new or changed
                        repl.offline {keep: [message id, ...]}   the messages there are now

A visitor's message left while nobody was available (``adapters/offline``) and a manager's
"handled" mark cross as the knowledge base's articles do: the stream of a table of rows
(``row_link.py``). The backup checks each message as the route checks a visitor's
(``OfflineDraft.checked``) and keeps the primary's id and times, so the manager's list on a
new primary is the one they had. On PostgreSQL the cluster shares the table: no link.
"""

from __future__ import annotations

from typing import Any

from frontdesk.adapters.offline import OfflineDraft, OfflineError, OfflineMessage, OfflineMessages
from frontdesk.adapters.replication.protocol import ReplicationError
from frontdesk.adapters.replication.row_link import RowLink, positive_id, row_of

KIND = "repl.offline"
MAX_BY_CHARS = 128  # the table's handled_by


class OfflineLink(RowLink[OfflineMessage]):
    def __init__(self, messages: OfflineMessages) -> None:
        super().__init__(
            KIND, "message", "the offline messages",
            changes=lambda: messages.changes, read_all=messages.every,
            accept=messages.accept, keep_only=messages.keep_only,
            to_wire=message_to_wire, from_wire=message_from_wire,
        )


def message_to_wire(m: OfflineMessage) -> dict[str, Any]:
    return {"id": m.id, "name": m.name, "email": m.email, "message": m.message,
            "created_at": m.created_at, "handled_at": m.handled_at, "handled_by": m.handled_by}


def _time(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name}: expected a number, got {value!r:.40}")
    return float(value)


def message_from_wire(frame: dict[str, Any]) -> OfflineMessage:
    meta = row_of(frame, KIND, "message")
    try:
        message_id, by = positive_id(meta["id"]), meta["handled_by"]
        created = _time(meta["created_at"], "created_at")
        handled = None if meta["handled_at"] is None else _time(meta["handled_at"], "handled_at")
        if not isinstance(by, str) or len(by) > MAX_BY_CHARS:
            raise TypeError(f"handled_by: expected a login, got {by!r:.40}")
        d = OfflineDraft(meta["name"], meta["email"], meta["message"]).checked()
        return OfflineMessage(message_id, d.name, d.email, d.message, created, handled, by)
    except (KeyError, TypeError, OfflineError) as e:
        raise ReplicationError(f"{KIND}: expected an offline message's fields: {e}") from None
