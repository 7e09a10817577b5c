"""Calls per second Hotline's SIP service answers and tears down, with sipp as the caller.

Each step runs sipp's built-in uac (INVITE, 200, ACK, BYE, 200) at a target rate against (a)
sipp's own C++ uas - the baseline, measured in the same run - and (b) a Hotline `SipService`
whose handler answers every call with PCMU. A step passes when fewer than 1 % of calls fail
and the achieved rate is at least 90 % of the target; the figure is the highest passing rate.
Run: .venv/bin/python bench/sip_cps.py [--rates 100,200,400,800] [--seconds 8] [--transport udp]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from hotline.clock import SystemClock
from hotline.events import ListSink
from hotline.sip.offeranswer import make_answer
from hotline.sip.protection import ProtectionSettings
from hotline.sip.transport.calls import IncomingCall
from hotline.sip.transport.service import SipService, SipServiceConfig


def free_port() -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port != 5060 and not 20000 <= port <= 29999:
            return port


@dataclass
class Step:
    target: int
    calls: int
    ok: int
    failed: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def passed(self) -> bool:
        return self.failed <= self.calls * 0.01 and self.rate >= 0.9 * self.target


async def run_uac(port: int, rate: int, seconds: float, transport: str) -> Step:
    calls = int(rate * seconds)
    with tempfile.TemporaryDirectory() as tmp:
        stat = Path(tmp) / "stat.csv"
        args = [
            "-sn", "uac", f"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", str(free_port()),
            "-mp", str(free_port()), "-r", str(rate), "-m", str(calls), "-l", str(rate * 4),
            "-d", "0", "-t", "u1" if transport == "udp" else "t1", "-nostdin",
            "-trace_stat", "-stf", str(stat), "-timeout", str(int(seconds * 3 + 20)),
        ]  # fmt: skip
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            "sipp", *args, cwd=tmp,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await proc.wait()
        elapsed = time.perf_counter() - started
        lines = [ln for ln in stat.read_text().splitlines() if ln.strip()] if stat.exists() else []
    values = dict(zip(lines[0].split(";"), lines[-1].split(";"), strict=False)) if lines else {}
    ok = int(values.get("SuccessfulCall(C)", 0) or 0)
    failed = int(values.get("FailedCall(C)", 0) or 0)
    failed += max(0, calls - ok - failed)  # calls sipp never finished count as failures
    return Step(rate, calls, ok, failed, elapsed)


@contextlib.asynccontextmanager
async def sipp_uas(transport: str) -> AsyncIterator[int]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = await asyncio.create_subprocess_exec(
            "sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-mp", str(free_port()),
            "-t", "u1" if transport == "udp" else "t1", "-nostdin", cwd=tmp,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await asyncio.sleep(0.5)
        try:
            yield port
        finally:
            proc.terminate()
            await proc.wait()


@contextlib.asynccontextmanager
async def hotline_uas(transport: str) -> AsyncIterator[int]:
    async def on_call(call: IncomingCall) -> None:
        assert call.offer is not None
        answer, _ = make_answer(call.offer, "127.0.0.1", 40000, session_id=1)
        await call.answer(answer)

    protection_off = ProtectionSettings(rate_per_s=1e9, burst=10**9)  # measure, not police
    config = SipServiceConfig(
        udp_port=0, tcp_port=0, authenticate_invites=False, protection=protection_off,
        qualify_interval_s=0,
    )  # fmt: skip
    service = SipService(config, clock=SystemClock(), events=ListSink(), on_call=on_call)
    await service.start()
    try:
        yield service.local[transport].port
    finally:
        await service.stop()


async def ladder(
    name: str,
    target: Callable[[str], contextlib.AbstractAsyncContextManager[int]],
    rates: list[int],
    seconds: float,
    transport: str,
) -> int:
    best = 0
    async with target(transport) as port:
        for rate in rates:
            step = await run_uac(port, rate, seconds, transport)
            mark = "pass" if step.passed else "FAIL"
            print(
                f"  {name:<8} target {rate:>5} cps: {step.ok:>6} ok, {step.failed:>4} failed, "
                f"{step.rate:>7.1f} cps achieved  [{mark}]",
                flush=True,
            )
            if not step.passed:
                break
            best = rate
    return best


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="100,200,400,800")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--transport", choices=["udp", "tcp"], default="udp")
    args = parser.parse_args()
    if shutil.which("sipp") is None:
        raise SystemExit("sipp is not installed (scripts/system-deps.sh all)")
    rates = [int(r) for r in args.rates.split(",")]
    loop = type(asyncio.get_running_loop()).__module__
    print(f"sipp uac -> UAS over {args.transport}, {args.seconds:.0f} s per step, loop {loop}")
    baseline = await ladder("sipp-uas", sipp_uas, rates, args.seconds, args.transport)
    hotline = await ladder("hotline", hotline_uas, rates, args.seconds, args.transport)
    ratio = hotline / baseline if baseline else 0.0
    print(f"highest rate with < 1 % failures: sipp uas {baseline} cps, hotline {hotline} cps "
          f"({ratio:.2f}x baseline)")  # fmt: skip


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
