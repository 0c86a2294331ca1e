"""Reading a dialog's history once, for a transcript or the print view, through the
engine's own ``watch_dialog``: the engine decides who may read it (the visitor by its
token, the operator who holds or last held it, a manager) and which entries each of them
gets, exactly as on a socket.

The replay ends where the dialog's latest entry is (its ``seq`` in the inspection
snapshot, for an open dialog) or, for a closed one, at ``dialog.closed`` or at the
answer to the survey the close sent, which follows it (the watch's ack names the
latest entry); the watch is dropped then.
"""

from __future__ import annotations

import contextlib
import math

import trio

from frontdesk.engine import notices
from frontdesk.web.context import ServerContext

READ_TIMEOUT_S = 5.0


class HistoryRefused(Exception):  # noqa: N818 (a refusal, carried to the route's answer)
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


REFUSALS = {"forbidden": 403, "unknown_dialog": 404, "not_primary": 503}


def latest_seq(ctx: ServerContext, dialog_id: str) -> int | None:
    """The seq of an open dialog's latest entry; None if it is not open (closed, unknown)."""
    for d in ctx.engine.snapshot().get("dialogs", ()):
        if d.get("id") == dialog_id:
            return int(d["seq"])
    return None


async def read_history(
    ctx: ServerContext, dialog_id: str, *, operator_id: str | None = None,
    manager_id: str | None = None, token_hash: str | None = None,
) -> tuple[list[notices.Notice], bool]:
    """(the history entries ``dialog_id``'s reader may see, whether the dialog is closed);
    ``HistoryRefused`` if the engine refuses the reader."""
    bridge = ctx.require_bridge()
    send, receive = trio.open_memory_channel[notices.Notice](math.inf)

    def subscriber(notice: notices.Notice) -> None:  # on an engine thread
        def push() -> None:
            # once the read is over, late live notices are not wanted
            with contextlib.suppress(trio.ClosedResourceError, trio.BrokenResourceError):
                send.send_nowait(notice)

        bridge.call_soon(push)

    target = latest_seq(ctx, dialog_id)
    last: int | None = None  # the watch's ack: the dialog's latest entry
    entries: list[notices.Notice] = []
    closed = False
    ctx.engine.watch_dialog(dialog_id, subscriber, operator_id=operator_id,
                            manager_id=manager_id, token_hash=token_hash, ref="history")
    try:
        with trio.fail_after(READ_TIMEOUT_S):
            async for notice in receive:
                if isinstance(notice, notices.Rejected):
                    raise HistoryRefused(REFUSALS.get(notice.code, 409), notice.code,
                                         notice.message)
                if isinstance(notice, notices.Ack) and notice.ref == "history":
                    last = notice.seq
                    continue
                if isinstance(notice, notices.DialogNotice) and notice.in_history:
                    entries.append(notice)
                    closed = closed or isinstance(notice, notices.DialogClosed)
                    # after the close only the answer to its survey comes (for everyone)
                    if closed and (last is None or notice.seq >= last):
                        break
                    if not closed and target is not None and notice.seq >= target:
                        break
    except trio.TooSlowError:
        raise HistoryRefused(504, "timeout", f"reading the history of dialog {dialog_id} "
                             f"took over {READ_TIMEOUT_S:g} s") from None
    finally:
        send.close()
        ctx.engine.unwatch_dialog(dialog_id, subscriber)
    return entries, closed
