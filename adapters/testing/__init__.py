"""Test aids of the adapters, outside the shipped packages (mirrors ``frontdesk.engine.testing``).

``cluster``: the in-process two-node cluster (a witness, two ``ClusterNode``s, a
``LinkProxy`` you can cut); ``cluster_harness``: the documented harness on top of it,
with a real engine on each node (docs/harness.md, "The two-node cluster").
"""
