"""Resume cursors are ``(epoch, seq)``: every dialog entry frame carries its ``epoch``.

The engine knows in which epoch each entry of a dialog was written (``Fold.epochs``);
``stamp_epoch`` adds it to the frame of an entry as it is written to a socket. A client
keeps, per dialog, the epoch and seq of its latest entry and resumes with both
(visitor ``resume {after_seq, after_epoch}``, operator ``resume {dialogs, epochs}``); a
cursor that is not the serving node's history is answered ``dialog.discontinuity``
(``EnginePort.watch_dialog``; see ``docs/protocol.md``, "Ordering and resume").
"""

from __future__ import annotations

from typing import Any

from frontdesk.engine.api import EnginePort
from frontdesk.engine.notices import DialogNotice


def stamp_epoch(frame: dict[str, Any] | None, notice: DialogNotice, engine: EnginePort) -> None:
    """Add the entry's ``epoch`` to its frame (when the engine knows it)."""
    if frame is not None:
        epoch = engine.entry_epoch(notice.dialog, notice.seq)
        if epoch is not None:
            frame["epoch"] = epoch
