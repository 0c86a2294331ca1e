"""The GC pause recorder: real collections, counted and rendered for /metrics."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk.adapters import gcstats


@pytest.fixture
def installed() -> Iterator[gcstats.GcRecorder]:
    gcstats.uninstall()
    rec = gcstats.install()
    yield rec
    gcstats.uninstall()


def test_not_installed_renders_nothing() -> None:
    gcstats.uninstall()
    assert gcstats.recorder() is None
    assert gcstats.render_prometheus() == ""
    assert gcstats.install_from_env({}) is None
    assert gcstats.install_from_env({gcstats.ENV_FLAG: "0"}) is None


def test_install_is_idempotent_and_uninstall_removes_the_callback(
    installed: gcstats.GcRecorder,
) -> None:
    assert gcstats.install() is installed
    assert gcstats.install_from_env({gcstats.ENV_FLAG: "1"}) is installed
    assert gc.callbacks.count(installed.callback) == 1
    gcstats.uninstall()
    assert installed.callback not in gc.callbacks


def test_real_collections_are_counted_per_generation(installed: gcstats.GcRecorder) -> None:
    gc.collect(0)
    gc.collect(2)
    snap = installed.snapshot()
    gens = snap["generations"]
    assert gens[0]["count"] >= 1
    assert gens[2]["count"] >= 1
    assert gens[2]["max_s"] > 0
    assert gens[2]["sum_s"] >= gens[2]["max_s"]
    assert sum(gens[2]["buckets"]) == gens[2]["count"]
    assert 0 < gens[2]["cpu_max_s"] <= gens[2]["max_s"] * 1.5 + 0.001


def test_pauses_land_in_their_buckets() -> None:
    rec = gcstats.GcRecorder()
    for pause_s, gen in ((0.0001, 0), (0.03, 2), (5.0, 2)):
        rec.record(gen, pause_s, pause_s, collected=1)
    rec.record(7, 1.0, 1.0)  # no such generation: ignored
    snap = rec.snapshot()
    g2 = snap["generations"][2]
    assert g2["count"] == 2
    assert g2["max_s"] == 5.0
    assert g2["sum_s"] == pytest.approx(5.03)
    assert g2["collected"] == 2
    le_50ms = gcstats.BUCKETS_S.index(0.05)
    assert g2["buckets"][le_50ms] == 1  # 30 ms falls in (20 ms, 50 ms]
    assert g2["buckets"][-1] == 1  # 5 s is over the last bound
    assert snap["generations"][0]["buckets"][0] == 1


def test_prometheus_text_round_trips(installed: gcstats.GcRecorder) -> None:
    gc.collect(2)
    text = gcstats.render_prometheus()
    assert "# TYPE frontdesk_gc_pause_seconds histogram" in text
    assert 'frontdesk_gc_pause_seconds_bucket{generation="2",le="+Inf"}' in text
    parsed = gcstats.parse_prometheus(text)
    assert parsed["found"]
    snap = installed.snapshot()["generations"][2]
    assert parsed["generations"][2]["count"] >= 1
    assert parsed["generations"][2]["max_s"] == pytest.approx(snap["max_s"], abs=1.0)
    # the +Inf bucket is cumulative: it equals the count
    for line in text.splitlines():
        if line.startswith('frontdesk_gc_pause_seconds_bucket{generation="2",le="+Inf"}'):
            assert int(line.rsplit(" ", 1)[1]) == parsed["generations"][2]["count"]


def test_parse_finds_nothing_in_other_metrics() -> None:
    assert not gcstats.parse_prometheus("frontdesk_queue_length 3\n")["found"]


def test_dump_writes_the_snapshot(installed: gcstats.GcRecorder, tmp_path: Path) -> None:
    gc.collect(1)
    path = tmp_path / "gc.json"
    gcstats.dump(path)
    data = json.loads(path.read_text())
    assert data["generations"][1]["count"] >= 1
