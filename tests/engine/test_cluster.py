"""The role state machine, every (role, input) pair, no threads, no I/O."""

from __future__ import annotations

import itertools

import pytest

from frontdesk.engine.cluster import (
    IGNORED,
    INPUTS,
    TRANSITIONS,
    CaughtUp,
    ClusterError,
    Demote,
    FellBehind,
    HandOver,
    HandoverFailed,
    HandoverReceived,
    HeartbeatReceived,
    HeartbeatsMissed,
    HigherEpochSeen,
    Input,
    LeaseExpired,
    LeaseGranted,
    LeaseRefused,
    LinkDown,
    LinkUp,
    NodeState,
    Promote,
    RequestLease,
    ResumeWrites,
    Role,
    StopWrites,
    SwitchoverRequested,
    WritesStalled,
    accepts_writes,
    initial,
    step,
)

P, B, C, F = Role.PRIMARY, Role.BACKUP, Role.CANDIDATE, Role.FENCED


def sample(kind: type[Input], epoch: int) -> Input:
    if kind in (HeartbeatReceived, LeaseGranted, HigherEpochSeen, HandoverReceived):
        return kind(epoch)
    if kind is LeaseRefused:
        return LeaseRefused(epoch, "other")
    return kind()


def test_every_pair_is_either_a_transition_or_ignored_or_an_error() -> None:
    assert not set(TRANSITIONS) & IGNORED
    for role, kind in itertools.product(Role, INPUTS):
        state = NodeState(role, 5, link_up=True, caught_up=True)
        if (role, kind) in TRANSITIONS or (role, kind) in IGNORED:
            new, _ = step(state, sample(kind, 5))
            assert isinstance(new, NodeState)
        else:
            with pytest.raises(ClusterError, match=rf"cannot take {kind.__name__} as {role.value}"):
                step(state, sample(kind, 5))


def test_ignored_pairs_change_nothing() -> None:
    for role, kind in IGNORED:
        state = NodeState(role, 5)
        assert step(state, sample(kind, 9)) == (state, [])


def test_only_switchover_is_refused_outside_the_table() -> None:
    missing = set(itertools.product(Role, INPUTS)) - set(TRANSITIONS) - IGNORED
    assert missing == {(B, SwitchoverRequested), (C, SwitchoverRequested), (F, SwitchoverRequested)}


def test_initial_primary_asks_for_the_lease_of_its_epoch() -> None:
    assert initial(P, 3) == (NodeState(C, 3), [RequestLease(3)])


def test_initial_primary_with_a_damaged_journal_starts_as_backup() -> None:
    assert initial(P, 3, journal_ok=False) == (NodeState(B, 3, journal_ok=False), [])


def test_initial_backup_and_invalid_roles() -> None:
    assert initial(B, 2) == (NodeState(B, 2), [])
    with pytest.raises(ClusterError, match="cannot start a node as fenced"):
        initial(F, 2)


def test_backup_stands_for_election_when_heartbeats_stop() -> None:
    state, actions = step(NodeState(B, 4, link_up=True), HeartbeatsMissed())
    assert state.role is C and actions == [RequestLease(5)]


def test_backup_with_damaged_journal_never_stands() -> None:
    state = NodeState(B, 4, journal_ok=False)
    assert step(state, HeartbeatsMissed()) == (state, [])
    assert step(state, HandoverReceived(4)) == (state, [])


def test_catching_up_repairs_the_journal() -> None:
    state, _ = step(NodeState(B, 4, journal_ok=False), CaughtUp())
    assert state.journal_ok and state.caught_up
    state, actions = step(state, HeartbeatsMissed())
    assert actions == [RequestLease(5)]


def test_backup_follows_heartbeat_epochs() -> None:
    state, actions = step(NodeState(B, 4), HeartbeatReceived(6))
    assert state.epoch == 6 and actions == []
    state, _ = step(state, HeartbeatReceived(5))
    assert state.epoch == 6


def test_candidate_granted_becomes_primary() -> None:
    state, actions = step(NodeState(C, 4), LeaseGranted(5))
    assert state == NodeState(P, 5) and actions == [Promote(5)]
    assert accepts_writes(state)


def test_candidate_refused_goes_back_to_following() -> None:
    state, actions = step(NodeState(C, 4), LeaseRefused(4, "a"))
    assert state.role is B and actions == [Demote(4)]
    state, actions = step(NodeState(C, 4), LeaseRefused(7, "a"))
    assert state.epoch == 7 and actions == [Demote(7)]


def test_candidate_seeing_a_higher_epoch_follows_it() -> None:
    assert step(NodeState(C, 4), HigherEpochSeen(4)) == (NodeState(C, 4), [])
    state, actions = step(NodeState(C, 4), HigherEpochSeen(6))
    assert state.role is B and actions == [Demote(6)]


def test_primary_renewal_keeps_the_role() -> None:
    state = NodeState(P, 5)
    assert step(state, LeaseGranted(5)) == (state, [])
    with pytest.raises(ClusterError, match="renewal for epoch 4: the node is primary of epoch 5"):
        step(state, LeaseGranted(4))


def test_primary_whose_lease_expires_is_fenced_and_retries() -> None:
    state, actions = step(NodeState(P, 5), LeaseExpired())
    assert state.role is F and actions == [StopWrites(), RequestLease(5)]
    assert not accepts_writes(state)
    # nobody else took the epoch: the holder gets it back
    state, actions = step(state, LeaseGranted(5))
    assert state.role is P and actions == [ResumeWrites()]


def test_fenced_primary_learning_a_newer_epoch_rejoins_as_backup() -> None:
    fenced, _ = step(NodeState(P, 5), LeaseExpired())
    state, actions = step(fenced, LeaseRefused(6, "b"))
    assert state == NodeState(B, 6) and actions == [Demote(6)]
    assert step(fenced, LeaseRefused(5, None)) == (fenced, [RequestLease(5)])
    assert step(fenced, LeaseExpired()) == (fenced, [RequestLease(5)])
    assert step(fenced, LeaseGranted(4)) == (fenced, [])


def test_primary_refused_by_witness() -> None:
    state, actions = step(NodeState(P, 5), LeaseRefused(6, "b"))
    assert state.role is B and actions == [StopWrites(), Demote(6)]
    state, actions = step(NodeState(P, 5), LeaseRefused(5, "b"))
    assert state.role is F and actions == [StopWrites(), RequestLease(5)]


@pytest.mark.parametrize("role", [P, F])
def test_a_higher_epoch_deposes(role: Role) -> None:
    state, actions = step(NodeState(role, 5), HigherEpochSeen(6))
    assert state.role is B and state.epoch == 6 and actions == [StopWrites(), Demote(6)]
    state, actions = step(NodeState(role, 5), HeartbeatReceived(7))
    assert state.role is B and actions == [StopWrites(), Demote(7)]
    assert step(NodeState(role, 5), HigherEpochSeen(5)) == (NodeState(role, 5), [])


def test_switchover_needs_a_caught_up_backup() -> None:
    with pytest.raises(ClusterError, match="the backup is not connected"):
        step(NodeState(P, 5), SwitchoverRequested())
    with pytest.raises(ClusterError, match="the backup is not caught up"):
        step(NodeState(P, 5, link_up=True), SwitchoverRequested())
    state, actions = step(NodeState(P, 5, link_up=True, caught_up=True), SwitchoverRequested())
    assert state.role is F and state.handing_over and actions == [StopWrites(), HandOver(5)]
    # while handing over, nothing brings the writes back
    assert step(state, LeaseGranted(5)) == (state, [])
    assert step(state, LeaseExpired()) == (state, [])
    assert step(state, LeaseRefused(5)) == (state, [])
    # the backup did not take the role: get the lease back
    back, actions = step(state, HandoverFailed())
    assert back.role is F and not back.handing_over and actions == [RequestLease(5)]
    assert step(back, HandoverFailed()) == (back, [])
    # the successor's epoch arrives: follow it
    new, actions = step(state, HigherEpochSeen(6))
    assert new.role is B and not new.handing_over and actions == [StopWrites(), Demote(6)]


def test_switchover_refused_on_other_roles() -> None:
    with pytest.raises(ClusterError, match="cannot take SwitchoverRequested as backup of epoch 2"):
        step(NodeState(B, 2), SwitchoverRequested())


def test_handover_makes_the_backup_ask_at_once() -> None:
    state, actions = step(NodeState(B, 5, link_up=True, caught_up=True), HandoverReceived(5))
    assert state.role is C and actions == [RequestLease(6)]


@pytest.mark.parametrize("role", list(Role))
def test_link_and_catch_up_flags(role: Role) -> None:
    state, _ = step(NodeState(role, 1), LinkUp())
    assert state.link_up
    state, _ = step(state, CaughtUp())
    assert state.caught_up
    state, _ = step(state, FellBehind())
    assert not state.caught_up
    state, _ = step(replace_caught(state), LinkDown())
    assert not state.link_up and not state.caught_up


def replace_caught(state: NodeState) -> NodeState:
    return NodeState(state.role, state.epoch, state.journal_ok, state.link_up, True)


def test_a_primary_whose_writes_stalled_hands_over_to_a_backup_in_sync() -> None:
    """The write watch's safety net (issue 13, finding 1): primary, lease held, no write
    accepted for the bound. With the backup connected and caught up, the node hands
    over, as a switchover does; the backup takes the role."""
    state, actions = step(NodeState(P, 5, link_up=True, caught_up=True), WritesStalled())
    assert state.role is F and state.handing_over and actions == [StopWrites(), HandOver(5)]


def test_a_primary_whose_writes_stalled_with_no_backup_in_sync_starts_over() -> None:
    """No backup has everything: handing over could lose what only this node holds, so
    it fences itself and asks for its lease again; the grant resumes writes (a new
    engine if the one it had was fenced)."""
    for state in (NodeState(P, 5), NodeState(P, 5, link_up=True)):
        after, actions = step(state, WritesStalled())
        assert after.role is F and not after.handing_over
        assert actions == [StopWrites(), RequestLease(5)]
        back, actions = step(after, LeaseGranted(5))
        assert back.role is P and actions == [ResumeWrites()]


def test_a_stall_seen_late_changes_nothing_on_other_roles() -> None:
    for role in (B, C, F):
        state = NodeState(role, 5, link_up=True, caught_up=True)
        assert step(state, WritesStalled()) == (state, [])
