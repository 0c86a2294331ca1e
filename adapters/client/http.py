"""A tiny HTTP/1.1 client on trio (h11): enough to log in and read a JSON endpoint.

httpx is only a test dependency, so the client library speaks HTTP itself:
one request per connection, ``Connection: close``, plain ``http://`` only
(the client talks to frontdesk nodes on a trusted network or loopback).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import h11
import trio

from frontdesk.engine.errors import AdapterError

MAX_BODY_BYTES = 16 * 1024 * 1024


class ClientError(AdapterError):
    """Raised by the Python client (``frontdesk.adapters.client``)."""


class LoginFailedError(ClientError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name.lower()]

    def json(self) -> Any:
        return json.loads(self.body)


async def http_request(
    method: str,
    url: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout_s: float = 10.0,
) -> HttpResponse:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ClientError(f"expected an http:// URL, got {url!r}")
    port = parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc
    all_headers = {"Host": host, "Connection": "close", "Content-Length": str(len(body)),
                   "User-Agent": "frontdesk-client", **(headers or {})}
    conn = h11.Connection(h11.CLIENT)
    try:
        with trio.fail_after(timeout_s):
            stream = await trio.open_tcp_stream(parts.hostname, port)
            async with stream:
                request = h11.Request(method=method, target=target,
                                      headers=list(all_headers.items()))
                await stream.send_all(conn.send(request) + conn.send(h11.Data(data=body))
                                      + conn.send(h11.EndOfMessage()))
                return await _read_response(conn, stream)
    except trio.TooSlowError:
        raise ClientError(f"{method} {url}: no answer within {timeout_s} s") from None
    except (OSError, h11.ProtocolError) as exc:
        raise ClientError(f"{method} {url}: {exc}") from None


async def _read_response(conn: h11.Connection, stream: trio.SocketStream) -> HttpResponse:
    status = 0
    headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await stream.receive_some(65536))
            continue
        if isinstance(event, h11.Response):
            status = event.status_code
            headers = [(k.decode().lower(), v.decode("latin-1")) for k, v in event.headers]
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if size > MAX_BODY_BYTES:
                raise ClientError(f"response body over {MAX_BODY_BYTES} bytes")
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            return HttpResponse(status, headers, b"".join(chunks))


async def login(base_url: str, login: str, password: str) -> str:
    """Log in with ``POST /api/login``; return the session token (the ``fd_session`` cookie)."""
    body = json.dumps({"login": login, "password": password}).encode()
    response = await http_request(
        "POST", base_url.rstrip("/") + "/api/login", body,
        {"Content-Type": "application/json"},
    )
    if response.status != 200:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.body[:200].decode("utf-8", "replace")
        raise LoginFailedError(response.status, f"login of {login!r} refused "
                          f"({response.status}): {message}")
    for value in response.header("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(value)
        if "fd_session" in cookie:
            return cookie["fd_session"].value
    raise ClientError(f"login of {login!r} answered 200 without an fd_session cookie")


async def get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    response = await http_request("GET", url, headers=headers)
    if response.status >= 400:
        raise ClientError(f"GET {url}: {response.status} {response.body[:200]!r}")
    return response.json()
