"""`hotline loadtest`: sipp callers against a running Hotline through one of its numbers (DIDs),
at rising rates or with a fixed number of concurrent calls, and the figures of each step —
calls/s answered with < 1 % failed, set-up time p50/p95, 503s and (with `--pid`, on the
server's machine) the server's CPU per call. In Chinese or English (`--lang`).

    hotline loadtest 127.0.0.1:5060 --did 4001 --rates 20,50,100 --seconds 10
    hotline loadtest 127.0.0.1:5060 --did 4001 --concurrent 50 --seconds 30 --lang en
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from hotline.loadtest import (
    LoadPlan,
    ProcessTreeCpu,
    SippTarget,
    render_step,
    render_summary,
    run_plan,
)
from hotline.loadtest.sipp import sipp_available

__all__ = ["loadtest"]

_HELLO = {
    True: "压力测试：{n} 级，每级 {s:g} 秒，通话保持 {h} ms，目标 {t}，号码 {d}",
    False: "Load test: {n} step(s), {s:g} s each, calls held {h} ms, target {t}, number {d}",
}
_NO_SIPP = {
    True: "未找到 sipp：请先安装（Debian：apt-get install sip-tester）",
    False: "sipp not found: install it first (Debian: apt-get install sip-tester)",
}
_BAD = {
    True: "参数错误：{what}",
    False: "bad option: {what}",
}


def _zh(lang: str) -> bool:
    return lang.lower().startswith("zh")


def _callers(path: Path | None, caller: str, workdir: Path) -> Path:
    """sipp's injection file: the given numbers (one a line), or one number for every call."""
    numbers = [caller]
    if path is not None:
        numbers = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    out = workdir / "callers.csv"
    out.write_text("RANDOM\n" + "\n".join(numbers) + "\n")
    return out


def loadtest(
    target: Annotated[str, typer.Argument(help="the server's SIP address, HOST:PORT")],
    did: Annotated[str, typer.Option(help="the number (DID) dialled")],
    rates: Annotated[str, typer.Option(help="calls/s of each step, comma-separated")] = "10,20,50",
    concurrent: Annotated[
        int | None, typer.Option(help="instead of rates: keep this many calls up")
    ] = None,
    seconds: Annotated[float, typer.Option(help="how long each step places calls")] = 10.0,
    hold_ms: Annotated[int, typer.Option(help="how long each answered call is held")] = 1000,
    callers: Annotated[
        Path | None, typer.Option(help="file of caller numbers, one a line (drawn at random)")
    ] = None,
    caller: Annotated[str, typer.Option(help="the caller number when no file is given")] = (
        "13800000000"
    ),
    pid: Annotated[
        int | None, typer.Option(help="the server's process id: its CPU per call (same machine)")
    ] = None,
    transport: Annotated[str, typer.Option(help="udp or tcp")] = "udp",
    lang: Annotated[str, typer.Option(help="zh-CN or en")] = "zh-CN",
) -> None:
    """Load test (压力测试) a running Hotline through one of its numbers with sipp."""
    zh = _zh(lang)
    host, _, port_text = target.rpartition(":")
    try:
        step_rates = tuple(float(r) for r in rates.split(",") if r.strip())
        port = int(port_text)
    except ValueError:
        typer.echo(_BAD[zh].format(what=f"{target} / --rates {rates}"), err=True)
        raise typer.Exit(2) from None
    problems = [
        name
        for name, bad in (
            ("TARGET", not host or not 0 < port < 65536),
            ("--rates", concurrent is None and (not step_rates or min(step_rates) <= 0)),
            ("--concurrent", concurrent is not None and concurrent < 1),
            ("--seconds", seconds <= 0),
            ("--hold-ms", hold_ms < 0),
            ("--transport", transport not in ("udp", "tcp")),
        )
        if bad
    ]
    if problems:
        typer.echo(_BAD[zh].format(what=", ".join(problems)), err=True)
        raise typer.Exit(2)
    if not sipp_available():
        typer.echo(_NO_SIPP[zh], err=True)
        raise typer.Exit(1)
    plan = LoadPlan(rates=step_rates, concurrent=concurrent, seconds=seconds, hold_ms=hold_ms)
    steps_count = 1 if concurrent is not None else len(step_rates)
    typer.echo(_HELLO[zh].format(n=steps_count, s=seconds, h=hold_ms, t=target, d=did))
    cpu = ProcessTreeCpu(pid) if pid is not None else None
    with tempfile.TemporaryDirectory(prefix="hotline-loadtest-") as tmp:
        work = Path(tmp)
        steps = asyncio.run(
            run_plan(
                SippTarget(host, port, did, transport=transport),
                plan,
                callers=_callers(callers, caller, work),
                workdir=work,
                cpu=cpu,
                on_step=lambda step: typer.echo("  " + render_step(step, lang)),
            )
        )
    typer.echo(render_summary(steps, lang))
    sys.stdout.flush()
