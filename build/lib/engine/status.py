"""The seven operator statuses of the operator manual, and what each implies."""

from __future__ import annotations

from enum import Enum


class Status(Enum):
    """An operator's status. The value is the wire spelling."""

    CONNECTED = "connected"
    ON_BREAK = "on_break"
    TRAINING = "training"
    PHONE = "phone"
    TALKING_WITH_SUPERVISOR = "talking_with_supervisor"
    NO_NEW_DIALOG = "no_new_dialog"
    LOOKING_FOR_INFORMATION = "looking_for_information"

    @property
    def takes_new_dialogs(self) -> bool:
        """Only Connected receives dialogs from the queue."""
        return self is Status.CONNECTED

    @property
    def tells_visitors(self) -> bool:
        """Looking for information is announced to the visitors of open dialogs."""
        return self is Status.LOOKING_FOR_INFORMATION

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Status.CONNECTED: "Connected",
    Status.ON_BREAK: "On break",
    Status.TRAINING: "Training",
    Status.PHONE: "Phone",
    Status.TALKING_WITH_SUPERVISOR: "Talking with supervisor",
    Status.NO_NEW_DIALOG: "No new dialog",
    Status.LOOKING_FOR_INFORMATION: "Looking for information",
}
