"""Replication, failover and switchover for a two-node cluster with a witness.

See docs/failover.md. The web server needs ``ClusterNode`` (``run``, ``role``,
``epoch``, ``lag``, ``health()``, ``engine``, ``accepts_writes()``,
``switchover()``) and ``replication_endpoint(node)`` for ``/ws/replication``.
"""

from adapters.replication.endpoints import replication_endpoint as replication_endpoint
from adapters.replication.endpoints import serve_replication as serve_replication
from adapters.replication.gate import GatedJournal as GatedJournal
from adapters.replication.gate import ReplicationGate as ReplicationGate
from adapters.replication.node import ClusterNode as ClusterNode
from adapters.replication.node import EngineFactory as EngineFactory
from adapters.replication.protocol import ReplicationError as ReplicationError
from adapters.replication.settings import ClusterSettings as ClusterSettings
