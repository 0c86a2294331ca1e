"""Login throttling on a controllable clock, and the bound on concurrent password hashes.

Issue 12 finding 4: 50 wrong passwords in a row met no lockout and no ``Retry-After``, and
48 parallel wrong logins took the server from 59 MiB to 2.37 GiB (argon2id at 64 MiB each).
The memory itself is measured against a real server process by ``python -m bench.login_memory``.
"""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import trio

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.engine.settings import EngineSettings
from frontdesk.web.login_guard import LoginGuard
from frontdesk.web.login_throttle import LoginThrottle, ThrottleLimits
from tests.web.nodes import PASSWORD, Node, start_node

LIMITS = ThrottleLimits(failures_per_account=5, failures_per_address=20, window_s=300.0)


class Hand:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def http(node: Node) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=node.url, follow_redirects=False, timeout=30)


# --- the throttle alone -------------------------------------------------------------


def test_an_account_is_locked_after_its_limit_of_failures_until_the_window_passes() -> None:
    clock = Hand()
    throttle = LoginThrottle(LIMITS, clock)
    for _ in range(5):
        assert throttle.check("ann", "10.0.0.1") is None
        throttle.failed("ann", "10.0.0.1")
        clock.t += 10
    locked = throttle.check("Ann ", "10.0.0.9")  # the login is the key, from any address
    assert locked is not None and locked.key == "account:ann"
    assert locked.retry_after_s == 300 - 50  # until the oldest failure leaves the window
    clock.t += 250
    assert throttle.check("ann", "10.0.0.1") is None


def test_an_address_is_locked_after_its_limit_across_logins() -> None:
    clock = Hand()
    throttle = LoginThrottle(LIMITS, clock)
    for i in range(20):
        throttle.failed(f"guess{i}", "10.0.0.1")
    refused = throttle.check("someone-else", "10.0.0.1")
    assert refused is not None and refused.key == "address:10.0.0.1"
    assert throttle.check("someone-else", "10.0.0.2") is None


def test_a_success_clears_the_account_but_not_the_address() -> None:
    throttle = LoginThrottle(ThrottleLimits(failures_per_account=2, failures_per_address=3),
                             Hand())
    throttle.failed("ann", "a")
    throttle.succeeded("ann")
    throttle.failed("ann", "a")
    assert throttle.check("ann", "a") is None
    throttle.failed("bob", "a")
    assert throttle.check("cid", "a") is not None  # three failures from "a" in all


def test_the_table_is_bounded() -> None:
    throttle = LoginThrottle(ThrottleLimits(max_tracked=100), Hand())
    for i in range(10_000):
        throttle.failed(f"made-up-{i}", f"10.0.{i // 256}.{i % 256}")
    assert throttle.tracked() == 100


# --- through a real server ------------------------------------------------------------


async def test_fifty_wrong_passwords_meet_429_with_retry_after_on_the_manual_clock(
    node: Node,
) -> None:
    clock = Hand()
    node.ctx.login_guard = LoginGuard(LIMITS, clock)
    async with http(node) as client:
        statuses = []
        for _ in range(50):
            r = await client.post("/api/login", json={"login": "ann", "password": "wrong!!!"})
            statuses.append(r.status_code)
        assert statuses == [401] * 5 + [429] * 45
        assert r.json()["error"]["code"] == "too_many_attempts"
        assert r.headers["retry-after"] == "300"
        # the right password waits too, and an unknown login is refused the same way
        right = await client.post("/api/login", json={"login": "ann", "password": PASSWORD})
        assert right.status_code == 429 and "set-cookie" not in right.headers
        for _ in range(5):
            await client.post("/api/login", json={"login": "nobody", "password": "wrong!!!"})
        ghost = await client.post("/api/login", json={"login": "nobody", "password": "x"})
        assert ghost.status_code == 429 and ghost.headers["retry-after"] == "300"
        # HTTP Basic on /api/inspect is the same door
        basic = base64.b64encode(b"ann:" + PASSWORD.encode()).decode()
        inspect = await client.get("/api/inspect", headers={"authorization": f"Basic {basic}"})
        assert inspect.status_code == 429 and inspect.headers["retry-after"] == "300"
        clock.t += 300
        ok = await client.post("/api/login", json={"login": "ann", "password": PASSWORD})
        assert ok.status_code == 200


async def test_a_throttled_form_login_goes_back_to_the_login_page(node: Node) -> None:
    node.ctx.login_guard = LoginGuard(ThrottleLimits(failures_per_account=1), Hand())
    async with http(node) as client:
        await client.post("/api/login", data={"login": "ann", "password": "wrong"})
        r = await client.post("/api/login", data={"login": "ann", "password": PASSWORD})
        assert (r.status_code, r.headers["location"]) == (303, "/login?error=too_many_attempts")


async def test_parallel_logins_never_hash_more_than_the_bound_and_the_rest_get_503(
    tmp_path: Path,
) -> None:
    # costly enough (16 MiB, 4 passes) that parallel checks overlap; no wait for a slot
    accounts = Accounts(tmp_path / "accounts.sqlite3",
                        hashing=PasswordHashing(time_cost=4, memory_cost_kib=16384,
                                                parallelism=1),
                        max_concurrent_hashes=2, hash_wait_s=0.0)
    accounts.create_user("ann", "Ann", "operator", PASSWORD)
    done_before = accounts.hashing.done
    stop = trio.Event()
    answers: list[httpx.Response] = []
    async with trio.open_nursery() as nursery:
        node = await start_node(tmp_path, accounts, options={}, settings=EngineSettings(),
                                nursery=nursery, stop=stop)
        async with http(node) as client:

            async def wrong(i: int) -> None:
                answers.append(await client.post(
                    "/api/login", json={"login": f"user{i}", "password": "wrong password"}))

            async with trio.open_nursery() as logins:
                for i in range(16):
                    logins.start_soon(wrong, i)
        stop.set()
    await trio.to_thread.run_sync(node.engine.stop)
    node.journal.close()
    accounts.close()
    codes = sorted(r.status_code for r in answers)
    assert set(codes) == {401, 503}, codes
    assert all(r.headers["retry-after"] == "1" for r in answers if r.status_code == 503)
    assert all(r.json()["error"]["code"] == "busy" for r in answers if r.status_code == 503)
    assert accounts.hashing.peak <= 2
    assert accounts.hashing.done - done_before == codes.count(401)  # each 401 cost one hash
