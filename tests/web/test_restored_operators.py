"""A real ``frontdesk serve`` restart: an operator whose console never comes back is
logged out after ``server.operator_grace_s`` and their dialog goes back to the queue."""

from __future__ import annotations

import base64
import signal
from pathlib import Path
from typing import Any

import pytest
import trio

from frontdesk.adapters.client import ManagerClient, OperatorClient, VisitorClient
from frontdesk.adapters.client.http import get_json
from tests.web.test_cli_serve import Served, serve
from tests.web.test_presence import without

GRACE_S = "1"


async def stop(served: Served) -> None:
    if served.process.returncode is None:
        served.process.send_signal(signal.SIGTERM)
    with trio.fail_after(30):
        assert await served.process.wait() == 0, served.output.decode()


async def inspect(url: str, manager: tuple[str, str]) -> dict[str, Any]:
    auth = base64.b64encode(f"{manager[0]}:{manager[1]}".encode()).decode()
    answer: dict[str, Any] = await get_json(url + "/api/inspect",
                                            {"Authorization": f"Basic {auth}"})
    return answer


@pytest.mark.slow
async def test_after_a_restart_an_operator_who_never_reconnects_is_logged_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_SERVER__OPERATOR_GRACE_S", GRACE_S)
    data = tmp_path / "data"
    first = await serve(data, "--demo")
    try:
        url = (await first.read_until(rb"ready on (http://127\.0\.0\.1:\d+)")).group(1).decode()
        ann_pw = (await first.read_until(rb"operator ann +password: (\S+)")).group(1).decode()
        found = await first.read_until(rb"manager +(\S+) +password: (\S+)")
        manager = (found.group(1).decode(), found.group(2).decode())
        ann = await OperatorClient.logged_in(url, "ann", ann_pw)
        async with ann, VisitorClient(url) as vera:
            await ann.set_status("connected")
            dialog = (await vera.open("Vera"))["dialog"]
            await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
            ann.reconnect = vera.reconnect = False
            await stop(first)
    finally:
        if first.process.returncode is None:
            first.process.kill()

    second = await serve(data)  # ann's console does not come back
    try:
        url = (await second.read_until(rb"ready on (http://127\.0\.0\.1:\d+)")).group(1).decode()
        async with await ManagerClient.logged_in(url, *manager) as maria:
            await maria.wait_for(without("ann"), timeout=20)
            snap = await inspect(url, manager)
        assert snap["operators"] == []
        assert snap["queue"] == [dialog]  # back in the queue for whoever logs in next
    finally:
        await stop(second)
