"""The engine's settings, with units in their names; ``config`` builds them from TOML."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from frontdesk.engine.close_survey_board import CloseSurveyBoard
from frontdesk.engine.errors import ConfigError
from frontdesk.engine.status import Status

DispatcherName = Literal["shared", "threads"]  # engine/dispatch.py: how the actors run


@dataclass(frozen=True)
class EngineSettings:
    default_capacity: int = 3
    allow_transfer_over_capacity: bool = False
    looking_for_info_reminder_delay_s: float = 60.0
    looking_for_info_reminder_interval_s: float = 60.0
    visitor_inactivity_timeout_s: float = 900.0  # 0 disables the inactivity close
    # a visitor left unanswered by their operator this long is reassigned (0: off)
    reply_timeout_s: float = 0.0
    transfer_timeout_s: float = 10.0
    # a waiting dialog's position: changes are told at most once per this (0: each change)
    position_interval_s: float = 1.0
    max_restarts: int = 5  # restart intensity: at most this many restarts of one actor
    max_restarts_within_s: float = 30.0  # ... within this window, then it is given up
    node_name: str = "node-1"
    # an operator restored from the journal (a restart, a promotion) whose console does not
    # log in again within this is logged out; None: kept until they log out. ``config``
    # sets it from server.operator_grace_s, the grace of an operator whose socket closed.
    restored_operator_grace_s: float | None = None
    # "shared": every actor but the store runs on one dispatcher thread (engine/dispatch.py);
    # "threads": every actor is a plain pykka ThreadingActor with a thread of its own
    dispatcher: DispatcherName = "shared"
    # the status an operator is in when their console logs in (a Status value); ``config``
    # sets it from server.initial_operator_status, whose default takes no new dialogs
    initial_operator_status: str = "connected"
    # the satisfaction survey a close sends (engine/close_survey.py); ``config`` sets them
    # from [surveys] on_close and answer_window_s. "": none. The board holds the template
    # that title names now (the adapter sets it; not compared, not hashed).
    survey_on_close: str = ""
    survey_answer_window_s: float = 86400.0
    close_surveys: CloseSurveyBoard = field(default_factory=CloseSurveyBoard, compare=False)

    def __post_init__(self) -> None:
        if not self.survey_answer_window_s > 0:
            raise ConfigError("survey_answer_window_s: expected a number of seconds > 0, got "
                              f"{self.survey_answer_window_s!r}")
        if self.initial_operator_status not in {s.value for s in Status}:
            raise ConfigError(
                "initial_operator_status: expected one of "
                f"{', '.join(s.value for s in Status)}, got {self.initial_operator_status!r}"
            )
        if self.dispatcher not in ("shared", "threads"):
            raise ConfigError(
                f"engine.dispatcher: expected \"shared\" or \"threads\", got {self.dispatcher!r}"
            )
