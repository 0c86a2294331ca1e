"""Durability: a process killed with SIGKILL loses nothing it acknowledged.

Two writers, each a subprocess that prints every acknowledgement (flushed)
only after it got it: a bare ``SqlJournal`` appending one event per
transaction, and a whole ``Engine`` on an ``SqlJournal`` running a scripted
flow (login, open dialogs, messages both ways, closes). The test reads a few
hundred acknowledgements, SIGKILLs the process mid-stream, reopens the file,
and checks that every acknowledged record / dialog / message is there.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine import notices
from frontdesk.engine.clock import ManualClock
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

WRITER = """
import sys
from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine.journal import NewEvent

journal = SqlJournal(sys.argv[1], synchronous=sys.argv[2])
seq = journal.last()[1]
while True:
    n = seq + 1
    event = NewEvent(f"dialog:d-{n % 7}", "message", 1, {"text": f"message {n}", "n": n},
                     1_700_000_000.0 + n)
    seq = journal.append([event], epoch=1)[0].seq
    print(seq, flush=True)
"""


def lines_then_kill(script: str, args: list[str], count: int) -> list[str]:
    """Run ``script`` (python -c) until it printed ``count`` lines, then SIGKILL it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put("")  # end of stream

    threading.Thread(target=pump, daemon=True).start()
    printed: list[str] = []
    try:
        while len(printed) < count:
            line = lines.get(timeout=60)
            if not line:
                assert proc.stderr is not None
                pytest.fail(f"the process stopped early: {proc.stderr.read()[-2000:]}")
            printed.append(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    return printed


def acks_then_kill(path: Path, synchronous: str, count: int) -> list[int]:
    """Run the writer until it acknowledged ``count`` appends, then SIGKILL it."""
    return [int(line) for line in lines_then_kill(WRITER, [str(path), synchronous], count)]


@pytest.mark.parametrize("synchronous", ["full", "normal"])
def test_every_acknowledged_record_survives_sigkill(tmp_path: Path, synchronous: str) -> None:
    path = tmp_path / "data" / "journal.sqlite3"
    acked: list[int] = []
    for _ in range(2):  # kill, restart on the same file, kill again
        acked += acks_then_kill(path, synchronous, 300)
        with SqlJournal(path) as journal:
            report = journal.verify()
            assert report.ok, str(report)
            records = {r.seq: r for r in journal.read()}
            assert sorted(records) == list(range(1, len(records) + 1))  # gap-free
            assert journal.last() == (1, len(records))
        for seq in acked:
            assert records[seq].data == {"text": f"message {seq}", "n": seq}
            assert records[seq].stream == f"dialog:d-{seq % 7}"
    assert acked == sorted(set(acked)) and len(acked) == 600


ENGINE_FLOW = """
import json, queue, sys
from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine import commands
from frontdesk.engine import notices
from frontdesk.engine.runtime import Engine
from frontdesk.engine.settings import EngineSettings

engine = Engine(EngineSettings(default_capacity=1000), SqlJournal(sys.argv[1])).start()
answers = queue.Queue()


def ask(command):
    engine.submit(command, answers.put)
    answer = answers.get(timeout=30)
    if not isinstance(answer, notices.Ack):
        sys.exit(f"refused: {command} -> {answer}")
    return answer


def tell(**ack):
    print(json.dumps(ack), flush=True)


ask(commands.OperatorLogin("ann", "Ann", ref="login"))
tell(kind="login")
i = 0
while True:
    i += 1
    token = f"token-{i}"
    opened = ask(commands.OpenDialog(token, visitor_name=f"Visitor {i}", ref=f"open-{i}"))
    tell(kind="open", dialog=opened.dialog, token=token, seq=opened.seq)
    seen = queue.Queue()  # assignment follows the open's Ack: wait for it, as a visitor would
    engine.watch_dialog(opened.dialog, seen.put, token_hash=token)
    while not isinstance(seen.get(timeout=30), notices.DialogAssigned):
        pass
    engine.unwatch_dialog(opened.dialog, seen.put)
    for k in range(3):
        text = f"visitor {i}.{k}"
        said = ask(commands.VisitorSay(opened.dialog, token, text, ref=f"v-{i}-{k}"))
        tell(kind="say", dialog=opened.dialog, seq=said.seq, text=text)
        text = f"operator {i}.{k}"
        said = ask(commands.OperatorSay("ann", opened.dialog, text, ref=f"o-{i}-{k}"))
        tell(kind="say", dialog=opened.dialog, seq=said.seq, text=text)
    if i % 3 == 0:
        ask(commands.OperatorClose("ann", opened.dialog, ref=f"close-{i}"))
        tell(kind="close", dialog=opened.dialog)
"""


def run_flow_then_kill(path: Path, count: int) -> list[dict[str, Any]]:
    """Run the scripted engine flow until ``count`` acknowledgements, then SIGKILL it."""
    return [json.loads(line) for line in lines_then_kill(ENGINE_FLOW, [str(path)], count)]


def test_a_fresh_engine_replays_every_acknowledged_dialog_and_message(tmp_path: Path) -> None:
    path = tmp_path / "data" / "journal.sqlite3"
    acks = run_flow_then_kill(path, 150)
    opened = {a["dialog"]: a for a in acks if a["kind"] == "open"}
    closed = {a["dialog"] for a in acks if a["kind"] == "close"}
    said = [a for a in acks if a["kind"] == "say"]
    assert len(opened) >= 8 and closed and len(said) >= 100

    journal = SqlJournal(path)
    engine = Engine(EngineSettings(default_capacity=1000), journal, clock=ManualClock()).start()
    try:
        assert journal.verify().ok
        snapshot = engine.snapshot()
        open_now = {d["id"]: d for d in snapshot["dialogs"]}
        for dialog in opened:
            if dialog in closed:
                assert dialog not in open_now, f"{dialog} was closed (acknowledged)"
            else:
                assert dialog in open_now, f"{dialog} was opened (acknowledged) but is gone"
                if any(a["dialog"] == dialog and a["text"].startswith("operator") for a in said):
                    assert open_now[dialog]["operator"] == "ann"
        histories: dict[str, list[notices.Notice]] = {d: [] for d in open_now}
        for dialog, seen in histories.items():
            engine.watch_dialog(dialog, seen.append, operator_id="ann")
        assert engine.settle(timeout=30)
        for ack in said:
            if ack["dialog"] in closed:
                stream = list(journal.read(stream=f"dialog:{ack['dialog']}"))
                assert any(ack["text"] in json.dumps(r.data) for r in stream), ack
                continue
            posted = {
                (x.seq, x.text) for x in histories[ack["dialog"]]
                if isinstance(x, notices.MessagePosted)
            }
            assert (ack["seq"], ack["text"]) in posted, ack
    finally:
        engine.stop()
        journal.close()
