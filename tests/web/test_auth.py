"""The Origin rule and HTTP Basic parsing."""

from __future__ import annotations

import base64

from frontdesk.web.auth import basic_user, origin_allowed


def test_the_own_origin_is_always_allowed() -> None:
    assert origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", ())
    assert origin_allowed("HTTP://127.0.0.1:8080/", "127.0.0.1:8080", ())
    assert not origin_allowed("http://127.0.0.1:9999", "127.0.0.1:8080", ())


def test_other_origins_only_when_listed() -> None:
    allowed = ("https://shop.example",)
    assert origin_allowed("https://shop.example", "chat.example", allowed)
    assert not origin_allowed("http://shop.example", "chat.example", allowed)
    assert not origin_allowed("https://evil.example", "chat.example", allowed)


def test_a_missing_origin_is_refused() -> None:
    assert not origin_allowed(None, "127.0.0.1:8080", ())
    assert not origin_allowed("", "127.0.0.1:8080", ())
    assert not origin_allowed("null", "127.0.0.1:8080", ())


class Nobody:
    def verify(self, login: str, password: str) -> None:
        raise AssertionError(f"verify must not be called for a malformed header ({login})")

    def new_session(self, user: object) -> str:
        raise AssertionError

    def session_user(self, token: str) -> None:
        raise AssertionError

    def end_session(self, token: str) -> None:
        raise AssertionError


async def test_malformed_basic_headers_are_nobody() -> None:
    no_colon = "Basic " + base64.b64encode(b"no-colon").decode()
    for header in (None, "Bearer x", "Basic !!!", no_colon):
        assert await basic_user(Nobody(), header) is None
