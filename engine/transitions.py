"""Transition tables: ``(state, input type) -> handler``, one uniform error for the rest.

A state machine of the engine (dialog, operator, queue; ``engine/cluster.py`` is the
model) is a ``Table``: the state it is in (``state_of``), the kind of each input (a
command's type for an ``Inbound``, else the message's type), and a handler per pair.
``ignored`` lists the pairs that may happen (late or duplicate messages) and change
nothing. Any other pair is a bug in whoever sent it and raises ``TransitionError``
naming the input, the state and the actor, so a table's gaps show at once in a test
instead of being swallowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, Generic, TypeVar

from frontdesk.engine import messages
from frontdesk.engine.errors import EngineError
from frontdesk.engine.settings import EngineSettings

S = TypeVar("S")
R = TypeVar("R")

Handler = Callable[[S, Any, float, EngineSettings], messages.Decision]


class TransitionError(EngineError):
    """An input the machine has no transition for in its state."""


def input_of(msg: object) -> type[Any]:
    """The kind of an input: a command's type for an ``Inbound``, else the message's."""
    return type(msg.command) if isinstance(msg, messages.Inbound) else type(msg)


class Machine(Generic[S, R]):
    """A table whose handlers answer ``R``; ``unchanged(s)`` answers an ignored pair.

    ``Table`` is the machine whose answer is a ``Decision`` (events to journal, then
    effects: the dialog, the operator); the queue journals nothing, and its handlers
    answer its next state and the effects (``engine/queue_state.py``).
    """

    def __init__(
        self,
        machine: str,
        state_of: Callable[[S], Enum],
        address_of: Callable[[S], str],
        transitions: Mapping[tuple[Any, type[Any]], Callable[[S, Any, float, EngineSettings], R]],
        *,
        unchanged: Callable[[S], R],
        ignored: frozenset[tuple[Any, type[Any]]] = frozenset(),
    ) -> None:
        both = set(transitions) & ignored
        if both:
            raise ValueError(f"{machine}: pairs both handled and ignored: {sorted(map(str, both))}")
        self.machine = machine
        self.state_of = state_of
        self.address_of = address_of
        self.transitions = dict(transitions)
        self.unchanged = unchanged
        self.ignored = ignored

    def decide(self, s: S, msg: object, now: float, settings: EngineSettings) -> R:
        state = self.state_of(s)
        kind = input_of(msg)
        handler = self.transitions.get((state, kind))
        if handler is not None:
            answer: R = handler(s, msg, now, settings)
            return answer
        if (state, kind) in self.ignored:
            return self.unchanged(s)
        raise TransitionError(
            f"{self.address_of(s)} cannot take {kind.__name__} while {state.value} "
            f"(no transition of the {self.machine} machine)"
        )


def _no_decision(s: object) -> messages.Decision:
    return messages.Decision()


class Table(Machine[S, messages.Decision]):
    """A machine that decides: events to journal and effects (an ignored pair: nothing)."""

    def __init__(
        self,
        machine: str,
        state_of: Callable[[S], Enum],
        address_of: Callable[[S], str],
        transitions: Mapping[tuple[Any, type[Any]], Handler[S]],
        ignored: frozenset[tuple[Any, type[Any]]] = frozenset(),
    ) -> None:
        super().__init__(machine, state_of, address_of, transitions, unchanged=_no_decision,
                         ignored=ignored)
