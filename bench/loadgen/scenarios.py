"""What the load generator does, the same for the floor and for frontdesk.

Latency is one-way and measured on the same machine: the sender puts a
``time.monotonic_ns()`` (CLOCK_MONOTONIC, shared by every process on Linux)
into the message text and the receiver subtracts it from its own clock at
receipt. In open-loop runs the stamp is the *scheduled* send time, not the
actual one, so a sender held up by a slow server still counts the wait
(no coordinated omission).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import trio
from trio_websocket import ConnectionClosed

from bench.loadgen.control import Control
from bench.loadgen.drivers import FloorTarget, FrontdeskTarget, Target, TargetError, make_target

DIRECTIONS = ("v2o", "o2v")


def payload(stamp_ns: int, length: int) -> str:
    head = f"{stamp_ns} "
    return head + "x" * max(0, length - len(head))


def stamp_of(text: str) -> int:
    return int(text.split(" ", 1)[0])


class Recorder:
    """Receipts per direction: latencies (us) and counts, with a drain event."""

    def __init__(self) -> None:
        self.latencies_us: dict[str, list[int]] = {d: [] for d in DIRECTIONS}
        self.received: dict[str, int] = dict.fromkeys(DIRECTIONS, 0)
        self.sent: dict[str, int] = dict.fromkeys(DIRECTIONS, 0)
        self.send_errors = 0
        self.sending_done = False
        self.drained = trio.Event()
        self.window: tuple[int, int] = (0, 1 << 62)
        self.in_window = 0
        self.on_each: Callable[[int], None] | None = None

    def __call__(self, pair: int, direction: str, text: str, now_ns: int) -> None:
        stamp = stamp_of(text)
        self.latencies_us[direction].append((now_ns - stamp) // 1000)
        self.received[direction] += 1
        if self.window[0] <= now_ns < self.window[1]:
            self.in_window += 1
        if self.on_each is not None:
            self.on_each(pair)
        self.check_drained()

    def check_drained(self) -> None:
        if self.sending_done and all(self.received[d] >= self.sent[d] for d in DIRECTIONS):
            self.drained.set()

    def result(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "received": self.received,
            "lost": {d: self.sent[d] - self.received[d] for d in DIRECTIONS},
            "send_errors": self.send_errors,
            "latencies_us": self.latencies_us,
        }


def quiet_gc() -> None:
    """Keep the instrument's own collector out of the figures during a bounded run."""
    gc.collect()
    gc.freeze()
    gc.disable()


async def run_open_loop(target: Target, spec: dict[str, Any], start_ns: int) -> dict[str, Any]:
    """Each (pair, direction) sender sends on its own fixed schedule; the rates add up."""
    pairs = sorted(target.visitor_of)
    directions: list[str] = spec["directions"]
    senders = [(p, d) for p in pairs for d in directions]
    rate = float(spec["rate"])
    duration_ns = int(spec["duration_s"] * 1e9)
    length = int(spec["text_len"])
    interval_ns = int(len(senders) * 1e9 / rate)
    rec = Recorder()
    target.on_receive = rec
    lateness_ns = [0]

    async def sender(k: int, pair: int, direction: str) -> None:
        at = start_ns + (k * interval_ns) // len(senders)
        end = start_ns + duration_ns
        while at < end:
            await trio.sleep(max(0.0, (at - time.monotonic_ns()) / 1e9))
            lateness_ns[0] = max(lateness_ns[0], time.monotonic_ns() - at)
            rec.sent[direction] += 1
            try:
                await target.send(pair, direction, payload(at, length))
            except (ConnectionClosed, KeyError):
                rec.send_errors += 1
                rec.sent[direction] -= 1
                return
            at += interval_ns

    async with trio.open_nursery() as nursery:
        for k, (pair, direction) in enumerate(senders):
            nursery.start_soon(sender, k, pair, direction)
    rec.sending_done = True
    rec.check_drained()
    with trio.move_on_after(float(spec.get("drain_s", 5.0))):
        await rec.drained.wait()
    result = rec.result()
    result["max_send_lateness_ms"] = lateness_ns[0] / 1e6
    result["offered_rate"] = rate
    result["duration_s"] = spec["duration_s"]
    return result


async def run_window(target: Target, spec: dict[str, Any], start_ns: int) -> dict[str, Any]:
    """Saturation: every pair keeps ``window`` visitor->operator messages in flight."""
    pairs = sorted(target.visitor_of)
    window = int(spec["window"])
    length = int(spec["text_len"])
    warmup_ns = int(spec["warmup_s"] * 1e9)
    duration_ns = int(spec["duration_s"] * 1e9)
    end = start_ns + warmup_ns + duration_ns
    rec = Recorder()
    rec.window = (start_ns + warmup_ns, end)
    slots = {p: trio.Semaphore(window) for p in pairs}
    rec.on_each = lambda pair: slots[pair].release()
    target.on_receive = rec

    async def sender(pair: int) -> None:
        while True:
            await slots[pair].acquire()
            now = time.monotonic_ns()
            if now >= end:
                return
            rec.sent["v2o"] += 1
            try:
                await target.send(pair, "v2o", payload(now, length))
            except ConnectionClosed:
                rec.send_errors += 1
                rec.sent["v2o"] -= 1
                return

    await trio.sleep(max(0.0, (start_ns - time.monotonic_ns()) / 1e9))
    async with trio.open_nursery() as nursery:
        for pair in pairs:
            nursery.start_soon(sender, pair)
    rec.sending_done = True
    rec.check_drained()
    with trio.move_on_after(float(spec.get("drain_s", 5.0))):
        await rec.drained.wait()
    result = rec.result()
    result["in_window"] = rec.in_window
    result["window_s"] = duration_ns / 1e9
    return result


async def run_pingpong(target: Target, spec: dict[str, Any]) -> dict[str, Any]:
    """One message at a time, visitor->operator, round robin over the pairs (unloaded)."""
    pairs = sorted(target.visitor_of)
    rec = Recorder()
    arrived = [trio.Event()]
    rec.on_each = lambda pair: arrived[0].set()
    target.on_receive = rec
    for k in range(int(spec["messages"])):
        arrived[0] = trio.Event()
        rec.sent["v2o"] += 1
        text = payload(time.monotonic_ns(), int(spec["text_len"]))
        await target.send(pairs[k % len(pairs)], "v2o", text)
        with trio.move_on_after(10):
            await arrived[0].wait()
    return {"latencies_us": rec.latencies_us["v2o"], "lost": rec.sent["v2o"] - rec.received["v2o"]}


async def run_assign(
    target: FrontdeskTarget, nursery: trio.Nursery, spec: dict[str, Any]
) -> dict[str, Any]:
    """Assignment latency, client-side.

    ``free``: operators have free slots; from sending ``open`` (on a connection the
    server has greeted with ``hello``, so the websocket handshake is not counted) to
    the operator's ``operator.dialog_added``. ``freeing``: every slot is taken and dialogs wait;
    from an operator's ``close`` to its next ``operator.dialog_added``.
    """
    free_n, freeing_n = int(spec["free_n"]), int(spec["freeing_n"])
    await target.connect_operators(nursery, int(spec["operators"]))
    await target.set_status("connected")
    free: list[int] = []
    for i in range(free_n):
        conn = await target._connect(nursery, "/ws/visitor", [target.origin], "visitor")
        target.visitors.append(conn)
        with trio.fail_after(30):
            await conn.greeted.wait()
        t0 = time.monotonic_ns()
        ack = await conn.request({"type": "open", "ref": target.ref("o"), "name": f"a{i}"})
        _, t_added = await target.wait_added(str(ack["dialog"]))
        free.append((t_added - t0) // 1000)
    # fill the queue: these wait, as every slot is taken
    await target.open_visitors(nursery, range(free_n, free_n + freeing_n))
    freeing: list[int] = []
    for k in range(freeing_n):
        op = target.operators[k % len(target.operators)]
        added = target.added_channels[id(op)][1]
        while True:  # forget earlier additions
            try:
                added.receive_nowait()
            except trio.WouldBlock:
                break
        victim = target.held[id(op)][0]
        t0 = time.monotonic_ns()
        await op.request({"type": "close", "ref": target.ref("c"), "dialog": victim})
        with trio.move_on_after(30):
            _, t_added = await added.receive()
            freeing.append((t_added - t0) // 1000)
            continue
        raise TargetError(f"no dialog added after closing {victim}")
    return {"free_us": free, "freeing_us": freeing}


async def settle(target: Target, pair: int, spec: dict[str, Any]) -> dict[str, Any]:
    """Wait until the server relays a probe message promptly again.

    After a burst (opening thousands of dialogs) a server may still be working off
    notices it owes; a probe run started then would measure the backlog, not the
    steady state. One message at a time, visitor->operator, until one takes less
    than ``settled_ms`` one way, or ``settle_s`` have passed. Returns how long it took.
    """
    started = time.monotonic_ns()
    deadline = started + int(float(spec.get("settle_s", 120)) * 1e9)
    bound_us = int(float(spec.get("settled_ms", 50)) * 1000)
    rec = Recorder()
    arrived = [trio.Event()]
    rec.on_each = lambda p: arrived[0].set()
    target.on_receive = rec
    tries = 0
    while time.monotonic_ns() < deadline:
        arrived[0] = trio.Event()
        tries += 1
        await target.send(pair, "v2o", payload(time.monotonic_ns(), int(spec["text_len"])))
        with trio.move_on_at((deadline - time.monotonic_ns()) / 1e9 + trio.current_time()):
            while True:
                await arrived[0].wait()
                if rec.latencies_us["v2o"][-1] < bound_us:
                    return {"settled": True, "settle_s": (time.monotonic_ns() - started) / 1e9,
                            "tries": tries, "first_probe_ms": rec.latencies_us["v2o"][0] / 1000}
                if rec.received["v2o"] >= tries:
                    break
                arrived[0] = trio.Event()
    return {"settled": False, "settle_s": (time.monotonic_ns() - started) / 1e9, "tries": tries}


async def run_operators_online(
    target: Target, nursery: trio.Nursery, spec: dict[str, Any]
) -> dict[str, Any]:
    """Connect ``operators`` operator sockets and bring each online, within ``bound_s``.

    frontdesk: the socket logs the operator in, then ``status connected`` (acked).
    floor: the socket joins one pair (acked). ``online_s`` is None when the bound
    cut the run short.
    """
    count = int(spec["operators"])
    started = time.monotonic_ns()
    connected_s: float | None = None
    online_s: float | None = None
    with trio.move_on_after(float(spec["bound_s"])):
        await target.connect_operators(nursery, count)
        connected_s = (time.monotonic_ns() - started) / 1e9
        if isinstance(target, FrontdeskTarget):
            await target.set_status("connected")
        else:
            async with trio.open_nursery() as inner:
                for i, op in enumerate(target.operators):
                    frame = {"type": "join", "pair": f"o-{i}", "side": "o", "ref": target.ref("j")}
                    inner.start_soon(op.request, frame)
        online_s = (time.monotonic_ns() - started) / 1e9
    return {"operators": count, "connected_s": connected_s, "online_s": online_s,
            "elapsed_s": (time.monotonic_ns() - started) / 1e9}


async def run_probe(target: Target, spec: dict[str, Any]) -> dict[str, Any]:
    """A low-rate open-loop run over the probe pair while the rest of the load sits."""
    start = time.monotonic_ns() + 50_000_000
    probe_spec = {
        "directions": list(DIRECTIONS),
        "rate": spec["probe_rate"],
        "duration_s": spec["probe_s"],
        "text_len": spec["text_len"],
    }
    return await run_open_loop(target, probe_spec, start)


async def main(spec: dict[str, Any]) -> None:
    control = Control()
    target = make_target(spec)
    scenario = spec["scenario"]
    async with trio.open_nursery() as nursery:
        await control.wait("setup")
        try:
            result = await _run(scenario, target, nursery, spec, control)
        except Exception as exc:  # reported to the suite, which names the measurement
            control.emit("failed", error=describe(exc), errors=target.errors[:20])
        else:
            result["errors"] = target.errors[:20]
            result["frames_received"] = dict(target.frames)
            result["error_count"] = len(target.errors)
            control.emit("result", **result)
        gc.enable()
        await control.wait("stop")
        nursery.cancel_scope.cancel()


def describe(exc: BaseException) -> str:
    """The leaf errors of an exception (group), one line each."""
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(describe(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"


async def _run(
    scenario: str, target: Target, nursery: trio.Nursery, spec: dict[str, Any], control: Control
) -> dict[str, Any]:
    first, last = spec.get("pairs", [0, 0])
    if scenario in {"open_loop", "window", "pingpong"}:
        await target.setup_pairs(nursery, range(first, last))
        quiet_gc()
        control.emit("ready")
        go = await control.wait("go")
        if scenario == "open_loop":
            return await run_open_loop(target, spec, int(go["start_ns"]))
        if scenario == "window":
            return await run_window(target, spec, int(go["start_ns"]))
        return await run_pingpong(target, spec)
    if scenario == "assign":
        if not isinstance(target, FrontdeskTarget):
            raise TargetError("the assign scenario needs a frontdesk target")
        control.emit("ready")
        return await run_assign(target, nursery, spec)
    if scenario == "operators":
        control.emit("ready")
        await control.wait("go")
        return await run_operators_online(target, nursery, spec)
    if scenario == "scale":
        return await _run_scale(target, nursery, spec, control, range(first, last))
    raise TargetError(f"unknown scenario {scenario!r}")


async def _run_scale(
    target: Target, nursery: trio.Nursery, spec: dict[str, Any], control: Control, visitors: range
) -> dict[str, Any]:
    """Hold many open dialogs; process 0 also holds the operators and a probe pair."""
    operators = int(spec.get("operators", 0))
    probe = -1
    if operators:
        if isinstance(target, FrontdeskTarget):
            await target.setup_pairs(nursery, range(probe, probe + 1))
            # the probe's operator now takes no new dialog; the others take them all
            more = FrontdeskTarget(target.base, target.capacity, target.sessions[1:])
            await more.connect_operators(nursery, operators - len(target.operators))
            await more.set_status("connected")
        else:
            assert isinstance(target, FloorTarget)
            await target.connect_operators(nursery, operators)
            await target.open_visitor(nursery, probe)
            await target.operators[0].request(
                {"type": "join", "pair": f"p-{probe}", "side": "o", "ref": target.ref("j")}
            )
            target.operator_of[probe] = target.operators[0]
    control.emit("ready")
    go = await control.wait("go")
    await trio.sleep(max(0.0, (int(go["start_ns"]) - time.monotonic_ns()) / 1e9))
    with trio.move_on_after(float(spec.get("open_bound_s", 300))) as bound:
        await target.open_visitors(nursery, visitors, tolerate=True)
    opened = len([i for i in target.dialog_of if i in visitors])
    if isinstance(target, FloorTarget) and operators:
        # the floor's operators hold the first dialogs, as frontdesk assigns them
        held = min(int(spec["total_visitors"]), operators * target.capacity)
        await target.join_operators(range(held))
    opened_ns = time.monotonic_ns()
    quiet_gc()
    control.emit("opened", opened_ns=opened_ns, visitors=len(visitors), opened=opened,
                 complete=not bound.cancelled_caught and opened == len(visitors),
                 failures=target.open_failures)
    await control.wait("probe")
    result: dict[str, Any] = {"opened_ns": opened_ns}
    if operators:
        for pair in list(target.visitor_of):
            if pair != probe:
                del target.visitor_of[pair]
        result["settle"] = await settle(target, probe, spec)
        result.update(await run_probe(target, spec))
    return result
