"""The one error of the file store: a refusal with the HTTP status and code it maps to."""

from __future__ import annotations

from frontdesk.engine.errors import AdapterError


class FileRefused(AdapterError):  # noqa: N818 (a refusal, as engine.errors.Refused)
    """An upload or download refused: ``status`` (413, 415, 429, 403, 404, 400), a ``code``
    and a message naming what was expected and what came."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
