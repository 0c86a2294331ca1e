"""Prometheus rendering and the assignment latency histogram."""

from __future__ import annotations

from frontdesk.web.metrics import Histogram, Metrics


def test_histogram_buckets_are_cumulative() -> None:
    h = Histogram((0.1, 1.0))
    for v in (0.05, 0.5, 0.7, 3.0):
        h.observe(v)
    assert h.render("x") == [
        'x_bucket{le="0.1"} 1', 'x_bucket{le="1.0"} 3', 'x_bucket{le="+Inf"} 4',
        "x_sum 4.25", "x_count 4",
    ]


def test_assignment_latency_is_measured_from_opened_to_assigned() -> None:
    m = Metrics()
    m.observe_notice({"type": "dialog.opened", "dialog": "d-1", "at": 10.0})
    m.observe_notice({"type": "dialog.opened", "dialog": "d-2", "at": 10.0})
    m.observe_notice({"type": "dialog.assigned", "dialog": "d-1", "at": 12.5})
    m.observe_notice({"type": "dialog.closed", "dialog": "d-2", "at": 20.0})
    m.observe_notice({"type": "dialog.assigned", "dialog": "d-2", "at": 21.0})  # ignored
    assert (m.assignment_latency.count, m.assignment_latency.sum) == (1, 2.5)


def test_render_has_every_family_with_help_and_type() -> None:
    m = Metrics()
    m.connections["visitor"] += 2
    m.frame_errors["bad_json"] += 1
    text = m.render({"dialogs": [{"state": "queued"}, {"state": "assigned"}], "queue": ["d-1"]})
    for name in ("frontdesk_connections", "frontdesk_dialogs", "frontdesk_queue_length",
                 "frontdesk_messages_relayed_total", "frontdesk_frames_received_total",
                 "frontdesk_frame_errors_total", "frontdesk_slow_consumers_total",
                 "frontdesk_direct_writes_total",
                 "frontdesk_assignment_latency_seconds"):
        assert f"# TYPE {name} " in text and f"# HELP {name} " in text
    assert 'frontdesk_connections{kind="visitor"} 2' in text
    assert 'frontdesk_dialogs{state="queued"} 1' in text
    assert "frontdesk_queue_length 1" in text
    assert 'frontdesk_frame_errors_total{code="bad_json"} 1' in text
    assert "frontdesk_dialogs" not in m.render(None)  # no engine (a backup): no engine gauges
