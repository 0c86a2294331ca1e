"""The witness's lease rules, as plain function calls, and its state file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from frontdesk.adapters.witness.book import (
    ANY,
    Granted,
    Lease,
    Refused,
    WitnessError,
    WitnessStore,
    acquire,
    release,
    renew,
)


def granted(pair: tuple[Lease, object]) -> Lease:
    lease, answer = pair
    assert isinstance(answer, Granted), answer
    return lease


def refused(pair: tuple[Lease, object]) -> Refused:
    _, answer = pair
    assert isinstance(answer, Refused), answer
    return answer


def test_first_node_gets_the_next_epoch() -> None:
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    assert (lease.epoch, lease.holder, lease.expires_at) == (2, "a", 2.0)


def test_a_live_lease_is_never_granted_to_another_node() -> None:
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    no = refused(acquire(lease, "b", "ws://b", 2, 2.0, now=1.9))
    assert (no.epoch, no.holder, no.holder_url) == (2, "a", "ws://a")
    assert no.expires_in_s == pytest.approx(0.1)
    assert "held by a" in no.reason


def test_renewal_extends_and_records_the_standby() -> None:
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    lease = granted(renew(lease, "a", 2, 2.0, "b", now=1.5))
    assert lease.expires_at == 3.5 and lease.standby == "b"
    assert "does not hold epoch 1" in refused(renew(lease, "a", 1, 2.0, "b", now=1.6)).reason
    assert "b does not hold" in refused(renew(lease, "b", 2, 2.0, None, now=1.6)).reason


def test_the_standby_in_sync_takes_the_next_epoch_after_expiry() -> None:
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    lease = granted(renew(lease, "a", 2, 2.0, "b", now=1.0))
    refused(acquire(lease, "b", "ws://b", 2, 2.0, now=2.9))
    new = granted(acquire(lease, "b", "ws://b", 2, 2.0, now=3.0))
    assert (new.epoch, new.holder, new.standby) == (3, "b", None)
    # the old holder cannot renew nor take back its epoch
    assert refused(renew(new, "a", 2, 2.0, "b", now=3.1)).epoch == 3
    assert refused(acquire(new, "a", "ws://a", 2, 2.0, now=3.1)).holder == "b"


def test_a_standby_out_of_sync_may_not_take_over() -> None:
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    lease = granted(renew(lease, "a", 2, 2.0, None, now=1.0))
    no = refused(acquire(lease, "b", "ws://b", 2, 2.0, now=10.0))
    assert no.reason == "b may not take over from a: no standby in sync"
    lease = granted(renew(lease, "a", 2, 2.0, "c", now=1.0))
    assert "the standby is c" in refused(acquire(lease, "b", "ws://b", 2, 2.0, now=10.0)).reason


def test_any_standby_in_async_mode() -> None:
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    lease = granted(renew(lease, "a", 2, 2.0, ANY, now=1.0))
    assert granted(acquire(lease, "z", "ws://z", 0, 2.0, now=5.0)).epoch == 3


def test_the_holder_takes_its_own_lease_back_when_nobody_else_did() -> None:
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    again = granted(acquire(lease, "a", "ws://a", 2, 2.0, now=50.0))
    assert again.epoch == 2 and again.expires_at == 52.0


def test_release_reserves_the_next_epoch_for_the_successor() -> None:
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    lease = granted(renew(lease, "a", 2, 2.0, None, now=1.0))
    lease = granted(release(lease, "a", 2, "b", now=1.5))
    assert "reserved for b" in refused(acquire(lease, "c", "ws://c", 2, 2.0, now=1.6)).reason
    assert "released epoch 2" in refused(renew(lease, "a", 2, 2.0, None, now=1.6)).reason
    refused(acquire(lease, "a", "ws://a", 2, 2.0, now=1.6))
    new = granted(acquire(lease, "b", "ws://b", 2, 2.0, now=1.6))
    assert (new.epoch, new.holder, new.reserved_for) == (3, "b", None)


def test_an_unused_reservation_lapses_back_to_the_holder() -> None:
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    lease = granted(release(lease, "a", 2, "b", now=1.0))
    back = granted(acquire(lease, "a", "ws://a", 2, 2.0, now=3.5))
    assert back.epoch == 2 and back.reserved_for is None


def test_release_by_a_non_holder_is_refused() -> None:
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    assert "b does not hold epoch 2" in refused(release(lease, "b", 2, "b", now=1.0)).reason


def test_a_non_positive_lease_is_an_error() -> None:
    with pytest.raises(WitnessError, match="cannot grant a lease of 0 s"):
        acquire(Lease(), "a", "ws://a", 1, 0, now=0.0)


def test_store_round_trip_and_restart_grace(tmp_path: Path) -> None:
    path = tmp_path / "w" / "witness.json"
    store = WitnessStore(path)
    assert store.load(now=0.0) == Lease()
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    store.save(lease)
    assert json.loads(path.read_text())["holder"] == "a"
    restarted = WitnessStore(path).load(now=100.0)
    assert (restarted.epoch, restarted.holder, restarted.expires_at) == (2, "a", 102.0)
    # after a restart the old lease counts as live for one more period
    refused(acquire(restarted, "b", "ws://b", 2, 2.0, now=101.0))
    assert not list(tmp_path.glob("w/*.tmp"))


def test_store_writes_only_on_change(tmp_path: Path) -> None:
    path = tmp_path / "witness.json"
    store = WitnessStore(path)
    lease = granted(acquire(Lease(), "a", "ws://a", 1, 2.0, now=0.0))
    store.save(lease)
    before = path.stat().st_mtime_ns
    path.write_text(path.read_text())  # touch, then check that a renewal does not rewrite
    touched = path.stat().st_mtime_ns
    store.save(granted(renew(lease, "a", 2, 2.0, None, now=1.0)))
    assert path.stat().st_mtime_ns == touched >= before
    store.save(granted(renew(lease, "a", 2, 2.0, ANY, now=1.0)))  # the standby changed
    assert json.loads(path.read_text())["standby"] == ANY


def test_store_refuses_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "witness.json"
    path.write_text('{"epoch": "x"}')
    with pytest.raises(WitnessError, match=r"cannot load the witness state .*witness.json"):
        WitnessStore(path).load(now=0.0)
