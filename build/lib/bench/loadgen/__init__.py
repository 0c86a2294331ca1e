"""The load generator: websocket clients in their own process, driven by the suite.

``python -m bench.loadgen SPEC_JSON`` runs one scenario (``scenarios.py``)
against one target (``drivers.py``: the floor relay or a frontdesk server) and
talks to the suite over stdin/stdout, one JSON object a line.
"""
