"""ServerOptions are projected from the real settings loader."""

from __future__ import annotations

from frontdesk.config.loader import load_settings
from frontdesk.web.options import options_from_settings


def test_options_follow_the_settings_and_the_environment() -> None:
    settings = load_settings(None, {
        "FRONTDESK_SERVER__PORT": "9001",
        "FRONTDESK_SERVER__MAX_FRAME_BYTES": "4096",
        "FRONTDESK_SERVER__OPERATOR_GRACE_S": "30",
        "FRONTDESK_SERVER__PUBLIC_URL": "https://chat.example",
    })
    options = options_from_settings(settings)
    assert (options.port, options.max_frame_bytes, options.operator_grace_s) == (9001, 4096, 30.0)
    assert options.base_url() == "https://chat.example" and options.secure_cookies
    assert [f["key"] for f in options.visitor_info_fields] == ["email", "page"]


def test_overrides_win_and_port_zero_is_allowed_there() -> None:
    options = options_from_settings(load_settings(None, {}), port=0)
    assert options.port == 0 and options.base_url(43210) == "http://127.0.0.1:43210"
    assert not options.secure_cookies


def test_port_zero_and_the_slow_consumer_grace_come_from_the_settings() -> None:
    settings = load_settings(None, {
        "FRONTDESK_SERVER__PORT": "0",
        "FRONTDESK_SERVER__SLOW_CONSUMER_GRACE_S": "0.25",
    })
    options = options_from_settings(settings)
    assert (options.port, options.slow_consumer_grace_s) == (0, 0.25)
    assert settings.cluster.advertise_url == ""  # unknown until bound: not http://host:0
    assert options_from_settings(load_settings(None, {})).slow_consumer_grace_s == 5.0
