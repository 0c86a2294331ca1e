"""The survey a close sends survives a kill -9 of the primary (real processes, loopback):
the ``dialog.survey`` and ``dialog.closed`` of a dialog closed on the primary are on the
backup, which, once promoted, replays them to the visitor resuming with the dialog's token
and takes the answer in the closed dialog's stream; its results count it."""

from __future__ import annotations

import httpx
import pytest
import trio
from failover_procs import ProcCluster, wait_health
from row_tables import held_by_the_backup, kill_the_primary, log_in
from test_manager_switchover import PASSWORD, prepare_accounts

from frontdesk.adapters.accounts import Accounts, PasswordHashing
from frontdesk.adapters.client import OperatorClient, VisitorClient

pytestmark = pytest.mark.slow

SURVEY = {"title": "After the repair", "questions": [
    {"kind": "rating", "text": "How was the repair?", "required": True},
    {"kind": "single", "text": "Ride again?", "options": ["Yes", "No"]}]}


async def test_the_close_survey_is_answered_on_the_backup_after_a_kill_9(
        cluster: ProcCluster) -> None:
    cluster.extra_env.update({"FRONTDESK_SURVEYS__ON_CLOSE": SURVEY["title"],
                              "FRONTDESK_SURVEYS__ANSWER_WINDOW_S": "3600"})
    cluster.start_witness()
    a, b = cluster.add("a", "primary"), cluster.add("b", "backup")
    for node in (a, b):
        prepare_accounts(node.data_dir)
        with Accounts(node.data_dir / "accounts.sqlite3",
                      hashing=PasswordHashing.cheap()) as accounts:
            accounts.create_user("ann", "Ann", "operator", PASSWORD)
    cluster.start("a")
    await wait_health(a, lambda h: h["ready"], timeout=60)
    cluster.start("b")
    await wait_health(a, lambda h: h["link"] == "up" and h["caught_up"], timeout=60)
    async with trio.open_nursery() as nursery:
        async with httpx.AsyncClient(base_url=a.url, timeout=30.0) as on_a:
            await log_in(on_a)
            made = await on_a.post("/api/surveys", json=SURVEY)
            assert made.status_code == 201, made.text
            ann = await OperatorClient.logged_in([a.url, b.url], "ann", PASSWORD)
            await nursery.start(ann.run)
            await ann.set_status("connected")
            vic = VisitorClient([a.url, b.url])
            await nursery.start(vic.run)
            opened = await vic.open("Vic", timeout=30)
            dialog, token = opened["dialog"], opened["data"]["token"]
            await ann.expect({"type": "operator.dialog_added", "dialog": dialog}, timeout=30)
            closed = await ann.close(dialog, timeout=30)
            sent = await vic.expect("dialog.survey", timeout=30)
            assert sent["seq"] == closed["seq"] - 1 and sent["title"] == SURVEY["title"]
            await ann.aclose()
            vera = await held_by_the_backup(on_a, a, b, nursery)  # after the close's records
        await kill_the_primary(cluster, b)
        back = VisitorClient([b.url])  # the widget reloaded on the backup
        await nursery.start(back.run)
        await back.resume(dialog, token, after_seq=0, timeout=30)
        again = await back.expect("dialog.survey", timeout=30)
        assert again["seq"] == sent["seq"]
        await back.expect("dialog.closed", timeout=30)
        done = await back.request({"type": "survey_answer", "dialog": dialog,
                                   "survey": sent["seq"], "answers": [5, "Yes"]}, timeout=30)
        assert done["seq"] == closed["seq"] + 1
        async with httpx.AsyncClient(base_url=b.url, timeout=30.0) as on_b:
            await log_in(on_b)
            figures = (await on_b.get("/api/surveys/results")).json()
        (t,) = figures["templates"]
        assert (t["title"], t["sent"], t["answered"], t["average_rating"]) == (
            SURVEY["title"], 1, 1, 5)
        for client in (vic, vera, back):
            await client.aclose()
        nursery.cancel_scope.cancel()
