"""The directory (with engine/ledger.py): ledger, redelivery after a crash, bounces, settle,
hold/release (engine/testing/aids.py)."""

from __future__ import annotations

import threading
from typing import Any

from frontdesk.engine import commands, messages, notices
from frontdesk.engine.directory import Directory, Envelope, SlotState
from frontdesk.engine.testing.aids import Holds


class FakeRef:
    """Records what is told; stands in for an ActorRef (the directory only calls tell)."""

    def __init__(self) -> None:
        self.told: list[Envelope] = []

    def tell(self, env: Envelope) -> None:
        self.told.append(env)


def test_send_records_then_done_settles() -> None:
    d, ref = Directory(), FakeRef()
    d.register("a", ref)
    d.send("a", "hello")
    assert not d.settle(0.01)
    assert d.pending() == {"a": 1}
    d.done("a", ref.told[0].id)
    assert d.settle(0.01)


def test_settle_wakes_when_another_thread_finishes() -> None:
    d, ref = Directory(), FakeRef()
    d.register("a", ref)
    d.send("a", "x")
    t = threading.Thread(target=lambda: d.done("a", ref.told[0].id))
    t.start()
    assert d.settle(5)
    t.join()


def test_messages_wait_for_a_reserved_address_and_are_redelivered_in_order() -> None:
    d, ref = Directory(), FakeRef()
    d.reserve("a")
    for i in range(3):
        d.send("a", i)
    assert ref.told == []
    d.register("a", ref)
    assert [e.message for e in ref.told] == [0, 1, 2]


def test_crash_bounces_the_crashing_message_and_keeps_the_rest() -> None:
    d, old, sup, sender = Directory(), FakeRef(), FakeRef(), FakeRef()
    d.register("supervisor", sup)
    d.register("b", sender)
    d.register("a", old)
    d.send("a", "boom", sender="b")
    d.send("a", "next")
    d.crashed("a", old, old.told[0].id, messages.ActorCrashed("a", "x", True))
    assert isinstance(sup.told[-1].message, messages.ActorCrashed)
    bounced = sender.told[-1].message
    assert isinstance(bounced, messages.Undeliverable) and bounced.reason == "crashed"
    d.send("a", "while restarting")
    new = FakeRef()
    d.register("a", new)
    assert [e.message for e in new.told] == ["next", "while restarting"]


def test_absent_address_rejects_a_command_at_once() -> None:
    d = Directory()
    got: list[notices.Notice] = []
    d.send("dialog:d-4",
           messages.Inbound(commands.VisitorSay("d-4", "t", "x", ref="r"), got.append))
    assert got == [notices.Rejected("r", "unknown_dialog", "no such dialog: d-4", "d-4")]
    assert d.settle(0)


def test_retire_bounces_to_senders() -> None:
    d, a, b = Directory(), FakeRef(), FakeRef()
    d.register("a", a)
    d.register("b", b)
    d.send("a", "retire-me")
    d.send("a", "late", sender="b")
    d.retire("a", a, keep=a.told[0].id)
    assert b.told[-1].message == messages.Undeliverable("late", "a", "absent")
    d.done("a", a.told[0].id)
    assert d.state("a") == "absent"


def test_the_message_a_retiring_actor_handles_is_not_given_to_its_successor() -> None:
    """An operator retires (handling its Retire) while a new login already starts the
    next actor at the same address: the Retire must not be redelivered to it."""
    d, old = Directory(), FakeRef()
    d.register("operator:ann", old)
    d.send("operator:ann", messages.Retire())
    retire = old.told[0]
    d.retire("operator:ann", old, keep=retire.id)
    assert d.state("operator:ann") == "absent"
    d.reserve("operator:ann")  # the supervisor launches the new session's actor
    new = FakeRef()
    d.register("operator:ann", new)
    d.started()
    d.send("operator:ann", "for the new one")
    assert [e.message for e in new.told] == ["for the new one"]
    assert not d.settle(0)  # the old actor has not finished its Retire yet
    d.done("operator:ann", retire.id)
    d.done("operator:ann", new.told[0].id)
    assert d.settle(0)


def test_a_watch_of_an_absent_address_goes_to_the_hook_first() -> None:
    d, store = Directory(), FakeRef()
    d.register("store", store)
    taken: list[tuple[str, Any]] = []

    def hook(address: str, env: Envelope) -> bool:
        taken.append((address, env.message))
        return address.startswith("dialog:")

    d.on_absent = hook
    got: list[Any] = []
    d.send("dialog:d-1", messages.Watch(got.append, ref="w"))
    d.send("operator:x", messages.Watch(got.append, ref="o"))
    assert [a for a, _ in taken] == ["dialog:d-1", "operator:x"]
    assert [x.ref for x in got] == ["o"]  # the hook declined it: it bounced as before


def test_failed_address_answers_unavailable() -> None:
    d, a = Directory(), FakeRef()
    d.register("dialog:d-1", a)
    d.fail("dialog:d-1")
    got: list[Any] = []
    d.send("dialog:d-1", messages.Inbound(commands.VisitorClose("d-1", "t", ref="r"), got.append))
    assert got[0].code == "unavailable"


def test_hold_and_release() -> None:
    d, a = Directory(), FakeRef()
    holds = Holds(d)
    d.register("a", a)
    holds.hold("a")
    d.send("a", 1)
    assert a.told == [] and d.settle(0)  # held messages do not count for settle
    assert d.held() == ["a"]
    holds.release("a")
    assert [e.message for e in a.told] == [1]
    assert not d.settle(0) and d.held() == []


def test_what_is_sent_while_a_release_is_under_way_does_not_overtake_the_kept() -> None:
    """Between the hold's end and the kept envelopes' delivery, a new message is kept
    behind them: the actor gets them in the order sent."""
    d, a = Directory(), FakeRef()
    holds = Holds(d)
    d.register("a", a)
    holds.hold("a")
    d.send("a", 1)
    d.send("a", 2)
    holds._held.discard("a")  # the first half of release(): no longer held...
    d.send("a", 3)  # ...a send from another thread lands here...
    d.deliver_kept("a")  # ...then the second half
    d.send("a", 4)
    assert [e.message for e in a.told] == [1, 2, 3, 4]


def test_a_held_address_restarted_gets_only_what_was_not_kept() -> None:
    d, old = Directory(), FakeRef()
    holds = Holds(d)
    d.register("supervisor", FakeRef())
    d.register("a", old)
    d.send("a", "before")
    holds.hold("a")
    d.send("a", "held")
    d.crashed("a", old, None, messages.ActorCrashed("a", "x", True))
    new = FakeRef()
    d.register("a", new)
    assert [e.message for e in new.told] == ["before"]
    holds.release("a")
    assert [e.message for e in new.told] == ["before", "held"]


def test_slot_states_are_an_enum_that_reads_as_its_value() -> None:
    d, a = Directory(), FakeRef()
    assert d.state("a") is SlotState.ABSENT
    d.reserve("a")
    assert d.state("a") is SlotState.RESTARTING and d.state("a") == "restarting"
    d.register("a", a)
    d.started()
    assert d.state("a") is SlotState.LIVE
    d.leaving("a")
    assert d.state("a") is SlotState.LEAVING and d.exists("a") and not d.is_live("a")
    assert d.wait_for("a", (SlotState.LEAVING,), 0)
    assert not d.wait_for("a", (SlotState.FAILED,), 0)


def test_watchers_survive_and_drop() -> None:
    d = Directory()
    sub = print
    d.add_watcher("dialog:d-1", sub)
    d.add_watcher("dialog:d-1", sub)
    assert d.watchers("dialog:d-1") == (sub,)
    d.drop_subscriber(sub)
    assert d.watchers("dialog:d-1") == ()
