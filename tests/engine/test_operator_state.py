"""The operator state machine as plain function calls."""

from __future__ import annotations

from frontdesk.engine import commands, events, messages, notices, operator_state
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.status import Status

CFG = EngineSettings()


def ann(capacity: int = 2) -> operator_state.OperatorState:
    return operator_state.logged_in(
        events.OperatorLoggedIn(operator="ann", at=0.0, name="Ann", capacity=capacity), 3
    )


def run(
    s: operator_state.OperatorState, msg: object, cfg: EngineSettings = CFG
) -> tuple[operator_state.OperatorState, messages.Decision]:
    d = operator_state.decide(s, msg, 10.0, cfg)
    for e in d.events:
        s = operator_state.apply(s, e)
    return s, d


def tells(d: messages.Decision) -> list[tuple[str, object]]:
    return [(f.address, f.message) for f in d.effects if isinstance(f, messages.Tell)]


def replies(d: messages.Decision) -> list[notices.Notice]:
    return [f.notice for f in d.effects if isinstance(f, messages.Reply)]


def holding(*dialogs: str, capacity: int = 2) -> operator_state.OperatorState:
    s = ann(capacity)
    for d in dialogs:
        s, _ = run(s, messages.Offer(d))
        s, _ = run(s, messages.AssignmentDone(d, "ann", 2, "V"))
    return s


def test_default_capacity_applies() -> None:
    s = operator_state.logged_in(events.OperatorLoggedIn(operator="x", at=0.0, name="X"), 3)
    assert s.capacity == 3 and s.status is Status.CONNECTED


def test_offer_accepted_reserves() -> None:
    s, d = run(ann(), messages.Offer("d-1"))
    assert s.reserved == {"d-1"} and s.load == 1 and s.last_assigned_at == 10.0
    assert ("dialog:d-1", messages.Assign("d-1", "ann", "Ann")) in tells(d)
    assert any(isinstance(msg, messages.OfferAccepted) for _, msg in tells(d))


def test_offer_declined_at_capacity_or_status() -> None:
    full = holding("d-1", "d-2")
    _, d = run(full, messages.Offer("d-3"))
    assert isinstance(tells(d)[0][1], messages.OfferDeclined)
    s, _ = run(ann(), messages.Inbound(commands.SetStatus("ann", Status.PHONE), None))
    _, d2 = run(s, messages.Offer("d-3"))
    assert isinstance(tells(d2)[0][1], messages.OfferDeclined)


def test_assignment_done_moves_reserved_to_held() -> None:
    s = holding("d-1")
    assert set(s.held) == {"d-1"} and not s.reserved
    assert any(
        isinstance(f, messages.Publish) and isinstance(f.notice, notices.DialogAdded)
        for f in run(ann(), messages.AssignmentDone("d-1", "ann", 2, "V"))[1].effects
    )


def test_released_dialog_is_removed_and_remembered_if_closed() -> None:
    s, d = run(holding("d-1"), messages.DialogReleased("d-1", 5, "closed"))
    assert not s.held and "d-1" in s.recent_closed
    assert any(
        isinstance(f, messages.Publish) and isinstance(f.notice, notices.DialogRemoved)
        for f in d.effects
    )


def test_transfer_refusals_at_the_sender() -> None:
    s = holding("d-1")
    _, d = run(s, messages.Inbound(commands.Transfer("ann", "d-1", "ann"), None))
    assert replies(d)[0].code == "invalid"  # type: ignore[attr-defined]
    _, d = run(s, messages.Inbound(commands.Transfer("ann", "d-9", "bob"), None))
    assert replies(d)[0].code == "forbidden"  # type: ignore[attr-defined]
    closed, _ = run(s, messages.DialogReleased("d-1", 5, "closed"))
    _, d = run(closed, messages.Inbound(commands.Transfer("ann", "d-1", "bob"), None))
    assert replies(d)[0].code == "closed"  # type: ignore[attr-defined]


def test_transfer_sends_offer_and_tracks_it() -> None:
    s, d = run(holding("d-1"),
               messages.Inbound(commands.Transfer("ann", "d-1", "bob", "n", ref="r"), None))
    (tid,) = s.pending
    ((address, offer),) = tells(d)
    assert address == "operator:bob" and isinstance(offer,
                                                    messages.TransferOffer) and offer.tid == tid
    s2, _ = run(s, messages.TransferFinished(tid, "d-1"))
    assert not s2.pending


def test_transfer_offer_at_the_receiver() -> None:
    offer = messages.TransferOffer("t", "d-1", "bob", "Bob", "", "r", None)
    s, d = run(ann(), offer)
    assert s.reserved == {"d-1"}
    assert isinstance(tells(d)[0][1], messages.CompleteTransfer)
    _, d2 = run(holding("d-2", "d-3"), offer)
    refusal = tells(d2)[0][1]
    assert isinstance(refusal, messages.AbortTransfer) and refusal.code == "at_capacity"
    over = EngineSettings(allow_transfer_over_capacity=True)
    _, d3 = run(holding("d-2", "d-3"), offer, over)
    assert isinstance(tells(d3)[0][1], messages.CompleteTransfer)


def test_undeliverable_transfer_offer_aborts_at_the_dialog() -> None:
    s, _ = run(holding("d-1"),
               messages.Inbound(commands.Transfer("ann", "d-1", "zed", ref="r"), None))
    (tid,) = s.pending
    offer = messages.TransferOffer(tid, "d-1", "ann", "Ann", "", "r", None)
    _, d = run(s, messages.Undeliverable(offer, "operator:zed", "absent"))
    ((address, abort),) = tells(d)
    assert address == "dialog:d-1" and isinstance(abort, messages.AbortTransfer)
    assert abort.code == "unknown_operator" and "zed" in abort.message


def test_looking_for_info_tells_each_held_dialog() -> None:
    s = holding("d-1", "d-2")
    s2, d = run(s,
                messages.Inbound(commands.SetStatus("ann", Status.LOOKING_FOR_INFORMATION), None))
    notes = [t for t in tells(d) if isinstance(t[1], messages.NoteLookingForInfo)]
    assert {a for a, _ in notes} == {"dialog:d-1", "dialog:d-2"}
    assert s2.status_since == 10.0
    _, tick = run(s2, messages.Tick("looking"))
    assert all(msg.reminder for _, msg in tells(tick))  # type: ignore[attr-defined]
    back, _ = run(s2, messages.Inbound(commands.SetStatus("ann", Status.CONNECTED), None))
    assert run(back, messages.Tick("looking"))[1] == messages.Decision()


def test_logout_releases_everything() -> None:
    s, _ = run(holding("d-1"), messages.Offer("d-2"))
    s2, d = run(s, messages.Inbound(commands.OperatorLogout("ann"), None))
    assert not s2.logged_in
    gone = {a for a, msg in tells(d) if isinstance(msg, messages.OperatorGone)}
    assert gone == {"dialog:d-1", "dialog:d-2"}
    _, d2 = run(s2, messages.Inbound(commands.SetStatus("ann", Status.PHONE), None))
    assert replies(d2)[0].code == "unknown_operator"  # type: ignore[attr-defined]
    _, d3 = run(s2, messages.AssignmentDone("d-3", "ann", 2, "V"))
    assert tells(d3) == [("dialog:d-3", messages.OperatorGone("ann"))]


def test_capacity_validation() -> None:
    _, d = run(ann(), messages.Inbound(commands.SetCapacity("ann", -1), None))
    assert replies(d)[0].code == "invalid"  # type: ignore[attr-defined]
