"""The actor test harness: a whole engine in-process, a manual clock, probes.

See docs/harness.md.
"""

from frontdesk.engine.testing.harness import EngineHarness as EngineHarness
from frontdesk.engine.testing.harness import OperatorHandle as OperatorHandle
from frontdesk.engine.testing.harness import VisitorHandle as VisitorHandle
from frontdesk.engine.testing.matchers import matches as matches
from frontdesk.engine.testing.probe import Probe as Probe

__all__ = ["EngineHarness", "OperatorHandle", "Probe", "VisitorHandle", "matches"]
