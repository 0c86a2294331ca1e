"""The people of a cluster test: an operator and a visitor, each on one node at a time.

They are the ``EngineHarness`` handles (``frontdesk.engine.testing``) for the two-node
cluster, awaited: each scenario helper submits a command to the node the
handle is on, waits for its ``Ack`` or ``Rejected``, lets that node's engine
settle and returns the answer. ``probe`` (an ``AsyncProbe``) watches the
operator or the dialog. After a failover, ``await handle.move_to(node)``
watches again on the new primary from the last seq seen — what a
reconnecting client does — so the probe reads each entry once, in order.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from frontdesk.adapters.testing.async_probe import AsyncProbe
from frontdesk.engine import commands, notices
from frontdesk.engine.status import Status

if TYPE_CHECKING:
    from frontdesk.adapters.testing.cluster_harness import NodeHandle

Answer = notices.Ack | notices.Rejected


class ClusterOperator:
    """An operator logged in through ``NodeHandle.login``."""

    def __init__(self, node: NodeHandle, operator_id: str, name: str) -> None:
        self.node = node
        self.id = operator_id
        self.name = name
        self.probe = node.probe(f"operator {operator_id}")
        self._watches: list[tuple[str, AsyncProbe]] = []  # (dialog, probe) of ``watch``

    def __repr__(self) -> str:
        return f"ClusterOperator({self.id!r} on {self.node.name})"

    async def watch(self, dialog: str | ClusterVisitor, after_seq: int = 0) -> AsyncProbe:
        """A new probe watching ``dialog`` as this operator (it moves with the operator)."""
        probe = self.node.probe(f"{self.id} on {_id(dialog)}")
        self._watches.append((_id(dialog), probe))
        self.node.watch_dialog(_id(dialog), probe.probe, after_seq=after_seq, operator_id=self.id)
        await self.node.settle()
        return probe

    @property
    def dialogs(self) -> list[str]:
        """The dialogs this operator holds, per the node's committed projection."""
        for op in self.node.snapshot()["operators"]:
            if op["id"] == self.id:
                return list(op["dialogs"])
        return []

    async def move_to(self, node: NodeHandle) -> None:
        """Watch this operator, and the dialogs it ``watch``-ed, on ``node`` from now on
        (after a failover); each dialog probe from the last seq it saw."""
        self.node = node
        node.watch_operator(self.id, self.probe.probe)
        for dialog, probe in self._watches:
            node.watch_dialog(dialog, probe.probe, after_seq=last_seq(probe, dialog),
                              operator_id=self.id)
        await node.settle()

    async def set_status(self, status: Status) -> Answer:
        return await self.node.command(commands.SetStatus(self.id, status, ref=self.node.ref()))

    async def set_capacity(self, capacity: int) -> Answer:
        return await self.node.command(commands.SetCapacity(self.id, capacity, ref=self.node.ref()))

    async def say(self, dialog: str | ClusterVisitor, text: str, ref: str | None = None) -> Answer:
        cmd = commands.OperatorSay(self.id, _id(dialog), text, ref=ref or self.node.ref())
        return await self.node.command(cmd)

    async def transfer(
        self, dialog: str | ClusterVisitor, to: str | ClusterOperator, note: str = ""
    ) -> Answer:
        to_id = to.id if isinstance(to, ClusterOperator) else to
        cmd = commands.Transfer(self.id, _id(dialog), to_id, note, ref=self.node.ref())
        return await self.node.command(cmd)

    async def close(self, dialog: str | ClusterVisitor) -> Answer:
        return await self.node.command(commands.OperatorClose(self.id, _id(dialog),
                                                              ref=self.node.ref()))

    async def mark_important(self, dialog: str | ClusterVisitor, important: bool = True) -> Answer:
        cmd = commands.MarkImportant(self.id, _id(dialog), important, ref=self.node.ref())
        return await self.node.command(cmd)

    async def ask_for_help(self, dialog: str | ClusterVisitor, text: str = "") -> Answer:
        cmd = commands.AskForHelp(self.id, _id(dialog), text, ref=self.node.ref())
        return await self.node.command(cmd)

    async def logout(self) -> Answer:
        return await self.node.command(commands.OperatorLogout(self.id, ref=self.node.ref()))


class ClusterVisitor:
    """A visitor made by ``NodeHandle.visitor``; ``open`` starts its dialog."""

    def __init__(self, node: NodeHandle, name: str, priority: int = 0) -> None:
        self.node = node
        self.name = name
        self.priority = priority
        self.token = secrets.token_urlsafe(16)
        self.token_hash = hashlib.sha256(self.token.encode()).hexdigest()
        self.dialog: str | None = None
        self.probe = node.probe(f"visitor {name}")

    def __repr__(self) -> str:
        return f"ClusterVisitor({self.name!r}, {self.dialog!r} on {self.node.name})"

    @property
    def last_seq(self) -> int:
        """The highest seq of this visitor's dialog seen by its probe (0: none)."""
        return last_seq(self.probe, self.dialog)

    async def open(self, info: dict[str, str] | None = None) -> notices.Ack:
        cmd = commands.OpenDialog(
            self.token_hash, self.name, tuple((info or {}).items()), self.priority,
            ref=self.node.ref(),
        )
        answer = await self.node.command(cmd)
        if not isinstance(answer, notices.Ack) or answer.dialog is None:
            raise AssertionError(f"open refused on node {self.node.name}: {answer}")
        self.dialog = answer.dialog
        self.node.watch_dialog(self.dialog, self.probe.probe, token_hash=self.token_hash)
        await self.node.settle()
        return answer

    async def move_to(self, node: NodeHandle) -> None:
        """Watch the dialog on ``node`` from the last seq seen (a client resuming there)."""
        self.node = node
        if self.dialog is not None:
            node.watch_dialog(
                self.dialog, self.probe.probe, after_seq=self.last_seq, token_hash=self.token_hash
            )
            await node.settle()

    def _need(self) -> str:
        if self.dialog is None:
            raise AssertionError(f"visitor {self.name} has no dialog: call open() first")
        return self.dialog

    async def say(self, text: str, ref: str | None = None) -> Answer:
        cmd = commands.VisitorSay(self._need(), self.token_hash, text, ref=ref or self.node.ref())
        return await self.node.command(cmd)

    async def close(self) -> Answer:
        cmd = commands.VisitorClose(self._need(), self.token_hash, ref=self.node.ref())
        return await self.node.command(cmd)


def last_seq(probe: AsyncProbe, dialog: str | None) -> int:
    """The highest history seq of ``dialog`` that ``probe`` received (0: none)."""
    seen = [x.seq for x in probe.of_type(notices.DialogNotice) if x.dialog == dialog
            and x.in_history]
    return max(seen, default=0)


def _id(dialog: str | ClusterVisitor) -> str:
    return dialog._need() if isinstance(dialog, ClusterVisitor) else dialog
