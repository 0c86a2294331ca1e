"""The one exception root of frontdesk, with a subclass per layer.

Adapters translate a library's error at their edge (``raise ... from None``),
so a trio, peewee or starlette error never reaches a caller of the engine.
"""

from __future__ import annotations


class FrontdeskError(Exception):
    """Root of every error frontdesk raises on purpose."""


class EngineError(FrontdeskError):
    """Raised by the engine: actors, state machines, the journal port."""


class Refused(EngineError):  # noqa: N818 (contract name)
    """A command that the current state does not allow.

    ``code`` is a stable machine-readable word (it crosses the wire);
    the message says what was expected, what came, and in which state:
    ``cannot transfer dialog d-17: it is closed``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class JournalError(EngineError):
    """The journal could not append or read (wraps the storage library's error)."""


class JournalUnavailable(JournalError):  # noqa: N818 (contract name)
    """The journal refused a write without trying it: its database failed lately and the
    next attempt is not due yet (the command may be retried; nothing was written)."""


class StaleEpoch(JournalError):  # noqa: N818 (contract name)
    """A write carried an epoch older than the journal's: this node is fenced."""


class AdapterError(FrontdeskError):
    """Raised by an adapter: storage, websockets, replication, mail, CLI."""


class ConfigError(FrontdeskError):
    """A setting is missing or invalid; the message names the key."""


class JournalGapError(JournalError):
    """A replicated record does not follow the journal's last seq."""


class JournalDivergedError(JournalError):
    """A replicated record differs from the one this journal holds at the same seq."""


class CorruptRecordError(JournalError):
    """A stored record fails its checksum or cannot be decoded."""
