"""The Python client against a real ``frontdesk serve --demo`` process."""

import re
import subprocess
import sys
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.client import (
    OperatorClient,
    RefusedError,
    UpgradeRefusedError,
    VisitorClient,
)


class Server:
    def __init__(self, url: str, password: str) -> None:
        self.url = url
        self.password = password


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    """``frontdesk serve --demo`` on a free port; stopped (SIGTERM) after the test."""
    command = [str(Path(sys.executable).with_name("frontdesk")), "serve", "--port", "0",
               "--demo", "--data-dir", str(tmp_path / "data")]
    async with trio.open_nursery() as nursery:
        run = partial(trio.run_process, command, stdout=subprocess.PIPE,
                      stderr=subprocess.STDOUT, check=False)
        process: trio.Process = await nursery.start(run)
        assert process.stdout is not None
        output = b""
        pattern = rb"ready on (http://\S+)[\s\S]*operator ann +password: (\S+)"
        with trio.fail_after(60):
            while (found := re.search(pattern, output)) is None:
                chunk = await process.stdout.receive_some(65536)
                assert chunk, f"the server ended: {output.decode()}"
                output += chunk
        yield Server(found.group(1).decode(), found.group(2).decode())
        nursery.cancel_scope.cancel()  # run_process stops it: SIGTERM, then SIGKILL


async def test_a_visitor_and_an_operator_talk(server: Server) -> None:
    ann = await OperatorClient.logged_in(server.url, "ann", server.password)
    async with ann, VisitorClient(server.url) as vera:
        await ann.set_status("connected")
        ack = await vera.open("Vera")
        dialog = ack["dialog"]
        await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
        await vera.say("Hello!")
        await ann.expect({"type": "dialog.message", "dialog": dialog, "text": "Hello!"})
        await ann.say(dialog, "Hi Vera")
        await vera.expect({"type": "dialog.message", "author": "operator"})

        async with VisitorClient(server.url) as reloaded:  # a reloaded page takes over
            resumed = await reloaded.resume(dialog, ack["data"]["token"])
            assert resumed["dialog"] == dialog
            with pytest.raises(RefusedError) as refused:
                await reloaded.resume(dialog, "somebody else's token")
            assert refused.value.code == "forbidden"


async def test_an_operator_without_a_session_is_told_why(server: Server) -> None:
    with pytest.raises(UpgradeRefusedError) as refused:
        async with OperatorClient(server.url):
            pass
    assert refused.value.code == "no_session"
