"""The witness's lease book: who may be primary, of which epoch, until when. No I/O.

Rules (the whole point of the witness is that they hold):

1. One holder at a time. A lease is ``(holder, epoch, expires_at)``; the holder
   renews it before it runs out.
2. A new epoch is granted only when the current lease has expired (or its
   holder released it): so two nodes never hold a lease of one epoch, and a
   node granted epoch ``e + 1`` knows the holder of ``e`` has stopped writing
   (it stops when its own, earlier-measured, lease time runs out).
3. The holder may take its own lease back after it expired, as long as nobody
   else was granted a newer epoch (a primary paused for a moment keeps its role).
4. Only the *standby in sync* may take over: the primary says, at each renewal,
   which node is its in-sync standby (``"*"``: any — asynchronous replication;
   ``None``: none — the backup fell behind, so promoting it would lose
   acknowledged writes). A release for switchover names the successor, which
   alone may take the next epoch for one lease period.
5. The book is persisted (``WitnessStore``) on every change of holder, epoch,
   standby or reservation, before the answer is sent; after a restart the
   witness treats the last holder's lease as live for one more full lease
   period, since it cannot know how long ago it was last renewed.

``now`` is monotonic seconds, passed in.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from frontdesk.engine.errors import AdapterError

ANY = "*"


class WitnessError(AdapterError):
    """The witness's state file is unreadable, or a request is malformed."""


@dataclass(frozen=True)
class Lease:
    epoch: int = 0
    holder: str | None = None
    holder_url: str = ""
    lease_s: float = 0.0
    standby: str | None = ANY
    reserved_for: str | None = None
    expires_at: float = 0.0  # monotonic; not persisted
    reserved_until: float = 0.0  # monotonic; not persisted


@dataclass(frozen=True)
class Granted:
    epoch: int
    lease_s: float


@dataclass(frozen=True)
class Refused:
    epoch: int
    holder: str | None
    holder_url: str
    reason: str
    expires_in_s: float


Answer = Granted | Refused


def _refuse(lease: Lease, now: float, reason: str) -> Refused:
    return Refused(
        lease.epoch, lease.holder, lease.holder_url, reason, max(0.0, lease.expires_at - now)
    )


def acquire(
    lease: Lease, node: str, url: str, known_epoch: int, lease_s: float, *, now: float
) -> tuple[Lease, Answer]:
    """``node`` asks to be primary. It gets the current epoch back if it holds it,
    else a new epoch once the current lease has expired and it may take over."""
    if lease_s <= 0:
        raise WitnessError(f"cannot grant a lease of {lease_s} s: expected a positive duration")
    released = lease.reserved_for is not None and now < lease.reserved_until
    if lease.holder == node and known_epoch <= lease.epoch and not released:
        held = replace(
            lease, holder_url=url, lease_s=lease_s, expires_at=now + lease_s, reserved_for=None
        )
        return held, Granted(lease.epoch, lease_s)
    if lease.holder is not None and now < lease.expires_at:
        return lease, _refuse(
            lease, now, f"the lease of epoch {lease.epoch} is held by {lease.holder}"
        )
    if lease.reserved_for is not None and lease.reserved_for != node and now < lease.reserved_until:
        return lease, _refuse(
            lease, now, f"epoch {lease.epoch + 1} is reserved for {lease.reserved_for} (switchover)"
        )
    eligible = lease.holder is None or lease.reserved_for == node or lease.standby in (ANY, node)
    if not eligible:
        why = "no standby in sync" if lease.standby is None else f"the standby is {lease.standby}"
        return lease, _refuse(lease, now, f"{node} may not take over from {lease.holder}: {why}")
    epoch = max(lease.epoch, known_epoch) + 1
    granted = Lease(
        epoch=epoch,
        holder=node,
        holder_url=url,
        lease_s=lease_s,
        standby=None,  # until the new holder reports a standby in sync
        expires_at=now + lease_s,
    )
    return granted, Granted(epoch, lease_s)


def renew(
    lease: Lease, node: str, epoch: int, lease_s: float, standby: str | None, *, now: float
) -> tuple[Lease, Answer]:
    """The holder extends its lease and says which node is its in-sync standby."""
    if lease.holder != node or lease.epoch != epoch:
        return lease, _refuse(lease, now, f"{node} does not hold epoch {epoch}")
    if lease.reserved_for is not None:
        return lease, _refuse(lease, now, f"{node} released epoch {epoch}")
    renewed = replace(lease, lease_s=lease_s, standby=standby, expires_at=now + lease_s)
    return renewed, Granted(epoch, lease_s)


def release(
    lease: Lease, node: str, epoch: int, successor: str | None, *, now: float
) -> tuple[Lease, Answer]:
    """The holder gives the lease up (switchover); ``successor`` alone may take the next epoch."""
    if lease.holder != node or lease.epoch != epoch:
        return lease, _refuse(lease, now, f"{node} does not hold epoch {epoch}")
    released = replace(
        lease,
        expires_at=now,
        reserved_for=successor,
        reserved_until=now + lease.lease_s,
        standby=successor if successor is not None else lease.standby,
    )
    return released, Granted(epoch, 0.0)


# --- persistence --------------------------------------------------------------------

_PERSISTED = ("epoch", "holder", "holder_url", "lease_s", "standby", "reserved_for")


def persisted_view(lease: Lease) -> dict[str, Any]:
    data = asdict(lease)
    return {k: data[k] for k in _PERSISTED}


class WitnessStore:
    """The lease book in a small JSON file, replaced atomically (write, fsync, rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._last: dict[str, Any] | None = None

    def load(self, now: float) -> Lease:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Lease()
        except OSError as e:
            raise WitnessError(f"cannot read the witness state {self.path}: {e}") from None
        try:
            data = json.loads(raw)
            lease = Lease(
                epoch=int(data["epoch"]),
                holder=data["holder"],
                holder_url=str(data["holder_url"]),
                lease_s=float(data["lease_s"]),
                standby=data["standby"],
                reserved_for=data["reserved_for"],
            )
        except (ValueError, KeyError, TypeError) as e:
            raise WitnessError(
                f"cannot load the witness state {self.path}: expected a JSON object with "
                f"{', '.join(_PERSISTED)}, got {raw[:80]!r} ({e})"
            ) from None
        self._last = persisted_view(lease)
        # We cannot know when the holder last renewed: its lease is live for one full period,
        # and a reservation too.
        return replace(lease, expires_at=now + lease.lease_s, reserved_until=now + lease.lease_s)

    def save(self, lease: Lease) -> None:
        view = persisted_view(lease)
        if view == self._last:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(view, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as e:
            raise WitnessError(f"cannot save the witness state {self.path}: {e}") from None
        self._last = view
