"""frontdesk's engine: actors, messages and state machines; no I/O.

``frontdesk.engine.runtime.Engine`` is the entry point (it implements
``frontdesk.engine.api.EnginePort``); ``frontdesk.engine.testing`` is the harness.
"""
