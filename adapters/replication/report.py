"""What a node reports: ``/api/cluster`` (and ``/healthz``) JSON, ``/metrics`` lines.

It reads the node through ``ReportedNode``: what it says of itself, read only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from frontdesk.adapters.replication.gate import ReplicaJournal, ReplicationGate
from frontdesk.adapters.replication.hot_standby import HotState
from frontdesk.adapters.replication.settings import ClusterSettings
from frontdesk.adapters.replication.write_watch import WriteWatch
from frontdesk.engine.cluster import NodeState, Role
from frontdesk.engine.journal import Record


class RefusalCount(Protocol):
    """The primary's end of the link, as far as the report goes."""

    @property
    def refused_unauthenticated(self) -> int: ...


class ReportedNode(Protocol):
    """What the report reads of the node (``ClusterNode`` satisfies it)."""

    @property
    def settings(self) -> ClusterSettings: ...
    @property
    def state(self) -> NodeState: ...
    @property
    def role(self) -> str: ...
    @property
    def epoch(self) -> int: ...
    @property
    def ready(self) -> bool: ...
    @property
    def lag(self) -> int: ...
    @property
    def is_primary(self) -> bool: ...
    @property
    def journal_raw(self) -> ReplicaJournal: ...
    @property
    def gate(self) -> ReplicationGate: ...
    @property
    def discarded(self) -> Sequence[Record]: ...
    @property
    def backup_name(self) -> str | None: ...
    @property
    def source(self) -> RefusalCount: ...
    @property
    def hot(self) -> HotState | None: ...
    @property
    def write_watch(self) -> WriteWatch: ...
    @property
    def standby_reported(self) -> str | None: ...

    def accepts_writes(self) -> bool: ...

    def primary_hint(self) -> str: ...


def health(node: ReportedNode) -> dict[str, Any]:
    """For ``/healthz``: role, epoch, lag, link state, readiness."""
    return {
        "node": node.settings.node_name,
        "role": node.role,
        "epoch": node.epoch,
        "ready": node.ready,
        "accepts_writes": node.accepts_writes(),
        "mode": node.settings.mode,
        "lag": node.lag,
        "link": "up" if node.state.link_up else "down",
        "caught_up": node.state.caught_up,
        "journal_ok": node.state.journal_ok,
        "last_seq": node.journal_raw.last()[1],
        "primary_url": node.primary_hint(),
        "peer_url": node.settings.peer_url,
        "degraded": node.gate.is_degraded,
        "discarded": len(node.discarded),
        "backup": node.backup_name if node.state.link_up and node.is_primary else None,
        # the standby in sync the witness accepted from this primary: the node a failover
        # now would promote (None: none would be)
        "witness_standby": node.standby_reported if node.is_primary else None,
        "refused_unauthenticated": node.source.refused_unauthenticated,
        "standby": node.hot.report() if node.hot is not None else None,
        "write_watch": node.write_watch.report(),
    }


def metrics_text(node: ReportedNode) -> str:
    """Prometheus lines for ``/metrics``: role, epoch, link state, lag."""
    h = health(node)
    roles = "".join(
        f'frontdesk_cluster_role{{role="{r.value}"}} {int(r.value == h["role"])}\n' for r in Role
    )
    return (
        "# TYPE frontdesk_cluster_role gauge\n"
        + roles
        + f"# TYPE frontdesk_cluster_epoch gauge\nfrontdesk_cluster_epoch {h['epoch']}\n"
        + "# TYPE frontdesk_cluster_accepts_writes gauge\n"
        + f"frontdesk_cluster_accepts_writes {int(h['accepts_writes'])}\n"
        + "# TYPE frontdesk_replication_link_up gauge\n"
        + f"frontdesk_replication_link_up {int(h['link'] == 'up')}\n"
        + "# TYPE frontdesk_replication_caught_up gauge\n"
        + f"frontdesk_replication_caught_up {int(h['caught_up'])}\n"
        + "# TYPE frontdesk_replication_lag_records gauge\n"
        + f"frontdesk_replication_lag_records {h['lag']}\n"
        + "# TYPE frontdesk_replication_degraded gauge\n"
        + f"frontdesk_replication_degraded {int(h['degraded'])}\n"
        + "# TYPE frontdesk_replication_discarded_records_total counter\n"
        + f"frontdesk_replication_discarded_records_total {h['discarded']}\n"
        + _write_watch_metrics(h["write_watch"])
        + _standby_metrics(h["standby"])
    )


def _write_watch_metrics(watch: dict[str, Any]) -> str:
    """The write watch (write_watch.py): how long primary without accepting writes, the
    bound after which it steps down, how many times it did."""
    return (
        "# TYPE frontdesk_cluster_not_accepting_writes_seconds gauge\n"
        + f"frontdesk_cluster_not_accepting_writes_seconds {watch['not_accepting_writes_s']}\n"
        + "# TYPE frontdesk_cluster_write_stall_bound_seconds gauge\n"
        + f"frontdesk_cluster_write_stall_bound_seconds {watch['bound_s']}\n"
        + "# TYPE frontdesk_cluster_write_stall_stepdowns_total counter\n"
        + f"frontdesk_cluster_write_stall_stepdowns_total {watch['stepdowns']}\n"
    )


def _standby_metrics(standby: dict[str, Any] | None) -> str:
    """The hot standby: records folded live, replayed at the last promotion, checkpoint."""
    if standby is None:
        return ""
    replayed = standby["replayed_at_promotion"]
    return (
        "# TYPE frontdesk_standby_applied_records gauge\n"
        + f"frontdesk_standby_applied_records {standby['applied_live']}\n"
        + "# TYPE frontdesk_promotion_replayed_records gauge\n"
        + f"frontdesk_promotion_replayed_records {replayed if replayed is not None else -1}\n"
        + "# TYPE frontdesk_checkpoint_seq gauge\n"
        + f"frontdesk_checkpoint_seq {standby['checkpoint_seq'] or 0}\n"
    )
