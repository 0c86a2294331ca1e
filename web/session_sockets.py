"""Which websockets each login session holds, so that ending a session closes them.

A logout (``POST /api/logout``), a password change (``POST /api/password``) and a
revocation that came over the replication link all end here: every socket opened with
that session's cookie is closed with 1008 ("session ended"), which documented clients
take as final (they do not reconnect; the person logs in again).

Sessions are keyed by the SHA-256 of the token (``frontdesk.adapters.session_tokens.token_digest``),
the same key the accounts store and the replicated revocations use, so a revocation
never needs the token itself. A session ended while one of its upgrades was still being
checked is remembered (the last ``REMEMBER`` ended keys): ``is_ended`` refuses that
upgrade. Runs on the trio thread only.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

import trio

from frontdesk.adapters.session_tokens import token_digest

CLOSE_SESSION_ENDED = 1008
REMEMBER = 4096

log = logging.getLogger("frontdesk.web")


class Closable(Protocol):
    async def close(self, code: int, reason: str = "") -> None: ...


class SessionSockets:
    def __init__(self) -> None:
        self._by_session: dict[str, set[Closable]] = {}
        self._by_login: dict[str, set[Closable]] = {}
        self._ended: OrderedDict[str, None] = OrderedDict()

    def is_ended(self, token: str) -> bool:
        return token_digest(token) in self._ended

    @contextmanager
    def holding(self, token: str, login: str, conn: Closable) -> Iterator[None]:
        """While the block runs, ``conn`` belongs to the session of ``token`` (and ``login``)."""
        digest = token_digest(token)
        self._by_session.setdefault(digest, set()).add(conn)
        self._by_login.setdefault(login, set()).add(conn)
        try:
            yield
        finally:
            _discard(self._by_session, digest, conn)
            _discard(self._by_login, login, conn)

    def count(self, token: str) -> int:
        return len(self._by_session.get(token_digest(token), ()))

    async def end_token(self, token: str, why: str) -> int:
        return await self.end_sessions([token_digest(token)], why)

    async def end_sessions(self, digests: Iterable[str], why: str) -> int:
        """Close every socket of these sessions (SHA-256 keys); how many were closed."""
        doomed: list[Closable] = []
        for digest in digests:
            self._ended[digest] = None
            self._ended.move_to_end(digest)
            doomed.extend(self._by_session.pop(digest, ()))
        while len(self._ended) > REMEMBER:
            self._ended.popitem(last=False)
        return await _close_all(doomed, why)

    async def end_elsewhere(self, digests: list[str], logins: list[str]) -> int:
        """What the other node ended (a replicated logout or password change)."""
        closed = await self.end_sessions(digests, "ended on the other node")
        for login in logins:
            closed += await self.end_login(login, "password changed on the other node")
        return closed

    async def end_login(self, login: str, why: str, keep: Closable | None = None) -> int:
        """Close every socket of ``login`` (a password change ends all its sessions)."""
        doomed = [c for c in self._by_login.get(login, ()) if c is not keep]
        return await _close_all(doomed, why)


def _discard(index: dict[str, set[Closable]], key: str, conn: Closable) -> None:
    held = index.get(key)
    if held is not None:
        held.discard(conn)
        if not held:
            del index[key]


async def _close_all(doomed: list[Closable], why: str) -> int:
    if doomed:
        log.info("session ended (%s): closing %d sockets with 1008", why, len(doomed))
        async with trio.open_nursery() as closers:
            for conn in doomed:
                closers.start_soon(conn.close, CLOSE_SESSION_ENDED, "session ended")
    return len(doomed)
