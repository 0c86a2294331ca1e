"""Memory of a real server under parallel wrong logins (issue 12, finding 4).

``python -m bench.login_memory`` starts ``frontdesk serve`` in its own data directory
with the real argon2id parameters (settings defaults: 64 MiB, 3 passes, 4 lanes), reads
its idle RSS, resets its peak (``/proc/<pid>/clear_refs``), sends ``--logins`` (48) wrong
logins at once, each for a different made-up account (so only the per-address limit can
refuse them: it is raised above ``--logins`` unless ``--default-limits``), and prints
idle RSS, peak RSS (VmHWM) and the answers by status. ``--hashes N`` sets
``login.max_concurrent_hashes`` (``--hashes 48`` shows what an unbounded server costs).
The target: peak - idle < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import trio

from bench.procstat import hwm_kb, rss_kb

ROOT = Path(__file__).resolve().parent.parent
READY = re.compile(rb"frontdesk is ready on (http://\S+)")


def start_server(data_dir: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "frontdesk.web.cli", "serve", "--port", "0", "--data-dir",
         str(data_dir), "--log-level", "WARNING"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            seen += line
            if m := READY.search(line):
                return proc, m.group(1).decode()
    proc.kill()
    raise SystemExit(f"the server did not start within 60 s:\n{seen.decode(errors='replace')}")


async def wrong_logins(url: str, n: int) -> Counter[int]:
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def one(i: int) -> None:
            r = await client.post("/api/login",
                                  json={"login": f"nobody{i}", "password": "wrong password"})
            statuses[r.status_code] += 1

        async with trio.open_nursery() as nursery:
            for i in range(n):
                nursery.start_soon(one, i)
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.login_memory")
    parser.add_argument("--logins", type=int, default=48)
    parser.add_argument("--hashes", type=int, help="login.max_concurrent_hashes (default: 2)")
    parser.add_argument("--default-limits", action="store_true",
                        help="keep the default per-address limit (most logins then get 429)")
    args = parser.parse_args()
    env: dict[str, str] = {}
    if not args.default_limits:
        env["FRONTDESK_LOGIN__FAILURES_PER_ADDRESS"] = str(args.logins + 1)
    if args.hashes is not None:
        env["FRONTDESK_LOGIN__MAX_CONCURRENT_HASHES"] = str(args.hashes)
    with tempfile.TemporaryDirectory(prefix="fd-login-mem-") as tmp:
        proc, url = start_server(Path(tmp), env)
        try:
            time.sleep(1.0)  # let start-up settle before reading the idle figure
            idle = rss_kb(proc.pid)
            Path(f"/proc/{proc.pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
            started = time.monotonic()
            statuses = trio.run(wrong_logins, url, args.logins)
            took = time.monotonic() - started
            peak = hwm_kb(proc.pid)
            after = rss_kb(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    result = {
        "logins": args.logins, "max_concurrent_hashes": args.hashes or 2,
        "idle_rss_mib": round(idle / 1024, 1), "peak_rss_mib": round(peak / 1024, 1),
        "peak_minus_idle_mib": round((peak - idle) / 1024, 1),
        "rss_after_mib": round(after / 1024, 1), "seconds": round(took, 2),
        "statuses": dict(sorted(statuses.items())),
    }
    print(json.dumps(result))
    return 0 if (peak - idle) * 1024 < 300 * 1000 * 1000 else 1


if __name__ == "__main__":
    sys.exit(main())
