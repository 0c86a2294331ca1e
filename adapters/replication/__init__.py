"""Replication, failover and switchover for a two-node cluster with a witness.

See docs/failover.md. The web server needs ``ClusterNode`` (``run``, ``role``,
``epoch``, ``lag``, ``health()``, ``engine``, ``accepts_writes()``,
``switchover()``) and ``replication_endpoint(node)`` for ``/ws/replication``.
"""

from frontdesk.adapters.replication.endpoints import replication_endpoint as replication_endpoint
from frontdesk.adapters.replication.endpoints import serve_replication as serve_replication
from frontdesk.adapters.replication.gate import GatedJournal as GatedJournal
from frontdesk.adapters.replication.gate import ReplicationGate as ReplicationGate
from frontdesk.adapters.replication.node import ClusterNode as ClusterNode
from frontdesk.adapters.replication.node import EngineFactory as EngineFactory
from frontdesk.adapters.replication.protocol import ReplicationError as ReplicationError
from frontdesk.adapters.replication.settings import ClusterSettings as ClusterSettings
