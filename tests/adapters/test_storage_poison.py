"""A lone surrogate reaching the store over the real SQLite journal (issue 12, finding 3).

Before: the journal's UTF-8 encoding failed inside ``append``, the whole group commit
failed, every command in it was told ``unavailable`` (retry later: for ever), and the
dialog crashed each time until it was given up. Now the store refuses that one commit
``invalid`` before appending; the rest of the batch is stored; nothing is given up.
"""

from __future__ import annotations

from pathlib import Path

from frontdesk.adapters.storage import SqlJournal
from frontdesk.engine import commands, messages, notices
from frontdesk.engine.settings import EngineSettings
from frontdesk.engine.testing import EngineHarness


def test_a_surrogate_reaching_the_sqlite_store_is_refused_alone(tmp_path: Path) -> None:
    journal = SqlJournal(tmp_path / "journal.sqlite3")
    cfg = EngineSettings(max_restarts=2, max_restarts_within_s=60)
    with EngineHarness(cfg, journal=journal) as h:
        ann = h.login("ann")
        vera, wendy = h.visitor("Vera"), h.visitor("Wendy")
        vera.open()
        wendy.open()
        d = vera._need()
        p = h.probe("answers")
        for i in range(6):  # past submit, as a buggy adapter could: into the dialog
            h.hold("store")  # with a good say of another dialog in the same batch
            bad = commands.VisitorSay(d, vera.token_hash, f"bad \ud800 {i}", ref=f"bad{i}")
            h.engine.directory.send(f"dialog:{d}", messages.Inbound(bad, p))
            good = commands.VisitorSay(wendy._need(), wendy.token_hash, f"good {i}", ref=f"ok{i}")
            h.engine.submit(good, p)
            h.settle()
            h.release("store")
        got = {x.ref: x for x in (p.expect((notices.Ack, notices.Rejected)) for _ in range(12))}
        for i in range(6):
            refused = got[f"bad{i}"]
            assert isinstance(refused, notices.Rejected) and refused.code == "invalid"
            assert "lone surrogate (U+D800" in refused.message
            assert isinstance(got[f"ok{i}"], notices.Ack)
        assert h.engine.directory.state(f"dialog:{d}") == "live"  # never given up
        assert not h.managers.of_type(notices.ActorFailed)
        assert isinstance(vera.say("fine now"), notices.Ack)
        assert isinstance(ann.say(vera, "hello"), notices.Ack)
        assert isinstance(vera.close(), notices.Ack)
        ops = {o["id"]: o["load"] for o in h.snapshot()["operators"]}
        assert ops == {"ann": 1}  # only wendy's dialog
        h.restart()  # the file holds nothing it cannot read back
        texts = [r.data.get("text") for r in journal.read(0) if r.type == "dialog.message"]
        assert texts == [f"good {i}" for i in range(6)] + ["fine now", "hello"]
    journal.close()
