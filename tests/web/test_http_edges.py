"""HTTP edges (issue 12, finding 9): JSON bodies validated where they enter, JSON errors on
``/api/*``, the security headers on every response, the refused upgrade included."""

from __future__ import annotations

import json

import httpx
import pytest
import trio

from frontdesk import web
from tests.web.nodes import PASSWORD, Node
from tests.web.test_reused_connection import read_response


def http(node: Node) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=node.url, follow_redirects=False, timeout=10)


JSON = {"content-type": "application/json"}


def assert_secured(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_a_login_body_nested_3000_deep_is_a_400_naming_the_depth(node: Node) -> None:
    body = '{"login":' + "[" * 3000 + "]" * 3000 + ',"password":"x"}'
    async with http(node) as client:
        response = await client.post("/api/login", content=body.encode(), headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_json" and "nested" in error["message"]
    assert_secured(response)


@pytest.mark.parametrize("field", ["login", "password"])
async def test_a_login_with_a_lone_surrogate_is_a_400_naming_the_field(
    node: Node, field: str
) -> None:
    fields = {"login": "ann", "password": PASSWORD, field: "x\ud800"}
    async with http(node) as client:
        response = await client.post("/api/login", content=json.dumps(fields).encode(),
                                     headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_field" and error["message"].startswith(f"{field}:")
    assert "surrogate" in error["message"]


async def test_an_unknown_api_path_is_a_json_404(node: Node) -> None:
    async with http(node) as client:
        response = await client.get("/api/nope")
        wrong_method = await client.get("/api/login")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"
    assert "/api/nope" in response.json()["error"]["message"]
    assert_secured(response)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


async def test_a_500_is_json_and_carries_the_security_headers(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("injected into /api/me")

    monkeypatch.setattr(web.auth, "session_user", broken)
    async with http(node) as client:
        response = await client.get("/api/me")
        after = await client.get("/healthz")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal"
    assert "injected" not in response.text  # the cause is logged, not shown
    assert_secured(response)
    assert after.status_code == 200


async def test_a_refused_upgrade_carries_nosniff(node: Node) -> None:
    async with http(node) as client:
        response = await client.get("/ws/operator", headers={
            "connection": "Upgrade", "upgrade": "websocket", "sec-websocket-version": "13",
            "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "origin": node.url})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_session"
    assert_secured(response)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/octet-stream"])
@pytest.mark.parametrize("field", ["password", "new_password"])
async def test_a_password_change_without_a_json_type_is_a_415_not_a_500(
    node: Node, content_type: str | None, field: str
) -> None:
    """Found by tests/fuzz: a body that does not say it is JSON skipped the JSON guard, and a
    lone surrogate in either password reached argon2's UTF-8 encoding: a 500."""
    async with http(node) as client:
        login = await client.post("/api/login", json={"login": "bob", "password": PASSWORD})
        assert login.status_code == 200
        fields = {"password": PASSWORD, "new_password": "a new long password", field: "x\ud800"}
        headers = {"content-type": content_type} if content_type else {}
        response = await client.post("/api/password", content=json.dumps(fields).encode(),
                                     headers=headers)
        assert response.status_code == 415, response.text
        assert response.json()["error"]["code"] == "bad_content_type"
        assert_secured(response)
        me = await client.get("/api/me")  # nothing changed: the session still holds
        assert me.status_code == 200


async def test_a_password_change_with_a_lone_surrogate_is_a_400_naming_the_field(
    node: Node,
) -> None:
    async with http(node) as client:
        login = await client.post("/api/login", json={"login": "bob", "password": PASSWORD})
        assert login.status_code == 200
        body = json.dumps({"password": PASSWORD, "new_password": "long enough\ud800"})
        response = await client.post("/api/password", content=body.encode(), headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_field" and error["message"].startswith("new_password:")


async def test_a_body_the_route_did_not_read_is_answered_connection_close(node: Node) -> None:
    """Found by tests/fuzz: after a route answered without reading the request's body
    (here a 404), Hypercorn sometimes closed the keep-alive connection without a
    ``Connection: close``, and the client's next request on it got no answer (1 in ~50
    such requests). The response now says the connection ends; one with its body read, or
    without a body, keeps it."""
    async with await trio.open_tcp_stream("127.0.0.1", node.port) as stream:
        await stream.send_all(b"POST /api/nope HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              b"Content-Type: text/plain\r\nContent-Length: 10\r\n\r\n")
        head, _ = await read_response(stream)  # answered before the body was sent
    assert head.startswith(b"HTTP/1.1 404 "), head
    assert b"connection: close" in head.lower()
    async with await trio.open_tcp_stream("127.0.0.1", node.port) as stream:
        await stream.send_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head, _ = await read_response(stream)
        assert b"connection: close" not in head.lower()
        body = json.dumps({"login": "ann", "password": "wrong"}).encode()
        await stream.send_all(b"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              b"Content-Type: application/json\r\nContent-Length: "
                              + str(len(body)).encode() + b"\r\n\r\n" + body)
        head, _ = await read_response(stream)
    assert head.startswith(b"HTTP/1.1 401 ") and b"connection: close" not in head.lower()
