"""Calls per second the served product sets up through a flow, with sipp as the callers.

A real `hotline serve` (its own temporary database: SQLite, or PostgreSQL with --pg) with the
event log, the crash-safe dialog state and the customer look-up on. Its DID 4100 runs a flow
that looks the caller up (VIP or not), plays a 3 s prompt file and hangs up; sipp hangs up
first, after a 1 s hold. Callers are drawn from a file in which --hit-rate of the numbers
belong to seeded customers (a fifth of them VIP).

Each step runs sipp's caller scenario (`hotline.loadtest`, the same as `hotline loadtest`) at
one rate, against sipp's own uas (the baseline, in the same run) and then against Hotline:
calls/s answered with < 1 % failed, set-up time (INVITE → 200) p50/p95, 503s, and the server's
CPU per answered call summed over every Hotline process (from /proc).

Run: .venv/bin/python bench/product_cps.py [--rates 50,100,200,300,400] [--seconds 10]
     [--hold-ms 1000] [--customers 1000] [--hit-rate 0.5] [--pg]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ports import free_port  # noqa: E402
from tests.server import ServerProcess  # noqa: E402

from hotline.loadtest import (  # noqa: E402
    LoadPlan,
    ProcessTreeCpu,
    SippTarget,
    Step,
    best_rate,
    render_step,
    render_summary,
    run_plan,
)

DID = "4100"
FLOW = f"""
format: 1
name: bench
title: Load test
language: zh-CN
dids: ["{DID}"]
start: who
nodes:
  who:
    type: lookup
    source: customer
    key: caller.number
    found: vip_check
    not_found: greet
    failed: greet
  vip_check:
    type: condition
    branches:
      - when: customer.vip_level >= 1
        next: greet_vip
    otherwise: greet
  greet_vip:
    type: play
    prompt: {{file: bench-vip.wav}}
    next: bye
  greet:
    type: play
    prompt: {{file: bench.wav}}
    next: bye
  bye:
    type: hangup
"""


def write_prompt(path: Path, seconds: float, hz: float) -> None:
    import math

    path.parent.mkdir(parents=True, exist_ok=True)
    frames = bytearray()
    for n in range(int(8000 * seconds)):
        sample = int(6000 * math.sin(2 * math.pi * hz * n / 8000))
        frames += sample.to_bytes(2, "little", signed=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(frames))


def customer_number(i: int) -> str:
    return f"1390{i:07d}"


def seed(server: ServerProcess, customers: int) -> None:
    admin = server.login()
    r = admin.post("/api/v1/flows", json={"text": FLOW, "format": "yaml"})
    if r.status_code != 201:
        raise SystemExit(f"flow not published: {r.text}")
    started = time.monotonic()
    for i in range(customers):
        body = {
            "name": f"客户{i}",
            "phones": [customer_number(i)],
            "vip_level": 2 if i % 5 == 0 else 0,
        }
        admin.post("/api/v1/customers", json=body).raise_for_status()
    print(f"seeded {customers} customers in {time.monotonic() - started:.1f} s", flush=True)


def callers_file(path: Path, customers: int, hit_rate: float, count: int = 5000) -> float:
    rng = random.Random(7)
    lines, hits = ["RANDOM"], 0
    for _ in range(count):
        if customers and rng.random() < hit_rate:
            lines.append(customer_number(rng.randrange(customers)))
            hits += 1
        else:
            lines.append(f"1500{rng.randrange(10**7):07d}")  # nobody's number
    path.write_text("\n".join(lines) + "\n")
    return hits / count


@contextlib.asynccontextmanager
async def sipp_uas(workdir: Path) -> AsyncIterator[int]:
    port = free_port()
    await asyncio.to_thread(workdir.mkdir, parents=True, exist_ok=True)
    proc = await asyncio.create_subprocess_exec(
        "sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-mp", "0", "-nostdin",
        cwd=workdir, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(0.5)  # sipp has no readiness signal; it binds at once
    try:
        yield port
    finally:
        proc.terminate()
        await proc.wait()


def server_env(prompts: Path) -> dict[str, str]:
    env = {
        "HOTLINE_MEDIA__PROMPTS_DIR": str(prompts),
        # The callers come from this machine as a carrier trunk would: trusted source, no
        # digest challenge; its message budget raised to carrier rates.
        "HOTLINE_SIP__TRUNKS": '[{"name": "bench", "host": "127.0.0.1", "port": 5999, '
        '"inbound_sources": ["127.0.0.1"]}]',
        "HOTLINE_SIP__TRUSTED_RATE_LIMIT_PER_S": "20000",
        "HOTLINE_SIP__TRUSTED_RATE_LIMIT_BURST": "40000",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def start_server(tmp: Path, url: str, prompts: Path, customers: int) -> ServerProcess:
    server = ServerProcess(tmp / "var", url, **server_env(prompts))
    # migrate and seed the demo center once (minutes on a machine loaded by other work)
    server.start("demo", timeout=300)
    server.stop()
    subprocess.run(
        [sys.executable, "-m", "hotline.cli", "tenant", "number", "add", "demo", DID,
         "--flow", "bench"],
        env=server.env, check=True, capture_output=True,
    )  # fmt: skip
    server.start("serve", timeout=300)
    try:
        seed(server, customers)
    except BaseException:
        server.stop()
        raise
    return server


def counters(server: ServerProcess) -> str:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    return "; ".join(
        line
        for line in text.splitlines()
        if ("shed" in line or "_gc_" in line) and not line.startswith("#")
    )


async def profiler(pid: int, out: str) -> asyncio.subprocess.Process:
    """py-spy (from PyPI, not a project dependency) samples every thread of the server."""
    return await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(pid),
        "--format", "raw", "-o", out, "--rate", "200", "--subprocesses",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip


def top_functions(path: Path, count: int = 25) -> str:
    """Inclusive share of samples per function (each counted once per stack)."""
    inclusive: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not samples.isdigit():
            continue
        n = int(samples)
        total += n
        for frame in set(stack.split(";")):
            inclusive[frame] = inclusive.get(frame, 0) + n
    ranked = sorted(inclusive.items(), key=lambda kv: -kv[1])[:count]
    return "\n".join(f"  {100 * n / max(total, 1):5.1f} %  {frame}" for frame, n in ranked)


def profile_server(path: str) -> None:
    """The server's environment is this one's (tests/server.py): it profiles itself."""
    os.environ["HOTLINE_PROFILE"] = os.path.abspath(path)


def show(name: str, step: Step, lang: str) -> None:
    print(f"  {name:<8} {render_step(step, lang)}", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="50,100,200,300,400")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--hold-ms", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--hit-rate", type=float, default=0.5)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL (127.0.0.1:5432)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--profile", help="py-spy's collapsed stacks of the server, to FILE")
    parser.add_argument(
        "--cprofile", help="cProfile statistics of the server's event loop, to FILE (at its stop)"
    )
    args = parser.parse_args()
    if args.cprofile:
        profile_server(args.cprofile)
    rates = tuple(float(r) for r in args.rates.split(","))
    plan = LoadPlan(rates=rates, seconds=args.seconds, hold_ms=args.hold_ms)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        callers = tmp / "callers.csv"
        hits = callers_file(callers, args.customers, args.hit_rate)
        prompts = tmp / "prompts"
        write_prompt(prompts / "bench.wav", 3.0, 440)
        write_prompt(prompts / "bench-vip.wav", 3.0, 660)
        pg_url = None
        if args.pg:
            from tests import dbs

            pg_url = await dbs.new_pg_database()
        url = pg_url or f"sqlite+aiosqlite:///{tmp}/var/hotline.db"
        print(
            f"database {'PostgreSQL' if pg_url else 'SQLite'}; {args.customers} customers, "
            f"callers' hit rate {hits:.0%}; hold {args.hold_ms} ms; {args.seconds:g} s per step; "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        try:
            baseline: list[Step] = []
            if not args.no_baseline:
                async with sipp_uas(tmp / "uas") as port:
                    baseline = await run_plan(
                        SippTarget("127.0.0.1", port, DID), plan, callers=callers,
                        workdir=tmp / "baseline",
                        on_step=lambda s: show("sipp uas", s, args.lang),
                    )  # fmt: skip
            server = await asyncio.to_thread(start_server, tmp, url, prompts, args.customers)
            try:
                assert server.process is not None
                cpu = ProcessTreeCpu(server.process.pid)
                spy = await profiler(server.process.pid, args.profile) if args.profile else None
                steps = await run_plan(
                    SippTarget("127.0.0.1", server.sip_port, DID), plan, callers=callers,
                    workdir=tmp / "hotline", cpu=cpu,
                    on_step=lambda s: show("hotline", s, args.lang),
                )  # fmt: skip
                if spy is not None:
                    spy.send_signal(signal.SIGINT)
                    await spy.wait()
                    print(await asyncio.to_thread(top_functions, Path(args.profile)))
                print("server counters: " + await asyncio.to_thread(counters, server), flush=True)
            finally:
                server.stop()
        finally:
            if pg_url:
                from tests import dbs

                await dbs.drop_pg_database_async(pg_url)
    if baseline:
        print(f"sipp uas: {render_summary(baseline, args.lang)}")
    print(f"hotline:  {render_summary(steps, args.lang)}")
    passing = [s for s in steps if s.passed and s.cpu_ms_per_call is not None]
    if passing:
        top = max(passing, key=lambda s: s.target_rate)
        print(
            f"hotline at {best_rate(steps):g} calls/s: CPU {top.cpu_ms_per_call:.2f} ms per call "
            f"(goal: Asterisk's 3.2 ms), p95 set-up {top.setup_p95_ms:.0f} ms"
        )


if __name__ == "__main__":
    asyncio.run(main())
