"""frontdesk's engine: actors, messages and state machines; no I/O.

``engine.runtime.Engine`` is the entry point (it implements
``engine.api.EnginePort``); ``engine.testing`` is the harness.
"""
