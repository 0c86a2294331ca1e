"""One set of accounts for the cluster (issue 13 item 9), on real processes.

Each node used to keep its own accounts: each printed its own demo passwords, a user
created on the primary could not log in on the backup, and a logout was not known on the
other node. Now accounts, password changes and revocations cross the replication link
(``repl.accounts``) both ways.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import trio
from failover_procs import ROOT, NodeProc, ProcCluster, start_pair

from frontdesk.adapters.client import ClientError, OperatorClient, http_request
from frontdesk.adapters.client.http import login as http_login

pytestmark = pytest.mark.slow

DEMO_LINE = re.compile(r"^\s+(operator|manager)\s+(\w+)\s+password: (\S+)$", re.MULTILINE)


def user_command(cl: ProcCluster, node: NodeProc, *args: str, password: str) -> None:
    env = {**cl.env(), "NEW_PASSWORD": password}
    subprocess.run(
        [sys.executable, "-m", "frontdesk.web.cli", "user", "--data-dir", str(node.data_dir), *args,
         "--password-env", "NEW_PASSWORD"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=60,
    )


async def login_when_known(url: str, login: str, password: str, timeout: float = 15) -> str:
    with trio.fail_after(timeout):
        while True:
            try:
                return await http_login(url, login, password)
            except ClientError:
                await trio.sleep(0.1)  # polling another process: it answers when it knows


async def test_a_user_made_on_the_primary_logs_in_on_the_backup_and_logouts_cross(
    cluster: ProcCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the test polls logins until the account has crossed: each miss counts as a failed
    # login, so the throttle must not answer 429 before the account arrives
    monkeypatch.setenv("FRONTDESK_LOGIN__FAILURES_PER_ACCOUNT", "100000")
    monkeypatch.setenv("FRONTDESK_LOGIN__FAILURES_PER_ADDRESS", "100000")
    a, b = await start_pair(cluster)

    # one set of demo passwords for the cluster: both nodes print the same
    printed_a = DEMO_LINE.findall(cluster.log_of("a"))
    printed_b = DEMO_LINE.findall(cluster.log_of("b"))
    assert printed_a and sorted(printed_a) == sorted(printed_b)
    _role, login, password = printed_a[0]
    await http_login(b.url, login, password)  # a demo user of a logs in on b

    # a user created on the primary (by the CLI, beside the running server) logs in on b
    user_command(cluster, a, "add", "carol", "--name", "Carol", password="carol's secret")
    token = await login_when_known(b.url, "carol", "carol's secret")

    # that session's socket on the primary is cut by a logout on the backup
    carol = OperatorClient(a.url, session=token, reconnect=False)
    async with carol:
        await carol.set_status("connected")
        out = await http_request(
            "POST", f"{b.url}/api/logout", headers={"Cookie": f"fd_session={token}"})
        assert out.status == 200
        with trio.fail_after(10):
            assert await carol.expect_close() == 1008

    # a password change on the backup ends the primary's sockets of that user, and the old
    # password no longer works on the primary
    token = await http_login(a.url, "carol", "carol's secret")
    carol = OperatorClient(a.url, session=token, reconnect=False)
    async with carol:
        await carol.set_status("connected")
        user_command(cluster, b, "password", "carol", password="a new secret")
        with trio.fail_after(15):
            assert await carol.expect_close() == 1008
    await login_when_known(a.url, "carol", "a new secret")
    with pytest.raises(ClientError):
        await http_login(a.url, "carol", "carol's secret")
