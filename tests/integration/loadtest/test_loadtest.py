"""The load kit against a real server: `hotline loadtest` drives sipp through the demo's DID
4001 and prints its figures (zh-CN and en); offered more calls than the server may hold, the
excess is answered 503 with Retry-After, nothing fails with 500, and /metrics counts it."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hotline.loadtest import LoadPlan, SippTarget, run_plan
from tests.conftest import require_tool
from tests.server import ServerProcess

pytestmark = [pytest.mark.sipp]


def _loadtest(server: ServerProcess, *options: str) -> subprocess.CompletedProcess[str]:
    assert server.process is not None
    return subprocess.run(
        [
            sys.executable, "-m", "hotline.cli", "loadtest", f"127.0.0.1:{server.sip_port}",
            "--did", "4001", "--pid", str(server.process.pid), *options,
        ],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


async def test_hotline_loadtest_reports_each_step_in_chinese_and_english(
    sqlite_server: ServerProcess,
) -> None:
    require_tool("sipp")
    sqlite_server.start("demo", timeout=60)
    zh = await asyncio.to_thread(
        _loadtest, sqlite_server, "--rates", "2", "--seconds", "2", "--hold-ms", "500"
    )
    assert zh.returncode == 0, zh.stderr
    assert "压力测试：1 级" in zh.stdout
    step = re.search(r"目标 2 次/秒: 接通 (\d+)/4，失败 (\d+)（其中 503 (\d+)，500 0）", zh.stdout)
    assert step is not None, zh.stdout
    answered, failed, shed = int(step[1]), int(step[2]), int(step[3])
    assert answered >= 1
    assert answered + failed == 4
    assert failed == shed  # a busy machine may shed a call (event-loop lag), never fail one
    assert "服务器 CPU 每通" in zh.stdout  # measured from /proc: the server is on this machine

    en = await asyncio.to_thread(
        _loadtest, sqlite_server, "--concurrent", "2", "--seconds", "1", "--hold-ms", "500",
        "--lang", "en",
    )  # fmt: skip
    assert en.returncode == 0, en.stderr
    assert "2 concurrent: " in en.stdout
    assert re.search(r"answered, (\d+) failed \(503: \1, 500: 0\)", en.stdout), en.stdout
    assert "server CPU" in en.stdout


def test_hotline_loadtest_names_a_bad_option() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hotline.cli", "loadtest", "127.0.0.1:5060", "--did", "4001",
         "--rates", "0", "--lang", "en"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "bad option: --rates" in done.stderr


async def test_excess_calls_are_shed_with_503_and_none_fails_with_500(tmp_path: Path) -> None:
    """A server that may hold 6 dialogs, offered 24 calls of 3 s at 12/s: the calls past the
    table are answered 503 with Retry-After at once; every call is answered or shed."""
    require_tool("sipp")
    server = ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_SIP__MAX_DIALOGS="6",
    )
    server.start("demo", timeout=60)
    try:
        callers = tmp_path / "callers.csv"
        callers.write_text("SEQUENTIAL\n13800000000\n")
        steps = await run_plan(
            SippTarget("127.0.0.1", server.sip_port, "4001"),
            LoadPlan(rates=(12.0,), seconds=2.0, hold_ms=3000),
            callers=callers,
            workdir=tmp_path / "sipp",
        )
        (step,) = steps
        counts = step.counts
        assert counts.errors == 0
        assert counts.failed == 0
        assert counts.shed > 0
        assert counts.answered > 0
        assert counts.answered + counts.shed == counts.calls
        metrics = await asyncio.to_thread(lambda: server.login().get("/metrics").text)
        shed = re.search(r"^hotline_sip_protection_shed_dialogs ([0-9.]+)$", metrics, re.M)
        assert shed is not None
        assert float(shed[1]) == counts.shed
    finally:
        server.stop()
