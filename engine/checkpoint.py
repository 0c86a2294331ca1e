"""Checkpoints: the engine's folded state (a ``Fold``) as bytes, tagged with its journal position.

A node that restarts loads its latest checkpoint and folds only the journal records after
it (``replay.catch_up``), instead of the whole journal. A checkpoint is

    MAGIC                       b"frontdesk-checkpoint\\n"
    a JSON header line          {"format", "schema", "seq", "epoch", "size", "sha256"}
    the payload                 the Fold, summarised (``Fold.summarise``), pickled

The open dialogs are kept as summaries (every field but their entries): their histories
are in the journal, and a start reads them back from each dialog's own stream
(``replay.restore_histories``), so a checkpoint's size and cost do not grow with the
length of the conversations, and the primary (whose projection holds only summaries)
checkpoints the same thing as a backup.

``schema`` fingerprints the shape of every state class the payload holds (the fields of
the dataclasses and the members of the enums of the modules in ``_STATE_MODULES``), so a
checkpoint written by code whose state classes differ is refused as *old-format*, never
half-understood; ``sha256`` covers the payload, so a torn or bit-flipped file is refused
as *corrupt*. Either way the caller falls back to a full replay (and says so).

A checkpoint is trusted like the journal beside it: it is written by the node into its own
data directory and never comes over the wire (pickle must not read foreign bytes).
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import hashlib
import json
import pickle
import sys
from dataclasses import dataclass

from frontdesk.engine.dialog_model import summary
from frontdesk.engine.errors import EngineError
from frontdesk.engine.replay import Fold

MAGIC = b"frontdesk-checkpoint\n"
FORMAT = 1
_STATE_MODULES = (
    "frontdesk.engine.dialog_model",
    "frontdesk.engine.operator_state",
    "frontdesk.engine.notices",
    "frontdesk.engine.queue_state",
    "frontdesk.engine.status",
    "frontdesk.engine.replay",
    "frontdesk.engine.day_figures",
)


class CheckpointError(EngineError):
    """A checkpoint that cannot be used: corrupt, of another format, or not this journal's."""


@dataclass(frozen=True)
class Header:
    seq: int  # the journal seq the state includes (every record up to it is folded)
    epoch: int  # the epoch of the record at ``seq``
    size: int
    sha256: str


def schema() -> str:
    """A fingerprint of the state classes' shape (changes whenever a field does)."""
    parts: list[str] = [f"format {FORMAT}", f"python {sys.version_info[:2]}"]
    for name in _STATE_MODULES:
        module = sys.modules.get(name) or __import__(name, fromlist=["_"])
        for attr in sorted(vars(module)):
            obj = getattr(module, attr)
            if not isinstance(obj, type) or obj.__module__ != name:
                continue
            if dataclasses.is_dataclass(obj):
                fields = ",".join(f"{f.name}:{f.type}" for f in dataclasses.fields(obj))
                parts.append(f"{name}.{attr}({fields})")
            elif issubclass(obj, enum.Enum):
                parts.append(f"{name}.{attr}[{','.join(m.name for m in obj)}]")
    parts.append("Fold(" + ",".join(sorted(vars(Fold(0)))) + ")")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def encode(fold: Fold) -> bytes:
    """The checkpoint of ``fold`` (call it where nothing changes ``fold`` meanwhile)."""
    kept = copy.copy(fold)  # the same values; only the dialogs are replaced by summaries
    kept.dialogs = {k: summary(d) for k, d in fold.dialogs.items()}
    kept.histories = False
    payload = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
    header = {
        "format": FORMAT,
        "schema": schema(),
        "seq": fold.last_seq,
        "epoch": fold.epoch,
        "size": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    return MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + payload


def read_header(data: bytes) -> Header:
    """The header of checkpoint ``data``, checked for format and schema (not the payload)."""
    if not data.startswith(MAGIC):
        raise CheckpointError(f"not a checkpoint: expected {MAGIC!r} at the start")
    line, sep, _ = data[len(MAGIC) :].partition(b"\n")
    if not sep:
        raise CheckpointError("corrupt checkpoint: the header line is not terminated")
    try:
        h = json.loads(line)
        fmt, shape = h["format"], h["schema"]
        header = Header(int(h["seq"]), int(h["epoch"]), int(h["size"]), str(h["sha256"]))
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointError(f"corrupt checkpoint header: {e}") from None
    if fmt != FORMAT or shape != schema():
        raise CheckpointError(
            f"old-format checkpoint: expected format {FORMAT} schema {schema()}, "
            f"got format {fmt} schema {shape}"
        )
    return header


def decode(data: bytes) -> Fold:
    """The (summarised) Fold of checkpoint ``data``; ``CheckpointError`` if it cannot be
    trusted. Give it its histories back with ``replay.restore_histories``."""
    header = read_header(data)
    payload = data[len(MAGIC) :].partition(b"\n")[2]
    if len(payload) != header.size:
        raise CheckpointError(
            f"corrupt checkpoint: expected {header.size} bytes of state, got {len(payload)}"
        )
    if hashlib.sha256(payload).hexdigest() != header.sha256:
        raise CheckpointError("corrupt checkpoint: the state's sha256 does not match")
    try:
        fold = pickle.loads(payload)  # our own file, checksummed (see above)
    except Exception as e:
        raise CheckpointError(f"corrupt checkpoint: cannot load the state: {e!r}") from None
    if not isinstance(fold, Fold) or (fold.last_seq, fold.epoch) != (header.seq, header.epoch):
        raise CheckpointError("corrupt checkpoint: the state does not match its header")
    fold.dialogs = {k: summary(d) for k, d in fold.dialogs.items()}  # this process's NO_HISTORY
    return fold
