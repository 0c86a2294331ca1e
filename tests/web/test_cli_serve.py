"""`frontdesk serve` as a real subprocess: demo accounts, a conversation, SIGTERM shutdown."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import trio

from frontdesk.adapters.client import OperatorClient, VisitorClient
from frontdesk.adapters.storage import SqlJournal

ROOT = Path(__file__).resolve().parents[2]


class Served:
    def __init__(self, process: trio.Process) -> None:
        self.process = process
        self.output = b""

    async def read_until(self, pattern: bytes, timeout: float = 30.0) -> re.Match[bytes]:
        assert self.process.stdout is not None
        with trio.fail_after(timeout):
            while (found := re.search(pattern, self.output)) is None:
                chunk = await self.process.stdout.receive_some(65536)
                if not chunk:
                    raise AssertionError(f"serve ended before {pattern!r}: {self.output!r}")
                self.output += chunk
        return found


async def serve(data_dir: Path, *args: str) -> Served:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FRONTDESK_ACCOUNTS__ARGON2_TIME_COST": "1",
           "FRONTDESK_ACCOUNTS__ARGON2_MEMORY_COST_KIB": "8192"}
    process = await trio.lowlevel.open_process(
        [sys.executable, "-m", "frontdesk.web.cli", "serve", "--port", "0",
         "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
    )
    return Served(process)


@pytest.mark.slow
async def test_serve_with_demo_then_sigterm_exits_0_with_the_journal_flushed(
    tmp_path: Path,
) -> None:
    served = await serve(tmp_path / "data", "--demo")
    try:
        ready = await served.read_until(rb"frontdesk is ready on (http://127\.0\.0\.1:\d+)")
        url = ready.group(1).decode()
        creds = await served.read_until(rb"operator ann +password: (\S+)")
        password = creds.group(1).decode()
        ann = await OperatorClient.logged_in(url, "ann", password)
        async with ann, VisitorClient(url) as vera:
            await ann.set_status("connected")
            dialog = (await vera.open("Vera"))["dialog"]
            await ann.expect({"type": "operator.dialog_added", "dialog": dialog})
            acked = [await vera.say(f"message {n}") for n in range(20)]
            acked.append(await ann.say(dialog, "the last word"))
            served.process.send_signal(signal.SIGTERM)
            assert await vera.expect_close(timeout=10) == 1001
            assert await ann.expect_close(timeout=10) == 1001
            vera.reconnect = ann.reconnect = False
        with trio.fail_after(30):
            code = await served.process.wait()
        await served.read_until(rb"frontdesk\.cli: stopped")
        assert code == 0, served.output.decode()
    finally:
        if served.process.returncode is None:
            served.process.kill()
            await served.process.wait()

    journal = SqlJournal(tmp_path / "data" / "journal.sqlite3")
    try:
        texts = [r.data.get("text") for r in journal.read(0, f"dialog:{dialog}")]
        assert journal.verify().ok
    finally:
        journal.close()
    for n in range(20):
        assert f"message {n}" in texts
    assert "the last word" in texts
    assert len(acked) == 21


@pytest.mark.slow
async def test_a_first_run_creates_demo_users_and_a_second_run_keeps_them(tmp_path: Path) -> None:
    first = await serve(tmp_path / "data")
    try:
        await first.read_until(rb"frontdesk is ready")
        await first.read_until(rb"manager +maria +password: \S+")
        first.process.send_signal(signal.SIGINT)
        with trio.fail_after(30):
            assert await first.process.wait() == 0
    finally:
        if first.process.returncode is None:
            first.process.kill()
    second = await serve(tmp_path / "data")
    try:
        await second.read_until(rb"frontdesk is ready on http\S+\n(?:.*\n){4}")
        assert b"password:" not in second.output
        second.process.send_signal(signal.SIGTERM)
        with trio.fail_after(30):
            assert await second.process.wait() == 0
    finally:
        if second.process.returncode is None:
            second.process.kill()


@pytest.mark.slow
async def test_a_restart_starts_from_the_checkpoint_written_at_the_stop(tmp_path: Path) -> None:
    first = await serve(tmp_path / "data")
    try:
        ready = await first.read_until(rb"frontdesk is ready on (http://127\.0\.0\.1:\d+)")
        async with VisitorClient(ready.group(1).decode()) as vera:
            await vera.open("Vera")
            for n in range(5):
                await vera.say(f"message {n}")
            vera.reconnect = False
            first.process.send_signal(signal.SIGTERM)
            await vera.expect_close(timeout=10)
        with trio.fail_after(30):
            assert await first.process.wait() == 0
        written = await first.read_until(rb"checkpoint at seq (\d+) written")
    finally:
        if first.process.returncode is None:
            first.process.kill()
    seq = int(written.group(1))
    assert seq >= 6 and list((tmp_path / "data" / "checkpoints").glob("checkpoint-*.fdck"))
    second = await serve(tmp_path / "data")
    try:
        await second.read_until(rb"frontdesk is ready")
        started = rb"state at seq (\d+): checkpoint at seq (\d+) plus (\d+) records replayed"
        found = re.search(started, second.output)
        assert found is not None, second.output.decode()
        assert found.groups() == (str(seq).encode(), str(seq).encode(), b"0")
        second.process.send_signal(signal.SIGTERM)
        with trio.fail_after(30):
            assert await second.process.wait() == 0
    finally:
        if second.process.returncode is None:
            second.process.kill()
