"""A SIP flood from many sources against the real server (`hotline demo`), as issue 13 found it:
25 loopback sources (127.0.0.10–34) at 200 messages/s each — INVITEs, REGISTERs with a made-up
nonce, OPTIONS — while a trunk caller on 127.0.0.1 places calls to DID 4001.

Printed, each against the baseline measured in the same run: the server's resident memory
before, at the peak and after the flood, the call set-up time (INVITE to 200 OK) before and
during the flood, and what the server did with the flood (answers by status, its protection
counters from /metrics).
Run: .venv/bin/python bench/sip_flood.py [--seconds 20] [--sources 25] [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.sip.flood import CallTimes, LegitCaller, flood, rss_mb  # noqa: E402
from tests.server import ServerProcess  # noqa: E402


async def calls(caller: LegitCaller, times: CallTimes, count: int, gap: float) -> None:
    for _ in range(count):
        await caller.call(times)
        await asyncio.sleep(gap)


def metrics(server: ServerProcess) -> dict[str, float]:
    text = httpx.get(f"{server.url}/metrics", timeout=5).text
    found = re.findall(r"^hotline_sip_(protection_\w+|transactions|sessions) ([0-9.e+]+)$",
                       text, re.M)  # fmt: skip
    return {name: float(value) for name, value in found}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--sources", type=int, default=25)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--settle", type=float, default=60.0, help="max wait for memory")
    parser.add_argument(
        "--spread", action="store_true", help="each source in its own /24 (127.N.0.1)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp), f"sqlite+aiosqlite:///{tmp}/hotline.db")
        server.start("demo", timeout=60)
        try:
            assert server.process is not None
            pid = server.process.pid
            target = ("127.0.0.1", server.sip_port)
            caller = LegitCaller(target)
            warm = CallTimes()
            await calls(caller, warm, 3, 0.2)
            await asyncio.sleep(2)
            before = CallTimes()
            await calls(caller, before, 10, 0.2)
            rss_before = rss_mb(pid)
            during = CallTimes()
            peak = rss_before
            started = time.monotonic()
            flooding = asyncio.ensure_future(
                flood(target, sources=args.sources, rate_per_source=args.rate,
                      seconds=args.seconds, spread=args.spread)
            )  # fmt: skip
            legit = asyncio.ensure_future(calls(caller, during, 1_000_000, 0.5))
            while not flooding.done():
                peak = max(peak, rss_mb(pid))
                await asyncio.sleep(0.5)
            legit.cancel()
            report = flooding.result()
            wall = time.monotonic() - started
            after = rss_mb(pid)
            settle = time.monotonic()
            while time.monotonic() - settle < args.settle and after > rss_before * 1.05:
                await asyncio.sleep(2)
                after = rss_mb(pid)
            settled_s = time.monotonic() - settle
            counters = metrics(server)
            caller.close()
        finally:
            server.stop()
    offered = args.sources * args.rate
    where = "one /24 each" if args.spread else "one /24"
    print(f"flood: {args.sources} sources ({where}) x {args.rate:g} msg/s = {offered:g} msg/s "
          f"offered, {report.sent} sent in {wall:.1f} s; answers {report.answers} "
          f"{dict(sorted(report.statuses.items()))}")  # fmt: skip
    print(f"memory RSS: before {rss_before:.0f} MB, peak {peak:.0f} MB "
          f"({peak / rss_before:.2f}x), after {after:.0f} MB ({after / rss_before:.2f}x, "
          f"{settled_s:.0f} s after the flood)")  # fmt: skip
    print(f"call set-up (INVITE to 200): before median {before.median():.1f} ms "
          f"({before.completed} calls); during the flood median {during.median():.1f} ms, "
          f"max {max(during.setup_ms, default=float('nan')):.1f} ms "
          f"({during.completed} completed, {len(during.failed)} failed {during.failed[:5]}); "
          f"ratio {during.median() / before.median():.2f}x")  # fmt: skip
    print("server counters: " + ", ".join(f"{k}={v:g}" for k, v in sorted(counters.items())))


if __name__ == "__main__":
    socket.setdefaulttimeout(10)
    asyncio.run(main())
