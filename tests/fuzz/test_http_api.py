"""Hostile requests to the JSON API, from ``httpx`` (not the project's client).

``/api/login``, ``/api/logout``, ``/api/password``, ``/api/inspect``, ``/api/me``,
``/api/config``, ``/api/cluster``, ``/api/cluster/switchover``, ``/healthz``, ``/metrics``, the
file and gallery routes (``/api/dialogs/<d>/files``, ``/api/files/<f>``, ``/api/gallery...``) and
paths that do not exist get bodies of every content type (JSON mutated as in the frame
fuzzer: wrong types, lone surrogates, NUL, nesting past 16 levels, huge numbers; forms;
random bytes; bodies over the limits), random cookies, ``Authorization`` and ``Origin``
headers. What the doc says must hold for every answer: never a 5xx but ``503 busy``; every
``/api/*`` answer JSON, an error as ``{"error": {"code", "message"}}``; ``nosniff`` and
``Referrer-Policy`` on every response; success only with the right credentials. After each
example the node is alive and the bystander's dialog works.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import model
from tests.fuzz.bystander import Bystander
from tests.fuzz.fuzz_node import PASSWORD, TIMEOUT_S, FuzzNode
from tests.fuzz.profiles import fuzz_settings
from tests.fuzz.strategies import hostile_text, json_values, nested

LOGINS = ["ann", "eve", "maria", "nobody", "", "ANN", "ann\x00", "ann\ud800"]
PATHS = ["/api/login", "/api/logout", "/api/password", "/api/inspect", "/api/me",
         "/api/config", "/api/cluster", "/api/cluster/switchover", "/healthz", "/metrics",
         "/api/dialogs/d-1/transcript", "/api/dialogs/d-1/history", "/api/dialogs/%00/history",
         "/api/dialogs/d-1/files", "/api/files/abc", "/api/gallery", "/api/gallery/abc",
         "/api/gallery/abc/content", "/api/dialogs/d-1/gallery",
         "/api/nope", "/api/login/", "/api/../api/me", "/api/%00", "/api/%ff",
         # the toolset's and the supervisor's routes (docs/protocol.md), ids as hostile as
         # the paths: beyond the databases' integers, negative, NUL, not a number
         "/api/availability", "/api/offline", "/api/offline/messages",
         "/api/reports", "/api/reports?from=2026-13-01&to=x&tz=Mars/Olympus&format=xml",
         "/api/reports?from=1&to=99999999999999999999", "/api/audit?since=-1e400&until=nan",
         "/api/monitored", "/api/monitored/link", "/api/cluster/switch-back",
         "/api/knowledge/articles", "/api/knowledge/export?format=csv",
         "/api/knowledge/import?format=json", "/api/knowledge/import?format=csv",
         "/api/knowledge/search?q=%22NEAR*-%22&limit=99999999999999999999",
         "/api/knowledge/search?q=%ED%A0%80", "/api/predefined", "/api/predefined/shared",
         "/api/predefined/personal", "/api/surveys", "/api/surveys/results?format=csv",
         *(f"{route}/{item}" for route in ("/api/knowledge/articles", "/api/predefined/shared",
                                           "/api/predefined/personal", "/api/surveys",
                                           "/api/offline/messages")
           for item in ("1", "99999999999999999999", "-1", "%00", "abc")),
         "/api/knowledge/articles/99999999999999999999/related?limit=-1",
         "/api/offline/messages/99999999999999999999/handled", "/dialogs/d-1/print"]
# the fields of the routes' JSON bodies (surveys, articles, answers, offline, monitored), to
# build bodies of nearly the right shape with hostile values
BODY_KEYS = ["title", "questions", "answer", "tags", "enabled", "text", "shortcut", "name",
             "email", "message", "to", "note", "kind", "options", "required", "dialog"]
CONTENT_TYPES = [None, "application/json", "application/json; charset=utf-8",
                 "application/json; charset=utf-16", "text/plain", "text/json",
                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                 "application/octet-stream", "application/vnd.api+json", "*/*"]
ALLOWED_STATUS = {200, 201, 204, 303, 307, 400, 401, 403, 404, 405, 409, 413, 415, 429, 503}


@st.composite
def credentials_body(draw: st.DrawFn) -> Any:
    """A login or password body: the right shape with hostile values, or anything."""
    def value() -> Any:
        return draw(st.one_of(st.sampled_from(LOGINS), hostile_text(max_size=30),
                              st.just(PASSWORD), json_values(4),
                              st.integers(0, 5).map(lambda n: nested(n * 5, "x"))))

    body: dict[str, Any] = {}
    keys = draw(st.one_of(st.just(["login", "password"]), st.just(["password", "new_password"]),
                          st.lists(st.sampled_from(["login", "password", "new_password",
                                                    "next", "x"]), max_size=4)))
    for key in keys:
        body[key] = value()
    return draw(st.one_of(st.just(body), json_values(6)))


@st.composite
def shaped_body(draw: st.DrawFn) -> Any:
    """An object with some of the routes' fields, each with a value of any shape: a
    question list of nearly right questions, hostile text, huge numbers, deep nesting."""
    question = st.fixed_dictionaries({}, optional={
        "kind": st.sampled_from(["rating", "single", "multiple", "text", "stars", 1]),
        "text": hostile_text(max_size=20), "required": json_values(2),
        "options": st.one_of(st.lists(hostile_text(max_size=8), max_size=12), json_values(3))})
    value = st.one_of(hostile_text(max_size=30), json_values(4), st.lists(question, max_size=3),
                      st.integers(0, 3).map(lambda n: nested(n * 6, "x")),
                      st.sampled_from([10**30, -1, 1e308, "x" * 5000]))
    keys = draw(st.lists(st.sampled_from(BODY_KEYS), max_size=6, unique=True))
    return {key: draw(value) for key in keys}


@st.composite
def request_case(draw: st.DrawFn) -> dict[str, Any]:
    method = draw(st.sampled_from(["GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH"]))
    path = draw(st.sampled_from(PATHS))
    ctype = draw(st.sampled_from(CONTENT_TYPES))
    kind = draw(st.integers(0, 6))
    body: bytes
    if kind <= 1:
        body = model.encode(draw(credentials_body())).encode()
    elif kind == 2:
        body = model.encode(draw(shaped_body())).encode()
    elif kind == 6:
        body = draw(st.sampled_from([
            b"title,questions,answer\n\"x\",1,\n", b"=cmd|' /C calc'!A0,a,b\n" * 3,
            b"[" + b'{"title":"t","questions":["q"],"answer":"a"},' * 3 + b"{}]",
            b"\xff\xfe,\x00\n", b"title\n" + b"x" * 5000 + b"\n"]))
    elif kind == 3:
        fields = draw(st.dictionaries(st.sampled_from(["login", "password", "next", "x"]),
                                      hostile_text(max_size=20), max_size=3))
        body = "&".join(f"{k}={quote(v.encode('utf-8', 'surrogatepass'))}"
                        for k, v in fields.items()).encode()
    elif kind == 4:
        body = draw(st.binary(max_size=300))
    else:
        body = draw(st.sampled_from([b"[" * 3000 + b"]" * 3000, b'{"login":' * 20 + b"1",
                                     b"x" * 70000, b'{"login":"ann","password":"' + b"p" * 9000
                                     + b'"}', b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00"]))
    headers: dict[str, str] = {}
    if ctype is not None:
        headers["content-type"] = ctype
    origin = draw(st.sampled_from([None, "self", "http://evil.example", "null", ""]))
    if origin is not None:
        headers["origin"] = origin
    auth = draw(st.integers(0, 4))
    if auth == 1:
        pair = f"{draw(st.sampled_from(LOGINS))}:{draw(st.sampled_from([PASSWORD, 'x', '']))}"
        headers["authorization"] = "Basic " + base64.b64encode(
            pair.encode("utf-8", "surrogatepass")).decode()
    elif auth == 2:
        headers["authorization"] = draw(st.sampled_from(
            ["Basic", "Basic !!!", "Basic " + base64.b64encode(b"\xff\xfe:\x00").decode(),
             "Bearer x", "Basic " + "A" * 5000]))
    cookie = draw(st.sampled_from([None, "session", "session", "manager", "garbage", "",
                                   "a" * 5000]))
    return {"method": method, "path": path, "body": body, "headers": headers, "cookie": cookie}


def judge(node: FuzzNode, case: dict[str, Any], got: httpx.Response) -> None:
    where = f"{case['method']} {case['path']} -> {got.status_code} {got.text[:300]!r}"
    assert got.status_code in ALLOWED_STATUS, where
    if got.status_code == 503:
        assert got.json()["error"]["code"] in ("busy", "unavailable"), where
    assert got.headers.get("x-content-type-options") == "nosniff", where
    assert got.headers.get("referrer-policy") == "same-origin", where
    path = got.request.url.path
    if path.startswith("/api/") and got.status_code >= 400:
        error = got.json()["error"]  # every /api/* refusal is a JSON error
        assert isinstance(error["code"], str) and isinstance(error["message"], str), where
    elif (path.startswith("/api/") and got.status_code in (200, 201)
          and "csv" not in got.headers.get("content-type", "")):  # exports may be CSV files
        got.json()


def send(node: FuzzNode, client: httpx.Client, case: dict[str, Any], eve: str,
         maria: str) -> httpx.Response:
    headers = dict(case["headers"])
    if headers.get("origin") == "self":
        headers["origin"] = node.url
    cookie = {"session": eve, "manager": maria}.get(case["cookie"] or "", case["cookie"])
    if cookie is not None:
        headers["cookie"] = f"fd_session={cookie}"
    return client.request(case["method"], node.url + case["path"], content=case["body"],
                          headers=headers, follow_redirects=False)


def test_hostile_requests(fuzz_node: FuzzNode, bystander: Bystander) -> None:
    fuzz_node.assert_alive()
    # no keep-alive: a reused connection that the server closed at its keep-alive timeout (a
    # race on a loaded machine) would read as "disconnected without a response"
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(timeout=TIMEOUT_S, limits=limits) as client:

        @fuzz_settings(1.2)
        @given(requests=st.lists(request_case(), min_size=1, max_size=4))
        def example(requests: list[dict[str, Any]]) -> None:
            eve, maria = fuzz_node.login("eve"), fuzz_node.login("maria")
            for case in requests:
                if case["path"].startswith("/api/cluster/switch") and (
                        case["cookie"] == "manager" or case["headers"].get(
                            "authorization", "").startswith("Basic ")):
                    continue  # right manager credentials would start a switchover
                got = send(fuzz_node, client, case, eve, maria)
                judge(fuzz_node, case, got)
                remember_password(fuzz_node, case, got)
            fuzz_node.assert_alive()
            bystander.check()

        example()


def remember_password(node: FuzzNode, case: dict[str, Any], got: httpx.Response) -> None:
    """A password change that was taken (eve's or maria's, by the session the case sent):
    later logins use the new password."""
    who = {"session": "eve", "manager": "maria"}.get(case["cookie"] or "")
    if case["path"] == "/api/password" and got.status_code == 200 and who is not None:
        node.passwords[who] = json.loads(case["body"])["new_password"]
