"""The three roles of the Python client: visitor, operator, manager."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypeVar, Unpack

from trio_websocket import WebSocketConnection

from frontdesk.adapters.client.base import ClientBase
from frontdesk.adapters.client.http import login as http_login
from frontdesk.adapters.client.inbox import Frame
from frontdesk.adapters.client.options import ClientOptions

T = TypeVar("T", bound="ClientBase")
RESUME_FINAL = frozenset({"closed", "forbidden", "unknown_dialog"})


class VisitorClient(ClientBase):
    """A visitor: ``open`` a dialog, ``say``, ``typing``, ``close``; resumes by token."""

    path = "/ws/visitor"

    def __init__(self, urls: str | Sequence[str], **options: Unpack[ClientOptions]) -> None:
        super().__init__(urls, **options)
        self.tokens: dict[str, str] = {}  # dialog -> token
        self.dialog: str | None = None
        self.closed: set[str] = set()  # dialogs known to be over

    def on_frame(self, frame: Frame) -> None:
        kind, dialog = frame.get("type"), frame.get("dialog")
        if kind == "ack" and isinstance(frame.get("data"), dict):
            token = frame["data"].get("token")
            if isinstance(token, str) and isinstance(dialog, str):
                self.tokens[dialog] = token
                self.dialog = dialog
        elif kind == "error" and str(frame.get("ref", "")).startswith("resume-") \
                and frame.get("code") in RESUME_FINAL and isinstance(dialog, str):
            self.tokens.pop(dialog, None)  # closed, gone or not ours: stop resuming it
            self.closed.add(dialog)
        elif kind == "dialog.closed" and isinstance(dialog, str):
            self.closed.add(dialog)

    async def on_connected(self, ws: WebSocketConnection) -> None:
        for dialog, token in list(self.tokens.items()):
            if dialog in self.closed:
                continue
            await ws.send_message(json.dumps({
                "type": "resume", "dialog": dialog, "token": token,
                **self.cursor(dialog), "ref": self.next_ref("resume"),
            }))

    async def open(self, name: str = "", info: dict[str, str] | None = None,
                   timeout: float = 10.0) -> Frame:
        """Open a dialog; returns the ack (``dialog``, ``data.token``)."""
        frame: Frame = {"type": "open", "name": name}
        if info:
            frame["info"] = info
        return await self.request(frame, timeout)

    async def resume(self, dialog: str, token: str, after_seq: int | None = None,
                     timeout: float = 10.0) -> Frame:
        """Take over a dialog opened elsewhere (another process, a reloaded page) by its
        token. Returns the ``ack`` (``dialog``, and ``seq``: the dialog's last entry); the
        entries after ``after_seq`` (default: the last seen) follow it. Raises
        ``RefusedError`` ``forbidden`` for a token that is not the dialog's, and
        ``unknown_dialog`` for an id that does not exist (the dialog is then forgotten)."""
        self.tokens[dialog] = token
        self.dialog = dialog
        self.closed.discard(dialog)
        at = self.cursor(dialog) if after_seq is None else {"after_seq": after_seq}
        return await self.request({"type": "resume", "dialog": dialog, "token": token,
                                   **at, "ref": self.next_ref("resume")}, timeout)

    async def say(self, text: str, dialog: str | None = None, ref: str | None = None,
                  timeout: float = 10.0) -> Frame:
        """Post ``text`` in ``dialog`` (default: the current one); returns the
        ``dialog.message`` that answers it once durable. Survives a dropped socket."""
        frame: Frame = {"type": "say", "text": text, "dialog": dialog or self.dialog}
        if ref is not None:
            frame["ref"] = ref
        return await self.request(frame, timeout)

    async def typing(self, on: bool = True, dialog: str | None = None) -> None:
        """Show (or stop showing) that the visitor is typing; nothing is awaited."""
        await self.send({"type": "typing", "on": on, "dialog": dialog or self.dialog})

    async def close(self, dialog: str | None = None, timeout: float = 10.0) -> Frame:
        """Close ``dialog`` (default: the current one); returns the ack."""
        return await self.request({"type": "close", "dialog": dialog or self.dialog}, timeout)


class OperatorClient(ClientBase):
    """An operator (needs a session: ``await OperatorClient.logged_in(urls, login, pw)``)."""

    path = "/ws/operator"

    def __init__(self, urls: str | Sequence[str], **options: Unpack[ClientOptions]) -> None:
        super().__init__(urls, **options)
        self.dialogs: set[str] = set()
        self.status: str | None = None

    @classmethod
    async def logged_in(cls: type[T], urls: str | Sequence[str], login: str, password: str,
                        **options: Unpack[ClientOptions]) -> T:
        """Log in over HTTP on the first URL (``POST /api/login``) and return a client
        holding the session (not yet running). Raises ``LoginFailedError``."""
        first = urls if isinstance(urls, str) else urls[0]
        token = await http_login(first, login, password)
        options["session"] = token
        return cls(urls, **options)

    def on_frame(self, frame: Frame) -> None:
        kind = frame.get("type")
        if kind == "operator.dialog_added":
            self.dialogs.add(frame["dialog"])
        elif kind == "operator.dialog_removed":
            self.dialogs.discard(frame["dialog"])
        elif kind == "operator.status":
            self.status = frame["status"]

    async def on_connected(self, ws: WebSocketConnection) -> None:
        epochs = {d: e for d, e in self.last_epoch.items() if self.last_seq.get(d, 0) > 0}
        await ws.send_message(
            json.dumps({"type": "resume", "dialogs": dict(self.last_seq), "epochs": epochs})
        )

    async def set_status(self, status: str, timeout: float = 10.0) -> Frame:
        """Set the operator's status (``connected``, ``on_break``, …); returns the ack."""
        return await self.request({"type": "status", "status": status}, timeout)

    async def say(self, dialog: str, text: str, ref: str | None = None,
                  timeout: float = 10.0, format: str | None = None) -> Frame:
        """Post ``text`` in ``dialog``; returns the ``dialog.message`` that answers it.
        ``format="markdown"``: ``text`` is the formatted subset of ``docs/protocol.md``."""
        frame: Frame = {"type": "say", "dialog": dialog, "text": text}
        if format is not None:
            frame["format"] = format
        if ref is not None:
            frame["ref"] = ref
        return await self.request(frame, timeout)

    async def typing(self, dialog: str, on: bool = True) -> None:
        """Show (or stop showing) that the operator is typing; nothing is awaited."""
        await self.send({"type": "typing", "dialog": dialog, "on": on})

    async def transfer(self, dialog: str, to: str, note: str = "",
                       timeout: float = 10.0) -> Frame:
        """Hand ``dialog`` to operator ``to`` (with a note only operators see)."""
        return await self.request({"type": "transfer", "dialog": dialog, "to": to, "note": note},
                                  timeout)

    async def close(self, dialog: str, timeout: float = 10.0) -> Frame:
        """Close ``dialog``; returns the ack."""
        return await self.request({"type": "close", "dialog": dialog}, timeout)

    async def important(self, dialog: str, on: bool = True, timeout: float = 10.0) -> Frame:
        """Set (or clear) the Important flag of ``dialog``."""
        return await self.request({"type": "important", "dialog": dialog, "on": on}, timeout)

    async def help(self, dialog: str, text: str = "", timeout: float = 10.0) -> Frame:
        """Ask the managers for help with ``dialog``."""
        return await self.request({"type": "help", "dialog": dialog, "text": text}, timeout)

    async def internal(self, dialog: str, text: str, timeout: float = 10.0) -> Frame:
        """Answer the managers in ``dialog``'s internal conversation (never the visitor's)."""
        return await self.request({"type": "internal", "dialog": dialog, "text": text}, timeout)

    async def help_resolve(self, dialog: str, text: str = "", timeout: float = 10.0) -> Frame:
        """Resolve ``dialog``'s help request (a trace in its internal history)."""
        return await self.request({"type": "help_resolve", "dialog": dialog, "text": text},
                                  timeout)

    async def operator_internal(self, text: str, timeout: float = 10.0) -> Frame:
        """A general internal message to the managers (tied to no dialog)."""
        return await self.request({"type": "operator_internal", "text": text}, timeout)

    async def logout(self, timeout: float = 10.0) -> Frame:
        """Log out (the server then closes the socket with 1000; no reconnection)."""
        self.reconnect = False
        return await self.request({"type": "logout"}, timeout)


class ManagerClient(ClientBase):
    """A manager: the snapshot, every notice, ``monitor`` and ``close``."""

    path = "/ws/manager"

    def __init__(self, urls: str | Sequence[str], **options: Unpack[ClientOptions]) -> None:
        super().__init__(urls, **options)
        self.monitored: set[str] = set()

    @classmethod
    async def logged_in(cls: type[T], urls: str | Sequence[str], login: str, password: str,
                        **options: Unpack[ClientOptions]) -> T:
        """Log in over HTTP on the first URL (``POST /api/login``) and return a client
        holding the session (not yet running). Raises ``LoginFailedError``."""
        first = urls if isinstance(urls, str) else urls[0]
        token = await http_login(first, login, password)
        options["session"] = token
        return cls(urls, **options)

    async def on_connected(self, ws: WebSocketConnection) -> None:
        for dialog in self.monitored:
            await ws.send_message(json.dumps({"type": "monitor", "dialog": dialog, "on": True}))

    async def monitor(self, dialog: str, on: bool = True, timeout: float = 10.0) -> Frame:
        """Start (or stop) monitoring ``dialog``: its entries come to this client."""
        ack = await self.request({"type": "monitor", "dialog": dialog, "on": on}, timeout)
        (self.monitored.add if on else self.monitored.discard)(dialog)
        return ack

    async def close(self, dialog: str, timeout: float = 10.0) -> Frame:
        """Close ``dialog``; returns the ack."""
        return await self.request({"type": "close", "dialog": dialog}, timeout)

    async def internal(self, dialog: str, text: str, timeout: float = 10.0) -> Frame:
        """An internal message to ``dialog``'s operator (the visitor never receives it)."""
        return await self.request({"type": "internal", "dialog": dialog, "text": text}, timeout)

    async def operator_internal(self, to: str, text: str, timeout: float = 10.0) -> Frame:
        """A general internal message to operator ``to`` (tied to no dialog)."""
        return await self.request({"type": "operator_internal", "to": to, "text": text},
                                  timeout)

    async def help_ack(self, dialog: str, timeout: float = 10.0) -> Frame:
        """Acknowledge ``dialog``'s help request: this manager is on it."""
        return await self.request({"type": "help_ack", "dialog": dialog}, timeout)

    async def help_resolve(self, dialog: str, text: str = "", timeout: float = 10.0) -> Frame:
        """Resolve ``dialog``'s help request (a trace in its internal history)."""
        return await self.request({"type": "help_resolve", "dialog": dialog, "text": text},
                                  timeout)

    async def say(self, dialog: str, text: str, ref: str | None = None,
                  timeout: float = 10.0) -> Frame:
        """Write to ``dialog``'s visitor under the manager's name; returns the message."""
        frame: Frame = {"type": "say", "dialog": dialog, "text": text}
        if ref is not None:
            frame["ref"] = ref
        return await self.request(frame, timeout)

    async def take_over(self, dialog: str, to: str, note: str = "",
                        timeout: float = 10.0) -> Frame:
        """Move ``dialog`` to operator ``to`` (or to oneself, if also an operator)."""
        return await self.request({"type": "take_over", "dialog": dialog, "to": to,
                                   "note": note}, timeout)

    async def snapshot(self, timeout: float = 10.0) -> Frame:
        """The inspection snapshot (operators, dialogs, queue) as a ``snapshot`` frame."""
        ref = self.next_ref("snapshot")
        since = len(self.received)
        await self.send({"type": "snapshot", "ref": ref})
        return await self.wait_for({"type": "snapshot", "ref": ref}, timeout, since)
