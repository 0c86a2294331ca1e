"""``frontdesk.web.cluster_node``: what a cluster node's web server is told about itself."""

from __future__ import annotations

import pytest

from frontdesk.config.loader import load_settings
from frontdesk.engine.errors import ConfigError
from frontdesk.web.cluster_node import node_options, node_settings

CLUSTER = {
    "FRONTDESK_CLUSTER__PEER_URL": "http://127.0.0.1:8081",
    "FRONTDESK_CLUSTER__WITNESS_URL": "ws://127.0.0.1:7070/",
    "FRONTDESK_CLUSTER__SECRET": "s3cret",
}


def test_a_node_names_itself_by_its_advertised_url_then_its_peer() -> None:
    settings = load_settings(None, {**CLUSTER, "FRONTDESK_SERVER__HOST": "0.0.0.0"})
    options = node_options(settings, node_settings(settings))
    assert options.base_url() == "http://127.0.0.1:8080"  # not http://0.0.0.0:8080
    assert options.nodes == ("http://127.0.0.1:8081",) and not options.secure_cookies


def test_a_public_url_wins() -> None:
    settings = load_settings(None, {**CLUSTER, "FRONTDESK_SERVER__PUBLIC_URL": "https://a.example"})
    options = node_options(settings, node_settings(settings))
    assert options.base_url() == "https://a.example" and options.secure_cookies


def test_port_zero_needs_an_advertised_url() -> None:
    settings = load_settings(None, {**CLUSTER, "FRONTDESK_SERVER__PORT": "0"})
    with pytest.raises(ConfigError, match=r"cluster\.advertise_url"):
        node_settings(settings)
    given = load_settings(None, {**CLUSTER, "FRONTDESK_SERVER__PORT": "0",
                                 "FRONTDESK_CLUSTER__ADVERTISE_URL": "http://127.0.0.1:9000"})
    assert node_settings(given).advertise_url == "http://127.0.0.1:9000"


def test_the_peer_origin_is_allowed_so_a_console_page_can_follow_a_failover() -> None:
    settings = load_settings(
        None,
        {**CLUSTER, "FRONTDESK_CLUSTER__PEER_URL": "http://127.0.0.1:8081/some/path",
         "FRONTDESK_SERVER__ALLOWED_ORIGINS": '["https://shop.example"]'},
    )
    options = node_options(settings, node_settings(settings))
    assert options.allowed_origins == ("https://shop.example", "http://127.0.0.1:8081")
